import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CallId,
  Contact,
  CSeq,
  From,
  parseMessage,
  RecordRoute,
  type SipRequest,
  To,
  Via,
} from '@junction/sip'
import { parseSlimRequest, slimRequest } from './slim-request.ts'

function parse(lines: string[]): SipRequest {
  const r = parseMessage(Buffer.from(lines.join('\r\n'), 'utf8'))
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture')
  return r.message
}

const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n'
const invite = parse([
  'INVITE sip:bob@127.0.0.1:5080;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc.1;rport',
  'Via: SIP/2.0/UDP 127.0.0.1:5061;received=127.0.0.1;branch=z9hG4bK-1',
  'Record-Route: <sip:127.0.0.1:5070;lr>',
  'From: "Zoë" <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@127.0.0.1:5061>',
  'Max-Forwards: 69',
  'User-Agent: test',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(body)}`,
  '',
  body,
])

describe('slimRequest', () => {
  it('keeps the request line and the transaction and dialog fields, verbatim, and nothing else', () => {
    const octets = slimRequest(invite)
    assert.equal(octets.byteOffset, 0)
    assert.equal(octets.buffer.byteLength, octets.length, 'its own buffer, not a view into a pool')
    const slim = parseSlimRequest(octets)
    assert.ok(slim !== undefined)
    assert.equal(slim.method, 'INVITE')
    assert.equal(slim.uri.kind, 'sip')
    assert.deepEqual(slim.headers.raw(Via), invite.headers.raw(Via))
    assert.deepEqual(slim.headers.raw(RecordRoute), invite.headers.raw(RecordRoute))
    assert.equal(slim.headers.get(From)?.displayName, 'Zoë')
    assert.equal(slim.headers.get(From)?.tag, 'a1')
    assert.deepEqual(slim.headers.raw(To), invite.headers.raw(To))
    assert.equal(slim.headers.get(CallId), 'c1@127.0.0.1')
    assert.deepEqual(slim.headers.get(CSeq), { seq: 1, method: 'INVITE' })
    assert.deepEqual(slim.headers.raw(Contact), invite.headers.raw(Contact))
    assert.equal(slim.headers.has('User-Agent'), false)
    assert.equal(slim.headers.has('Max-Forwards'), false)
    assert.equal(slim.body.length, 0)
  })

  it('keeps the request line alone without the fields', () => {
    const slim = parseSlimRequest(slimRequest(invite, false))
    assert.ok(slim !== undefined)
    assert.equal(slim.method, 'INVITE')
    assert.equal(slim.uri.kind === 'sip' && slim.uri.host, '127.0.0.1')
    assert.equal(slim.headers.size, 1, 'Content-Length only')
    assert.equal(slim.body.length, 0)
  })
})
