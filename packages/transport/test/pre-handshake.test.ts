/**
 * Inbound TLS, WS and WSS sockets before their handshake: counted against the connection limits
 * from the TCP accept, given back when they close, and closed when the handshake is not done
 * within handshakeTimeout. Loopback only; every socket and transport is closed, every wait bounded.
 */
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { WebSocket } from 'ws'
import { createTransport, type Transport, type TransportLimits } from '../src/transport.ts'
import { createTestPki } from './certs.ts'

let tlsFiles: { cert: string; key: string }
let ca: Buffer
before(() => {
  const pki = createTestPki()
  tlsFiles = pki.issue('pre-handshake', ['127.0.0.1'])
  ca = readFileSync(pki.ca)
})

const open: Array<{ destroy(): void }> = []
after(() => {
  for (const s of open) s.destroy()
})

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function server(transport: 'tls' | 'ws' | 'wss', limits: Partial<TransportLimits>): Promise<Transport> {
  const spec =
    transport === 'ws' ? 'ws:127.0.0.1:0' : { transport, host: '127.0.0.1', port: 0, tls: tlsFiles }
  const t = createTransport({ listen: [spec], limits }, { receive() {} })
  await t.start()
  return t
}

/** A TCP connection that never handshakes; `closed` turns true when the server closes it. */
async function rawSocket(port: number): Promise<{ socket: Socket; closed: () => boolean }> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
  open.push(socket)
  let closed = false
  socket.on('error', () => {})
  socket.on('close', () => {
    closed = true
  })
  socket.resume()
  return { socket, closed: () => closed }
}

/** A TLS connection, resolved once its handshake is done and the server kept it (not closed). */
function tlsClient(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca }, () => resolve(s))
    open.push(s)
    s.once('error', reject)
    s.once('close', () => reject(new Error('closed by the server')))
  })
}

function wsClient(scheme: 'ws' | 'wss', port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${scheme}://127.0.0.1:${port}/`, 'sip', { ca })
    open.push({ destroy: () => ws.terminate() })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('close', () => reject(new Error('closed by the server')))
  })
}

describe('sockets before their handshake count against the limits', { timeout: 10_000 }, () => {
  test('TLS: N idle TCP sockets past maxConnectionsPerIp: the last is refused; once they close, a TLS connection is admitted', async () => {
    const t = await server('tls', { maxConnectionsPerIp: 3, handshakeTimeout: 60_000 })
    const port = t.listeners[0]!.port
    try {
      const raws: Array<Awaited<ReturnType<typeof rawSocket>>> = []
      const rejects: unknown[] = []
      const onReject = (m: unknown) => rejects.push(m)
      subscribe('junction:transport:connection-reject', onReject)
      try {
        for (let i = 0; i < 4; i++) raws.push(await rawSocket(port))
        await until(() => raws[3]!.closed())
      } finally {
        unsubscribe('junction:transport:connection-reject', onReject)
      }
      assert.equal(t.stats.connectionsRefused, 1)
      assert.deepEqual(
        rejects.map((r) => {
          const e = r as { transport: string; reason: string; remote: { address: string } }
          return [e.transport, e.reason, e.remote.address]
        }),
        [['tls', 'limit', '127.0.0.1']],
      )
      await sleep(100)
      assert.deepEqual(
        raws.slice(0, 3).map((r) => r.closed()),
        [false, false, false],
        'the first three are held open',
      )
      // while they are held, a real TLS client from the same address is refused too
      await assert.rejects(tlsClient(port))
      assert.equal(t.stats.connectionsRefused, 2)
      for (const r of raws) r.socket.destroy()
      // their places are given back when they close (the server sees that a moment later)
      let client: TLSSocket | undefined
      for (let i = 0; client === undefined && i < 20; i++) {
        client = await tlsClient(port).catch(() => undefined)
        if (client === undefined) await sleep(50)
      }
      assert.ok(client, 'a TLS connection is admitted once the idle sockets are gone')
      await until(() => t.stats.connectionsOpen === 1)
      client.destroy()
      await until(() => t.stats.connectionsOpen === 0)
    } finally {
      await t.stop()
    }
  })

  test('TLS: a TLS connection that closes gives its place back exactly once', async () => {
    const t = await server('tls', { maxConnectionsPerIp: 2 })
    const port = t.listeners[0]!.port
    const admitted = async (): Promise<TLSSocket> => {
      for (let j = 0; j < 20; j++) {
        const c = await tlsClient(port).catch(() => undefined)
        if (c !== undefined) return c
        await sleep(50)
      }
      throw new Error('not admitted')
    }
    try {
      const a = await admitted()
      const b = await admitted()
      await until(() => t.stats.connectionsOpen === 2)
      a.destroy()
      await until(() => t.stats.connectionsOpen === 1)
      const c = await admitted()
      await until(() => t.stats.connectionsOpen === 2)
      // a's place was given back once: b and c hold both places, so d is refused
      await assert.rejects(tlsClient(port))
      assert.equal(t.stats.connectionsRefused, 1)
      b.destroy()
      c.destroy()
      await until(() => t.stats.connectionsOpen === 0)
    } finally {
      await t.stop()
    }
  })

  for (const transport of ['ws', 'wss'] as const) {
    test(`${transport}: idle TCP sockets count against maxConnections; the one past it is refused`, async () => {
      const t = await server(transport, { maxConnections: 2, handshakeTimeout: 60_000 })
      const port = t.listeners[0]!.port
      try {
        const raws: Array<Awaited<ReturnType<typeof rawSocket>>> = []
        for (let i = 0; i < 3; i++) raws.push(await rawSocket(port))
        await until(() => raws[2]!.closed())
        assert.equal(t.stats.connectionsRefused, 1)
        await sleep(100)
        assert.equal(raws[0]!.closed() || raws[1]!.closed(), false)
        for (const r of raws) r.socket.destroy()
        let ws: WebSocket | undefined
        for (let i = 0; ws === undefined && i < 20; i++) {
          ws = await wsClient(transport, port).catch(() => undefined)
          if (ws === undefined) await sleep(50)
        }
        assert.ok(ws, 'a WebSocket is admitted once the idle sockets are gone')
        await until(() => t.stats.connectionsOpen === 1)
        ws.terminate()
      } finally {
        await t.stop()
      }
    })
  }
})

describe('handshakeTimeout', { timeout: 10_000 }, () => {
  for (const transport of ['tls', 'ws', 'wss'] as const) {
    test(`${transport}: a socket that never handshakes is closed; a connection that did stays open`, async () => {
      const t = await server(transport, { handshakeTimeout: 200 })
      const port = t.listeners[0]!.port
      const timeouts: unknown[] = []
      const onReject = (m: unknown) => {
        const e = m as { transport: string; reason: string }
        timeouts.push([e.transport, e.reason])
      }
      subscribe('junction:transport:connection-reject', onReject)
      try {
        const began = Date.now()
        const raw = await rawSocket(port)
        const done =
          transport === 'tls'
            ? await tlsClient(port)
            : await wsClient(transport, port).then((ws) => ({ destroy: () => ws.terminate() }))
        await until(() => raw.closed())
        assert.ok(Date.now() - began < 2000)
        await sleep(300) // past handshakeTimeout
        assert.equal(t.stats.connectionsOpen, 1, 'the connection that handshook is still up')
        assert.equal(t.stats.handshakeTimeouts, 1, 'the socket that did not is counted')
        assert.deepEqual(timeouts, [[transport, 'handshake-timeout']])
        done.destroy()
        await until(() => t.stats.connectionsOpen === 0)
      } finally {
        unsubscribe('junction:transport:connection-reject', onReject)
        await t.stop()
      }
    })
  }

  test('tls: a deadline, not an idle timer: a peer trickling a ClientHello is closed', async () => {
    const t = await server('tls', { handshakeTimeout: 300 })
    const port = t.listeners[0]!.port
    try {
      const raw = await rawSocket(port)
      const began = Date.now()
      // a TLS handshake record header announcing 512 octets, then one octet every 50 ms
      raw.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))
      for (let i = 0; !raw.closed() && i < 100; i++) {
        raw.socket.write(Buffer.from([0x01]))
        await sleep(50)
      }
      assert.ok(raw.closed())
      assert.ok(Date.now() - began < 2000)
    } finally {
      await t.stop()
    }
  })

  test('stop() closes sockets still in their handshake', async () => {
    const t = await server('tls', { handshakeTimeout: 60_000 })
    const raw = await rawSocket(t.listeners[0]!.port)
    await t.stop()
    await until(() => raw.closed())
  })
})

describe('a plain HTTP request to a WebSocket listener', { timeout: 10_000 }, () => {
  for (const transport of ['ws', 'wss'] as const) {
    test(`${transport}: gets 426 Upgrade Required with Upgrade: websocket, and the socket is closed`, async () => {
      const t = await server(transport, { handshakeTimeout: 60_000 })
      const port = t.listeners[0]!.port
      try {
        const socket: Socket =
          transport === 'ws'
            ? connect({ host: '127.0.0.1', port })
            : tlsConnect({ host: '127.0.0.1', port, ca })
        open.push(socket)
        socket.on('error', () => {})
        let answer = ''
        socket.setEncoding('latin1')
        socket.on('data', (chunk: string) => {
          answer += chunk
        })
        const closed = new Promise((resolve) => socket.once('close', resolve))
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n')
        await closed
        assert.match(answer, /^HTTP\/1\.1 426 /)
        assert.match(answer, /\r\nupgrade: websocket\r\n/i)
        assert.match(answer, /\r\nconnection: close\r\n/i)
        assert.equal(t.stats.connectionsOpen, 0)
      } finally {
        await t.stop()
      }
    })
  }
})
