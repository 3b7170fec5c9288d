import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Allow, CallId, CSeq, From, formatUri, MaxForwards, Route, To, Unsupported, Via } from '@junction/sip'
import { PEER, peerRequest, setup } from '../test/harness.ts'
import { uaOutcomeCodes } from './errors.ts'

describe('UAC: requests outside a dialog (RFC 3261 §8.1)', () => {
  test('OPTIONS carries the §8.1.1 fields, goes to the outbound proxy, and resolves with the 200', async () => {
    const h = setup()
    await h.ua.start()
    const pending = h.ua.request('OPTIONS', 'sip:bob@192.0.2.20')
    const req = await h.sent('OPTIONS')
    const sent = h.net.sent.at(-1)!
    assert.equal(sent.kind === 'request' && sent.target.address, PEER.address)
    assert.equal(formatUri(req.uri), 'sip:bob@192.0.2.20')
    assert.equal(req.headers.get(To)?.tag, undefined)
    assert.equal(formatUri(req.headers.get(To)!.uri), 'sip:bob@192.0.2.20')
    assert.ok((req.headers.get(From)?.tag ?? '').length >= 8, 'a From tag (§8.1.1.3)')
    assert.ok((req.headers.get(CallId) ?? '').length >= 8, 'a Call-ID (§8.1.1.4)')
    assert.deepEqual(req.headers.get(CSeq), { seq: 1, method: 'OPTIONS' })
    assert.equal(req.headers.get(MaxForwards), 70)
    assert.match(req.headers.first(Via)?.branch ?? '', /^z9hG4bK.{8,}/)
    assert.equal(formatUri(req.headers.first(Route)!.uri), 'sip:192.0.2.10:5060;lr')
    h.answer(req, 200)
    const outcome = await pending
    assert.equal(outcome.response.status, 200)
    assert.equal(outcome.local, undefined)
    await h.ua.stop()
  })

  test('no answer: Timer F makes a 408 the UA reports as JUNCTION_ERR_UA_TIMEOUT', async () => {
    const h = setup()
    await h.ua.start()
    const pending = h.ua.message('sip:bob@192.0.2.20', 'hello')
    const req = await h.sent('MESSAGE')
    assert.equal(new TextDecoder().decode(req.body), 'hello')
    h.clock.advance(32_000)
    const outcome = await pending
    assert.equal(outcome.response.status, 408)
    assert.equal(outcome.local?.code, uaOutcomeCodes.TIMEOUT)
    assert.ok(h.all('MESSAGE').length > 1, 'retransmitted over UDP before Timer F (Timer E)')
    await h.ua.stop()
  })

  test('the headers option goes into every request outside a dialog, REGISTER included', async () => {
    const h = setup({ headers: { 'P-Visited-Network-ID': '"ims.test"' } })
    await h.ua.start()
    void h.ua.request('OPTIONS', 'sip:bob@192.0.2.20')
    void h.ua.register({ registrar: 'sip:192.0.2.10', refresh: false })
    assert.deepEqual((await h.sent('OPTIONS')).headers.raw('P-Visited-Network-ID'), ['"ims.test"'])
    assert.deepEqual((await h.sent('REGISTER')).headers.raw('P-Visited-Network-ID'), ['"ims.test"'])
    await h.ua.stop()
  })

  test('stop() ends a pending request with JUNCTION_ERR_UA_STOPPED', async () => {
    const h = setup()
    await h.ua.start()
    const pending = h.ua.request('OPTIONS', 'sip:bob@192.0.2.20')
    await h.sent('OPTIONS')
    await h.ua.stop()
    const outcome = await pending
    assert.equal(outcome.local?.code, uaOutcomeCodes.STOPPED)
  })
})

describe('UAS: requests outside a dialog (RFC 3261 §8.2)', () => {
  test('an unknown method gets 405 with Allow (§8.2.1)', async () => {
    const h = setup()
    await h.ua.start()
    h.inject(peerRequest('PUBLISH'))
    const res = h.responses(405)[0]
    assert.ok(res !== undefined)
    assert.ok(res.headers.get(Allow)?.includes('INVITE'))
    await h.ua.stop()
  })

  test('Require with an extension we lack gets 420 with Unsupported (§8.2.2.3)', async () => {
    const h = setup()
    await h.ua.start()
    h.inject(peerRequest('OPTIONS', { headers: ['Require: 100rel, foo'] }))
    const res = h.responses(420)[0]
    assert.deepEqual(res?.headers.get(Unsupported), ['100rel', 'foo'])
    await h.ua.stop()
  })

  test('a request with a To tag that matches no dialog gets 481 (§12.2.2)', async () => {
    const h = setup()
    await h.ua.start()
    h.inject(peerRequest('BYE', { to: '<sip:alice@192.0.2.1>;tag=nosuch' }))
    assert.equal(h.responses(481).length, 1)
    await h.ua.stop()
  })

  test('OPTIONS gets 200 with Allow (§11.2); MESSAGE goes to onMessage and gets its status', async () => {
    const got: string[] = []
    const h = setup({
      handlers: {
        onMessage(req) {
          got.push(new TextDecoder().decode(req.body))
          return got.length === 1 ? 200 : 486
        },
      },
    })
    await h.ua.start()
    h.inject(peerRequest('OPTIONS'))
    assert.ok(h.responses(200)[0]?.headers.get(Allow)?.includes('MESSAGE'))
    h.inject(peerRequest('MESSAGE', { body: 'one' }))
    h.inject(peerRequest('MESSAGE', { body: 'two' }))
    assert.deepEqual(got, ['one', 'two'])
    assert.equal(h.responses(200).length, 2)
    assert.equal(h.responses(486).length, 1)
    // each response has a To tag (§8.2.6.2)
    assert.ok(h.responses(200).every((r) => r.headers.get(To)?.tag !== undefined))
    await h.ua.stop()
  })

  test('an INVITE without an onInvite handler gets 480', async () => {
    const h = setup()
    await h.ua.start()
    h.inject(peerRequest('INVITE'))
    assert.equal(h.responses(480).length, 1)
    await h.ua.stop()
  })
})
