/**
 * junction-client against a real junction-ietf process (its bin, a config file in a temporary
 * folder, loopback listeners on free ports, stopped by its PID): options, register with digest
 * (and a wrong password), register over TCP with Outbound, MESSAGE (407 answered), and calls between
 * a calling and an answering client over UDP and TCP, and to a user who is not registered (480).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { answer, type ClientEvent, call, message, ping, register } from '../src/index.ts'

const bin = fileURLToPath(new URL('../../../distributions/ietf/bin/junction-ietf.js', import.meta.url))
const DOMAIN = 'junction.test'
const alice = `sip:alice@${DOMAIN}`
const bob = `sip:bob@${DOMAIN}`

let child: ChildProcess | undefined
let dir = ''
let udp = ''
let tcp = ''
let stderr = ''

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junction-client-ietf-'))
  const config = {
    sip: { listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'], domains: [DOMAIN] },
    auth: {
      users: [
        { user: 'alice', password: 'alice-secret' },
        { user: 'bob', password: 'bob-secret' },
      ],
    },
    admin: { enabled: false },
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
  const c = spawn(process.execPath, [bin, '-c', join(dir, 'config.json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child = c
  c.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const listen = await new Promise<string[]>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`junction-ietf did not start:\n${stderr}`)), 15_000)
    c.on('exit', (code) => reject(new Error(`junction-ietf exited with ${code}:\n${stderr}`)))
    c.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString()
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        try {
          const j = JSON.parse(line) as Record<string, unknown>
          if (j['msg'] === 'junction-ietf started') {
            clearTimeout(timer)
            resolve(j['listen'] as string[])
          }
        } catch {
          // not a log line
        }
      }
    })
  })
  const port = (t: string) =>
    listen
      .find((l) => l.startsWith(`${t}:`))!
      .split(':')
      .pop()
  udp = `sip:127.0.0.1:${port('udp')}`
  tcp = `sip:127.0.0.1:${port('tcp')};transport=tcp`
})

after(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.on('exit', r))
    child.kill('SIGTERM')
    const t = setTimeout(() => child!.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(t)
  }
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

const local = '127.0.0.1'

describe('junction-client against a junction-ietf process', () => {
  test('options: 200 from the server', async () => {
    const r = await ping(udp, { local })
    assert.equal(r.status, 200, stderr)
  })

  test('register with digest: 200; a wrong password: 401 and exit code 1; unregister', async () => {
    const events: ClientEvent[] = []
    const ok = await register(alice, {
      proxy: udp,
      local,
      password: 'alice-secret',
      expires: 300,
      onEvent: (e) => events.push(e),
    })
    assert.equal(ok.status, 200, JSON.stringify(events))
    assert.ok(events.some((e) => e.event === 'authenticate'))
    const wrong = await register(alice, { proxy: udp, local, password: 'wrong' })
    assert.equal(wrong.exitCode, 1)
    assert.equal(wrong.status, 401)
    assert.equal(
      (await register(alice, { proxy: udp, local, password: 'alice-secret', unregister: true })).status,
      200,
    )
  })

  test('register over TCP with Outbound (+sip.instance, reg-id)', async () => {
    const events: ClientEvent[] = []
    const r = await register(alice, {
      proxy: tcp,
      transport: 'tcp',
      local,
      password: 'alice-secret',
      instance: 'urn:uuid:6f1d1b2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
      regId: 1,
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.status, 200, JSON.stringify(events))
  })

  // both over the same transport: over TCP, junction-ietf reaches bob's private Contact in the
  // dialog through its alias, over bob's own connection (ACK and BYE included)
  for (const transport of ['udp', 'tcp'] as const) {
    test(`message and call over ${transport}: bob answers (registered), alice sends a MESSAGE and calls`, async () => {
      const proxy = transport === 'udp' ? udp : tcp
      const bobEvents: ClientEvent[] = []
      let ready: () => void = () => {}
      const waiting = new Promise<void>((r) => {
        ready = r
      })
      const controller = new AbortController()
      const answering = answer(bob, {
        proxy,
        transport,
        local,
        timeout: 15_000,
        password: 'bob-secret',
        register: true,
        count: 1,
        signal: controller.signal,
        onEvent: (e) => {
          bobEvents.push(e)
          if (e.event === 'waiting') ready()
        },
      })
      try {
        await Promise.race([waiting, answering])
        const common = { proxy, transport, local, timeout: 15_000, password: 'alice-secret' }
        const events: ClientEvent[] = []
        const m = await message(alice, bob, `hello over ${transport}`, {
          ...common,
          onEvent: (e) => events.push(e),
        })
        assert.equal(m.status, 200, `${JSON.stringify(events)}\n${JSON.stringify(bobEvents)}`)
        assert.ok(
          events.some((e) => e.event === 'authenticate' && e['proxy'] === true),
          'challenged with 407',
        )
        assert.ok(bobEvents.some((e) => e.event === 'message' && e['text'] === `hello over ${transport}`))
        const c = await call(bob, { ...common, from: alice, duration: 1, onEvent: (e) => events.push(e) })
        assert.equal(c.exitCode, 0, JSON.stringify(events))
        assert.equal(events.find((e) => e.event === 'response' && e['method'] === 'BYE')?.['status'], 200)
        const b = await answering
        assert.equal(b.exitCode, 0, JSON.stringify(bobEvents))
        assert.ok(bobEvents.some((e) => e.event === 'ended' && e['by'] === 'remote'))
      } finally {
        controller.abort()
        await answering
      }
    })
  }

  test('a call to a user who is not registered: 480, exit code 1', async () => {
    const r = await call(`sip:carol@${DOMAIN}`, { proxy: udp, local, from: alice, password: 'alice-secret' })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 480)
  })
})
