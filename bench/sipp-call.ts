/**
 * The SIPp basic call of bench/proxy/sipp (INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, 200)
 * as the texts a UAC and a UAS send, and a record-routing stateful proxy like junction-ietf's on
 * the in-memory transport, for the in-process proxy benchmarks.
 */
import { createSipServer, type Route, type SipServer } from '@junction/proxy'
import { parseUri, type SipRequest } from '@junction/sip'
import type { SentMessage } from '@junction/transport'

const nextHop = parseUri('sip:127.0.0.1:5080')
const route: Route = {
  onRequest(ctx) {
    if (ctx.inDialog) return ctx.looseRouted ? ctx.forwardInDialog() : ctx.reply(404)
    const recordRoute = ctx.request.method === 'INVITE'
    return ctx.forward([{ uri: ctx.request.uri, nextHop }], { recordRoute })
  },
}
export const UAC = { transport: 'udp', address: '127.0.0.1', port: 5061 } as const
export const UAS = { transport: 'udp', address: '127.0.0.1', port: 5080 } as const

export const sdp = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n')

export function uacRequest(
  method: string,
  i: number,
  cseq: number,
  extra: string[],
  uri: string,
  body = '',
): string {
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-${i}-${cseq}-${method === 'ACK' ? 1 : 0}`,
    ...extra,
    `From: sipp <sip:sipp@127.0.0.1:5061>;tag=1SIPpTag00${i}`,
    `To: service <sip:service@127.0.0.1:5060>${cseq === 1 && method === 'INVITE' ? '' : `;tag=2SIPpTag01${i}`}`,
    `Call-ID: ${i}-1@127.0.0.1`,
    `CSeq: ${cseq} ${method}`,
    'Contact: <sip:sipp@127.0.0.1:5061>',
    'Max-Forwards: 70',
    'Subject: Performance Test',
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n')
}

/** What the UAS answers to a forwarded request (SIPp's [last_*] copies). */
export function uasResponse(req: SipRequest, status: number, i: number, body = ''): string {
  const h = req.headers
  const tag = status === 100 || req.method === 'BYE' ? '' : `;tag=2SIPpTag01${i}`
  return [
    `SIP/2.0 ${status} ${status === 100 ? 'Trying' : status === 180 ? 'Ringing' : 'OK'}`,
    ...h.raw('via').map((v) => `Via: ${v}`),
    ...(status === 100 ? [] : h.raw('record-route').map((v) => `Record-Route: ${v}`)),
    `From: ${h.raw('from')[0]}`,
    `To: ${h.raw('to')[0]}${tag}`,
    `Call-ID: ${h.raw('call-id')[0]}`,
    `CSeq: ${h.raw('cseq')[0]}`,
    ...(status === 100 ? [] : ['Contact: <sip:127.0.0.1:5080;transport=UDP>']),
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n')
}

/** A stateful proxy with a route like junction-ietf's (Record-Route on INVITE, loose routing). */
export function createBenchProxy(): { server: SipServer; sent: SentMessage[] } {
  const server = createSipServer({ route, domains: ['127.0.0.1'], maxTransactions: 10_000_000 })
  return { server, sent: server.network!.sent as SentMessage[] }
}
