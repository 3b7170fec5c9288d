/**
 * Dialogs (RFC 3261 §12): the state two UAs share after an INVITE succeeded, and the requests
 * within it. A dialog is identified by Call-ID, local tag and remote tag (§12); its route set comes
 * from Record-Route (§12.1.1, §12.1.2), its remote target from Contact, and each side numbers its
 * requests with its own CSeq (§12.2.1.1, §12.2.2).
 */
import {
  CallId,
  Contact,
  type ContactAddress,
  CSeq,
  createRequest,
  From,
  type FromToValue,
  generateBranch,
  RecordRoute,
  type RouteValue,
  type SipRequest,
  type SipResponse,
  To,
  type Uri,
} from '@junction/sip'

/** The key of a dialog: Call-ID, local tag, remote tag. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`
}

/** The dialog a request received belongs to: To tag local, From tag remote (§12.2.2). */
export function dialogKeyOfRequest(request: SipRequest): string | undefined {
  const callId = request.headers.get(CallId)
  const local = request.headers.get(To)?.tag
  const remote = request.headers.get(From)?.tag
  if (callId === undefined || local === undefined || remote === undefined) return undefined
  return dialogKey(callId, local, remote)
}

/** The dialog a response received belongs to: From tag local, To tag remote. */
export function dialogKeyOfResponse(response: SipResponse): string | undefined {
  const callId = response.headers.get(CallId)
  const local = response.headers.get(From)?.tag
  const remote = response.headers.get(To)?.tag
  if (callId === undefined || local === undefined || remote === undefined) return undefined
  return dialogKey(callId, local, remote)
}

export interface DialogRequestOptions {
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: Uint8Array | string | undefined
  readonly contentType?: string | undefined
  /** CSeq to use instead of the next one (an ACK or CANCEL copies the INVITE's, §13.2.2.4). */
  readonly cseq?: number | undefined
  readonly contact?: ContactAddress | undefined
}

function firstContact(message: SipRequest | SipResponse): Uri | undefined {
  const c = message.headers.first(Contact)
  return c === undefined || c === '*' ? undefined : c.uri
}

export class Dialog {
  readonly callId: string
  readonly localTag: string
  readonly remoteTag: string
  /** From of our requests (local URI, §12.1). */
  readonly local: FromToValue
  /** To of our requests (remote URI). */
  readonly remote: FromToValue
  /** Where our requests go (§12.1.1: Contact of the peer); updated by a target refresh (§12.2). */
  remoteTarget: Uri
  /** §12.1: Record-Route as the UAS received it, reversed at the UAC. Fixed for the dialog. */
  readonly routeSet: readonly RouteValue[]
  /** Last CSeq number we used. */
  localSeq: number
  /** Last CSeq number the peer used; undefined until it sends a request (§12.1.2). */
  remoteSeq: number | undefined

  private constructor(init: {
    callId: string
    localTag: string
    remoteTag: string
    local: FromToValue
    remote: FromToValue
    remoteTarget: Uri
    routeSet: readonly RouteValue[]
    localSeq: number
    remoteSeq: number | undefined
  }) {
    this.callId = init.callId
    this.localTag = init.localTag
    this.remoteTag = init.remoteTag
    this.local = init.local
    this.remote = init.remote
    this.remoteTarget = init.remoteTarget
    this.routeSet = init.routeSet
    this.localSeq = init.localSeq
    this.remoteSeq = init.remoteSeq
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag)
  }

  /**
   * The UAC's dialog from a 2xx (or 1xx with a To tag) to its request (§12.1.2): route set = the
   * response's Record-Route reversed, remote target = its Contact, local CSeq = the request's.
   * Undefined when the response lacks what a dialog needs (To tag, Contact).
   */
  static asUac(request: SipRequest, response: SipResponse): Dialog | undefined {
    const from = request.headers.get(From)
    const to = response.headers.get(To)
    const callId = request.headers.get(CallId)
    const cseq = request.headers.get(CSeq)
    const target = firstContact(response)
    if (from?.tag === undefined || to?.tag === undefined || callId === undefined || cseq === undefined)
      return undefined
    if (target === undefined) return undefined
    return new Dialog({
      callId,
      localTag: from.tag,
      remoteTag: to.tag,
      local: from,
      remote: to,
      remoteTarget: target,
      routeSet: [...(response.headers.get(RecordRoute) ?? [])].reverse(),
      localSeq: cseq.seq,
      remoteSeq: undefined,
    })
  }

  /**
   * The UAS's dialog from a request and the To tag of its response (§12.1.1): route set = the
   * request's Record-Route in order, remote target = its Contact, remote CSeq = the request's.
   */
  static asUas(request: SipRequest, localTag: string): Dialog | undefined {
    const from = request.headers.get(From)
    const to = request.headers.get(To)
    const callId = request.headers.get(CallId)
    const cseq = request.headers.get(CSeq)
    const target = firstContact(request)
    if (from?.tag === undefined || to === undefined || callId === undefined || cseq === undefined)
      return undefined
    if (target === undefined) return undefined
    return new Dialog({
      callId,
      localTag,
      remoteTag: from.tag,
      local: { ...to, tag: localTag },
      remote: from,
      remoteTarget: target,
      routeSet: [...(request.headers.get(RecordRoute) ?? [])],
      // §12.1.1: the local sequence number starts empty; requests we send start anywhere
      localSeq: Math.floor(Math.random() * 0x10000),
      remoteSeq: cseq.seq,
    })
  }

  /**
   * A request within the dialog (§12.2.1.1): To = remote URI and tag, From = local URI and tag,
   * Call-ID, CSeq = local + 1 (except ACK and CANCEL), and the Request-URI and Route from the route
   * set: loose routing when the first route has `lr`, the strict-router form otherwise.
   */
  createRequest(method: string, options: DialogRequestOptions = {}): SipRequest {
    let cseq = options.cseq
    if (cseq === undefined) {
      this.localSeq += 1
      cseq = this.localSeq
    }
    const { uri, route } = this.requestTarget()
    return createRequest({
      method,
      uri,
      from: this.local,
      to: this.remote,
      callId: this.callId,
      cseq,
      via: { transport: 'UDP', host: '0.0.0.0', branch: generateBranch() },
      route,
      ...(options.contact === undefined ? {} : { contact: options.contact }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    })
  }

  /** §12.2.1.1: the Request-URI and Route header of a request in this dialog. */
  requestTarget(): { uri: Uri; route: RouteValue[] } {
    const first = this.routeSet[0]
    if (first === undefined) return { uri: this.remoteTarget, route: [] }
    if (first.uri.kind === 'sip' && first.uri.params.has('lr')) {
      return { uri: this.remoteTarget, route: [...this.routeSet] }
    }
    // a strict router: it is the Request-URI (without the parameters not allowed there, §19.1.1),
    // and the remote target goes last in Route
    const uri = first.uri.kind === 'sip' ? { ...first.uri, params: new Map(), headers: [] } : first.uri
    return { uri, route: [...this.routeSet.slice(1), { uri: this.remoteTarget }] }
  }

  /**
   * A request from the peer in this dialog (§12.2.2): false when its CSeq is lower than the last
   * one (out of order: answer 500); else the remote CSeq moves on, and a target refresh request
   * (re-INVITE, UPDATE) replaces the remote target with its Contact.
   */
  acceptRemote(request: SipRequest): boolean {
    const cseq = request.headers.get(CSeq)
    if (cseq === undefined) return false
    if (request.method !== 'ACK' && request.method !== 'CANCEL') {
      if (this.remoteSeq !== undefined && cseq.seq < this.remoteSeq) return false
      this.remoteSeq = cseq.seq
    }
    if (request.method === 'INVITE' || request.method === 'UPDATE') {
      const target = firstContact(request)
      if (target !== undefined) this.remoteTarget = target
    }
    return true
  }

  /** A 2xx to our target refresh request replaces the remote target (§12.2.1.2). */
  refreshTarget(response: SipResponse): void {
    const target = firstContact(response)
    if (target !== undefined) this.remoteTarget = target
  }
}
