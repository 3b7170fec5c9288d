/**
 * INVITE sessions (RFC 3261 §13–15): the dialog an INVITE created, the offer and answer it carries
 * (bodies as octets: SDP is the application's), and the requests within it — the ACK for each 2xx
 * (sent by the UA core, and sent again for each retransmitted 2xx, §13.2.2.4), 2xx retransmission
 * until the ACK comes (§13.3.1.4), re-INVITE (§14), BYE (§15).
 */
import { channel } from 'node:diagnostics_channel'
import {
  Contact,
  type ContactAddress,
  CSeq,
  createResponse,
  type SipRequest,
  type SipResponse,
} from '@junction/sip'
import type { ServerTransaction, Timer } from '@junction/transaction'
import type { Flow } from '@junction/transport'
import type { Core, LocalAddress, Outcome } from './core.ts'
import type { Dialog, DialogRequestOptions } from './dialog.ts'
import { UaError, type UaOutcomeCode, uaFaultCodes, uaOutcomeCodes } from './errors.ts'

/** Published with `{ session, state, cause? }` at each state change of a session. */
export const sessionChannel = channel('junction:ua:session')

export type SessionState = 'confirmed' | 'terminated'

/** How a session ended. */
export interface SessionEnd {
  /** `local`: we sent the BYE; `remote`: the peer did; `error`: no ACK came, or the BYE failed. */
  readonly by: 'local' | 'remote' | 'error'
  readonly code?: UaOutcomeCode | undefined
  readonly reason: string
}

export interface Body {
  readonly body: Uint8Array | string
  readonly contentType: string
}

interface Pending2xx {
  readonly cseq: number
  readonly response: SipResponse
  readonly flow: Flow
  timer: Timer | undefined
  resolve(acked: SipRequest | undefined): void
}

export class Session {
  readonly dialog: Dialog
  /** The side that sent the INVITE that created it. */
  readonly role: 'uac' | 'uas'
  state: SessionState = 'confirmed'
  /** The last offer or answer we sent, and the last we received. */
  localBody: Body | undefined
  remoteBody: Body | undefined
  /** Resolves once, when the session ends. */
  readonly ended: Promise<SessionEnd>
  /** Called for a re-INVITE from the peer; returns the body of our answer (default: the last one). */
  onReinvite: ((request: SipRequest) => Body | undefined) | undefined
  /** Called for each request within the dialog other than ACK, BYE, re-INVITE (answered 200). */
  onRequest: ((request: SipRequest) => void) | undefined

  readonly #core: Core
  readonly #contact: (local: LocalAddress) => ContactAddress
  readonly #forget: (session: Session) => void
  #end!: (end: SessionEnd) => void
  /** UAC: the ACK of the last 2xx, sent again for its retransmissions (§13.2.2.4). */
  #ack: SipRequest | undefined
  #pending2xx: Pending2xx | undefined
  #reinviting = false

  /** @internal Made by the user agent. */
  constructor(init: {
    dialog: Dialog
    role: 'uac' | 'uas'
    core: Core
    localBody: Body | undefined
    remoteBody: Body | undefined
    contact: (local: LocalAddress) => ContactAddress
    forget: (session: Session) => void
  }) {
    this.dialog = init.dialog
    this.role = init.role
    this.#core = init.core
    this.localBody = init.localBody
    this.remoteBody = init.remoteBody
    this.#contact = init.contact
    this.#forget = init.forget
    this.onReinvite = undefined
    this.onRequest = undefined
    this.ended = new Promise((resolve) => {
      this.#end = resolve
    })
  }

  /** Ends the session: sends BYE (§15.1.1) and resolves with its outcome. */
  async bye(): Promise<Outcome> {
    if (this.state === 'terminated')
      throw new UaError(uaFaultCodes.INVALID_STATE, 'the session has ended already')
    this.#terminate({ by: 'local', reason: 'BYE sent' })
    const request = this.dialog.createRequest('BYE')
    return this.#core.send(request)
  }

  /** Sends another request within the dialog (INFO, MESSAGE, UPDATE without an offer, ...; §12.2.1). */
  async request(method: string, options: DialogRequestOptions = {}): Promise<Outcome> {
    if (this.state === 'terminated')
      throw new UaError(uaFaultCodes.INVALID_STATE, 'the session has ended already')
    if (['INVITE', 'ACK', 'CANCEL', 'BYE'].includes(method))
      throw new UaError(uaFaultCodes.INVALID_STATE, `use reinvite() or bye(), not request('${method}')`)
    return this.#core.send(this.dialog.createRequest(method, options))
  }

  /**
   * Sends a re-INVITE (§14.1) with a new offer (default: the last one again), ACKs its 2xx, and
   * resolves with the final response. A 491 (glare) is returned as is: retry after a random delay.
   */
  async reinvite(offer?: Body): Promise<Outcome> {
    if (this.state === 'terminated')
      throw new UaError(uaFaultCodes.INVALID_STATE, 'the session has ended already')
    if (this.#reinviting) throw new UaError(uaFaultCodes.INVALID_STATE, 'a re-INVITE is in progress (§14.1)')
    this.#reinviting = true
    const body = offer ?? this.localBody
    const request = this.dialog.createRequest('INVITE', {
      ...(body === undefined ? {} : { body: body.body, contentType: body.contentType }),
    })
    try {
      const outcome = await this.#core.send(request, {
        contact: this.#contact,
        onResponse: (response, sent) => {
          if (response.status >= 200 && response.status < 300) this.receive2xx(response, sent)
        },
      })
      if (outcome.response.status >= 200 && outcome.response.status < 300) {
        this.dialog.refreshTarget(outcome.response)
        if (body !== undefined) this.localBody = body
        this.remoteBody = bodyOf(outcome.response) ?? this.remoteBody
      }
      return outcome
    } finally {
      this.#reinviting = false
    }
  }

  /**
   * @internal A 2xx to our INVITE (or re-INVITE) in this dialog, first or retransmitted: ACK it
   * (§13.2.2.4). The ACK has the INVITE's CSeq number, the dialog's route set, and the credentials
   * of the INVITE.
   */
  receive2xx(response: SipResponse, invite?: SipRequest): void {
    const cseq = response.headers.get(CSeq)?.seq
    if (this.#ack !== undefined && this.#ack.headers.get(CSeq)?.seq === cseq) {
      void this.#core.sendDirect(this.#ack.clone())
      return
    }
    if (cseq === undefined || invite === undefined) return
    const ack = this.dialog.createRequest('ACK', { cseq })
    for (const name of ['Authorization', 'Proxy-Authorization'])
      for (const text of invite.headers.raw(name)) ack.headers.appendRaw(name, text)
    this.#ack = ack
    void this.#core.sendDirect(ack.clone())
  }

  /** @internal A request from the peer within this dialog (§12.2.2). */
  receive(tx: ServerTransaction): void {
    const request = tx.request
    if (!this.dialog.acceptRemote(request)) {
      tx.respond(createResponse(request, 500, 'Out of Order CSeq'))
      return
    }
    switch (request.method) {
      case 'BYE':
        tx.respond(createResponse(request, 200))
        this.#terminate({ by: 'remote', reason: 'BYE received' })
        return
      case 'INVITE': {
        if (this.#reinviting || this.#pending2xx !== undefined) {
          // §14.2: a re-INVITE while ours is pending
          tx.respond(createResponse(request, 491))
          return
        }
        this.remoteBody = bodyOf(request) ?? this.remoteBody
        const answer = this.onReinvite?.(request) ?? this.localBody
        if (answer !== undefined) this.localBody = answer
        void this.accept(tx, answer)
        return
      }
      default:
        this.onRequest?.(request)
        tx.respond(createResponse(request, 200))
    }
  }

  /**
   * @internal Answers an INVITE of this dialog with 200 and sends the 2xx again at T1, 2·T1, ... up
   * to T2 until its ACK comes, for at most 64·T1 (§13.3.1.4). Resolves with the ACK, or undefined
   * (then the session is ended with a BYE, as §13.3.1.4 says).
   */
  accept(
    tx: ServerTransaction,
    answer: Body | undefined,
    extra: { headers?: Record<string, string> } = {},
  ): Promise<SipRequest | undefined> {
    const request = tx.request
    const response = createResponse(request, 200, undefined, {
      toTag: this.dialog.localTag,
      ...(extra.headers === undefined ? {} : { headers: extra.headers }),
      ...(answer === undefined ? {} : { body: answer.body, contentType: answer.contentType }),
    })
    // §12.1.1: Record-Route copied into the 2xx; §13.3.1.4: a Contact
    for (const text of request.headers.raw('Record-Route')) response.headers.appendRaw('Record-Route', text)
    const listener = this.#core.transport.listenerOf(tx.flow)
    response.headers.set(Contact, [
      this.#contact({
        transport: tx.flow.transport,
        host: listener?.advertise.host ?? tx.flow.local.address,
        port: listener?.advertise.port ?? tx.flow.local.port,
      }),
    ])
    tx.respond(response)
    const cseq = request.headers.get(CSeq)?.seq ?? 0
    return new Promise((resolve) => {
      const pending: Pending2xx = { cseq, response, flow: tx.flow, timer: undefined, resolve }
      this.#pending2xx = pending
      const { t1, t2 } = this.#core.timers
      const deadline = this.#core.clock.now() + 64 * t1
      let interval = t1
      const again = () => {
        if (this.#pending2xx !== pending) return
        if (this.#core.clock.now() >= deadline) {
          this.#pending2xx = undefined
          resolve(undefined)
          if (this.state !== 'terminated') {
            this.#terminate({
              by: 'error',
              code: uaOutcomeCodes.NO_ACK,
              reason: 'no ACK for the 2xx within 64*T1',
            })
            void this.#core.send(this.dialog.createRequest('BYE'))
          }
          return
        }
        void this.#core.transport.sendResponse(response, pending.flow).catch(() => {})
        interval = Math.min(2 * interval, t2)
        pending.timer = this.#core.clock.setTimer(
          Math.min(interval, Math.max(0, deadline - this.#core.clock.now())),
          again,
        )
      }
      pending.timer = this.#core.clock.setTimer(interval, again)
    })
  }

  /** @internal The ACK for our 2xx (§13.3.1.4): retransmissions stop; its body is the answer when we offered in the 2xx. */
  receiveAck(ack: SipRequest): void {
    const pending = this.#pending2xx
    const cseq = ack.headers.get(CSeq)?.seq
    if (pending === undefined || cseq !== pending.cseq) return
    pending.timer?.cancel()
    this.#pending2xx = undefined
    this.remoteBody = bodyOf(ack) ?? this.remoteBody
    pending.resolve(ack)
  }

  /** @internal The UA stops: timers go, the session ends without a BYE. */
  abandon(reason: string): void {
    this.#pending2xx?.timer?.cancel()
    this.#pending2xx?.resolve(undefined)
    this.#pending2xx = undefined
    if (this.state !== 'terminated') this.#terminate({ by: 'error', code: uaOutcomeCodes.STOPPED, reason })
  }

  #terminate(end: SessionEnd): void {
    if (this.state === 'terminated') return
    this.state = 'terminated'
    // a 2xx still waiting for its ACK (a BYE came first): no ACK will come
    const pending = this.#pending2xx
    this.#pending2xx = undefined
    pending?.timer?.cancel()
    pending?.resolve(undefined)
    this.#forget(this)
    if (sessionChannel.hasSubscribers)
      sessionChannel.publish({ session: this, state: 'terminated', cause: end })
    this.#end(end)
  }
}

/** The body of a message with its Content-Type, when it has one. */
export function bodyOf(message: SipRequest | SipResponse): Body | undefined {
  if (message.body.length === 0) return undefined
  const type = message.headers.raw('Content-Type')[0] ?? 'application/octet-stream'
  return { body: message.body, contentType: type }
}
