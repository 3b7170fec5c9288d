/**
 * What a finished INVITE branch keeps of the request it sent, for the route's `onResponse` on the
 * 2xx retransmissions that may follow for 32 s (RFC 6026 §7.2: the proxy forwards each one): the
 * octets of the request line and of the fields that identify the transaction and the dialog
 * (§12.1.1) — no body and none of the rest — parsed again only if such a retransmission comes. A
 * whole INVITE with SDP, parsed, held for 32 s per call, was most of the memory of a busy proxy
 * and of its garbage collector's work.
 */
import {
  CallId,
  Contact,
  CSeq,
  From,
  formatUri,
  type HeaderDef,
  parseMessage,
  RecordRoute,
  Route,
  type SipRequest,
  To,
  Via,
} from '@junction/sip'

const encoder = new TextEncoder()
const kept: ReadonlyArray<HeaderDef<unknown>> = [Via, Route, RecordRoute, From, To, CallId, CSeq, Contact]

/**
 * The octets of `request`'s request line and {@link kept} fields, or of its request line alone
 * when `withFields` is false (its own buffer, not Node's pool).
 */
export function slimRequest(request: SipRequest, withFields = true): Uint8Array {
  let text = `${request.method} ${formatUri(request.uri)} SIP/2.0\r\n`
  const h = request.headers
  if (withFields)
    for (const header of kept) for (const value of h.raw(header)) text += `${header.name}: ${value}\r\n`
  return encoder.encode(`${text}Content-Length: 0\r\n\r\n`)
}

/** The request of {@link slimRequest}'s octets; undefined if they do not parse (they always should). */
export function parseSlimRequest(octets: Uint8Array): SipRequest | undefined {
  const parsed = parseMessage(octets)
  return parsed.ok && parsed.message.kind === 'request' ? parsed.message : undefined
}
