/**
 * Client transactions, RFC 3261 §17.1: the INVITE client transaction (§17.1.1, with the RFC 6026
 * §7.2 Accepted state) and the non-INVITE client transaction (§17.1.2).
 */
import type { SipRequest, SipResponse } from '@junction/sip'
import { isReliable, type Target } from '@junction/transport'
import type { ClientHandler } from './ports.ts'
import { createAckForNon2xx } from './requests.ts'
import { timeout64 } from './timers.ts'
import { type Context, Transaction } from './transaction.ts'

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated'
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated'

export abstract class ClientTransaction extends Transaction {
  /** The request this transaction sends (retransmissions send it again). */
  readonly request: SipRequest
  readonly target: Target
  protected readonly handler: ClientHandler
  protected readonly reliable: boolean
  /** The last response received, if any. */
  lastResponse: SipResponse | undefined

  constructor(key: string, ctx: Context, request: SipRequest, target: Target, handler: ClientHandler) {
    super(key, ctx)
    this.request = request
    this.target = target
    this.handler = handler
    this.reliable = isReliable(target.transport)
  }

  abstract override readonly state: InviteClientState | NonInviteClientState

  /** Sends the request; a failure ends the transaction and is reported to the handler (§8.1.3.1). */
  protected transmit(): void {
    this.ctx.transport
      .sendRequest(this.request, this.target)
      .catch((error: unknown) => this.transportError(error))
  }

  protected transportError(error: unknown): void {
    if (this.ended) return
    this.end()
    this.handler.onTransportError?.(this, error)
  }

  /** Timer B or F fired (§17.1.1.2, §17.1.2.2). */
  protected timedOut(): void {
    if (this.ended) return
    this.end()
    this.handler.onTimeout?.(this)
  }

  /** A response matched to this transaction by the layer (§17.1.3). */
  abstract receive(response: SipResponse): void

  /** Starts the transaction: sends the request and starts its timers. */
  abstract start(): void
}

/** §17.1.1, Figure 5 as changed by RFC 6026 §7.2 (Figure 3 there). */
export class InviteClientTransaction extends ClientTransaction {
  state: InviteClientState = 'calling'

  start(): void {
    const t = this.ctx.timers
    this.transmit()
    if (!this.reliable) {
      // Timer A: T1, doubling at each retransmission while Calling (§17.1.1.2)
      let interval = t.t1
      const retransmit = () => {
        if (this.state !== 'calling') return
        this.transmit()
        interval *= 2
        this.setRetransmit(interval, retransmit)
      }
      this.setRetransmit(interval, retransmit)
    }
    // Timer B: 64*T1 while Calling
    this.setTimeout(timeout64(t), () => {
      if (this.state === 'calling') this.timedOut()
    })
  }

  receive(response: SipResponse): void {
    const status = response.status
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.lastResponse = response
        if (status < 200) {
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
          this.setTimeout(timeout64(this.ctx.timers), () => this.end()) // Timer M
          this.handler.onResponse(response, this)
        } else {
          // §17.1.1.3: Completed; the transaction ACKs the failure itself
          this.state = 'completed'
          this.stopRetransmit()
          this.sendAck(response)
          this.lingerThenEnd(this.reliable ? 0 : this.ctx.timers.d) // Timer D
          this.handler.onResponse(response, this)
        }
        return
      case 'accepted':
        if (status >= 200 && status < 300) this.handler.onResponse(response, this)
        return
      case 'completed':
        // a retransmitted failure: ACK it again, the TU has seen it already
        if (status >= 300) this.sendAck(response)
        return
      default:
        return
    }
  }

  #ack: SipRequest | undefined

  private sendAck(response: SipResponse): void {
    this.#ack ??= createAckForNon2xx(this.request, response)
    this.ctx.transport.sendRequest(this.#ack, this.target).catch(() => {
      // the ACK is best effort: a lost ACK makes the server retransmit the response (§17.1.1.2)
    })
  }

  protected onEnd(): void {
    this.state = 'terminated'
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
      let interval = t.t1
      const retransmit = () => {
        if (this.state !== 'trying' && this.state !== 'proceeding') return
        this.transmit()
        interval = this.state === 'trying' ? Math.min(2 * interval, t.t2) : t.t2
        this.setRetransmit(interval, retransmit)
      }
      this.setRetransmit(interval, retransmit)
    }
    // Timer F: 64*T1 in Trying and Proceeding
    this.setTimeout(timeout64(t), () => this.timedOut())
  }

  receive(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return // Completed absorbs retransmissions
    this.lastResponse = response
    if (response.status < 200) {
      this.state = 'proceeding'
      this.handler.onResponse(response, this)
      return
    }
    this.state = 'completed'
    this.stopRetransmit()
    this.lingerThenEnd(this.reliable ? 0 : this.ctx.timers.t4) // Timer K
    this.handler.onResponse(response, this)
  }

  protected onEnd(): void {
    this.state = 'terminated'
  }
}
