/**
 * The client against an in-process Junction server (proxy + registrar + digest auth, see
 * server.ts) over loopback: options, register (digest MD5/SHA-256, wrong password, TCP with
 * Outbound, refresh with --duration, unregister), message, and a call from one client to another
 * in --answer mode — through the library API and through the command line (`run`).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { answer, type ClientEvent, call, message, ping, register, run } from '../src/index.ts'
import { DOMAIN, startServer, type TestServer } from './server.ts'

let server: TestServer
const alice = `sip:alice@${DOMAIN}`
const bob = `sip:bob@${DOMAIN}`

before(async () => {
  server = await startServer([
    { user: 'alice', password: 'alice-secret' },
    { user: 'bob', password: 'bob-secret' },
  ])
})
after(async () => {
  await server?.stop()
})

const base = () => ({ proxy: server.uri, local: '127.0.0.1', timeout: 10_000 })

describe('junction-client against an in-process Junction proxy/registrar', () => {
  test('options: 200 from the server, with a round-trip time per try', async () => {
    const r = await ping(server.uri, { ...base(), proxy: undefined, repeat: 2, interval: 10 })
    assert.equal(r.exitCode, 0)
    assert.deepEqual(
      r.tries.map((t) => t.status),
      [200, 200],
    )
    assert.ok(r.tries.every((t) => t.ms >= 0))
  })

  test('register with digest: 401, then 200 with the granted expiry; the server offered MD5 first, SHA-256 when asked', async () => {
    for (const [algorithm, expected] of [
      [undefined, 'MD5'],
      ['SHA-256', 'SHA-256'],
    ] as const) {
      const events: ClientEvent[] = []
      const r = await register(alice, {
        ...base(),
        password: 'alice-secret',
        expires: 300,
        algorithm,
        onEvent: (e) => events.push(e),
      })
      assert.equal(r.exitCode, 0, JSON.stringify(events))
      assert.equal(r.status, 200)
      assert.equal(events.find((e) => e.event === 'authenticate')?.['algorithm'], expected)
      assert.equal(events.find((e) => e.event === 'response')?.['expires'], 300)
    }
    const removed = await register(alice, { ...base(), password: 'alice-secret', unregister: true })
    assert.equal(removed.status, 200)
  })

  test('a wrong password ends with the 401 and exit code 1', async () => {
    const r = await register(alice, { ...base(), password: 'wrong' })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 401)
  })

  test('register over TCP with Outbound (+sip.instance, reg-id): the registrar lists our binding', async () => {
    const events: ClientEvent[] = []
    const r = await register(alice, {
      ...base(),
      proxy: `sip:127.0.0.1:${server.port('tcp')};transport=tcp`,
      transport: 'tcp',
      password: 'alice-secret',
      instance: 'urn:uuid:2c7f5bc6-0b6c-4f3b-9d6e-9a0d0b1c2d3e',
      regId: 1,
      expires: 120,
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.exitCode, 0, JSON.stringify(events))
    const contacts = events.find((e) => e.event === 'response')?.['contacts'] as string[]
    assert.ok(
      contacts.some((c) => c.includes(';ob') && c.includes('transport=tcp')),
      contacts.join(' '),
    )
  })

  test('register --duration: refreshed before expiry, then removed', async () => {
    const events: ClientEvent[] = []
    const r = await register(alice, {
      ...base(),
      password: 'alice-secret',
      expires: 2,
      duration: 3,
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.exitCode, 0, JSON.stringify(events))
    assert.ok(
      events.filter((e) => e.event === 'refresh' && e['state'] === 'registered').length >= 1,
      JSON.stringify(events),
    )
    assert.equal(events.at(-1)?.['unregister'], true)
    assert.equal(events.at(-1)?.['status'], 200)
  })

  test('message and call: bob answers (registered, --answer), alice sends a MESSAGE (407 answered) and calls', async () => {
    const bobEvents: ClientEvent[] = []
    let ready: () => void = () => {}
    const waiting = new Promise<void>((r) => {
      ready = r
    })
    const answering = answer(bob, {
      ...base(),
      password: 'bob-secret',
      register: true,
      count: 1,
      timeout: 20_000,
      onEvent: (e) => {
        bobEvents.push(e)
        if (e.event === 'waiting') ready()
      },
    })
    await waiting
    const aliceEvents: ClientEvent[] = []
    const m = await message(alice, bob, 'hello bob', {
      ...base(),
      password: 'alice-secret',
      onEvent: (e) => aliceEvents.push(e),
    })
    assert.equal(m.status, 200, JSON.stringify(aliceEvents))
    assert.ok(
      aliceEvents.some((e) => e.event === 'authenticate' && e['proxy'] === true),
      'the proxy challenged with 407',
    )
    assert.ok(bobEvents.some((e) => e.event === 'message' && e['text'] === 'hello bob'))
    const c = await call(bob, {
      ...base(),
      from: alice,
      password: 'alice-secret',
      duration: 1,
      onEvent: (e) => aliceEvents.push(e),
    })
    assert.equal(c.exitCode, 0, JSON.stringify(aliceEvents))
    assert.ok(aliceEvents.some((e) => e.event === 'provisional' && e['status'] === 180))
    const ok = aliceEvents.find((e) => e.event === 'response' && e['method'] === 'INVITE')
    assert.equal(ok?.['status'], 200)
    assert.match(String(ok?.['sdp']), /^m=audio 9 RTP\/AVP 0 8\r$/m)
    assert.ok(aliceEvents.some((e) => e.event === 'response' && e['method'] === 'BYE' && e['status'] === 200))
    const b = await answering
    assert.equal(b.exitCode, 0, JSON.stringify(bobEvents))
    assert.ok(bobEvents.some((e) => e.event === 'ended' && e['by'] === 'remote'))
  })

  test('a 302 is followed to its Contact (§8.1.3.4): the call reaches bob', async () => {
    const bobEvents: ClientEvent[] = []
    let ready: () => void = () => {}
    const waiting = new Promise<void>((r) => {
      ready = r
    })
    const answering = answer(bob, {
      ...base(),
      password: 'bob-secret',
      register: true,
      count: 1,
      onEvent: (e) => {
        bobEvents.push(e)
        if (e.event === 'waiting') ready()
      },
    })
    await waiting
    const events: ClientEvent[] = []
    const c = await call(`sip:redirect@${DOMAIN}`, {
      ...base(),
      from: alice,
      password: 'alice-secret',
      onEvent: (e) => events.push(e),
    })
    assert.equal(c.exitCode, 0, JSON.stringify(events))
    assert.ok(events.some((e) => e.event === 'response' && e['status'] === 302))
    assert.deepEqual(events.find((e) => e.event === 'redirect')?.['to'], bob)
    assert.equal((await answering).exitCode, 0, JSON.stringify(bobEvents))
  })

  test('--verbose prints each message sent and received', async () => {
    let out = ''
    const code = await run(['options', server.uri, '--local', '127.0.0.1', '--verbose'], {
      stdout: (t) => {
        out += t
      },
      stderr: () => {},
    })
    assert.equal(code, 0)
    assert.match(
      out,
      new RegExp(`>>> to udp 127\\.0\\.0\\.1:${server.port('udp')}\nOPTIONS ${server.uri} SIP/2\\.0\n`),
    )
    assert.match(out, /<<< from udp 127\.0\.0\.1:\d+\nSIP\/2\.0 200 OK\n/)
  })

  test('a call to a user who is not registered ends with 480 and exit code 1', async () => {
    const r = await call(`sip:carol@${DOMAIN}`, { ...base(), from: alice, password: 'alice-secret' })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 480)
  })

  test('the command line: --json prints one object per event and a result; exit codes 0, 1, 2', async () => {
    const out: string[] = []
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) }
    const ok = await run(['options', server.uri, '--local', '127.0.0.1', '--json'], io)
    assert.equal(ok, 0)
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ClientEvent)
    assert.equal(lines[0]?.event, 'response')
    assert.equal(lines[0]?.['status'], 200)
    assert.equal(lines.at(-1)?.event, 'result')
    out.length = 0
    const failed = await run(
      ['register', alice, '--proxy', server.uri, '--local', '127.0.0.1', '--password', 'nope', '--json'],
      io,
    )
    assert.equal(failed, 1)
    assert.equal(await run(['options', server.uri, '--transport', 'carrier-pigeon'], io), 2)
    assert.equal(await run(['register', alice, '--aka-k', '00'], io), 2)
    assert.equal(await run(['call'], io), 2)
  })
})
