// @junction/transport — SIP transports, flows and target resolution.
export {
  certificatesReload,
  connectionClose,
  connectionOpen,
  connectionReject,
  dropped,
  messageIn,
  messageOut,
  sendError,
} from './channels.ts'
export type { ResolveErrorCode, TransportFaultCode } from './errors.ts'
export { faultCodes, resolveErrorCodes, TransportError } from './errors.ts'
export type { Endpoint, Flow, Target, TransportName } from './flow.ts'
export { isReliable, transportOfVia, viaTransport } from './flow.ts'
export type { ListenerOptions, TlsFiles } from './listener-spec.ts'
export { parseListenerSpec } from './listener-spec.ts'
export type { MemorySource, MemoryTransport, MemoryTransportOptions, SentMessage } from './memory.ts'
export { createMemoryTransport } from './memory.ts'
export type {
  Dns,
  DnsAddressRecord,
  DnsNaptrRecord,
  DnsSrvRecord,
  IpFamily,
  Resolution,
  ResolvedTarget,
  ResolveError,
  ResolveOptions,
  Resolver,
  ResolverDeps,
  ResolverOptions,
  TargetKey,
} from './resolver.ts'
export { createResolver } from './resolver.ts'
export type {
  BoundListener,
  Transport,
  TransportDeps,
  TransportLimits,
  TransportOptions,
  TransportStats,
} from './transport.ts'
export { createTransport, defaultTransportLimits } from './transport.ts'
