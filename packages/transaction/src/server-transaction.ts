/**
 * Server transactions, RFC 3261 §17.2: the INVITE server transaction (§17.2.1, with the RFC 6026
 * §7.1 Accepted state) and the non-INVITE server transaction (§17.2.2).
 */
import { createResponse, type SipRequest, type SipResponse } from '@junction/sip'
import type { Flow } from '@junction/transport'
import { timeout64 } from './timers.ts'
import { type Context, Transaction } from './transaction.ts'

export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated'
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated'

export abstract class ServerTransaction extends Transaction {
  /** The request that created the transaction. */
  readonly request: SipRequest
  /** The flow it came over; responses go back along it (§18.2.2). */
  readonly flow: Flow
  protected readonly reliable: boolean
  /** The last response sent, resent when the request is retransmitted. */
  lastResponse: SipResponse | undefined
  /** For a CANCEL: the INVITE server transaction it matched (§9.2), if any. */
  readonly cancels: InviteServerTransaction | undefined

  constructor(key: string, ctx: Context, request: SipRequest, flow: Flow, cancels?: InviteServerTransaction) {
    super(key, ctx)
    this.request = request
    this.flow = flow
    this.reliable = flow.reliable
    this.cancels = cancels
  }

  abstract override readonly state: InviteServerState | NonInviteServerState

  /** Sends a response from the transaction user (§17.2.1, §17.2.2). Ignored once Terminated. */
  abstract respond(response: SipResponse): void

  /** The request arrived again (§17.2.1, §17.2.2): resend the last response, if any. */
  abstract retransmitted(): void

  protected send(response: SipResponse): void {
    this.ctx.transport.sendResponse(response, this.flow).catch(() => this.transportError())
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

  /** Sends 100 Trying unless the TU answers first (§17.2.1: within 200 ms). */
  start(): void {
    const delay = this.ctx.tryingDelay
    if (delay < 0) return
    if (delay === 0) this.trying()
    else this.setTimeout(delay, () => this.trying())
  }

  /** Sends 100 Trying now, if nothing was sent yet. */
  trying(): void {
    if (this.state === 'proceeding' && this.lastResponse === undefined)
      this.respond(createResponse(this.request, 100))
  }

  respond(response: SipResponse): void {
    const status = response.status
    if (this.state === 'accepted') {
      // RFC 6026 §7.1: further 2xx (the TU's retransmissions, or forked 2xx a proxy relays) go out
      if (status >= 200 && status < 300) this.send(response)
      return
    }
    if (this.state !== 'proceeding') return
    this.stopTimeout() // the automatic 100 Trying is not needed any more
    this.lastResponse = response
    this.send(response)
    if (status < 200) return
    const t = this.ctx.timers
    if (status < 300) {
      this.state = 'accepted'
      this.setTimeout(timeout64(t), () => this.end()) // Timer L
      return
    }
    this.state = 'completed'
    if (!this.reliable) {
      // Timer G: T1, doubling up to T2, resends the final response until the ACK comes (§17.2.1)
      let interval = t.t1
      const retransmit = () => {
        if (this.state !== 'completed') return
        this.send(response)
        interval = Math.min(2 * interval, t.t2)
        this.setRetransmit(interval, retransmit)
      }
      this.setRetransmit(interval, retransmit)
    }
    // Timer H: no ACK within 64*T1 is a failure of the transaction
    this.setTimeout(timeout64(t), () => {
      if (this.state !== 'completed') return
      this.end()
      this.ctx.user.onServerFailure?.(this, 'timeout')
    })
  }

  retransmitted(): void {
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse !== undefined) {
      this.send(this.lastResponse)
    }
  }

  /**
   * An ACK matched this transaction. In Completed it confirms the failure and is absorbed (Timer I);
   * in Accepted it belongs to the TU (RFC 6026 §7.1). Returns true when the ACK was absorbed.
   */
  ack(): boolean {
    if (this.state === 'completed') {
      this.state = 'confirmed'
      this.stopRetransmit()
      this.lingerThenEnd(this.reliable ? 0 : this.ctx.timers.t4) // Timer I
      return true
    }
    return this.state === 'confirmed'
  }

  protected onEnd(): void {
    this.state = 'terminated'
  }
}

/** §17.2.2, Figure 8. */
export class NonInviteServerTransaction extends ServerTransaction {
  state: NonInviteServerState = 'trying'

  respond(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    this.lastResponse = response
    this.send(response)
    if (response.status < 200) {
      this.state = 'proceeding'
      return
    }
    this.state = 'completed'
    this.lingerThenEnd(this.reliable ? 0 : timeout64(this.ctx.timers)) // Timer J
  }

  retransmitted(): void {
    // Trying: discard; Proceeding and Completed: resend the last response
    if (this.lastResponse !== undefined) this.send(this.lastResponse)
  }

  protected onEnd(): void {
    this.state = 'terminated'
  }
}
