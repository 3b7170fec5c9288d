/**
 * What every part of the proxy shares: the layers below, the route, and the settings. Built once
 * by createSipServer (the composition root of one server) and passed to the parts explicitly.
 */

import type { Uri } from '@junction/sip'
import type { Clock, TransactionLayer } from '@junction/transaction'
import type { Resolver, Target, Transport, TransportName } from '@junction/transport'
import type { Locality } from './locality.ts'
import type { OverloadClient } from './overload-client.ts'
import type { Route, ServerInfo } from './route.ts'

/** The logger a server takes (pino's shape); only debug and warn are used per request. */
export interface Log {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface ProxyStats {
  /** Requests that reached the route (not retransmissions). */
  requests: number
  /** Requests answered by the proxy itself (validation, loops, the route's reply). */
  replies: number
  /** Branches started (stateful) and requests forwarded statelessly. */
  branches: number
  stateless: number
  /** Responses no transaction matched, forwarded statelessly (§16.7, §16.11) or dropped. */
  strayResponses: number
  /** Requests dropped: by the route, an ACK with nowhere to go, a stray response with no way back. */
  dropped: number
  /** Routes that threw something other than a SipError (answered 500). */
  routeErrors: number
}

export interface CoreSettings {
  /** Timer C (§16.6 step 11): ms a proxied INVITE branch waits for a final response after its last provisional. */
  readonly timerC: number
  /** Most branches one request may have, over all forks and onFailure retries. */
  readonly maxBranches: number
  /** Option tags this proxy supports (Proxy-Require, §16.3 step 5). */
  readonly supported: readonly string[]
  /** 64·T1: how long a cancelled branch may take to end. */
  readonly cancelWait: number
}

export interface Core {
  readonly layer: TransactionLayer
  readonly transport: Transport
  readonly resolver: Resolver
  readonly route: Route
  readonly locality: Locality
  readonly server: ServerInfo
  readonly clock: Clock
  readonly log: Log | undefined
  /** RFC 7339 client role: next hops' overload answers, when enabled. */
  readonly overloadClient: OverloadClient | undefined
  readonly settings: CoreSettings
  readonly stats: ProxyStats
  /** Requests not answered yet (stop() waits for them). */
  readonly pending: { count: number }
  /** A new suffix for a branch id (§16.6 step 8: unique per branch). */
  nextSuffix(): string
  /**
   * RFC 3263: the targets for a next-hop URI, over transports we can send on, in the order to
   * try — at once when no DNS is needed (a numeric host), else a promise.
   */
  destinations(uri: Uri): readonly Target[] | Promise<readonly Target[]>
}

/** Transports we can send over: those of our listeners. */
export function sendableTransports(transport: Transport): readonly TransportName[] {
  return [...new Set(transport.listeners.map((l) => l.transport))]
}
