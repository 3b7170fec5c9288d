/**
 * Servers that misbehave: one that never answers, one that answers garbage (UDP and TCP), one that
 * closes the connection, and no server at all. The client reports each and ends with exit code 1
 * within --timeout; once through the real `junction-client` process, which must exit by itself.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createSocket, type Socket as Udp } from 'node:dgram'
import { createServer, type Server } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { clientErrorCodes, ping } from '../src/index.ts'

let silent: Udp
let garbageUdp: Udp
let garbageTcp: Server
let closing: Server
const port = (s: Udp | Server) => (s.address() as { port: number }).port

before(async () => {
  silent = createSocket('udp4')
  garbageUdp = createSocket('udp4')
  garbageUdp.on('message', (_msg, rinfo) =>
    garbageUdp.send('HTTP/1.1 200 OK\r\n\r\n\u0000\u0001garbage', rinfo.port, rinfo.address),
  )
  garbageTcp = createServer((s) => s.on('data', () => s.write('\u0000\u0001\u0002 this is not SIP\r\n\r\n')))
  closing = createServer((s) => s.on('data', () => s.destroy()))
  await Promise.all([
    new Promise<void>((r) => silent.bind(0, '127.0.0.1', r)),
    new Promise<void>((r) => garbageUdp.bind(0, '127.0.0.1', r)),
    new Promise<void>((r) => garbageTcp.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => closing.listen(0, '127.0.0.1', r)),
  ])
})
after(() => {
  silent.close()
  garbageUdp.close()
  garbageTcp.close()
  closing.close()
})

const local = '127.0.0.1'

describe('misbehaving servers: reported, exit code 1, within --timeout', () => {
  test('a server that never answers: JUNCTION_ERR_CLIENT_TIMEOUT at --timeout', async () => {
    const r = await ping(`sip:127.0.0.1:${port(silent)}`, { local, timeout: 1500 })
    assert.equal(r.exitCode, 1)
    assert.equal(r.code, clientErrorCodes.TIMEOUT)
  })

  test('garbage over UDP: JUNCTION_ERR_CLIENT_BAD_RESPONSE, before the timeout', async () => {
    const r = await ping(`sip:127.0.0.1:${port(garbageUdp)}`, { local, timeout: 60_000 })
    assert.equal(r.exitCode, 1)
    assert.equal(r.code, clientErrorCodes.BAD_RESPONSE)
  })

  test('garbage over TCP: reported as garbage or as the connection it ended', async () => {
    const r = await ping(`sip:127.0.0.1:${port(garbageTcp)};transport=tcp`, {
      local,
      transport: 'tcp',
      timeout: 60_000,
    })
    assert.equal(r.exitCode, 1)
    assert.ok(
      r.code === clientErrorCodes.BAD_RESPONSE || r.code === clientErrorCodes.CONNECTION_CLOSED,
      r.code,
    )
  })

  test('a server that closes the connection: JUNCTION_ERR_CLIENT_CONNECTION_CLOSED', async () => {
    const r = await ping(`sip:127.0.0.1:${port(closing)};transport=tcp`, {
      local,
      transport: 'tcp',
      timeout: 60_000,
    })
    assert.equal(r.exitCode, 1)
    assert.equal(r.code, clientErrorCodes.CONNECTION_CLOSED)
  })

  test('nobody listening on TCP: the transport error is a 503 (JUNCTION_ERR_UA_TRANSPORT)', async () => {
    const free = createServer()
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r))
    const p = port(free)
    free.close()
    const r = await ping(`sip:127.0.0.1:${p};transport=tcp`, { local, transport: 'tcp', timeout: 60_000 })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 503)
    assert.equal(r.code, 'JUNCTION_ERR_UA_TRANSPORT')
  })

  test('the junction-client process exits 1 by itself at --timeout, with the reason in its JSON', async () => {
    const bin = fileURLToPath(new URL('../bin/junction-client.js', import.meta.url))
    const child = spawn(
      process.execPath,
      [bin, 'options', `sip:127.0.0.1:${port(silent)}`, '--local', local, '--timeout', '1000', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await new Promise<number | null>((r) => child.on('exit', r))
    clearTimeout(killer)
    assert.equal(code, 1, out)
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.equal(lines.find((l) => l['event'] === 'error')?.['code'], clientErrorCodes.TIMEOUT)
    assert.equal(lines.at(-1)?.['event'], 'result')
  })
})
