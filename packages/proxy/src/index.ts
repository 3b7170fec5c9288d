// @junction/proxy — the SIP proxy core: createSipServer, the one typed Route, RFC 3261 §16.
export {
  proxyDrop,
  proxyFloodBlock,
  proxyForward,
  proxyNextHop,
  proxyOverload,
  proxyOverloadPeer,
  proxyResponse,
} from './channels.ts'
export type { SipServerConfig } from './config.ts'
export { serverOptions, sipServerConfig } from './config.ts'
export type { Log, ProxyStats } from './core.ts'
export type { ProxyFaultCode } from './errors.ts'
export { faultCodes, ProxyError, SipError } from './errors.ts'
export type { FloodGuard, FloodGuardOptions, FloodGuardStats } from './flood-guard.ts'
export { createFloodGuard } from './flood-guard.ts'
export type {
  OverloadControl,
  OverloadControlDeps,
  OverloadControlOptions,
  OverloadStats,
} from './overload.ts'
export { createOverloadControl } from './overload.ts'
export type {
  OverloadClient,
  OverloadClientDeps,
  OverloadClientOptions,
  OverloadClientStats,
  OverloadPeer,
} from './overload-client.ts'
export { createOverloadClient } from './overload-client.ts'
export type { NextHopProber, NextHopProberDeps, NextHopProberOptions, NextHopState } from './prober.ts'
export { createNextHopProber } from './prober.ts'
export type {
  BranchContext,
  FailureContext,
  RequestContext,
  ResponseContext,
  Route,
  ServerInfo,
  TargetInput,
} from './route.ts'
export type { SipServer, SipServerDeps, SipServerOptions } from './server.ts'
export { createSipServer } from './server.ts'
export type { ForwardOptions, ForwardTarget, ReplyOptions, StatelessOption, Verdict } from './verdict.ts'
