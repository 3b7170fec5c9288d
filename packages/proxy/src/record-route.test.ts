import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRequest, formatUri, parseUri, RecordRoute } from '@junction/sip'
import type { BoundListener } from '@junction/transport'
import { addRecordRoute, isSipsBranch, mustRecordRoute, recordRouteUri } from './record-route.ts'

const udp: BoundListener = {
  transport: 'udp',
  host: '0.0.0.0',
  port: 5060,
  advertise: { host: '203.0.113.5', port: 5060 },
}
const ws: BoundListener = {
  transport: 'ws',
  host: '::',
  port: 8080,
  advertise: { host: '2001:db8::5', port: 80 },
}

const tls: BoundListener = {
  transport: 'tls',
  host: '0.0.0.0',
  port: 5061,
  advertise: { host: '203.0.113.5', port: 5061 },
}

const req = (method = 'INVITE', uri = 'sip:bob@example.com', headers: Record<string, string> = {}) =>
  createRequest({
    method,
    uri: parseUri(uri)!,
    from: { uri: parseUri('sip:alice@example.com')!, tag: 'a' },
    to: { uri: parseUri('sip:bob@example.com')! },
    callId: 'c',
    cseq: 1,
    headers: { 'Record-Route': '<sip:p1.example.net;lr>', ...headers },
  })

describe('Record-Route values (§16.6 step 4, RFC 5658)', () => {
  it('advertised address, transport parameter except for UDP, lr', () => {
    assert.equal(formatUri(recordRouteUri(udp, false)), 'sip:203.0.113.5:5060;lr')
    assert.equal(formatUri(recordRouteUri(ws, false)), 'sip:[2001:db8::5]:80;transport=ws;lr')
  })

  it('prepends one value, or two when the listeners differ (outbound side on top)', () => {
    const one = req()
    addRecordRoute(one, udp, udp, false, false)
    assert.deepEqual(
      one.headers.get(RecordRoute)!.map((r) => formatUri(r.uri)),
      ['sip:203.0.113.5:5060;lr', 'sip:p1.example.net;lr'],
    )
    const two = req()
    addRecordRoute(two, udp, ws, false, false)
    assert.deepEqual(
      two.headers.get(RecordRoute)!.map((r) => formatUri(r.uri)),
      ['sip:[2001:db8::5]:80;transport=ws;lr', 'sip:203.0.113.5:5060;lr', 'sip:p1.example.net;lr'],
    )
  })

  it('records one value per side when the callee side needs another user part (two Outbound UAs)', () => {
    const r = req()
    addRecordRoute(r, udp, udp, false, false, 'caller-token', 'callee-token')
    assert.deepEqual(r.headers.raw(RecordRoute), [
      '<sip:callee-token@203.0.113.5:5060;lr>',
      '<sip:caller-token@203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
    const calleeOnly = req()
    addRecordRoute(calleeOnly, udp, udp, false, false, undefined, 'callee-token')
    assert.deepEqual(calleeOnly.headers.raw(RecordRoute), [
      '<sip:callee-token@203.0.113.5:5060;lr>',
      '<sip:203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
    const same = req()
    addRecordRoute(same, udp, udp, false, false, 'tok', 'tok')
    assert.deepEqual(same.headers.raw(RecordRoute), [
      '<sip:tok@203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
  })

  it('carries a user part (an RFC 5626 flow token) in every value it adds when given one', () => {
    const r = req()
    addRecordRoute(r, udp, ws, false, false, 'tok.en-1_x')
    assert.deepEqual(r.headers.raw(RecordRoute), [
      '<sip:tok.en-1_x@[2001:db8::5]:80;transport=ws;lr>',
      '<sip:tok.en-1_x@203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
    const plain = req()
    addRecordRoute(plain, udp, udp, false, false)
    assert.equal(
      plain.headers.raw(RecordRoute)[0],
      '<sip:203.0.113.5:5060;lr>',
      'the shared value is not touched',
    )
  })

  describe('SIPS (§16.6 step 4)', () => {
    it('a branch is for a SIPS URI when its Request-URI or its top Route is one', () => {
      assert.equal(isSipsBranch(req()), false)
      assert.equal(isSipsBranch(req('INVITE', 'sips:bob@example.com')), true)
      assert.equal(
        isSipsBranch(req('INVITE', 'sip:bob@example.com', { Route: '<sips:edge.example.com;lr>' })),
        true,
      )
      assert.equal(
        isSipsBranch(req('INVITE', 'sip:bob@example.com', { Route: '<sip:edge.example.com;lr>' })),
        false,
      )
    })

    it('a dialog-creating request must be record-routed when the hop changes its security', () => {
      // received over TLS, forwarded for a sip: URI; received in the clear, forwarded for a sips: URI
      assert.equal(mustRecordRoute(req(), true, false), true)
      assert.equal(mustRecordRoute(req('SUBSCRIBE'), false, true), true)
      assert.equal(mustRecordRoute(req('REFER'), true, false), true)
      // the same security on both hops: the route decides
      assert.equal(mustRecordRoute(req(), true, true), false)
      assert.equal(mustRecordRoute(req(), false, false), false)
      // no dialog to stay in: a MESSAGE, an in-dialog re-INVITE
      assert.equal(mustRecordRoute(req('MESSAGE'), true, false), false)
      const reinvite = req()
      reinvite.headers.setRaw('To', '<sip:bob@example.com>;tag=b')
      assert.equal(mustRecordRoute(reinvite, true, false), false)
    })

    it('each side gets its own scheme: two values when only one side is SIPS', () => {
      const r = req('INVITE', 'sips:bob@example.com')
      addRecordRoute(r, tls, tls, true, false, 'tok')
      assert.deepEqual(r.headers.raw(RecordRoute), [
        '<sip:tok@203.0.113.5:5061;transport=tls;lr>',
        '<sips:tok@203.0.113.5:5061;lr>',
        '<sip:p1.example.net;lr>',
      ])
      const both = req('INVITE', 'sips:bob@example.com')
      addRecordRoute(both, tls, tls, true, true)
      assert.deepEqual(both.headers.raw(RecordRoute), [
        '<sips:203.0.113.5:5061;lr>',
        '<sip:p1.example.net;lr>',
      ])
      const calleeOnly = req()
      addRecordRoute(calleeOnly, udp, tls, false, true)
      assert.deepEqual(calleeOnly.headers.raw(RecordRoute), [
        '<sips:203.0.113.5:5061;lr>',
        '<sip:203.0.113.5:5060;lr>',
        '<sip:p1.example.net;lr>',
      ])
    })
  })
})
