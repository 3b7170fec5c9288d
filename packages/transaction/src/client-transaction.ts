/**
 * Client transactions, RFC 3261 §17.1: the INVITE client transaction (§17.1.1, with the RFC 6026
 * §7.2 Accepted state) and the non-INVITE client transaction (§17.1.2).
 *
 * Once a final response arrives, a transaction keeps only what its last timer needs: the request
 * and the last response go (see `request`), an INVITE in Completed keeps the ACK it resends, and
 * only an INVITE in Accepted keeps its handler (every further 2xx goes to it).
 */
import type { SipRequest, SipResponse } from '@junction/sip'
import { isReliable, type Target } from '@junction/transport'
import type { ClientHandler } from './ports.ts'
import { createAckForNon2xx } from './requests.ts'
import { timeout64 } from './timers.ts'
import { type Context, releasedError, Transaction } from './transaction.ts'

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated'
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated'

const done: ClientHandler = { onResponse() {} }

export abstract class ClientTransaction extends Transaction {
  #request: SipRequest | undefined
  /** The request method. */
  readonly method: string
  readonly target: Target
  protected handler: ClientHandler
  protected readonly reliable: boolean
  /** The last response received, while the request is held (see `request`). */
  lastResponse: SipResponse | undefined
  /** The retransmission timer's next interval (Timers A and E). */
  protected interval = 0

  constructor(key: string, ctx: Context, request: SipRequest, target: Target, handler: ClientHandler) {
    super(key, ctx)
    this.#request = request
    this.method = request.method
    this.target = target
    this.handler = handler
    this.reliable = isReliable(target.transport)
  }

  /**
   * The request this transaction sends (retransmissions send it again). Once a final response
   * arrived the transaction lets go of it (it may wait up to 32 s more, Timers D and M), and
   * reading it throws `JUNCTION_ERR_TXN_RELEASED`.
   */
  get request(): SipRequest {
    if (this.#request === undefined) throw releasedError('request')
    return this.#request
  }

  abstract override readonly state: InviteClientState | NonInviteClientState

  /** Sends the request; a failure ends the transaction and is reported to the handler (§8.1.3.1). */
  protected transmit(): void {
    const request = this.#request
    if (request === undefined) return
    this.ctx.transport.sendRequest(request, this.target).catch((error: unknown) => this.transportError(error))
  }

  /** A final response arrived: the request and the responses are not needed any more. */
  protected release(keepHandler: boolean): void {
    this.#request = undefined
    this.lastResponse = undefined
    if (!keepHandler) this.handler = done
    this.letGo()
  }

  protected transportError(error: unknown): void {
    if (this.ended) return
    const handler = this.handler
    this.end()
    handler.onTransportError?.(this, error)
  }

  /** Timer B or F fired (§17.1.1.2, §17.1.2.2). */
  protected timedOut(): void {
    if (this.ended) return
    const handler = this.handler
    this.end()
    handler.onTimeout?.(this)
  }

  /** A response matched to this transaction by the layer (§17.1.3). */
  abstract receive(response: SipResponse): void

  /** Starts the transaction: sends the request and starts its timers. */
  abstract start(): void

  protected onEnd(): void {
    this.release(false)
  }
}

/**
 * The ACK for a failure response (§17.1.1.3), or none when it cannot be built: the transaction
 * still moves to Completed and ends, and the server resends its response until Timer D ends ours.
 */
function ackFor(invite: SipRequest, response: SipResponse): SipRequest | undefined {
  try {
    return createAckForNon2xx(invite, response)
  } catch {
    return undefined
  }
}

/** §17.1.1, Figure 5 as changed by RFC 6026 §7.2 (Figure 3 there). */
export class InviteClientTransaction extends ClientTransaction {
  state: InviteClientState = 'calling'
  #ack: SipRequest | undefined

  start(): void {
    const t = this.ctx.timers
    this.transmit()
    if (!this.reliable) {
      // Timer A: T1, doubling at each retransmission while Calling (§17.1.1.2)
      this.interval = t.t1
      this.setRetransmit(this.interval)
    }
    this.setTimeout(timeout64(t)) // Timer B: 64*T1 while Calling
  }

  protected override retransmitTimer(): void {
    if (this.state !== 'calling') return
    this.transmit()
    this.interval *= 2
    this.setRetransmit(this.interval)
  }

  protected timeoutTimer(): void {
    if (this.state === 'calling')
      this.timedOut() // Timer B
    else this.end() // Timer M (Accepted), Timer D (Completed)
  }

  receive(response: SipResponse): void {
    const status = response.status
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          this.lastResponse = response
          if (this.state === 'calling') {
            this.state = 'proceeding'
            this.stopRetransmit()
            this.stopTimeout() // Timer B applies in Calling only (§17.1.1.2)
          }
          this.handler.onResponse(response, this)
        } else if (status < 300) {
          // RFC 6026 §7.2: Accepted; the TU sends the ACK, 2xx retransmissions reach it too
          this.state = 'accepted'
          this.stopRetransmit()
          this.setTimeout(timeout64(this.ctx.timers)) // Timer M
          this.release(true)
          this.handler.onResponse(response, this)
        } else {
          // §17.1.1.3: Completed; the transaction ACKs the failure itself
          this.state = 'completed'
          this.stopRetransmit()
          this.#ack = ackFor(this.request, response)
          this.sendAck()
          const handler = this.handler
          this.release(false)
          this.lingerThenEnd(this.reliable ? 0 : this.ctx.timers.d) // Timer D
          handler.onResponse(response, this)
        }
        return
      case 'accepted':
        if (status >= 200 && status < 300) this.handler.onResponse(response, this)
        return
      case 'completed':
        // a retransmitted failure: ACK it again, the TU has seen it already
        if (status >= 300) this.sendAck()
        return
      default:
        return
    }
  }

  private sendAck(): void {
    if (this.#ack === undefined) return
    this.ctx.transport.sendRequest(this.#ack, this.target).catch(() => {
      // the ACK is best effort: a lost ACK makes the server retransmit the response (§17.1.1.2)
    })
  }

  protected override onEnd(): void {
    this.state = 'terminated'
    this.#ack = undefined
    super.onEnd()
  }
}

/** §17.1.2, Figure 6. */
export class NonInviteClientTransaction extends ClientTransaction {
  state: NonInviteClientState = 'trying'

  start(): void {
    const t = this.ctx.timers
    this.transmit()
    if (!this.reliable) {
      // Timer E: T1, doubling up to T2 while Trying; every T2 once Proceeding (§17.1.2.2)
      this.interval = t.t1
      this.setRetransmit(this.interval)
    }
    this.setTimeout(timeout64(t)) // Timer F: 64*T1 in Trying and Proceeding
  }

  protected override retransmitTimer(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    this.transmit()
    const t = this.ctx.timers
    this.interval = this.state === 'trying' ? Math.min(2 * this.interval, t.t2) : t.t2
    this.setRetransmit(this.interval)
  }

  protected timeoutTimer(): void {
    if (this.state === 'completed')
      this.end() // Timer K
    else this.timedOut() // Timer F
  }

  receive(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return // Completed absorbs retransmissions
    if (response.status < 200) {
      this.lastResponse = response
      this.state = 'proceeding'
      this.handler.onResponse(response, this)
      return
    }
    this.state = 'completed'
    this.stopRetransmit()
    const handler = this.handler
    this.release(false)
    this.lingerThenEnd(this.reliable ? 0 : this.ctx.timers.t4) // Timer K
    handler.onResponse(response, this)
  }

  protected override onEnd(): void {
    this.state = 'terminated'
    super.onEnd()
  }
}
