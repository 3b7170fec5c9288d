/**
 * Server transactions, RFC 3261 §17.2: the INVITE server transaction (§17.2.1, with the RFC 6026
 * §7.1 Accepted state) and the non-INVITE server transaction (§17.2.2).
 *
 * Once the final response is sent, a transaction keeps only what its last timers need: the
 * request goes (see `request`), the final response stays only where it is resent (Completed), as
 * its octets in a latin1 string, and the RFC 2543 To tag of an ACK match is kept as a string.
 */
import { Buffer } from 'node:buffer'
import {
  createResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
  serialize,
  ToTag,
} from '@junction/sip'
import type { Flow } from '@junction/transport'
import { timeout64 } from './timers.ts'
import { type Context, releasedError, Transaction } from './transaction.ts'

/** The octets as a latin1 string (one char per octet), a copy of their own. */
function latin1(octets: Uint8Array): string {
  return Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength).toString('latin1')
}

/** A flat copy (a string cut from a message would keep the message text alive). */
function detachTag(tag: string | undefined): string | undefined {
  return tag === undefined ? undefined : (JSON.parse(JSON.stringify(tag)) as string)
}

export interface RespondOptions {
  /**
   * A final response to a non-INVITE request sent as a stateless UAS would (RFC 3261 §8.2.7, whose
   * example is a challenge): the transaction ends at once instead of keeping the response for
   * retransmissions of the request (Completed, Timer J: 32 s over UDP), so a retransmission is a
   * new request, answered anew. For responses that are cheap and harmless to make again (a 401
   * with a fresh nonce). Ignored for an INVITE, whose ACK must find the transaction (§17.2.1).
   */
  readonly stateless?: boolean | undefined
}

export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated'
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated'

export abstract class ServerTransaction extends Transaction {
  #request: SipRequest | undefined
  /** The flow it came over; responses go back along it (§18.2.2). */
  readonly flow: Flow
  /** The request method. */
  readonly method: string
  protected readonly reliable: boolean
  /** The last provisional response sent, while the request is not answered. */
  #provisional: SipResponse | undefined
  /**
   * The octets of the final response, while it is resent on retransmissions (Completed), as a
   * latin1 string (one char per octet): one heap object, where a Uint8Array of its own is three
   * plus a malloc'd store (~230 octets more, kept 32 s by every REGISTER's 401 and 200).
   */
  #final: string | undefined
  /** For a CANCEL: the INVITE server transaction it matched (§9.2), if any. */
  readonly cancels: InviteServerTransaction | undefined
  /**
   * RFC 7339 §5.1: the client supports overload control (its Via has `oc`): every response sent
   * gets the server's overload control parameters (the layer's `overloadFeedback`).
   */
  overloadFeedback = false

  constructor(key: string, ctx: Context, request: SipRequest, flow: Flow, cancels?: InviteServerTransaction) {
    super(key, ctx)
    this.#request = request
    this.method = request.method
    this.flow = flow
    this.reliable = flow.reliable
    this.cancels = cancels
  }

  /**
   * The request that created the transaction, while the TU may answer it. Once a final response
   * is sent the transaction lets go of it (it may wait 32 s more for retransmissions), and reading
   * it throws `JUNCTION_ERR_TXN_RELEASED`.
   */
  get request(): SipRequest {
    if (this.#request === undefined) throw releasedError('request')
    return this.#request
  }

  abstract override readonly state: InviteServerState | NonInviteServerState

  /**
   * Sends a response from the transaction user (§17.2.1, §17.2.2). Ignored once Terminated.
   * `stateless`: see {@link RespondOptions}.
   */
  abstract respond(response: SipResponse, options?: RespondOptions): void

  /** The request arrived again (§17.2.1, §17.2.2): resend the last response, if any. */
  abstract retransmitted(): void

  /**
   * The last response sent, resent when the request is retransmitted (Proceeding, Completed; in
   * Completed a copy, parsed again from the octets kept). Undefined in the Accepted state (RFC 6026
   * §7.1: 2xx retransmissions are the TU's) and once Confirmed or Terminated.
   */
  get lastResponse(): SipResponse | undefined {
    if (this.#provisional !== undefined) return this.#provisional
    if (this.#final === undefined) return undefined
    const parsed = parseMessage(Buffer.from(this.#final, 'latin1'))
    return parsed.ok && parsed.message.kind === 'response' ? parsed.message : undefined
  }

  /** Sends a provisional response and keeps it for retransmissions of the request. */
  protected sendProvisional(response: SipResponse): void {
    this.#provisional = response
    this.send(response)
  }

  /**
   * Sends the final response. With `keep`, its octets are kept to be resent (as a string of their
   * own: a view into Node's shared pool would keep the whole pool alive). Either way the
   * transaction lets go of the request: from now on only the timers and retransmissions matter.
   */
  protected sendFinal(response: SipResponse, keep: boolean): void {
    this.#provisional = undefined
    this.#request = undefined
    if (this.#final !== undefined) this.ctx.retained(-this.#final.length)
    const octets = keep ? serialize(response) : undefined
    this.#final = octets === undefined ? undefined : latin1(octets)
    if (this.#final !== undefined) this.ctx.retained(this.#final.length) // maxRetainedBytes
    this.letGo()
    this.send(response, octets) // the octets kept are the ones sent: one serialization
  }

  /** The final response is not resent any more (ACK, Terminated). */
  protected forget(): void {
    this.#provisional = undefined
    if (this.#final !== undefined) this.ctx.retained(-this.#final.length)
    this.#final = undefined
    this.#request = undefined
    this.letGo()
  }

  protected send(response: SipResponse, octets?: Uint8Array): void {
    this.ctx.transport.sendResponse(response, this.flow, octets).catch(() => this.transportError())
  }

  /** §17.2.4: a transport failure while sending a response ends the transaction; the TU hears of it. */
  protected transportError(): void {
    if (this.ended) return
    this.end()
    this.ctx.user.onServerFailure?.(this, 'transport')
  }
}

/** §17.2.1, Figure 7 as changed by RFC 6026 §7.1 (Figure 4 there). */
export class InviteServerTransaction extends ServerTransaction {
  state: InviteServerState = 'proceeding'
  /** Timer G's next interval. */
  #interval = 0
  /**
   * The To tag of the final response, which an ACK must carry to match when the INVITE had no
   * RFC 3261 branch (§17.2.3); kept only for such an INVITE.
   */
  #toTag: string | undefined

  /** Sends 100 Trying unless the TU answers first (§17.2.1: within 200 ms). */
  start(): void {
    const delay = this.ctx.tryingDelay
    if (delay < 0) return
    if (delay === 0) this.trying()
    else this.setTimeout(delay)
  }

  /** Sends 100 Trying now, if nothing was sent yet. */
  trying(): void {
    if (this.state === 'proceeding' && this.lastResponse === undefined)
      this.respond(createResponse(this.request, 100))
  }

  /** @internal For the layer: the To tag an RFC 2543 ACK must carry (§17.2.3). */
  get finalToTag(): string | undefined {
    return this.#toTag
  }

  respond(response: SipResponse): void {
    const status = response.status
    if (this.overloadFeedback) this.ctx.overloadFeedback?.(response)
    if (this.state === 'accepted') {
      // RFC 6026 §7.1: further 2xx (the TU's retransmissions, or forked 2xx a proxy relays) go out
      if (status >= 200 && status < 300) this.send(response)
      return
    }
    if (this.state !== 'proceeding') return
    this.stopTimeout() // the automatic 100 Trying is not needed any more
    if (status < 200) {
      this.sendProvisional(response)
      return
    }
    if (this.key.startsWith('2543\n')) this.#toTag = detachTag(response.headers.get(ToTag))
    const t = this.ctx.timers
    if (status < 300) {
      this.state = 'accepted'
      this.sendFinal(response, false)
      this.setTimeout(timeout64(t)) // Timer L
      return
    }
    this.state = 'completed'
    this.sendFinal(response, !this.reliable)
    if (!this.reliable) {
      // Timer G: T1, doubling up to T2, resends the final response until the ACK comes (§17.2.1)
      this.#interval = t.t1
      this.setRetransmit(this.#interval)
    }
    this.setTimeout(timeout64(t)) // Timer H
  }

  protected override retransmitTimer(): void {
    const last = this.state === 'completed' ? this.lastResponse : undefined
    if (last === undefined) return
    this.send(last)
    this.#interval = Math.min(2 * this.#interval, this.ctx.timers.t2)
    this.setRetransmit(this.#interval)
  }

  protected timeoutTimer(): void {
    switch (this.state) {
      case 'proceeding':
        this.trying()
        return
      case 'completed':
        // Timer H: no ACK within 64*T1 is a failure of the transaction
        this.end()
        this.ctx.user.onServerFailure?.(this, 'timeout')
        return
      default:
        this.end() // Timer L (Accepted), Timer I (Confirmed)
    }
  }

  retransmitted(): void {
    const last = this.state === 'proceeding' || this.state === 'completed' ? this.lastResponse : undefined
    if (last !== undefined) this.send(last)
  }

  /**
   * An ACK matched this transaction. In Completed it confirms the failure and is absorbed (Timer I);
   * in Accepted it belongs to the TU (RFC 6026 §7.1). Returns true when the ACK was absorbed.
   */
  ack(): boolean {
    if (this.state === 'completed') {
      this.state = 'confirmed'
      this.forget()
      this.stopRetransmit()
      this.lingerThenEnd(this.reliable ? 0 : this.ctx.timers.t4) // Timer I
      return true
    }
    return this.state === 'confirmed'
  }

  protected onEnd(): void {
    this.state = 'terminated'
    this.forget()
  }
}

/** §17.2.2, Figure 8. */
export class NonInviteServerTransaction extends ServerTransaction {
  state: NonInviteServerState = 'trying'

  respond(response: SipResponse, options?: RespondOptions): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    if (this.overloadFeedback) this.ctx.overloadFeedback?.(response)
    if (response.status < 200) {
      this.sendProvisional(response)
      this.state = 'proceeding'
      return
    }
    this.state = 'completed'
    // §8.2.7: a stateless answer keeps nothing to resend
    const linger = this.reliable || options?.stateless === true ? 0 : timeout64(this.ctx.timers)
    this.sendFinal(response, linger > 0)
    this.lingerThenEnd(linger) // Timer J
  }

  protected timeoutTimer(): void {
    this.end() // Timer J
  }

  retransmitted(): void {
    // Trying: discard; Proceeding and Completed: resend the last response
    const last = this.lastResponse
    if (last !== undefined) this.send(last)
  }

  protected onEnd(): void {
    this.state = 'terminated'
    this.forget()
  }
}
