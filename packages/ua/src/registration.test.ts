import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CallId, Contact, type ContactAddress, CSeq, Expires, formatUri, To } from '@junction/sip'
import { setup } from '../test/harness.ts'
import { refreshDelay } from './registration.ts'

describe('REGISTER client (RFC 3261 §10.2)', () => {
  test('binds the Contact, refreshes before expiry with the same Call-ID and CSeq + 1, then removes it', async () => {
    const h = setup({ proxy: false })
    await h.ua.start()
    const reg = h.ua.register({
      registrar: 'sip:192.0.2.10',
      expires: 600,
      instanceId: '<urn:uuid:00000000-0000-0000-0000-000000000001>',
      regId: 1,
    })
    const first = await h.sent('REGISTER')
    assert.equal(formatUri(first.uri), 'sip:192.0.2.10')
    assert.equal(formatUri(first.headers.get(To)!.uri), 'sip:alice@192.0.2.1')
    const c = first.headers.get(Contact)![0] as ContactAddress
    assert.equal(formatUri(c.uri), 'sip:alice@127.0.0.1:5070;ob')
    assert.equal(c.expires, 600)
    assert.equal(c.instance, '<urn:uuid:00000000-0000-0000-0000-000000000001>')
    assert.equal(c.regId, 1)
    // the registrar grants 60 s on our Contact
    h.answer(first, 200, { extra: { Contact: `<sip:alice@127.0.0.1:5070;ob>;expires=60` } })
    const outcome = await reg.result
    assert.ok(outcome.ok)
    assert.equal(outcome.expires, 60)
    h.clock.advance(refreshDelay(60) - 1)
    await h.settle()
    assert.equal(h.all('REGISTER').length, 1, 'not yet')
    h.clock.advance(1)
    const second = await h.sent('REGISTER')
    assert.equal(second.headers.get(CallId), first.headers.get(CallId))
    assert.equal(second.headers.get(CSeq)?.seq, 2)
    h.answer(second, 200, { extra: { Contact: `<sip:alice@127.0.0.1:5070;ob>;expires=60` } })
    await h.settle()
    const removed = reg.unregister()
    const third = await h.sent('REGISTER')
    assert.equal((third.headers.get(Contact)![0] as ContactAddress).expires, 0)
    assert.equal(third.headers.get(CSeq)?.seq, 3)
    h.answer(third, 200)
    assert.ok((await removed).ok)
    h.clock.advance(3_600_000)
    await h.settle()
    assert.equal(h.all('REGISTER').length, 3, 'no refresh after unregister()')
    await h.ua.stop()
  })

  test('423 Interval Too Brief: asks again with Min-Expires (§10.2.8)', async () => {
    const h = setup({ proxy: false })
    await h.ua.start()
    const reg = h.ua.register({ registrar: 'sip:192.0.2.10', expires: 30, refresh: false })
    const first = await h.sent('REGISTER')
    h.answer(first, 423, { extra: { 'Min-Expires': '120' } })
    const second = await h.sent('REGISTER')
    assert.equal((second.headers.get(Contact)![0] as ContactAddress).expires, 120)
    h.answer(second, 200, { extra: { Expires: '120', Contact: '<sip:alice@127.0.0.1:5070>;expires=120' } })
    assert.equal((await reg.result).expires, 120)
    await h.ua.stop()
  })

  test('unregister({ all: true }) sends Contact: * with Expires: 0 (§10.2.2)', async () => {
    const h = setup({ proxy: false })
    await h.ua.start()
    const reg = h.ua.register({ registrar: 'sip:192.0.2.10', refresh: false })
    h.answer(await h.sent('REGISTER'), 200)
    await reg.result
    const removed = reg.unregister({ all: true })
    const req = await h.sent('REGISTER')
    assert.deepEqual(req.headers.get(Contact), ['*'])
    assert.equal(req.headers.get(Expires), 0)
    h.answer(req, 200)
    assert.ok((await removed).ok)
    await h.ua.stop()
  })

  test('refreshDelay: halfway for short bindings, 30 s early for long ones', () => {
    assert.equal(refreshDelay(60), 30_000)
    assert.equal(refreshDelay(10), 5_000)
    assert.equal(refreshDelay(3600), 3_570_000)
  })
})
