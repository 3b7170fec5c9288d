/**
 * Calls before they are sessions: the INVITE we send (RFC 3261 §13.2: provisional responses, the
 * 2xx of each fork, CANCEL §9.1) and the INVITE we receive (§13.3: ringing, accept, reject, and
 * CANCEL answered with 487, §9.2).
 */
import {
  type ContactAddress,
  createResponse,
  generateTag,
  type SipRequest,
  type SipResponse,
} from '@junction/sip'
import { createCancel, type InviteServerTransaction } from '@junction/transaction'
import type { Target } from '@junction/transport'
import type { Core, LocalAddress, Outcome } from './core.ts'
import { Dialog, dialogKeyOfResponse } from './dialog.ts'
import { type Body, bodyOf, Session } from './session.ts'

export type CallResult =
  | { readonly ok: true; readonly session: Session; readonly response: SipResponse }
  | { readonly ok: false; readonly outcome: Outcome }

export interface OutgoingCall {
  /** The INVITE as last sent (after an authentication retry, the one with credentials). */
  readonly request: SipRequest
  /** Resolves with the session of the first 2xx, or the final failure (3xx–6xx, 408, 487...). */
  readonly result: Promise<CallResult>
  /** Cancels the INVITE (§9.1): sent once a provisional response has come, at once if one has. */
  cancel(): void
}

/** What a call needs from the user agent. */
export interface CallContext {
  readonly core: Core
  readonly contact: (local: LocalAddress) => ContactAddress
  /** Keeps a session where requests and ACKs of its dialog find it; the function forgets it. */
  readonly adopt: (session: Session) => void
  readonly forget: (session: Session) => void
}

export interface InviteOptions {
  readonly offer?: Body | undefined
  readonly onProvisional?: ((response: SipResponse) => void) | undefined
}

export function startCall(ctx: CallContext, invite: SipRequest, options: InviteOptions): OutgoingCall {
  const { core } = ctx
  let current = invite
  let target: Target | undefined
  let provisional = false
  let final = false
  let cancelWanted = false
  let cancelSent: SipRequest | undefined
  let primary: Session | undefined
  const forks = new Map<string, Session>()

  function sendCancel(): void {
    if (cancelSent === current || target === undefined || final) return
    cancelSent = current
    const cancel = createCancel(current)
    core.layer.request(cancel, target, { onResponse() {} })
  }

  function on2xx(response: SipResponse, request: SipRequest): void {
    const key = dialogKeyOfResponse(response)
    if (key === undefined) return
    let session = forks.get(key)
    if (session === undefined) {
      const dialog = Dialog.asUac(request, response)
      if (dialog === undefined) return
      session = new Session({
        dialog,
        role: 'uac',
        core,
        localBody: options.offer,
        remoteBody: bodyOf(response),
        contact: ctx.contact,
        forget: ctx.forget,
      })
      forks.set(key, session)
      ctx.adopt(session)
      session.receive2xx(response, request)
      // §13.2.2.4: one session is enough; the 2xx of another fork is ACKed and ended with BYE.
      // After a CANCEL lost the race with the 2xx, the session is ended too (§9.1).
      if (primary === undefined && !cancelWanted) primary = session
      else void session.bye()
      return
    }
    session.receive2xx(response, request)
  }

  const result = core
    .send(invite, {
      contact: ctx.contact,
      onSent(request, t) {
        current = request
        target = t
        provisional = false
      },
      onResponse(response, request) {
        if (response.status < 200) {
          provisional = true
          if (response.status > 100) options.onProvisional?.(response)
          if (cancelWanted) sendCancel()
          return
        }
        if (response.status < 300) on2xx(response, request)
      },
    })
    .then((outcome): CallResult => {
      final = true
      if (primary !== undefined) return { ok: true, session: primary, response: outcome.response }
      return { ok: false, outcome }
    })

  return {
    get request() {
      return current
    },
    result,
    cancel() {
      cancelWanted = true
      if (provisional) sendCancel()
    },
  }
}

export type IncomingCallState = 'pending' | 'accepted' | 'rejected' | 'cancelled'

export interface IncomingCall {
  readonly request: SipRequest
  /** The offer in the INVITE, if any (else we offer in the 2xx and the answer comes in the ACK). */
  readonly offer: Body | undefined
  readonly state: IncomingCallState
  /** Sends a provisional response (default 180 Ringing) with our To tag. */
  progress(status?: number): void
  /** Answers 200 (§13.3.1.4) and resolves with the session once the ACK came, or undefined without one. */
  accept(answer?: Body): Promise<Session | undefined>
  /** Answers with a final failure (default 486 Busy Here). */
  reject(status?: number, reason?: string): void
  /** Called when the caller cancels before we answered (§9.2: the INVITE got 487). */
  onCancel: (() => void) | undefined
}

export class IncomingInvite implements IncomingCall {
  readonly request: SipRequest
  readonly offer: Body | undefined
  state: IncomingCallState = 'pending'
  onCancel: (() => void) | undefined = undefined
  readonly #tx: InviteServerTransaction
  readonly #ctx: CallContext
  readonly #tag = generateTag()
  readonly #settled: () => void

  constructor(tx: InviteServerTransaction, ctx: CallContext, settled: () => void) {
    this.#tx = tx
    this.#settled = settled
    this.#ctx = ctx
    this.request = tx.request
    this.offer = bodyOf(tx.request)
  }

  progress(status = 180): void {
    if (this.state !== 'pending' || status <= 100 || status >= 200) return
    this.#tx.respond(createResponse(this.request, status, undefined, { toTag: this.#tag }))
  }

  async accept(answer?: Body): Promise<Session | undefined> {
    if (this.state !== 'pending') return undefined
    const dialog = Dialog.asUas(this.request, this.#tag)
    if (dialog === undefined) {
      // §8.2: an INVITE without a Contact or a From tag cannot make a dialog
      this.state = 'rejected'
      this.#tx.respond(createResponse(this.request, 400, 'Missing Contact or From tag'))
      return undefined
    }
    this.state = 'accepted'
    this.#settled()
    const session = new Session({
      dialog,
      role: 'uas',
      core: this.#ctx.core,
      localBody: answer,
      remoteBody: this.offer,
      contact: this.#ctx.contact,
      forget: this.#ctx.forget,
    })
    this.#ctx.adopt(session)
    const ack = await session.accept(this.#tx, answer)
    return ack === undefined ? undefined : session
  }

  reject(status = 486, reason?: string): void {
    if (this.state !== 'pending') return
    this.state = 'rejected'
    this.#settled()
    this.#tx.respond(createResponse(this.request, status, reason, { toTag: this.#tag }))
  }

  /** @internal A CANCEL matched the INVITE (§9.2): 487 when not answered yet. */
  cancelled(): void {
    if (this.state !== 'pending') return
    this.state = 'cancelled'
    this.#settled()
    this.#tx.respond(createResponse(this.request, 487, undefined, { toTag: this.#tag }))
    this.onCancel?.()
  }
}
