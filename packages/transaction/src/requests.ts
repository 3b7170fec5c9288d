/**
 * Requests a transaction (or its user) builds from another: the ACK for a non-2xx final response
 * (RFC 3261 §17.1.1.3) and the CANCEL of an INVITE (§9.1).
 */
import {
  CallId,
  CSeq,
  createRequest,
  From,
  Route,
  type SipRequest,
  type SipResponse,
  To,
  Via,
} from '@junction/sip'

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new TypeError(`the INVITE has no valid ${what}`)
  return value
}

/** The parts an ACK or CANCEL copies from the INVITE. */
function copied(invite: SipRequest) {
  const h = invite.headers
  return {
    uri: invite.uri,
    from: required(h.get(From), 'From'),
    callId: required(h.get(CallId), 'Call-ID'),
    cseq: required(h.get(CSeq), 'CSeq').seq,
    via: required(h.first(Via), 'Via'),
    route: h.get(Route) ?? [],
  }
}

/**
 * The ACK for a non-2xx final response to `invite` (§17.1.1.3): same Request-URI, Call-ID, From,
 * CSeq number and Route set as the INVITE, To from the response, and one Via: the INVITE's top Via.
 * A response without a valid To (untrusted input: it must not throw) gets the INVITE's To: the server
 * transaction matches the ACK by its branch (§17.2.3), so building it never fails on the response.
 */
export function createAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const c = copied(invite)
  return createRequest({
    method: 'ACK',
    uri: c.uri,
    from: c.from,
    to: response.headers.get(To) ?? required(invite.headers.get(To), 'To'),
    callId: c.callId,
    cseq: c.cseq,
    via: c.via,
    route: c.route,
  })
}

/**
 * The CANCEL for `invite` (§9.1): same Request-URI, Call-ID, To, From, CSeq number and Route set,
 * and one Via equal to the INVITE's top Via, so that it matches the INVITE's transaction downstream.
 */
export function createCancel(invite: SipRequest): SipRequest {
  const c = copied(invite)
  return createRequest({
    method: 'CANCEL',
    uri: c.uri,
    from: c.from,
    to: required(invite.headers.get(To), 'To'),
    callId: c.callId,
    cseq: c.cseq,
    via: c.via,
    route: c.route,
  })
}
