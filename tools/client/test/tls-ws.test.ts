/**
 * The secure and WebSocket transports against the in-process Junction server: register over TLS
 * with --ca (RFC 5922: the certificate matches 127.0.0.1), the same without the CA (refused: a
 * 503 from the transport error, exit code 1) and with --insecure; a client registered over WS or
 * WSS gets a MESSAGE over its own connection (RFC 5626, RFC 7118); a client calls over WS or WSS.
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import type { TransportName } from '@junction/transport'
import { answer, type ClientEvent, call, message, register } from '../src/index.ts'
import { createTestPki, type TestPki } from './pki.ts'
import { DOMAIN, startServer, type TestServer } from './server.ts'

let pki: TestPki
let server: TestServer
const alice = `sip:alice@${DOMAIN}`
const bob = `sip:bob@${DOMAIN}`

before(async () => {
  pki = createTestPki()
  server = await startServer(
    [
      { user: 'alice', password: 'alice-secret' },
      { user: 'bob', password: 'bob-secret' },
    ],
    { tls: { cert: pki.cert, key: pki.key } },
  )
})
after(async () => {
  await server?.stop()
  if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true })
})

const proxyOf = (t: TransportName) => `sip:127.0.0.1:${server.port(t)};transport=${t}`

describe('TLS, WS and WSS', () => {
  test('register over TLS with --ca: 200', async () => {
    const events: ClientEvent[] = []
    const r = await register(alice, {
      proxy: proxyOf('tls'),
      transport: 'tls',
      ca: pki.ca,
      local: '127.0.0.1',
      password: 'alice-secret',
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.status, 200, JSON.stringify(events))
  })

  test('TLS without the CA: the certificate is refused (503, exit code 1); --insecure accepts it', async () => {
    const refused = await register(alice, {
      proxy: proxyOf('tls'),
      transport: 'tls',
      local: '127.0.0.1',
      password: 'alice-secret',
    })
    assert.equal(refused.exitCode, 1)
    assert.equal(refused.status, 503)
    assert.equal(refused.code, 'JUNCTION_ERR_UA_TRANSPORT')
    const insecure = await register(alice, {
      proxy: proxyOf('tls'),
      transport: 'tls',
      insecure: true,
      local: '127.0.0.1',
      password: 'alice-secret',
    })
    assert.equal(insecure.status, 200)
    assert.equal(process.env['NODE_TLS_REJECT_UNAUTHORIZED'], undefined, 'restored after the run')
  })

  for (const transport of ['ws', 'wss'] as const) {
    test(`bob registered over ${transport.toUpperCase()} gets a MESSAGE from alice over UDP, over his own connection`, async () => {
      const bobEvents: ClientEvent[] = []
      let ready: () => void = () => {}
      const waiting = new Promise<void>((r) => {
        ready = r
      })
      const controller = new AbortController()
      const listening = answer(bob, {
        proxy: proxyOf(transport),
        transport,
        ca: pki.ca,
        local: '127.0.0.1',
        password: 'bob-secret',
        register: true,
        count: 0,
        signal: controller.signal,
        onEvent: (e) => {
          bobEvents.push(e)
          if (e.event === 'waiting') ready()
        },
      })
      await Promise.race([waiting, listening])
      const m = await message(alice, bob, `over ${transport}`, {
        proxy: server.uri,
        local: '127.0.0.1',
        password: 'alice-secret',
      })
      assert.equal(m.status, 200, JSON.stringify(bobEvents))
      assert.ok(bobEvents.some((e) => e.event === 'message' && e['text'] === `over ${transport}`))
      controller.abort()
      assert.equal((await listening).exitCode, 0, JSON.stringify(bobEvents))
    })

    test(`alice calls over ${transport.toUpperCase()}: INVITE, ACK and BYE over her connection to bob on UDP`, async () => {
      const bobEvents: ClientEvent[] = []
      let ready: () => void = () => {}
      const waiting = new Promise<void>((r) => {
        ready = r
      })
      const answering = answer(bob, {
        proxy: server.uri,
        local: '127.0.0.1',
        password: 'bob-secret',
        register: true,
        count: 1,
        timeout: 15_000,
        onEvent: (e) => {
          bobEvents.push(e)
          if (e.event === 'waiting') ready()
        },
      })
      await Promise.race([waiting, answering])
      const events: ClientEvent[] = []
      const c = await call(bob, {
        proxy: proxyOf(transport),
        transport,
        ca: pki.ca,
        local: '127.0.0.1',
        from: alice,
        password: 'alice-secret',
        duration: 1,
        onEvent: (e) => events.push(e),
      })
      assert.equal(c.exitCode, 0, `${JSON.stringify(events)}\n${JSON.stringify(bobEvents)}`)
      assert.equal(events.find((e) => e.event === 'response' && e['method'] === 'BYE')?.['status'], 200)
      const b = await answering
      assert.equal(b.exitCode, 0, JSON.stringify(bobEvents))
      assert.ok(bobEvents.some((e) => e.event === 'ended' && e['by'] === 'remote'))
    })
  }
})
