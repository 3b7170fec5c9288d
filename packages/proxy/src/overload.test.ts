import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { parseMessage, type SipRequest, type SipResponse, ToTag } from '@junction/sip'
import { request } from '../test/harness.ts'
import { proxyOverload } from './channels.ts'
import { createOverloadControl } from './overload.ts'
import { createSipServer } from './server.ts'

function parsed(text: string): SipRequest {
  const r = parseMessage(new TextEncoder().encode(text))
  assert.ok(r.ok && r.message.kind === 'request')
  return r.message
}

const invite = () => parsed(request('INVITE', 'sip:bob@example.com'))

/** A control fed `samples` one window at a time. */
function controlWith(samples: number[], options = {}) {
  let i = 0
  const control = createOverloadControl(options, {
    sample: () => samples[Math.min(i++, samples.length - 1)]!,
  })
  return control
}

function admitted(control: ReturnType<typeof createOverloadControl>, n: number): number {
  let yes = 0
  for (let i = 0; i < n; i++) if (control.admit(invite())) yes++
  return yes
}

describe('createOverloadControl', () => {
  it('admits everything until the utilization stays past the threshold for two windows', () => {
    const c = controlWith([0.5, 0.97, 0.6, 0.97, 0.97])
    c.tick()
    c.tick() // one busy window: a GC pause or a burst
    assert.equal(c.stats.admitRatio, 1)
    assert.equal(admitted(c, 100), 100)
    c.tick()
    c.tick()
    assert.equal(c.stats.admitRatio, 1, 'not two in a row')
    c.tick()
    assert.equal(c.stats.admitRatio, 0.8)
    assert.equal(c.stats.utilization, 0.97)
  })

  it('sheds more each busy window down to minAdmit, spreads refusals evenly, and counts them', () => {
    const c = controlWith([0.99], { minAdmit: 0.1 })
    for (let i = 0; i < 40; i++) c.tick()
    assert.equal(c.stats.admitRatio, 0.1)
    assert.equal(admitted(c, 100), 10)
    assert.equal(c.stats.refused, 90)
  })

  it('recovers by 0.05 a window once under the threshold minus 0.1, and holds in between', () => {
    const samples = [0.95, 0.95, 0.95, 0.85, 0.5, 0.5]
    const c = controlWith(samples)
    c.tick()
    c.tick()
    c.tick()
    assert.equal(c.stats.admitRatio.toFixed(2), '0.64')
    c.tick()
    assert.equal(c.stats.admitRatio.toFixed(2), '0.64', '0.85: within the band, held')
    c.tick()
    assert.equal(c.stats.admitRatio.toFixed(2), '0.69')
    for (let i = 0; i < 10; i++) c.tick()
    assert.equal(c.stats.admitRatio, 1)
  })

  it('never refuses requests inside a dialog, CANCEL, ACK or emergency calls (RFC 7339 §5.10.1)', () => {
    const c = controlWith([1], { minAdmit: 0.01 })
    for (let i = 0; i < 30; i++) c.tick()
    const bye = parsed(request('BYE', 'sip:bob@192.0.2.20', { to: '<sip:bob@example.com>;tag=b1' }))
    const cancel = parsed(request('CANCEL', 'sip:bob@example.com'))
    const sos = parsed(request('INVITE', 'urn:service:sos.fire'))
    const sosRoot = parsed(request('INVITE', 'URN:service:SOS'))
    const notSos = parsed(request('INVITE', 'urn:service:sossy'))
    for (let i = 0; i < 50; i++) {
      assert.ok(c.admit(bye))
      assert.ok(c.admit(cancel))
      assert.ok(c.admit(sos))
      assert.ok(c.admit(sosRoot))
    }
    assert.equal(c.admit(notSos), false)
    assert.equal(c.admit(parsed(request('REGISTER', 'sip:example.com'))), false, 'a REGISTER storm is shed')
  })

  it('publishes every window on junction:proxy:overload with the refusals of that window', () => {
    const events: unknown[] = []
    const listener = (e: unknown) => events.push(e)
    subscribe(proxyOverload.name, listener)
    try {
      const c = controlWith([1], { minAdmit: 0.5 })
      for (let i = 0; i < 10; i++) c.tick()
      admitted(c, 10)
      c.tick()
      assert.deepEqual(events.at(-1), { utilization: 1, admitRatio: 0.5, refused: 5 })
      c.tick()
      assert.deepEqual(events.at(-1), { utilization: 1, admitRatio: 0.5, refused: 0 })
    } finally {
      unsubscribe(proxyOverload.name, listener)
    }
  })

  it('measures the real event loop: a busy loop reads near 1, an idle one near 0', async () => {
    await new Promise((r) => setTimeout(r, 5)) // the event loop has run (before that it reads 0)
    const c = createOverloadControl({ intervalMs: 1_000_000 })
    c.start() // the first window starts here; ticks are ours
    const until = performance.now() + 60
    while (performance.now() < until) {} // busy
    c.tick()
    assert.ok(c.stats.utilization > 0.8, `busy: ${c.stats.utilization}`)
    await new Promise((r) => setTimeout(r, 60))
    c.tick()
    assert.ok(c.stats.utilization < 0.5, `idle: ${c.stats.utilization}`)
    c.stop()
  })
})

describe('createSipServer({ overload })', () => {
  it('refuses new requests with a stateless 503 and Retry-After while overloaded; in-dialog ones still pass', async () => {
    let busy = 0.2
    const server = createSipServer(
      { domains: ['example.com'], route: { onRequest: (ctx) => ctx.reply(200) }, overload: {} },
      { overload: { sample: () => busy } },
    )
    const net = server.network!
    const control = server.overload!
    const statuses = () =>
      net.sent.filter((s) => s.kind === 'response').map((s) => (s.message as SipResponse).status)
    server.inject(request('OPTIONS', 'sip:example.com'))
    busy = 0.99
    for (let i = 0; i < 20; i++) control.tick()
    assert.equal(control.stats.admitRatio, 0.05)
    for (let i = 0; i < 20; i++) server.inject(request('OPTIONS', 'sip:example.com'))
    server.inject(request('BYE', 'sip:bob@example.com', { to: '<sip:bob@example.com>;tag=x' }))
    await new Promise((r) => setImmediate(r))
    const s = statuses()
    assert.equal(s.filter((x) => x === 503).length, 19, 'one in twenty admitted')
    assert.equal(s.filter((x) => x === 200).length, 3, 'the first, the admitted one and the BYE')
    assert.equal(server.stats.overloaded, 19)
    const refusal = net.sent.find((m) => m.kind === 'response' && m.message.status === 503)!
    assert.deepEqual(refusal.message.headers.raw('Retry-After'), ['5'])
    assert.ok(refusal.message.headers.get(ToTag)!.length > 0)
    busy = 0.1
    for (let i = 0; i < 20; i++) control.tick()
    assert.equal(control.stats.admitRatio, 1)
    await server.stop()
  })
})
