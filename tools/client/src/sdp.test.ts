import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAnswer, createOffer } from './sdp.ts'

test('the offer: one inactive audio stream on port 9 with PCMU and PCMA (RFC 4566, RFC 3264)', () => {
  const offer = createOffer({ address: '192.0.2.7', sessionId: 42 })
  assert.equal(
    offer,
    'v=0\r\no=junction-client 42 42 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8\r\na=inactive\r\n',
  )
  assert.match(createOffer({ address: '2001:db8::7' }), /^c=IN IP6 2001:db8::7\r$/m)
})

test("the answer keeps the offered formats we know, in the offer's order; none in common rejects the stream", () => {
  const a = createAnswer('v=0\r\nm=audio 4000 RTP/AVP 8 18 0 101\r\n', { address: '192.0.2.8', sessionId: 1 })
  assert.match(a ?? '', /^m=audio 9 RTP\/AVP 8 0\r$/m)
  const none = createAnswer('v=0\r\nm=audio 4000 RTP/AVP 18\r\n')
  assert.match(none ?? '', /^m=audio 0 RTP\/AVP 18\r$/m)
  assert.equal(createAnswer('v=0\r\nm=video 4000 RTP/AVP 96\r\n'), undefined)
})
