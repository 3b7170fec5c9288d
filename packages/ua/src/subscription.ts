/**
 * The subscriber side of SIP events (RFC 6665 §4.1): SUBSCRIBE creates a subscription and its
 * dialog (from the 2xx, or from a NOTIFY that arrives first, §4.1.2.4), each NOTIFY is answered 200
 * and reported with its Subscription-State and body (§4.1.3), the subscription is refreshed before
 * it expires (§4.1.2.2) and ended with an Expires: 0 SUBSCRIBE (§4.1.2.3) or by the notifier's
 * `terminated`.
 */
import { channel } from 'node:diagnostics_channel'
import {
  CallId,
  type ContactAddress,
  CSeq,
  createResponse,
  Expires,
  FromTag,
  type SipRequest,
  SubscriptionState,
  type SubscriptionStateValue,
} from '@junction/sip'
import type { ServerTransaction, Timer } from '@junction/transaction'
import type { Core, LocalAddress, Outcome } from './core.ts'
import { Dialog } from './dialog.ts'
import { refreshDelay } from './registration.ts'

/** Published with `{ subscription, state, reason? }` when a subscription becomes active or ends. */
export const subscriptionChannel = channel('junction:ua:subscription')

export interface Notification {
  readonly request: SipRequest
  /** Subscription-State (RFC 6665 §8.2.3); undefined when the NOTIFY lacks a valid one. */
  readonly state: SubscriptionStateValue | undefined
  readonly body: Uint8Array
  readonly contentType: string | undefined
}

export interface SubscribeOptions {
  /** The event package, e.g. `presence`, `reg`, `dialog` (RFC 6665 §8.2.1). */
  readonly event: string
  /** Seconds asked for (default 3600). */
  readonly expires?: number | undefined
  /** Accept header, e.g. `application/pidf+xml`. */
  readonly accept?: string | undefined
  /** Refresh before expiry (default true). */
  readonly refresh?: boolean | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Each NOTIFY, after it was answered 200. */
  readonly onNotify?: ((notification: Notification) => void) | undefined
}

export interface Subscription {
  /** The final response to the first SUBSCRIBE (after authentication retries). */
  readonly result: Promise<Outcome>
  /** Resolves when the subscription ends: the notifier's `terminated`, a failed refresh, or `unsubscribe()`. */
  readonly ended: Promise<{ readonly reason: string }>
  readonly state: 'pending' | 'active' | 'terminated'
  /** Ends the subscription (Expires: 0, §4.1.2.3); the notifier answers with a final NOTIFY. */
  unsubscribe(): Promise<Outcome | undefined>
}

export interface SubscriptionContext {
  readonly core: Core
  readonly contact: (local: LocalAddress) => ContactAddress
  /** Registers the subscription so that its NOTIFYs find it (by Call-ID and our tag). */
  readonly adopt: (key: string, sub: SubscriptionImpl) => void
  readonly forget: (key: string) => void
}

/** The key NOTIFYs are matched by before the remote tag is known: Call-ID and our From tag. */
export function subscriptionKey(callId: string, localTag: string): string {
  return `${callId}\u0000${localTag}`
}

export class SubscriptionImpl implements Subscription {
  readonly result: Promise<Outcome>
  readonly ended: Promise<{ readonly reason: string }>
  state: 'pending' | 'active' | 'terminated' = 'pending'
  readonly #ctx: SubscriptionContext
  readonly #options: SubscribeOptions
  readonly #key: string
  /** CSeq of the last SUBSCRIBE sent outside the dialog (an authentication retry adds one). */
  #sentSeq = 0
  #dialog: Dialog | undefined
  #timer: Timer | undefined
  #end!: (e: { reason: string }) => void

  constructor(ctx: SubscriptionContext, request: SipRequest, options: SubscribeOptions) {
    this.#ctx = ctx
    this.#options = options
    this.#key = subscriptionKey(request.headers.get(CallId) ?? '', request.headers.get(FromTag) ?? '')
    this.ended = new Promise((resolve) => {
      this.#end = resolve
    })
    ctx.adopt(this.#key, this)
    const onSent = (sent: SipRequest) => {
      this.#sentSeq = Math.max(this.#sentSeq, sent.headers.get(CSeq)?.seq ?? 0)
    }
    this.result = ctx.core.send(request, { contact: ctx.contact, onSent }).then((outcome) => {
      const status = outcome.response.status
      if (status >= 200 && status < 300) {
        // §4.1.2.1: the 2xx makes the dialog unless a NOTIFY made it first
        this.#dialog ??= Dialog.asUac(outcome.request, outcome.response)
        this.#schedule(outcome.response.headers.get(Expires))
      } else this.#terminate(`SUBSCRIBE answered ${status}`)
      return outcome
    })
  }

  /** @internal A NOTIFY for this subscription (RFC 6665 §4.1.3). */
  receiveNotify(tx: ServerTransaction): void {
    const request = tx.request
    // §4.1.2.4: a NOTIFY before the 2xx creates the dialog (we are its UAS for this request)
    if (this.#dialog === undefined) {
      const localTag = this.#key.slice(this.#key.indexOf('\u0000') + 1)
      this.#dialog = Dialog.asUas(request, localTag)
      // our SUBSCRIBE numbered this Call-ID already: the requests we send next go above it
      if (this.#dialog !== undefined) this.#dialog.localSeq = this.#sentSeq
    }
    if (this.#dialog !== undefined && !this.#dialog.acceptRemote(request)) {
      tx.respond(createResponse(request, 500, 'Out of Order CSeq'))
      return
    }
    tx.respond(createResponse(request, 200))
    const state = request.headers.get(SubscriptionState)
    const contentType = request.headers.raw('Content-Type')[0]
    this.#options.onNotify?.({ request, state, body: request.body, contentType })
    if (state?.state === 'terminated')
      this.#terminate(`terminated by the notifier${state.reason === undefined ? '' : ` (${state.reason})`}`)
    else if (state?.state === 'active' && this.state === 'pending') {
      this.state = 'active'
      if (subscriptionChannel.hasSubscribers)
        subscriptionChannel.publish({ subscription: this, state: 'active' })
    }
  }

  async unsubscribe(): Promise<Outcome | undefined> {
    this.#timer?.cancel()
    if (this.state === 'terminated' || this.#dialog === undefined) {
      this.#terminate('unsubscribed')
      return undefined
    }
    const outcome = await this.#ctx.core.send(this.#subscribe(0), { contact: this.#ctx.contact })
    // the final NOTIFY (terminated) may follow; the subscription ends now for us
    this.#terminate('unsubscribed')
    return outcome
  }

  #subscribe(expires: number): SipRequest {
    const dialog = this.#dialog as Dialog
    return dialog.createRequest('SUBSCRIBE', {
      headers: {
        Event: this.#options.event,
        Expires: String(expires),
        ...(this.#options.accept === undefined ? {} : { Accept: this.#options.accept }),
        ...this.#options.headers,
      },
    })
  }

  #schedule(expires: number | undefined): void {
    this.#timer?.cancel()
    if (this.#options.refresh === false || this.state === 'terminated') return
    const seconds = expires ?? this.#options.expires ?? 3600
    if (seconds <= 0) return
    this.#timer = this.#ctx.core.clock.setTimer(refreshDelay(seconds), () => {
      if (this.state === 'terminated' || this.#dialog === undefined) return
      void this.#ctx.core
        .send(this.#subscribe(this.#options.expires ?? 3600), { contact: this.#ctx.contact })
        .then((o) => {
          const status = o.response.status
          if (status >= 200 && status < 300) this.#schedule(o.response.headers.get(Expires))
          else this.#terminate(`refresh answered ${status}`)
        })
    })
  }

  #terminate(reason: string): void {
    if (this.state === 'terminated') return
    this.state = 'terminated'
    this.#timer?.cancel()
    this.#ctx.forget(this.#key)
    if (subscriptionChannel.hasSubscribers)
      subscriptionChannel.publish({ subscription: this, state: 'terminated', reason })
    this.#end({ reason })
  }

  /** @internal The UA stops. */
  abandon(): void {
    this.#terminate('the user agent stopped')
  }
}
