import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CallId, CSeq, From, Route, type SipRequest, To, ToTag, Via } from '@junction/sip'
import { createHarness, recorder, request, response, tcpTarget, times, udpTarget } from '../test/harness.ts'

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  test('Timer E: T1 doubling up to T2 while Trying; Timer F at 64*T1 reports a timeout', () => {
    const h = createHarness()
    const r = recorder()
    const tx = h.layer.request(request('OPTIONS'), udpTarget, r)
    assert.equal(tx.state, 'trying')
    h.clock.advance(32_000)
    assert.deepEqual(
      times(h.sent, 'request'),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    )
    assert.equal(r.timeouts, 1)
    assert.equal(tx.state, 'terminated')
    assert.equal(h.layer.size, 0)
    assert.equal(h.clock.pending, 0, 'Timer E stopped with it: no clock timer left')
    const sent = h.sent.length
    h.clock.advance(8_000)
    assert.equal(h.sent.length, sent)
    assert.equal(r.timeouts, 1)
    assert.equal(h.clock.pending, 0)
  })

  test('in Proceeding the request is resent every T2 (§17.1.2.2)', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('REGISTER')
    const tx = h.layer.request(req, udpTarget, r)
    h.clock.advance(600) // sent at 0 and 500
    h.layer.receive(response(req, 100), { ...udpFlowLike })
    assert.equal(tx.state, 'proceeding')
    h.clock.advance(10_000)
    // next Timer E was armed at 500 for 1000 ms (1500); after that every T2
    assert.deepEqual(times(h.sent, 'request'), [0, 500, 1500, 5500, 9500])
    assert.deepEqual(r.responses, [100])
  })

  test('a final response completes it; Timer K (T4) absorbs retransmissions, then it ends', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('OPTIONS')
    const tx = h.layer.request(req, udpTarget, r)
    h.layer.receive(response(req, 200), udpFlowLike)
    assert.equal(tx.state, 'completed')
    h.layer.receive(response(req, 200), udpFlowLike)
    assert.deepEqual(r.responses, [200], 'the retransmitted response is absorbed')
    h.clock.advance(4_999)
    assert.equal(tx.state, 'completed')
    h.clock.advance(1)
    assert.equal(tx.state, 'terminated')
    assert.deepEqual(times(h.sent, 'request'), [0], 'no retransmission once Completed')
  })

  test('over a reliable transport: no retransmissions, Timer K is zero, Timer F still applies', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('OPTIONS')
    h.layer.request(req, tcpTarget, r)
    h.clock.advance(31_999)
    assert.deepEqual(times(h.sent, 'request'), [0])
    h.clock.advance(1)
    assert.equal(r.timeouts, 1)
    const h2 = createHarness()
    const tx2 = h2.layer.request(req, tcpTarget, recorder())
    h2.layer.receive(response(req, 404), udpFlowLike)
    assert.equal(tx2.state, 'terminated')
  })

  test('a transport error ends it and is reported (§8.1.3.1: handled as a 503)', async () => {
    const h = createHarness()
    h.failSends(true)
    const r = recorder()
    const tx = h.layer.request(request('OPTIONS'), udpTarget, r)
    await h.settle()
    assert.equal(r.transportErrors, 1)
    assert.equal(tx.state, 'terminated')
    assert.equal(h.clock.pending, 0, 'Timers E and F stopped with it')
    const sent = h.sent.length
    h.clock.advance(64_000)
    assert.equal(h.sent.length, sent)
    assert.equal(r.timeouts, 0)
    assert.equal(h.clock.pending, 0)
  })

  test('T1/T2 are configurable', () => {
    const h = createHarness({ timers: { t1: 100, t2: 400 } })
    h.layer.request(request('OPTIONS'), udpTarget, recorder())
    h.clock.advance(6_400)
    const t = times(h.sent, 'request')
    assert.deepEqual(t.slice(0, 6), [0, 100, 300, 700, 1100, 1500])
    assert.equal(t.at(-1)! < 6_400, true)
  })
})

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2)', () => {
  test('Timer A doubles with no cap while Calling; Timer B at 64*T1 reports a timeout', () => {
    const h = createHarness()
    const r = recorder()
    const tx = h.layer.request(request('INVITE'), udpTarget, r)
    assert.equal(tx.state, 'calling')
    h.clock.advance(32_000)
    assert.deepEqual(times(h.sent, 'request'), [0, 500, 1500, 3500, 7500, 15500, 31500])
    assert.equal(r.timeouts, 1)
    assert.equal(tx.state, 'terminated')
  })

  test('a provisional response stops retransmissions and Timer B (Proceeding waits for the TU)', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE')
    const tx = h.layer.request(req, udpTarget, r)
    h.layer.receive(response(req, 180), udpFlowLike)
    h.clock.advance(100_000)
    assert.equal(tx.state, 'proceeding')
    assert.deepEqual(times(h.sent, 'request'), [0])
    assert.equal(r.timeouts, 0)
  })

  test('2xx: Accepted, every 2xx reaches the TU, no ACK from the transaction, Timer M ends it', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE')
    const tx = h.layer.request(req, udpTarget, r)
    h.clock.advance(10_000)
    h.layer.receive(response(req, 200, 'x1'), udpFlowLike)
    assert.equal(tx.state, 'accepted')
    h.layer.receive(response(req, 200, 'x1'), udpFlowLike) // retransmission
    h.layer.receive(response(req, 200, 'x2'), udpFlowLike) // another fork
    assert.deepEqual(r.responses, [200, 200, 200])
    assert.deepEqual(times(h.sent, 'request', 'ACK'), [])
    // Timer B (due at 32 s) was stopped by the 2xx: only Timer M, 32 s after it, ends the transaction
    h.clock.advance(22_000)
    assert.equal(tx.state, 'accepted')
    assert.equal(r.timeouts, 0)
    h.clock.advance(10_000)
    assert.equal(tx.state, 'terminated')
  })

  test('a failure response: the transaction ACKs it (§17.1.1.3), again for each retransmission; Timer D', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE', 'z9hG4bKinv', 'Route: <sip:p1.example.com;lr>\n')
    const tx = h.layer.request(req, udpTarget, r)
    h.clock.advance(100)
    h.layer.receive(response(req, 486, 'busy'), udpFlowLike)
    assert.equal(tx.state, 'completed')
    h.clock.advance(1000)
    h.layer.receive(response(req, 486, 'busy'), udpFlowLike)
    assert.deepEqual(r.responses, [486], 'the TU sees the failure once')
    const acks = h.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK')
    assert.equal(acks.length, 2)
    const ack = acks[0]!.message as SipRequest
    const inv = req.headers
    assert.equal(ack.uri, req.uri)
    assert.equal(ack.headers.get(CallId), inv.get(CallId))
    assert.deepEqual(ack.headers.get(From), inv.get(From))
    assert.equal(ack.headers.get(ToTag), 'busy', 'To comes from the response')
    assert.deepEqual(ack.headers.get(CSeq), { seq: inv.get(CSeq)!.seq, method: 'ACK' })
    assert.deepEqual(ack.headers.get(Via), [inv.first(Via)], 'one Via, the top Via of the INVITE')
    assert.deepEqual(ack.headers.get(Route), inv.get(Route))
    assert.ok(ack.headers.get(To))
    h.clock.advance(31_999 - 1000)
    assert.equal(tx.state, 'completed')
    h.clock.advance(2000)
    assert.equal(tx.state, 'terminated')
  })

  test("a failure response without a valid To still completes the transaction: the ACK takes the INVITE's To", () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE')
    const tx = h.layer.request(req, udpTarget, r)
    const res = response(req, 486)
    res.headers.remove('To')
    tx.receive(res)
    assert.equal(tx.state, 'completed')
    assert.deepEqual(r.responses, [486])
    const acks = h.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK')
    assert.equal(acks.length, 1)
    assert.deepEqual((acks[0]!.message as SipRequest).headers.get(To), req.headers.get(To))
  })

  test('over a reliable transport Timer D is zero', () => {
    const h = createHarness()
    const req = request('INVITE')
    const tx = h.layer.request(req, tcpTarget, recorder())
    h.layer.receive(response(req, 603), udpFlowLike)
    assert.equal(tx.state, 'terminated')
    assert.equal(times(h.sent, 'request', 'ACK').length, 1)
  })
})

const udpFlowLike = {
  id: 'udp:x',
  transport: 'udp' as const,
  reliable: false,
  secure: false,
  local: { address: '127.0.0.1', port: 5060 },
  remote: { address: '127.0.0.1', port: 5070 },
}

describe('what a client transaction keeps once it has its final response', () => {
  test('Completed (non-INVITE): the request and the handler go; retransmissions are still absorbed', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('BYE')
    const tx = h.layer.request(req, udpTarget, r)
    assert.equal(tx.request, req)
    h.layer.receive(response(req, 200), udpFlowLike)
    assert.throws(() => tx.request, { code: 'JUNCTION_ERR_TXN_RELEASED' })
    assert.equal(tx.method, 'BYE')
    assert.equal(tx.lastResponse, undefined)
    h.layer.receive(response(req, 200), udpFlowLike)
    assert.deepEqual(r.responses, [200])
  })

  test('Completed (INVITE): the ACK built from the request is resent without it', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE')
    const tx = h.layer.request(req, udpTarget, r)
    h.layer.receive(response(req, 486), udpFlowLike)
    assert.throws(() => tx.request, { code: 'JUNCTION_ERR_TXN_RELEASED' })
    h.layer.receive(response(req, 486), udpFlowLike)
    const acks = h.sent.filter((s) => s.kind === 'request' && (s.message as SipRequest).method === 'ACK')
    assert.equal(acks.length, 2)
    assert.equal(acks[1]!.message.headers.get(ToTag), 'b2')
    assert.deepEqual(r.responses, [486])
  })

  test('Accepted (INVITE): the handler stays, for every further 2xx (RFC 6026 §7.2)', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE')
    const tx = h.layer.request(req, udpTarget, r)
    h.layer.receive(response(req, 200, 'x1'), udpFlowLike)
    assert.throws(() => tx.request, { code: 'JUNCTION_ERR_TXN_RELEASED' })
    h.layer.receive(response(req, 200, 'x2'), udpFlowLike)
    assert.deepEqual(r.responses, [200, 200])
  })
})
