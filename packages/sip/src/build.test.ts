import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  CallId,
  Contact,
  ContentLength,
  ContentType,
  CSeq,
  createRequest,
  createResponse,
  From,
  faultCodes,
  generateBranch,
  generateCallId,
  generateTag,
  MAGIC_COOKIE,
  MaxForwards,
  parseMessage,
  parseUri,
  Route,
  SipCodecError,
  type SipRequest,
  serialize,
  sipUri,
  To,
  Via,
} from './index.ts'

function roundTrip<T extends SipRequest | ReturnType<typeof createResponse>>(m: T): T {
  const r = parseMessage(serialize(m))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message as T
}

describe('createRequest (RFC 3261 §8.1.1)', () => {
  test('a request carries To, From with a new tag, Call-ID, CSeq, Max-Forwards 70 and Via with a branch', () => {
    const req = createRequest({
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      from: { displayName: 'Alice', uri: parseUri('sip:alice@example.com')! },
      to: 'sip:bob@example.com',
      via: { transport: 'UDP', host: '192.0.2.1', port: 5060 },
      contact: { uri: sipUri({ user: 'alice', host: '192.0.2.1', port: 5060 }) },
      route: [{ uri: sipUri({ host: 'proxy.example.com', params: { lr: null } }) }],
      headers: { Subject: 'lunch', 'X-Text': 'café' },
      body: 'v=0\r\n',
      contentType: 'application/sdp',
    })
    const m = roundTrip(req)
    assert.equal(m.method, 'INVITE')
    assert.ok(m.uri.kind === 'sip' && m.uri.user === 'bob')
    assert.equal(m.headers.get(MaxForwards), 70)
    assert.deepEqual(m.headers.get(CSeq), { seq: 1, method: 'INVITE' })
    assert.ok(m.headers.get(From)!.tag!.length >= 8) // §19.3: at least 32 bits of randomness
    assert.equal(m.headers.get(From)!.displayName, 'Alice')
    assert.equal(m.headers.get(To)!.tag, undefined)
    assert.ok(m.headers.get(CallId)!.length >= 16)
    assert.ok(m.headers.first(Via)!.branch!.startsWith(MAGIC_COOKIE))
    assert.equal(m.headers.get(Route)!.length, 1)
    assert.equal(m.headers.get(Contact)!.length, 1)
    assert.equal(m.headers.get(ContentType)!.mediaType, 'application/sdp')
    assert.equal(m.headers.get(ContentLength), 5)
    assert.deepEqual(m.headers.raw('Subject'), ['lunch'])
    assert.deepEqual(m.headers.raw('x-text'), ['café'])
  })

  test('a given From tag, Call-ID, CSeq and Max-Forwards are kept', () => {
    const m = roundTrip(
      createRequest({
        method: 'BYE',
        uri: 'sip:bob@192.0.2.4',
        from: { uri: parseUri('sip:alice@example.com')!, tag: 'abc' },
        to: { uri: parseUri('sip:bob@example.com')!, tag: 'xyz' },
        callId: 'call-1@host',
        cseq: 7,
        maxForwards: 3,
      }),
    )
    assert.equal(m.headers.get(From)!.tag, 'abc')
    assert.equal(m.headers.get(To)!.tag, 'xyz')
    assert.equal(m.headers.get(CallId), 'call-1@host')
    assert.equal(m.headers.get(CSeq)!.seq, 7)
    assert.equal(m.headers.get(MaxForwards), 3)
  })

  test('programming errors throw SipCodecError with a stable code', () => {
    const base = { uri: 'sip:a@b.example.com', from: 'sip:a@b.example.com', to: 'sip:c@d.example.com' }
    for (const bad of [
      { ...base, method: 'IN VITE' },
      { ...base, method: 'INVITE', uri: 'not a uri' },
      { ...base, method: 'INVITE', cseq: 2 ** 32 },
      { ...base, method: 'INVITE', maxForwards: 256 },
      { ...base, method: 'INVITE', headers: { 'X-Bad': 'a\r\nInjected: 1' } },
      { ...base, method: 'INVITE', headers: { 'Bad Name': 'x' } },
    ]) {
      assert.throws(
        () => createRequest(bad),
        (e: unknown) => e instanceof SipCodecError && e.code === faultCodes.INVALID_ARGUMENT,
      )
    }
  })
})

describe('createResponse (RFC 3261 §8.2.6)', () => {
  const text = [
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP  pc.example.com ;branch=z9hG4bK0;received=192.0.2.9',
    'Max-Forwards: 69',
    't: <sip:bob@example.com>',
    'From: "Alice" <sip:alice@example.com>;tag=88',
    'Call-ID: c1@pc',
    'CSeq: 5 INVITE',
    'Timestamp: 54.2',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
  const req = (() => {
    const r = parseMessage(Buffer.from(text))
    assert.ok(r.ok && r.message.kind === 'request')
    return r.message
  })()

  test('Via, From, Call-ID and CSeq are copied octet for octet; To gets a tag (§8.2.6.2)', () => {
    const res = createResponse(req, 486)
    assert.equal(res.reason, 'Busy Here')
    assert.deepEqual(res.headers.raw(Via), req.headers.raw(Via))
    assert.deepEqual(res.headers.raw(From), req.headers.raw(From))
    assert.deepEqual(res.headers.raw(CallId), ['c1@pc'])
    assert.deepEqual(res.headers.raw(CSeq), ['5 INVITE'])
    const to = roundTrip(res).headers.get(To)!
    assert.ok(to.tag !== undefined && to.tag.length >= 8)
    assert.equal(res.headers.has('Timestamp'), false)
    const out = Buffer.from(serialize(res)).toString('latin1')
    assert.ok(out.startsWith('SIP/2.0 486 Busy Here\r\n'))
    assert.ok(
      out.includes(
        'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP  pc.example.com ;branch=z9hG4bK0;received=192.0.2.9\r\n',
      ),
    )
  })

  test('100 Trying adds no To tag and echoes Timestamp (§8.2.6.1)', () => {
    const res = createResponse(req, 100)
    assert.equal(roundTrip(res).headers.get(To)!.tag, undefined)
    assert.deepEqual(res.headers.raw('Timestamp'), ['54.2'])
  })

  test('a given To tag, reason, headers and body', () => {
    const res = roundTrip(
      createResponse(req, 200, 'Fine', {
        toTag: 'tt',
        headers: [['Contact', '<sip:bob@192.0.2.4>']],
        body: 'v=0\r\n',
        contentType: 'application/sdp',
      }),
    )
    assert.equal(res.reason, 'Fine')
    assert.equal(res.headers.get(To)!.tag, 'tt')
    assert.equal(res.headers.get(Contact)!.length, 1)
    assert.equal(res.headers.get(ContentLength), 5)
  })

  test('a status outside 100–699 throws', () => {
    assert.throws(() => createResponse(req, 99), SipCodecError)
    assert.throws(() => createResponse(req, 700), SipCodecError)
    assert.throws(() => createResponse(req, 200, 'bad\r\nreason'), SipCodecError)
  })
})

describe('identifiers (§8.1.1.4, §8.1.1.7, §19.3)', () => {
  test('branches start with the magic cookie, are tokens and do not repeat', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 20000; i++) {
      const b = generateBranch()
      assert.match(b, /^z9hG4bK[A-Za-z0-9_-]{22}$/)
      seen.add(b)
    }
    assert.equal(seen.size, 20000)
  })

  test('tags and Call-IDs are tokens with enough randomness', () => {
    const tags = new Set(Array.from({ length: 5000 }, generateTag))
    assert.equal(tags.size, 5000)
    for (const t of tags) assert.match(t, /^[A-Za-z0-9_-]{16}$/)
    assert.match(generateCallId('pc33.example.com'), /^[A-Za-z0-9_-]{22}@pc33\.example\.com$/)
  })
})
