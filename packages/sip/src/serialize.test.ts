import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  CallId,
  Contact,
  ContentLength,
  MaxForwards,
  parseMessage,
  parseUri,
  RecordRoute,
  Route,
  type SipMessage,
  serialize,
  sipUri,
  Via,
} from './index.ts'

const CRLF = '\r\n'
// compact names, folding, odd spacing and unknown headers: all must survive verbatim
const request = [
  'INVITE sip:bob@example.com SIP/2.0',
  'v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc;rport',
  'Via:  SIP/2.0/TCP  edge.example.net ;branch=z9hG4bKdef',
  'Route: <sip:proxy.example.com;lr>, <sip:next.example.net;lr>',
  'Max-Forwards:   70',
  'To: <sip:bob@example.com>',
  'f: "Alice" <sip:alice@example.com>;tag=88',
  'i: call-1@pc33',
  'CSeq: 2 INVITE',
  'X-Unknown:  keep   this ',
  'Subject: a folded',
  '  line',
  'Content-Length: 4',
  '',
  'body',
].join(CRLF)
const bytes = Buffer.from(request, 'latin1')

function parse(b: Uint8Array): SipMessage {
  const r = parseMessage(b)
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message
}

const lines = (b: Uint8Array): string[] => Buffer.from(b).toString('latin1').split(CRLF)

describe('serialize', () => {
  test('an unedited message is its own octets (a view, no copy)', () => {
    const m = parse(bytes)
    const out = serialize(m)
    assert.deepEqual(Buffer.from(out), bytes)
    assert.equal(out.buffer, bytes.buffer)
  })

  test('an unedited message with trailing octets after Content-Length is cut at its end', () => {
    const m = parse(Buffer.concat([bytes, Buffer.from('garbage')]))
    assert.deepEqual(Buffer.from(serialize(m)), bytes)
  })

  test('proxy edits change only their own lines (§16.6); every other octet is unchanged', () => {
    const m = parse(bytes)
    const h = m.headers
    const top = h.first(Via)!
    h.replaceFirst(Via, { ...top, received: '198.51.100.7', rport: 5060 }) // §18.2.1, RFC 3581
    assert.equal(h.shift(Route)?.uri.kind, 'sip') // §16.4 pop our own Route
    h.set(MaxForwards, h.get(MaxForwards)! - 1) // §16.6 step 3
    h.prepend(RecordRoute, { uri: sipUri({ host: 'proxy.example.com', params: { lr: null } }) }) // step 4
    h.prepend(Via, { transport: 'UDP', host: '192.0.2.1', port: 5060, branch: 'z9hG4bKnew' }) // step 8
    const out = lines(serialize(m))
    const before = lines(bytes)
    // a header that was absent goes on top (Record-Route here), a present one before its values
    assert.deepEqual(out, [
      before[0],
      'Record-Route: <sip:proxy.example.com;lr>',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnew',
      'v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc;rport=5060;received=198.51.100.7',
      before[2],
      'Route: <sip:next.example.net;lr>',
      'Max-Forwards: 69',
      ...before.slice(5),
    ])
    // and the result parses back to the edited values
    const again = parse(serialize(m))
    assert.deepEqual(
      again.headers.get(Via)!.map((v) => [v.host, v.branch, v.received, v.rport]),
      [
        ['192.0.2.1', 'z9hG4bKnew', undefined, undefined],
        ['192.0.2.10', 'z9hG4bKabc', '198.51.100.7', 5060],
        ['edge.example.net', 'z9hG4bKdef', undefined, undefined],
      ],
    )
    assert.equal(again.headers.get(Route)!.length, 1)
    assert.equal(again.headers.get(MaxForwards), 69)
  })

  test('popping the last Route of a field removes the field (§16.4)', () => {
    const m = parse(bytes)
    m.headers.shift(Route)
    m.headers.shift(Route)
    assert.equal(m.headers.has(Route), false)
    assert.equal(m.headers.shift(Route), undefined)
    assert.ok(!lines(serialize(m)).some((l) => l.startsWith('Route')))
  })

  test('a new Request-URI rewrites the start line only (§16.6 step 2)', () => {
    const m = parse(bytes)
    assert.ok(m.kind === 'request')
    m.uri = parseUri('sip:bob@192.0.2.44:5070;transport=tcp')!
    const out = lines(serialize(m))
    assert.equal(out[0], 'INVITE sip:bob@192.0.2.44:5070;transport=tcp SIP/2.0')
    assert.deepEqual(out.slice(1), lines(bytes).slice(1))
  })

  test('a new body updates Content-Length; a message without one gets it (§20.14)', () => {
    const m = parse(bytes)
    m.body = Buffer.from('longer body')
    const out = parse(serialize(m))
    assert.equal(out.headers.get(ContentLength), 11)
    assert.equal(Buffer.from(out.body).toString(), 'longer body')
    const noLength = parse(Buffer.from(request.replace('Content-Length: 4\r\n', ''), 'latin1'))
    const text = Buffer.from(serialize(noLength)).toString('latin1')
    assert.ok(text.endsWith('Content-Length: 4\r\n\r\nbody'))
  })

  test('an edited message keeps its one Content-Length, written in any form, or gets one (§20.14)', () => {
    const count = (b: Uint8Array): number => lines(b).filter((l) => /^(content-length|l)\s*:/i.test(l)).length
    for (const form of ['Content-Length: 4', 'l: 4', 'CONTENT-LENGTH :4']) {
      const m = parse(Buffer.from(request.replace('Content-Length: 4', form), 'latin1'))
      m.headers.prepend(Via, { transport: 'UDP', host: 'p.example.com', branch: 'z9hG4bKp' })
      const out = serialize(m)
      assert.equal(count(out), 1, form)
      assert.ok(lines(out).includes(form), form)
      m.headers.remove(ContentLength)
      const added = serialize(m)
      assert.equal(count(added), 1, form)
      assert.ok(lines(added).includes('Content-Length: 4'), form)
      m.headers.set(ContentLength, 4)
      assert.equal(count(serialize(m)), 1, form)
    }
  })

  test('clones are independent: one per branch when forking (§16.6 step 1)', () => {
    const m = parse(bytes)
    assert.ok(m.kind === 'request')
    const a = m.clone()
    const b = m.clone()
    a.headers.prepend(Via, { transport: 'UDP', host: 'a.example.com', branch: 'z9hG4bKa' })
    b.uri = parseUri('sip:bob@b.example.com')!
    assert.equal(a.headers.get(Via)!.length, 3)
    assert.equal(b.headers.get(Via)!.length, 2)
    assert.equal(m.headers.get(Via)!.length, 2)
    assert.ok(a.uri.kind === 'sip' && a.uri.host === 'example.com')
    assert.deepEqual(Buffer.from(serialize(m)), bytes)
  })

  test('set, append, remove, setRaw, appendRaw', () => {
    const m = parse(bytes)
    const h = m.headers
    h.append(Contact, { uri: sipUri({ user: 'alice', host: '192.0.2.10' }), expires: 60 })
    h.setRaw('X-Unknown', 'replaced')
    h.appendRaw('X-New', 'ünïcode')
    assert.equal(h.remove('Subject'), 1)
    assert.equal(h.remove(CallId), 1)
    const out = parse(serialize(m))
    assert.deepEqual(out.headers.raw('X-Unknown'), ['replaced'])
    assert.deepEqual(out.headers.raw('x-new'), ['ünïcode'])
    assert.equal(out.headers.has('Subject'), false)
    assert.equal(out.headers.has(CallId), false)
    const c = out.headers.get(Contact)![0]!
    assert.ok(c !== '*' && c.expires === 60)
  })
})
