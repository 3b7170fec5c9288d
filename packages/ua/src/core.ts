/**
 * What the parts of the user agent share (the UAC core of RFC 3261 §8.1): sending a request to its
 * next hop in a client transaction, retrying it with credentials after 401/407 (§22.2), and
 * turning a timeout or a transport failure into the response the UA acts on (§8.1.3.1).
 */
import {
  Contact,
  type ContactAddress,
  createResponse,
  Route,
  type SipRequest,
  type SipResponse,
  sipUri,
  type Uri,
} from '@junction/sip'
import type { ClientTransaction, Clock, TimerSettings, TransactionLayer } from '@junction/transaction'
import type { Resolver, Target, Transport, TransportName } from '@junction/transport'
import { type AuthState, type CredentialsProvider, retryWithCredentials } from './credentials.ts'
import { type UaOutcomeCode, uaOutcomeCodes } from './errors.ts'

/** How a request ended: its final response, possibly one the UA made itself (`local`). */
export interface Outcome {
  /** The last request sent (after an authentication retry, the one with credentials). */
  readonly request: SipRequest
  readonly response: SipResponse
  /** Set when the response did not come from the network: a timeout (408) or a failure (503). */
  readonly local?: { readonly code: UaOutcomeCode; readonly reason: string } | undefined
}

/** Where a Contact points: the listener a request leaves from (§8.1.1.8). */
export interface LocalAddress {
  readonly transport: TransportName
  readonly host: string
  readonly port: number
}

export interface SendOptions {
  /** Every response (1xx, the final, and for an INVITE each 2xx retransmission, RFC 6026 §7.2). */
  readonly onResponse?: ((response: SipResponse, request: SipRequest) => void) | undefined
  /** Each request as it goes out (the first one, then each authentication retry). */
  readonly onSent?: ((request: SipRequest, target: Target) => void) | undefined
  /** Add a Contact (§8.1.1.8) for the listener the request leaves from. */
  readonly contact?: ((local: LocalAddress) => ContactAddress) | undefined
  /** Retry after 401/407 with credentials (default true). */
  readonly authenticate?: boolean | undefined
}

export interface Core {
  readonly clock: Clock
  readonly timers: TimerSettings
  readonly transport: Transport
  readonly layer: TransactionLayer
  readonly credentials: CredentialsProvider | undefined
  readonly auth: AuthState
  /** Resolves the next hop of a request (§8.1.2, RFC 3263 §4). */
  nextHop(request: SipRequest): Promise<{ ok: true; target: Target } | { ok: false; reason: string }>
  /** Sends in a client transaction, with authentication retries; resolves with the final response. */
  send(request: SipRequest, options?: SendOptions): Promise<Outcome>
  /** Sends a request without a transaction (an ACK for a 2xx, §13.2.2.4). */
  sendDirect(request: SipRequest): Promise<void>
  /** The Contact URI for a listener. */
  contactUri(local: LocalAddress): Uri
  /** True once stop() was called. */
  readonly stopped: boolean
}

/** The URI that decides the next hop (§8.1.2, §12.2.1.1): the first Route when loose, else the Request-URI. */
export function nextHopUri(request: SipRequest): Uri {
  const first = request.headers.first(Route)
  if (first !== undefined && first.uri.kind === 'sip' && first.uri.params.has('lr')) return first.uri
  return request.uri
}

/** Most authentication rounds for one request (an AKA resync takes two). */
const maxAuthRounds = 3

export interface CoreInit {
  readonly clock: Clock
  readonly timers: TimerSettings
  readonly transport: Transport
  readonly layer: TransactionLayer
  readonly resolver: Pick<Resolver, 'resolve'>
  readonly transports: readonly TransportName[]
  readonly credentials: CredentialsProvider | undefined
  readonly auth: AuthState
  readonly contactUser: string | undefined
  readonly isStopped: () => boolean
  /** Client transactions in flight, ended at stop(). */
  readonly pending: Set<{ end(): void }>
}

export function createCore(init: CoreInit): Core {
  const { transport, layer } = init

  async function nextHop(request: SipRequest) {
    const uri = nextHopUri(request)
    const r = await init.resolver.resolve(uri, { transports: init.transports })
    if (!r.ok || r.targets[0] === undefined)
      return { ok: false as const, reason: r.ok ? 'no target' : r.error.reason }
    return { ok: true as const, target: r.targets[0] }
  }

  function contactUri(local: LocalAddress): Uri {
    const host = local.host.includes(':') && !local.host.startsWith('[') ? `[${local.host}]` : local.host
    const params: Record<string, string | null> = {}
    if (local.transport !== 'udp') params['transport'] = local.transport
    return sipUri({ user: init.contactUser, host, port: local.port, params })
  }

  function localOf(target: Target): LocalAddress {
    const listener = transport.localFor(target)
    return {
      transport: target.transport,
      host: listener?.advertise.host ?? '127.0.0.1',
      port: listener?.advertise.port ?? 5060,
    }
  }

  function synthetic(request: SipRequest, status: number, code: UaOutcomeCode, reason: string): Outcome {
    return { request, response: createResponse(request, status), local: { code, reason } }
  }

  /** One client transaction: resolves with its final response (or a synthetic one). */
  function once(request: SipRequest, options: SendOptions): Promise<Outcome> {
    return new Promise((resolve) => {
      if (init.isStopped()) {
        resolve(synthetic(request, 503, uaOutcomeCodes.STOPPED, 'the user agent is stopped'))
        return
      }
      nextHop(request).then((hop) => {
        if (!hop.ok) {
          resolve(synthetic(request, 503, uaOutcomeCodes.UNRESOLVABLE, hop.reason))
          return
        }
        if (options.contact !== undefined && !request.headers.has(Contact)) {
          request.headers.set(Contact, [options.contact(localOf(hop.target))])
        }
        let settled = false
        const entry = {
          end() {
            if (settled) return
            settled = true
            tx?.end()
            resolve(synthetic(request, 503, uaOutcomeCodes.STOPPED, 'the user agent stopped'))
          },
        }
        const finish = (outcome: Outcome) => {
          if (settled) return
          settled = true
          init.pending.delete(entry)
          resolve(outcome)
        }
        let tx: (ClientTransaction & { end(): void }) | undefined
        init.pending.add(entry)
        tx = layer.request(request, hop.target, {
          onResponse(response) {
            options.onResponse?.(response, request)
            if (response.status >= 200) finish({ request, response })
          },
          onTimeout() {
            finish(synthetic(request, 408, uaOutcomeCodes.TIMEOUT, 'no final response (Timer B/F)'))
          },
          onTransportError(_tx, error) {
            const reason = error instanceof Error ? error.message : String(error)
            finish(synthetic(request, 503, uaOutcomeCodes.TRANSPORT, reason))
          },
        }) as ClientTransaction & { end(): void }
        options.onSent?.(request, hop.target)
      })
    })
  }

  return {
    clock: init.clock,
    timers: init.timers,
    transport,
    layer,
    credentials: init.credentials,
    auth: init.auth,
    nextHop,
    contactUri,
    get stopped() {
      return init.isStopped()
    },
    async send(request, options = {}) {
      let current = request
      for (let round = 0; ; round++) {
        const outcome = await once(current, options)
        const status = outcome.response.status
        if ((status !== 401 && status !== 407) || outcome.local !== undefined) return outcome
        if (options.authenticate === false || init.credentials === undefined || round >= maxAuthRounds)
          return outcome
        const retry = retryWithCredentials(current, outcome.response, init.credentials, init.auth)
        if (retry === undefined) return outcome
        current = retry
      }
    },
    async sendDirect(request) {
      const hop = await nextHop(request)
      if (!hop.ok) return
      await transport.sendRequest(request, hop.target).catch(() => {})
    },
  }
}
