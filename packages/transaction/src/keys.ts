/**
 * Transaction matching keys: §17.1.3 (responses to client transactions), §17.2.3 (requests to
 * server transactions, with the RFC 2543 fallback for branches without the magic cookie) and §9.2
 * (a CANCEL to the INVITE it cancels).
 */
import {
  CallId,
  CSeq,
  FromTag,
  formatUri,
  MAGIC_COOKIE,
  type SipRequest,
  type SipResponse,
  ToTag,
  Via,
  type ViaValue,
} from '@junction/sip'

/** True for an RFC 3261 branch: the magic cookie and something after it (RFC 4475 §3.2.1). */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE)
}

function sentBy(via: ViaValue): string {
  return via.port === undefined ? via.host : `${via.host}:${via.port}`
}

/**
 * The key of the server transaction a request belongs to, for `method` (an ACK or CANCEL looks up
 * its INVITE with method INVITE). Undefined when the request lacks what matching needs.
 *
 * §17.2.3: branch + sent-by of the top Via + method. RFC 2543 fallback: Request-URI, From tag,
 * Call-ID, CSeq number and the whole top Via (the To tag is compared separately for an ACK).
 */
export function serverKey(request: SipRequest, method: string): string | undefined {
  const h = request.headers
  const via = h.first(Via)
  if (via === undefined) return undefined
  if (isRfc3261Branch(via.branch)) return `${via.branch}\n${sentBy(via)}\n${method}`
  const cseq = h.get(CSeq)
  const callId = h.get(CallId)
  const fromTag = h.get(FromTag)
  if (cseq === undefined || callId === undefined || fromTag === undefined) return undefined
  const top = h.raw(Via)[0] ?? ''
  return `2543\n${method}\n${formatUri(request.uri)}\n${fromTag}\n${callId}\n${cseq.seq}\n${top}`
}

/** The To tag an RFC 2543 ACK must carry to match: the one of the response it acknowledges. */
export function ackToTag(ack: SipRequest): string | undefined {
  return ack.headers.get(ToTag)
}

/** §17.1.3: the key of the client transaction a response belongs to: top Via branch + CSeq method. */
export function clientKeyOfResponse(response: SipResponse): string | undefined {
  const branch = response.headers.first(Via)?.branch
  const method = response.headers.get(CSeq)?.method
  if (branch === undefined || method === undefined) return undefined
  return `${branch}\n${method}`
}

/** The key under which a client transaction waits for its responses. */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`
}
