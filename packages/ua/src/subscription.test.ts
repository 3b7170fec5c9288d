import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CallId, Contact, CSeq, Event, Expires, From, To } from '@junction/sip'
import { peerRequest, setup } from '../test/harness.ts'
import type { Notification } from './subscription.ts'

function notify(sub: { callId: string; fromTag: string }, cseq: number, state: string, body = '') {
  return peerRequest('NOTIFY', {
    callId: sub.callId,
    cseq,
    to: `<sip:alice@192.0.2.1>;tag=${sub.fromTag}`,
    from: '<sip:bob@192.0.2.20>;tag=notifier',
    headers: ['Event: presence', `Subscription-State: ${state}`, 'Contact: <sip:bob@192.0.2.20:5060>'],
    body,
  })
}

describe('SUBSCRIBE as subscriber (RFC 6665 §4.1)', () => {
  test('SUBSCRIBE, 200, NOTIFYs answered and reported, a refresh within the dialog, unsubscribe', async () => {
    const h = setup()
    await h.ua.start()
    const seen: Notification[] = []
    const sub = h.ua.subscribe('sip:bob@192.0.2.20', {
      event: 'presence',
      expires: 60,
      accept: 'application/pidf+xml',
      onNotify: (n) => seen.push(n),
    })
    const req = await h.sent('SUBSCRIBE')
    assert.equal(req.headers.get(Event)?.type, 'presence')
    assert.equal(req.headers.get(Expires), 60)
    assert.deepEqual(req.headers.raw('Accept'), ['application/pidf+xml'])
    assert.equal(req.headers.get(Contact)?.length, 1)
    const ids = { callId: req.headers.get(CallId)!, fromTag: req.headers.get(From)!.tag! }
    h.answer(req, 200, { toTag: 'notifier', extra: { Expires: '60', Contact: '<sip:bob@192.0.2.20:5060>' } })
    assert.equal((await sub.result).response.status, 200)
    h.inject(notify(ids, 1, 'active;expires=60', '<presence/>'))
    assert.equal(seen.length, 1)
    assert.equal(seen[0]!.state?.state, 'active')
    assert.equal(new TextDecoder().decode(seen[0]!.body), '<presence/>')
    assert.equal(sub.state, 'active')
    assert.equal(h.responses(200).at(-1)?.headers.get(CSeq)?.method, 'NOTIFY')
    // refresh halfway (§4.1.2.2), inside the dialog
    h.clock.advance(30_000)
    const refresh = await h.sent('SUBSCRIBE')
    assert.equal(refresh.headers.get(To)?.tag, 'notifier')
    assert.equal(refresh.headers.get(CallId), ids.callId)
    assert.equal(refresh.headers.get(CSeq)?.seq, req.headers.get(CSeq)!.seq + 1)
    h.answer(refresh, 200, { extra: { Expires: '60' } })
    await h.settle()
    const off = sub.unsubscribe()
    const last = await h.sent('SUBSCRIBE')
    assert.equal(last.headers.get(Expires), 0)
    h.answer(last, 200)
    await off
    assert.equal((await sub.ended).reason, 'unsubscribed')
    await h.ua.stop()
  })

  test('a NOTIFY before the 200 creates the dialog (§4.1.2.4); terminated ends the subscription', async () => {
    const h = setup()
    await h.ua.start()
    const states: string[] = []
    const sub = h.ua.subscribe('sip:bob@192.0.2.20', {
      event: 'presence',
      onNotify: (n) => states.push(n.state?.state ?? ''),
    })
    const req = await h.sent('SUBSCRIBE')
    const ids = { callId: req.headers.get(CallId)!, fromTag: req.headers.get(From)!.tag! }
    h.inject(notify(ids, 1, 'pending'))
    h.answer(req, 202, { toTag: 'notifier', extra: { Expires: '3600' } })
    await sub.result
    h.inject(notify(ids, 2, 'terminated;reason=rejected'))
    assert.deepEqual(states, ['pending', 'terminated'])
    assert.match((await sub.ended).reason, /terminated by the notifier \(rejected\)/)
    assert.equal(h.responses(200).filter((r) => r.headers.get(CSeq)?.method === 'NOTIFY').length, 2)
    await h.ua.stop()
  })

  test('a NOTIFY that matches no subscription gets 481', async () => {
    const h = setup()
    await h.ua.start()
    h.inject(notify({ callId: 'nosuch', fromTag: 'x' }, 1, 'active'))
    assert.equal(h.responses(481).length, 1)
    await h.ua.stop()
  })

  test('a SUBSCRIBE refused with 489 ends the subscription', async () => {
    const h = setup()
    await h.ua.start()
    const sub = h.ua.subscribe('sip:bob@192.0.2.20', { event: 'nosuch' })
    h.answer(await h.sent('SUBSCRIBE'), 489)
    assert.equal((await sub.result).response.status, 489)
    assert.match((await sub.ended).reason, /489/)
    await h.ua.stop()
  })
})
