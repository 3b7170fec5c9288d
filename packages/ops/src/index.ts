// @junction/ops — logs, metrics, the admin server and graceful shutdown for Junction flavors.
export type { AdminServer, AdminServerOptions, MetricsSource } from './admin.ts'
export { builtinRpcMethods, createAdminServer } from './admin.ts'
export type { AdminConfig, LogConfig, ShutdownConfig } from './config.ts'
export { adminConfig, logConfig, shutdownConfig } from './config.ts'
export type { OpsFaultCode } from './errors.ts'
export { faultCodes, OpsError } from './errors.ts'
export type { LoggerConfig, LogLevel } from './logger.ts'
export {
  createLogger,
  isLogLevel,
  logLevels,
  redact,
  redactDepth,
  secretKeys,
  setLevel,
  sipMsg,
  sipReq,
  sipRes,
} from './logger.ts'
export type { Metrics, MetricsOptions } from './metrics.ts'
export { createMetrics, forwardBuckets, metricChannels, sipMethods, statusClasses } from './metrics.ts'
export type {
  RpcDispatcher,
  RpcDispatcherOptions,
  RpcHandler,
  RpcMethod,
  RpcMethods,
  RpcParams,
  StandardSchema,
} from './rpc.ts'
export { createRpcDispatcher, RpcError, rpcErrorCodes, rpcMethod } from './rpc.ts'
export type { ShutdownHandle, ShutdownOptions, ShutdownProcess } from './shutdown.ts'
export { onShutdown } from './shutdown.ts'
