import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createResponse, type SipRequest, type SipResponse, serialize } from '@junction/sip'
import { createHarness, request, tcpFlow, times, udpFlow } from '../test/harness.ts'
import type { InviteServerTransaction } from './server-transaction.ts'

function statuses(sent: ReturnType<typeof createHarness>['sent']): number[] {
  return sent.filter((s) => s.kind === 'response').map((s) => (s.message as SipResponse).status)
}

function ackMessage(via: string, toTag: string): SipRequest {
  const m = request('ACK')
  m.headers.setRaw('Via', via)
  m.headers.setRaw('To', `<sip:bob@example.com>;tag=${toTag}`)
  m.headers.setRaw('CSeq', '1 ACK')
  return m
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  test('Trying discards retransmissions; Proceeding and Completed resend the last response; Timer J', () => {
    const h = createHarness()
    const req = request('REGISTER')
    h.layer.receive(req, udpFlow)
    assert.equal(h.requests.length, 1)
    const tx = h.requests[0]!
    assert.equal(tx.state, 'trying')
    h.layer.receive(request('REGISTER'), udpFlow) // retransmission in Trying: discarded
    assert.deepEqual(statuses(h.sent), [])
    tx.respond(createResponse(req, 100))
    assert.equal(tx.state, 'proceeding')
    h.layer.receive(request('REGISTER'), udpFlow)
    assert.deepEqual(statuses(h.sent), [100, 100])
    tx.respond(createResponse(req, 200))
    assert.equal(tx.state, 'completed')
    h.layer.receive(request('REGISTER'), udpFlow)
    assert.deepEqual(statuses(h.sent), [100, 100, 200, 200])
    tx.respond(createResponse(req, 500)) // the TU may not respond again once Completed
    assert.deepEqual(statuses(h.sent), [100, 100, 200, 200])
    assert.equal(h.requests.length, 1, 'retransmissions never reach the TU')
    h.clock.advance(31_999)
    assert.equal(tx.state, 'completed')
    h.clock.advance(1)
    assert.equal(tx.state, 'terminated')
    assert.equal(h.layer.size, 0)
  })

  test('with timerSlack, Timer J ends the transaction no earlier, and at most 100 ms later', () => {
    const h = createHarness({ timerSlack: true })
    const req = request('REGISTER')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0]!
    tx.respond(createResponse(req, 200))
    h.clock.advance(32_000)
    assert.equal(tx.state, 'completed')
    h.clock.advance(100)
    assert.equal(tx.state, 'terminated')
  })

  test('a final response kept for retransmissions is serialized once: the kept octets are sent', () => {
    const h = createHarness()
    const req = request('REGISTER')
    h.layer.receive(req, udpFlow)
    const res = createResponse(req, 200)
    h.requests[0]!.respond(res)
    const first = h.sent.at(-1)!
    const octets = new Uint8Array(first.octets!)
    assert.deepEqual(octets, new Uint8Array(serialize(res)))
    h.layer.receive(request('REGISTER'), udpFlow) // a retransmission: the same octets again
    assert.deepEqual(new Uint8Array(serialize(h.sent.at(-1)!.message)), octets)
    // a 2xx to an INVITE is not kept (RFC 6026 §7.1): the transport serializes it
    const invite = request('INVITE')
    h.layer.receive(invite, udpFlow)
    h.requests[1]!.respond(createResponse(invite, 200))
    assert.equal(h.sent.at(-1)!.octets, undefined)
  })

  test('a stateless final response (§8.2.7) ends it at once; a retransmission is a new request', () => {
    const h = createHarness()
    const req = request('REGISTER')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0]!
    tx.respond(createResponse(req, 401), { stateless: true })
    assert.equal(tx.state, 'terminated')
    assert.equal(h.layer.size, 0)
    assert.deepEqual(statuses(h.sent), [401])
    const again = request('REGISTER')
    h.layer.receive(again, udpFlow)
    assert.equal(h.requests.length, 2, 'the retransmission reaches the TU as a new request')
    h.requests[1]!.respond(createResponse(again, 401), { stateless: true })
    assert.deepEqual(statuses(h.sent), [401, 401])
    assert.equal(h.clock.pending, 0, 'no Timer J waits')
  })

  test('stateless does not apply to provisional responses or to an INVITE (its ACK needs it)', () => {
    const h = createHarness()
    const reg = request('REGISTER')
    h.layer.receive(reg, udpFlow)
    const tx = h.requests[0]!
    tx.respond(createResponse(reg, 100), { stateless: true })
    assert.equal(tx.state, 'proceeding')
    const inv = request('INVITE', 'z9hG4bKinvstateless')
    h.layer.receive(inv, udpFlow)
    const itx = h.requests[1]!
    itx.respond(createResponse(inv, 407), { stateless: true })
    assert.equal(itx.state, 'completed', 'the INVITE waits for its ACK as always')
  })

  test('over a reliable transport Timer J is zero', () => {
    const h = createHarness()
    const req = request('OPTIONS')
    h.layer.receive(req, tcpFlow)
    h.requests[0]!.respond(createResponse(req, 200))
    assert.equal(h.requests[0]!.state, 'terminated')
  })

  test('a transport error while responding ends it and tells the TU (§17.2.4)', async () => {
    const h = createHarness()
    const req = request('OPTIONS')
    h.layer.receive(req, udpFlow)
    h.failSends(true)
    h.requests[0]!.respond(createResponse(req, 200))
    await h.settle()
    assert.deepEqual(
      h.failures.map((f) => f.reason),
      ['transport'],
    )
    assert.equal(h.requests[0]!.state, 'terminated')
  })
})

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1)', () => {
  test('100 Trying after 200 ms when the TU is silent; not when it answers first', () => {
    const h = createHarness()
    const req = request('INVITE')
    h.layer.receive(req, udpFlow)
    h.clock.advance(199)
    assert.deepEqual(statuses(h.sent), [])
    h.clock.advance(1)
    assert.deepEqual(statuses(h.sent), [100])

    const h2 = createHarness()
    h2.layer.receive(request('INVITE'), udpFlow)
    h2.clock.advance(50)
    h2.requests[0]!.respond(createResponse(h2.requests[0]!.request, 180))
    h2.clock.advance(1000)
    assert.deepEqual(statuses(h2.sent), [180])
  })

  test('retransmitted INVITEs get the last provisional response again', () => {
    const h = createHarness({ tryingDelay: 0 })
    const req = request('INVITE')
    h.layer.receive(req, udpFlow)
    h.requests[0]!.respond(createResponse(req, 180))
    h.layer.receive(request('INVITE'), udpFlow)
    assert.deepEqual(statuses(h.sent), [100, 180, 180])
  })

  test('2xx: Accepted; retransmitted INVITEs absorbed; ACKs and further 2xx pass through; Timer L', () => {
    const h = createHarness()
    const req = request('INVITE')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0] as InviteServerTransaction
    tx.respond(createResponse(req, 200, undefined, { toTag: 'b2' }))
    assert.equal(tx.state, 'accepted')
    h.layer.receive(request('INVITE'), udpFlow)
    assert.deepEqual(statuses(h.sent), [200], 'the INVITE retransmission is absorbed')
    tx.respond(createResponse(req, 200, undefined, { toTag: 'b2' })) // the TU's own 2xx retransmission
    assert.deepEqual(statuses(h.sent), [200, 200])
    h.layer.receive(ackMessage(req.headers.raw('Via')[0]!, 'b2'), udpFlow)
    assert.equal(h.acks.length, 1)
    assert.equal(h.acks[0]!.tx, tx, 'RFC 6026: the ACK goes to the TU, with the transaction')
    h.clock.advance(32_000)
    assert.equal(tx.state, 'terminated')
  })

  test('a failure: Timer G resends it (T1 doubling to T2) until the ACK; the ACK is absorbed; Timer I', () => {
    const h = createHarness()
    const req = request('INVITE')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0] as InviteServerTransaction
    h.clock.advance(10)
    tx.respond(createResponse(req, 486, undefined, { toTag: 'b2' }))
    h.clock.advance(8_000)
    assert.deepEqual(times(h.sent, 'response'), [10, 510, 1510, 3510, 7510])
    h.layer.receive(request('INVITE'), udpFlow) // a retransmitted INVITE gets the failure again
    assert.equal(times(h.sent, 'response').length, 6)
    h.layer.receive(ackMessage(req.headers.raw('Via')[0]!, 'b2'), udpFlow)
    assert.equal(tx.state, 'confirmed')
    assert.equal(h.acks.length, 0, 'the ACK for a failure is absorbed')
    h.clock.advance(10_000)
    assert.equal(times(h.sent, 'response').length, 6, 'no retransmission once Confirmed')
    assert.equal(tx.state, 'terminated') // Timer I (T4) has fired
  })

  test('no ACK: Timer H ends it at 64*T1 and the TU hears of the failure', () => {
    const h = createHarness()
    const req = request('INVITE')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0]!
    tx.respond(createResponse(req, 404))
    h.clock.advance(32_000)
    assert.equal(tx.state, 'terminated')
    assert.deepEqual(
      h.failures.map((f) => f.reason),
      ['timeout'],
    )
    // G doubled to T2 then kept at T2
    assert.deepEqual(times(h.sent, 'response').slice(0, 6), [0, 500, 1500, 3500, 7500, 11500])
  })

  test('over a reliable transport: no Timer G, Timer I is zero', () => {
    const h = createHarness()
    const req = request('INVITE')
    h.layer.receive(req, tcpFlow)
    const tx = h.requests[0] as InviteServerTransaction
    tx.respond(createResponse(req, 480, undefined, { toTag: 'b2' }))
    h.clock.advance(5_000)
    assert.deepEqual(statuses(h.sent), [480])
    h.layer.receive(ackMessage(req.headers.raw('Via')[0]!, 'b2'), tcpFlow)
    assert.equal(tx.state, 'terminated')
  })
})

describe('what a server transaction keeps once it has answered', () => {
  test('the request is let go of at the final response; reading it then is a fault', () => {
    const h = createHarness()
    const req = request('INVITE')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0]!
    assert.equal(tx.request, req, 'held while the TU may answer')
    assert.equal(tx.method, 'INVITE')
    tx.respond(createResponse(req, 180))
    assert.equal(tx.request, req)
    tx.respond(createResponse(req, 200, undefined, { toTag: 'b2' }))
    assert.throws(() => tx.request, { code: 'JUNCTION_ERR_TXN_RELEASED' })
    assert.equal(tx.lastResponse, undefined, 'RFC 6026 §7.1: 2xx retransmissions are the TU’s')
  })

  test('Completed resends the very octets of the final response, from a copy of its own', () => {
    const h = createHarness()
    const req = request('BYE')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0]!
    const ok = createResponse(req, 200, undefined, { headers: { 'X-Kept': 'yes' } })
    tx.respond(ok)
    const first = serialize(h.sent[0]!.message)
    h.layer.receive(request('BYE'), udpFlow)
    assert.equal(h.sent.length, 2)
    assert.notEqual(h.sent[1]!.message, ok, 'a copy parsed from the octets kept')
    assert.deepEqual(Buffer.from(serialize(h.sent[1]!.message)), Buffer.from(first))
    assert.equal(tx.lastResponse?.headers.raw('x-kept')[0], 'yes')
  })

  test('an RFC 2543 ACK (no magic cookie) still matches by the To tag of the failure (§17.2.3)', () => {
    const h = createHarness()
    const via = 'SIP/2.0/UDP 192.0.2.1:5060;branch=old2543'
    const req = request('INVITE', 'old2543')
    h.layer.receive(req, udpFlow)
    const tx = h.requests[0] as InviteServerTransaction
    tx.respond(createResponse(req, 486, undefined, { toTag: 'b2' }))
    h.layer.receive(ackMessage(via, 'zz'), udpFlow)
    assert.equal(tx.state, 'completed', 'another To tag: not this transaction')
    h.layer.receive(ackMessage(via, 'b2'), udpFlow)
    assert.equal(tx.state, 'confirmed')
  })
})
