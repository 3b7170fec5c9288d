import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  parseMessage,
  type SipRequest,
  type SipResponse,
  validateRequest,
  validateResponse,
} from './index.ts'

const base = {
  line: 'OPTIONS sip:bob@example.com SIP/2.0',
  Via: 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
  'Max-Forwards': '70',
  To: '<sip:bob@example.com>',
  From: '<sip:alice@example.com>;tag=1',
  'Call-ID': 'c1@pc',
  CSeq: '1 OPTIONS',
}
type Fields = Partial<Record<keyof typeof base, string | null>> & Record<string, string | null | undefined>

function request(changes: Fields = {}): SipRequest {
  const all: Record<string, string | null | undefined> = { ...base, ...changes }
  const lines = [all['line'] as string]
  for (const [name, value] of Object.entries(all))
    if (name !== 'line' && value !== null && value !== undefined) lines.push(`${name}: ${value}`)
  const r = parseMessage(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`))
  assert.ok(r.ok && r.message.kind === 'request', r.ok ? '' : r.error.reason)
  return r.message
}

describe('validateRequest (RFC 3261 §8.2, §16.3)', () => {
  test('a well-formed request passes', () => {
    assert.deepEqual(validateRequest(request()), { ok: true })
  })

  test('505 for another SIP version, checked first (§8.2.6 via §16.3 step 1)', () => {
    const r = validateRequest(request({ line: 'OPTIONS sip:bob@example.com SIP/3.0', Via: null }))
    assert.ok(!r.ok && r.status === 505)
  })

  test('400 for a missing or invalid mandatory header', () => {
    for (const [name, value, reason] of [
      ['Via', null, 'Missing Via'],
      ['Via', 'SIP/2.0/UDP', 'Invalid Via'],
      ['From', null, 'Missing From'],
      ['From', 'no uri here', 'Invalid From'],
      ['To', null, 'Missing To'],
      ['Call-ID', null, 'Missing Call-ID'],
      ['Call-ID', 'a b', 'Invalid Call-ID'],
      ['CSeq', null, 'Missing CSeq'],
      ['CSeq', '4294967296 OPTIONS', 'Invalid CSeq'],
      ['Max-Forwards', '256', 'Invalid Max-Forwards'],
    ] as const) {
      const r = validateRequest(request({ [name]: value }))
      assert.ok(!r.ok, `${name}: ${value}`)
      assert.equal(r.status, 400)
      assert.equal(r.reason, reason)
    }
  })

  test('two From fields (a single-value header) are invalid (RFC 4475 §3.3.8)', () => {
    const m = parseMessage(
      Buffer.from(
        'OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nFrom: <sip:c@x>;tag=2\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n',
      ),
    )
    assert.ok(m.ok && m.message.kind === 'request')
    const r = validateRequest(m.message)
    assert.ok(!r.ok && r.reason === 'Invalid From')
  })

  test('Max-Forwards may be absent (RFC 2543 peers, RFC 4475 §3.4.1)', () => {
    assert.equal(validateRequest(request({ 'Max-Forwards': null })).ok, true)
  })

  test('400 when the CSeq method is not the request method (RFC 4475 §3.1.2.17)', () => {
    const r = validateRequest(request({ CSeq: '1 INVITE' }))
    assert.ok(!r.ok && r.status === 400)
  })

  test('400 for an invalid Route, and for a Request-URI with headers (§19.1.1 table)', () => {
    assert.equal(validateRequest(request({ Route: 'sip:no-brackets.example.com' })).ok, false)
    const r = validateRequest(request({ line: 'OPTIONS sip:bob@example.com?Subject=x SIP/2.0' }))
    assert.ok(!r.ok && r.status === 400)
  })

  test('416 for a Request-URI scheme outside the accepted list (§8.2.2.1)', () => {
    const r = validateRequest(request({ line: 'OPTIONS urn:service:sos SIP/2.0' }))
    assert.ok(!r.ok && r.status === 416)
    assert.equal(
      validateRequest(request({ line: 'OPTIONS urn:service:sos SIP/2.0' }), { uriSchemes: ['urn'] }).ok,
      true,
    )
    assert.equal(validateRequest(request({ line: 'OPTIONS tel:+12125551212 SIP/2.0' })).ok, true)
  })

  test('420 lists the Proxy-Require option tags a proxy does not support (§16.3 step 5)', () => {
    const r = validateRequest(request({ 'Proxy-Require': 'foo, sec-agree' }), { supported: ['sec-agree'] })
    assert.ok(!r.ok && r.status === 420)
    assert.deepEqual(r.unsupported, ['foo'])
    // a proxy ignores Require; a UAS checks it, but never for ACK or CANCEL (§8.2.2.3)
    assert.equal(validateRequest(request({ Require: 'foo' })).ok, true)
    const uas = validateRequest(request({ Require: 'foo' }), { role: 'uas' })
    assert.ok(!uas.ok && uas.status === 420)
    const cancel = request({ line: 'CANCEL sip:bob@example.com SIP/2.0', CSeq: '1 CANCEL', Require: 'foo' })
    assert.equal(validateRequest(cancel, { role: 'uas' }).ok, true)
  })
})

describe('validateResponse (§18.1.2)', () => {
  function response(text: string): SipResponse {
    const r = parseMessage(Buffer.from(text))
    assert.ok(r.ok && r.message.kind === 'response')
    return r.message
  }
  const ok =
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n'

  test('a well-formed response passes; one without a valid top Via or CSeq is dropped', () => {
    assert.deepEqual(validateResponse(response(ok)), { ok: true })
    assert.equal(
      validateResponse(response(ok.replace('Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n', ''))).ok,
      false,
    )
    assert.equal(
      validateResponse(response(ok.replace('CSeq: 1 OPTIONS', 'CSeq: 99999999999 OPTIONS'))).ok,
      false,
    )
    assert.equal(validateResponse(response(ok.replace('SIP/2.0 200', 'SIP/3.0 200'))).ok, false)
  })
})
