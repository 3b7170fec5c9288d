import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRequest, formatUri, parseUri, RecordRoute } from '@junction/sip'
import type { BoundListener } from '@junction/transport'
import { addRecordRoute, recordRouteUri } from './record-route.ts'

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

const req = () =>
  createRequest({
    method: 'INVITE',
    uri: parseUri('sip:bob@example.com')!,
    from: { uri: parseUri('sip:alice@example.com')!, tag: 'a' },
    to: { uri: parseUri('sip:bob@example.com')! },
    callId: 'c',
    cseq: 1,
    headers: { 'Record-Route': '<sip:p1.example.net;lr>' },
  })

describe('Record-Route values (§16.6 step 4, RFC 5658)', () => {
  it('advertised address, transport parameter except for UDP, lr', () => {
    assert.equal(formatUri(recordRouteUri(udp, false)), 'sip:203.0.113.5:5060;lr')
    assert.equal(formatUri(recordRouteUri(ws, false)), 'sip:[2001:db8::5]:80;transport=ws;lr')
  })

  it('prepends one value, or two when the listeners differ (outbound side on top)', () => {
    const one = req()
    addRecordRoute(one, udp, udp, false)
    assert.deepEqual(
      one.headers.get(RecordRoute)!.map((r) => formatUri(r.uri)),
      ['sip:203.0.113.5:5060;lr', 'sip:p1.example.net;lr'],
    )
    const two = req()
    addRecordRoute(two, udp, ws, false)
    assert.deepEqual(
      two.headers.get(RecordRoute)!.map((r) => formatUri(r.uri)),
      ['sip:[2001:db8::5]:80;transport=ws;lr', 'sip:203.0.113.5:5060;lr', 'sip:p1.example.net;lr'],
    )
  })

  it('records one value per side when the callee side needs another user part (two Outbound UAs)', () => {
    const r = req()
    addRecordRoute(r, udp, udp, false, 'caller-token', 'callee-token')
    assert.deepEqual(r.headers.raw(RecordRoute), [
      '<sip:callee-token@203.0.113.5:5060;lr>',
      '<sip:caller-token@203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
    const calleeOnly = req()
    addRecordRoute(calleeOnly, udp, udp, false, undefined, 'callee-token')
    assert.deepEqual(calleeOnly.headers.raw(RecordRoute), [
      '<sip:callee-token@203.0.113.5:5060;lr>',
      '<sip:203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
    const same = req()
    addRecordRoute(same, udp, udp, false, 'tok', 'tok')
    assert.deepEqual(same.headers.raw(RecordRoute), [
      '<sip:tok@203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
  })

  it('carries a user part (an RFC 5626 flow token) in every value it adds when given one', () => {
    const r = req()
    addRecordRoute(r, udp, ws, false, 'tok.en-1_x')
    assert.deepEqual(r.headers.raw(RecordRoute), [
      '<sip:tok.en-1_x@[2001:db8::5]:80;transport=ws;lr>',
      '<sip:tok.en-1_x@203.0.113.5:5060;lr>',
      '<sip:p1.example.net;lr>',
    ])
    const plain = req()
    addRecordRoute(plain, udp, udp, false)
    assert.equal(
      plain.headers.raw(RecordRoute)[0],
      '<sip:203.0.113.5:5060;lr>',
      'the shared value is not touched',
    )
  })
})
