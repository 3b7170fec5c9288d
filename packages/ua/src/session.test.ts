import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Contact, CSeq, From, formatUri, Route, To, Via } from '@junction/sip'
import { peerRequest, setup } from '../test/harness.ts'
import type { IncomingCall } from './call.ts'

const offer = { body: 'v=0\r\n', contentType: 'application/sdp' }
const rr = '<sip:192.0.2.41;lr>, <sip:192.0.2.42;lr>'

describe('INVITE as UAC (RFC 3261 §13.2)', () => {
  test('1xx reaches onProvisional; the 2xx makes a dialog; the ACK follows the route set, and is sent again for each 2xx retransmission', async () => {
    const h = setup()
    await h.ua.start()
    const provisional: number[] = []
    const call = h.ua.invite('sip:bob@192.0.2.20', {
      offer,
      onProvisional: (r) => provisional.push(r.status),
    })
    const invite = await h.sent('INVITE')
    assert.equal(
      formatUri((invite.headers.get(Contact)![0] as { uri: never }).uri),
      'sip:alice@127.0.0.1:5070',
    )
    assert.equal(new TextDecoder().decode(invite.body), 'v=0\r\n')
    h.answer(invite, 180, { toTag: 'bt' })
    const contact = '<sip:bob@192.0.2.30:5062>'
    const ok = h.answer(invite, 200, { toTag: 'bt', extra: { Contact: contact, 'Record-Route': rr } })
    const result = await call.result
    assert.deepEqual(provisional, [180])
    assert.ok(result.ok)
    const session = result.session
    assert.equal(session.dialog.remoteTag, 'bt')
    const ack = await h.sent('ACK')
    // §12.2.1.1: Request-URI = remote target; Route = the Record-Route reversed
    assert.equal(formatUri(ack.uri), 'sip:bob@192.0.2.30:5062')
    assert.deepEqual(
      ack.headers.get(Route)?.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.42;lr', 'sip:192.0.2.41;lr'],
    )
    assert.deepEqual(ack.headers.get(CSeq), { seq: invite.headers.get(CSeq)!.seq, method: 'ACK' })
    assert.notEqual(ack.headers.first(Via)?.branch, invite.headers.first(Via)?.branch)
    // a retransmitted 2xx: the same ACK again (§13.2.2.4)
    h.net.receive(ok, { address: '192.0.2.10', port: 5060 })
    await h.settle()
    const acks = h.all('ACK')
    assert.equal(acks.length, 2)
    assert.deepEqual(acks[1]!.headers.get(CSeq), acks[0]!.headers.get(CSeq))
    // BYE within the dialog, CSeq + 1 (§15.1.1)
    const bye = session.bye()
    const byeReq = await h.sent('BYE')
    assert.equal(byeReq.headers.get(CSeq)?.seq, invite.headers.get(CSeq)!.seq + 1)
    assert.equal(byeReq.headers.get(To)?.tag, 'bt')
    assert.equal(byeReq.headers.get(From)?.tag, invite.headers.get(From)?.tag)
    h.answer(byeReq, 200)
    assert.equal((await bye).response.status, 200)
    assert.equal((await session.ended).by, 'local')
    await h.ua.stop()
  })

  test('a 2xx of a second fork is ACKed and ended with BYE (§13.2.2.4)', async () => {
    const h = setup()
    await h.ua.start()
    const call = h.ua.invite('sip:bob@192.0.2.20', { offer })
    const invite = await h.sent('INVITE')
    h.answer(invite, 200, { toTag: 'f1', extra: { Contact: '<sip:bob@192.0.2.31>' } })
    h.answer(invite, 200, { toTag: 'f2', extra: { Contact: '<sip:bob@192.0.2.32>' } })
    const result = await call.result
    assert.ok(result.ok && result.session.dialog.remoteTag === 'f1')
    const bye = await h.sent('BYE')
    assert.equal(bye.headers.get(To)?.tag, 'f2')
    assert.equal(h.all('ACK').length, 2)
    await h.ua.stop()
  })

  test('cancel() waits for a provisional response, then CANCELs with the INVITE branch; the 487 ends the call (§9.1)', async () => {
    const h = setup()
    await h.ua.start()
    const call = h.ua.invite('sip:bob@192.0.2.20', { offer })
    const invite = await h.sent('INVITE')
    call.cancel()
    await h.settle()
    assert.equal(h.all('CANCEL').length, 0, 'no CANCEL before a provisional response')
    h.answer(invite, 180, { toTag: 'bt' })
    const cancel = await h.sent('CANCEL')
    assert.equal(cancel.headers.first(Via)?.branch, invite.headers.first(Via)?.branch)
    assert.deepEqual(cancel.headers.get(CSeq), { seq: invite.headers.get(CSeq)!.seq, method: 'CANCEL' })
    h.answer(cancel, 200)
    h.answer(invite, 487, { toTag: 'bt' })
    const result = await call.result
    assert.ok(!result.ok)
    assert.equal(result.outcome.response.status, 487)
    assert.equal(h.all('ACK').length, 1, 'the transaction ACKs the 487 (§17.1.1.3)')
    await h.ua.stop()
  })

  test('a 486 is the failed outcome; no session is kept', async () => {
    const h = setup()
    await h.ua.start()
    const call = h.ua.invite('sip:bob@192.0.2.20', { offer })
    h.answer(await h.sent('INVITE'), 486, { toTag: 'x' })
    const result = await call.result
    assert.ok(!result.ok && result.outcome.response.status === 486)
    assert.equal(h.ua.sessions.size, 0)
    await h.ua.stop()
  })
})

describe('INVITE as UAS (RFC 3261 §13.3)', () => {
  function answering(onCall?: (call: IncomingCall) => void) {
    const calls: IncomingCall[] = []
    const h = setup({
      handlers: {
        onInvite(call) {
          calls.push(call)
          onCall?.(call)
        },
      },
    })
    return { h, calls }
  }

  test('accept: 200 with To tag, Contact and Record-Route; sent again at T1, 2·T1... until the ACK', async () => {
    const { h, calls } = answering()
    await h.ua.start()
    h.inject(
      peerRequest('INVITE', { callId: 'c1', body: 'v=0\r\no=bob\r\n', headers: [`Record-Route: ${rr}`] }),
    )
    const call = calls[0]!
    assert.equal(new TextDecoder().decode(call.offer!.body as Uint8Array), 'v=0\r\no=bob\r\n')
    call.progress()
    const accepted = call.accept({ body: 'v=0\r\no=alice\r\n', contentType: 'application/sdp' })
    const ok = h.responses(200)[0]!
    const tag = ok.headers.get(To)?.tag
    assert.ok(tag !== undefined && tag === h.responses(180)[0]!.headers.get(To)?.tag)
    assert.equal(ok.headers.raw('Record-Route').join(', '), rr)
    assert.equal(formatUri((ok.headers.get(Contact)![0] as { uri: never }).uri), 'sip:alice@127.0.0.1:5070')
    h.clock.advance(500)
    assert.equal(h.responses(200).length, 2)
    h.clock.advance(1000)
    assert.equal(h.responses(200).length, 3)
    h.clock.advance(2000)
    assert.equal(h.responses(200).length, 4)
    h.inject(peerRequest('ACK', { callId: 'c1', to: `<sip:alice@192.0.2.1>;tag=${tag}` }))
    const session = await accepted
    assert.ok(session !== undefined)
    h.clock.advance(30_000)
    assert.equal(h.responses(200).length, 4, 'no retransmission after the ACK')
    // BYE from the peer: 200, the session ends by the remote side
    h.inject(peerRequest('BYE', { callId: 'c1', cseq: 2, to: `<sip:alice@192.0.2.1>;tag=${tag}` }))
    assert.equal((await session.ended).by, 'remote')
    assert.equal(h.responses(200).length, 5)
    await h.ua.stop()
  })

  test('no ACK within 64·T1: the UAS ends the session with a BYE (§13.3.1.4)', async () => {
    const { h, calls } = answering()
    await h.ua.start()
    h.inject(peerRequest('INVITE', { callId: 'c2', body: 'v=0\r\n' }))
    const accepted = calls[0]!.accept(offer)
    h.clock.advance(64 * 500)
    assert.equal(await accepted, undefined)
    const bye = await h.sent('BYE')
    assert.equal(formatUri(bye.uri), 'sip:bob@192.0.2.10:5060')
    assert.equal(bye.headers.get(To)?.tag, 'bobtag')
    // T1, 2, 4, 4, 4 ... seconds up to 32 s: 1 + 9 sends
    assert.ok(h.responses(200).length >= 8 && h.responses(200).length <= 11)
    await h.ua.stop()
  })

  test('a BYE before the ACK ends the session; accept() resolves without a session and the 2xx stops', async () => {
    const { h, calls } = answering()
    await h.ua.start()
    h.inject(peerRequest('INVITE', { callId: 'c5', body: 'v=0\r\n' }))
    const accepted = calls[0]!.accept(offer)
    const tag = h.responses(200)[0]!.headers.get(To)!.tag
    h.inject(peerRequest('BYE', { callId: 'c5', cseq: 2, to: `<sip:alice@192.0.2.1>;tag=${tag}` }))
    assert.equal(await accepted, undefined)
    const sent = h.responses(200).length
    h.clock.advance(10_000)
    assert.equal(h.responses(200).length, sent, 'no 2xx retransmission after the BYE')
    assert.equal(h.ua.sessions.size, 0)
    await h.ua.stop()
  })

  test('CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, onCancel (§9.2)', async () => {
    let cancelled = 0
    const { h } = answering((call) => {
      call.onCancel = () => cancelled++
      call.progress()
    })
    await h.ua.start()
    h.inject(peerRequest('INVITE', { callId: 'c3', branch: 'z9hG4bKinv3' }))
    h.inject(peerRequest('CANCEL', { callId: 'c3', branch: 'z9hG4bKinv3' }))
    assert.equal(cancelled, 1)
    assert.equal(h.responses(487).length, 1)
    assert.equal(h.responses(200)[0]?.headers.get(CSeq)?.method, 'CANCEL')
    await h.ua.stop()
  })

  test('a re-INVITE in the dialog gets 200 with our answer; an out-of-order CSeq gets 500 (§12.2.2, §14.2)', async () => {
    const { h, calls } = answering()
    await h.ua.start()
    h.inject(peerRequest('INVITE', { callId: 'c4', cseq: 10, body: 'v=0\r\n' }))
    const accepted = calls[0]!.accept(offer)
    const tag = h.responses(200)[0]!.headers.get(To)!.tag
    const to = `<sip:alice@192.0.2.1>;tag=${tag}`
    h.inject(peerRequest('ACK', { callId: 'c4', cseq: 10, to }))
    const session = (await accepted)!
    h.inject(peerRequest('INVITE', { callId: 'c4', cseq: 11, to, body: 'v=0\r\no=new\r\n' }))
    const reinviteOk = h.responses(200).at(-1)!
    assert.deepEqual(reinviteOk.headers.get(CSeq), { seq: 11, method: 'INVITE' })
    assert.equal(new TextDecoder().decode(reinviteOk.body), 'v=0\r\n')
    assert.equal(new TextDecoder().decode(session.remoteBody!.body as Uint8Array), 'v=0\r\no=new\r\n')
    h.inject(peerRequest('ACK', { callId: 'c4', cseq: 11, to }))
    h.inject(peerRequest('INFO', { callId: 'c4', cseq: 5, to }))
    assert.equal(h.responses(500).length, 1)
    await h.ua.stop()
  })
})

describe('re-INVITE as UAC (§14.1)', () => {
  test('the re-INVITE goes within the dialog and its 2xx is ACKed', async () => {
    const h = setup()
    await h.ua.start()
    const call = h.ua.invite('sip:bob@192.0.2.20', { offer })
    const invite = await h.sent('INVITE')
    h.answer(invite, 200, { toTag: 'bt', extra: { Contact: '<sip:bob@192.0.2.30>' } })
    const result = await call.result
    assert.ok(result.ok)
    const re = result.session.reinvite({ body: 'v=0\r\no=2\r\n', contentType: 'application/sdp' })
    const reinvite = (await h.sent('INVITE').then(() => h.all('INVITE').at(-1)))!
    assert.equal(reinvite.headers.get(To)?.tag, 'bt')
    assert.equal(formatUri(reinvite.uri), 'sip:bob@192.0.2.30')
    h.answer(reinvite, 200, { extra: { Contact: '<sip:bob@192.0.2.33>' } })
    assert.equal((await re).response.status, 200)
    await h.settle()
    const acks = h.all('ACK')
    assert.equal(acks.at(-1)?.headers.get(CSeq)?.seq, reinvite.headers.get(CSeq)?.seq)
    assert.equal(
      formatUri(result.session.dialog.remoteTarget),
      'sip:bob@192.0.2.33',
      'target refresh (§12.2.1.2)',
    )
    await h.ua.stop()
  })
})
