/**
 * Verdicts: what a route decides for a request (RFC 3261 §16: reply, forward, drop) or, after
 * every branch failed, what to do next. Only context methods make them (the class is not
 * exported as a value and its field is private), so a route that forgets to decide does not
 * type-check, and one cannot make up a verdict by hand.
 */
import type { SipResponse, SipUri, Uri } from '@junction/sip'
import type { Target } from '@junction/transport'

/** A target of a forward: a URI (the branch's Request-URI, §16.5) and how to reach it. */
export interface ForwardTarget {
  readonly uri: Uri
  /** q-value (§16.6): higher first; equal values go in parallel. Default 1. */
  readonly q?: number | undefined
  /** Send to this destination instead of resolving the URI (e.g. a registered flow, RFC 5626). */
  readonly destination?: Target | undefined
  /**
   * Resolve this URI (RFC 3263) for the next hop instead of the Request-URI or top Route, without
   * adding a Route header: a static next hop, Kamailio's `$du`.
   */
  readonly nextHop?: Uri | undefined
  /** Route set to pre-load for this target (RFC 3327 Path values, an outbound proxy). */
  readonly route?: readonly SipUri[] | undefined
  /**
   * The same UA instance over its other flows (RFC 5626 §7: one target per instance at a time):
   * tried in turn, in place of this one, when it fails with 430 (Flow Failed) or 408 before any
   * provisional response.
   */
  readonly alternates?: readonly ForwardTarget[] | undefined
  /**
   * A user part for our Record-Route value facing this target, when it differs from
   * `ForwardOptions.recordRouteUser` (the caller's side): e.g. the RFC 5626 §5.3 flow token of an
   * Outbound callee's flow. Then two values are recorded, one per side, and in-dialog requests
   * bring both back (`RequestContext.poppedRoutes`).
   */
  readonly recordRouteUser?: string | undefined
}

export interface ForwardOptions {
  /** Add Record-Route (§16.6 step 4; doubled when transport, family or interface change). */
  readonly recordRoute?: boolean | undefined
  /**
   * A user part for our Record-Route URI(s), e.g. an RFC 5626 §5.3 flow token: in-dialog requests
   * bring it back, and the route reads it in `RequestContext.poppedRoutes`.
   */
  readonly recordRouteUser?: string | undefined
  /** Stateless forwarding (§16.11): no transaction, one target only. */
  readonly stateless?: boolean | undefined
  /** One target at a time, in order (serial forking), instead of by q-value. */
  readonly serial?: boolean | undefined
  /**
   * One target at a time, in order, moving on only when one *fails* before any provisional
   * response: no answer (408), a transport error or a 503 (RFC 3263 §4.3), 430 Flow Failed. Any
   * other final response (a 486, a 404, a challenge) ends the forwarding as it would the last
   * target: for a list of next hops that stand in for each other, where `serial` would ring the
   * callee again through the next one.
   */
  readonly failover?: boolean | undefined
}

export interface ReplyOptions extends StatelessOption {
  readonly headers?: Iterable<readonly [string, string]> | Readonly<Record<string, string>> | undefined
  readonly body?: Uint8Array | string | undefined
  readonly contentType?: string | undefined
}

export interface StatelessOption {
  /**
   * Answer a non-INVITE request as a stateless UAS (RFC 3261 §8.2.7, whose example is a
   * challenge): the server transaction ends once the final response is sent, keeping nothing
   * for 32 s, and a retransmission of the request is routed again as a new one. For answers
   * that are cheap and harmless to make again, such as a 401 with a fresh nonce. Ignored for an
   * INVITE (its ACK must find the transaction) and for provisional responses.
   */
  readonly stateless?: boolean | undefined
}

export type Action =
  | {
      readonly kind: 'reply'
      readonly status: number
      readonly reason: string | undefined
      readonly options: ReplyOptions
    }
  | {
      readonly kind: 'forward'
      readonly targets: readonly ForwardTarget[] | undefined
      readonly options: ForwardOptions
    }
  | { readonly kind: 'respond'; readonly response: SipResponse; readonly stateless: boolean }
  | { readonly kind: 'forward-in-dialog'; readonly options: ForwardOptions }
  | { readonly kind: 'relay-best' }
  | { readonly kind: 'drop' }

export class Verdict {
  readonly #action: Action

  /** @internal Made by the context methods only. */
  constructor(action: Action) {
    this.#action = action
  }

  /** @internal */
  static actionOf(v: Verdict): Action {
    return v.#action
  }
}
