/**
 * Bad input on every transport: garbage, a 10 MB stream without Content-Length, half-open
 * connections, idle connections up to the limit, a peer that never reads. The transport stays
 * up, holds bounded memory, and keeps serving good clients.
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { connect, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { createRequest, createResponse, type SipMessage, type SipRequest, serialize } from '@junction/sip'
import { WebSocket } from 'ws'
import type { Flow } from '../src/flow.ts'
import { createTransport, type Transport, type TransportLimits } from '../src/transport.ts'

const options = (): SipRequest =>
  createRequest({
    method: 'OPTIONS',
    uri: 'sip:b@127.0.0.1',
    from: 'sip:a@example.com',
    to: 'sip:b@example.com',
    via: { transport: 'UDP', host: '127.0.0.1', rport: null },
  })

async function server(listen: string[], limits: Partial<TransportLimits> = {}) {
  const got: Array<{ message: SipMessage; flow: Flow }> = []
  const closed: Flow[] = []
  let t: Transport | undefined
  t = createTransport(
    { listen, limits },
    {
      receive(message, flow) {
        got.push({ message, flow })
        if (message.kind === 'request') t!.sendResponse(createResponse(message, 200), flow).catch(() => {})
      },
      flowClosed: (flow) => closed.push(flow),
    },
  )
  await t.start()
  return { t, got, closed }
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

function tcpClient(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s))
    s.once('error', reject)
  })
}

/** A good client: one OPTIONS over TCP, waits for the 200. */
async function goodTcpExchange(port: number, localAddress = '127.0.0.1'): Promise<string> {
  const s = await tcpClient(port, localAddress)
  s.write(serialize(options()))
  const reply = await new Promise<string>((resolve, reject) => {
    let text = ''
    s.on('data', (d) => {
      text += d.toString('latin1')
      if (text.includes('\r\n\r\n')) resolve(text)
    })
    s.once('error', reject)
    setTimeout(() => reject(new Error('no reply')), 3000)
  })
  s.destroy()
  return reply
}

describe('UDP', () => {
  test('garbage datagrams are dropped and counted; a good request is still answered', async () => {
    const { t, got } = await server(['udp:127.0.0.1:0'])
    const port = t.listeners[0]!.port
    const sock = createSocket('udp4')
    try {
      for (let i = 0; i < 500; i++) {
        const junk = Buffer.from(Array.from({ length: 1 + (i % 300) }, (_, k) => (i * 31 + k * 7) & 0xff))
        sock.send(junk, port, '127.0.0.1')
        // paced, so that the kernel's socket buffer does not drop them before the transport sees them
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2))
      }
      await until(() => Object.values(t.stats.drops).reduce((a, b) => a + b, 0) >= 400)
      const replies: string[] = []
      sock.on('message', (m) => replies.push(m.toString('latin1')))
      sock.send(serialize(options()), port, '127.0.0.1')
      await until(() => replies.length === 1)
      assert.match(replies[0]!, /^SIP\/2\.0 200/)
      assert.equal(got.length, 1, 'only the good request reached the transaction user')
    } finally {
      sock.close()
      await t.stop()
    }
  })

  test('a STUN Binding request on the SIP UDP port is answered with the source (RFC 5626 §4.4.2)', async () => {
    const { t, got } = await server(['udp:127.0.0.1:0'])
    const sock = createSocket('udp4')
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r))
      const req = Buffer.alloc(20)
      req.writeUInt16BE(0x0001, 0)
      req.writeUInt32BE(0x2112a442, 4)
      Buffer.from('transaction1').copy(req, 8)
      const reply = new Promise<Buffer>((resolve) => sock.once('message', (m) => resolve(m)))
      sock.send(req, t.listeners[0]!.port, '127.0.0.1')
      const res = await reply
      assert.equal(res.readUInt16BE(0), 0x0101)
      assert.equal(res.subarray(8, 20).toString(), 'transaction1')
      assert.equal(res.readUInt16BE(26) ^ 0x2112, sock.address().port, 'XOR-MAPPED-ADDRESS port')
      assert.equal(got.length, 0, 'not delivered as SIP')
      assert.equal(Object.keys(t.stats.drops).length, 0, 'not counted as a drop')
    } finally {
      sock.close()
      await t.stop()
    }
  })

  test('a request that does not parse but whose fields do is answered 400 (to its source)', async () => {
    const { t } = await server(['udp:127.0.0.1:0'])
    const sock = createSocket('udp4')
    try {
      const bad = Buffer.from(
        'OPTIONS <sip:bad@example.com> SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      )
      const reply = new Promise<string>((resolve) =>
        sock.once('message', (m) => resolve(m.toString('latin1'))),
      )
      sock.send(bad, t.listeners[0]!.port, '127.0.0.1')
      assert.match(await reply, /^SIP\/2\.0 400 /)
    } finally {
      sock.close()
      await t.stop()
    }
  })
})

describe('TCP', () => {
  test('10 MB without a line end: the connection is closed past maxLineLength, not buffered', async () => {
    const { t, closed } = await server(['tcp:127.0.0.1:0'], { maxMessageSize: 65_536 })
    const port = t.listeners[0]!.port
    try {
      const s = await tcpClient(port)
      const chunk = Buffer.alloc(64 * 1024, 'A')
      let written = 0
      let destroyed = false
      s.on('close', () => {
        destroyed = true
      })
      s.on('error', () => {})
      while (written < 10 * 1024 * 1024 && !destroyed) {
        if (!s.write(chunk)) await new Promise((r) => setTimeout(r, 1))
        written += chunk.length
      }
      await until(() => closed.length === 1)
      assert.equal(t.stats.connectionsOpen, 0)
      assert.ok((t.stats.drops['JUNCTION_ERR_SIP_LINE_TOO_LONG'] ?? 0) >= 1)
      assert.match(await goodTcpExchange(port), /^SIP\/2\.0 200/)
    } finally {
      await t.stop()
    }
  })

  test('a message without Content-Length on a stream gets 400 and the connection closes (§18.3)', async () => {
    const { t, closed } = await server(['tcp:127.0.0.1:0'])
    try {
      const s = await tcpClient(t.listeners[0]!.port)
      const text = Buffer.from(serialize(options()))
        .toString('latin1')
        .replace(/Content-Length: 0\r\n/, '')
      const reply = new Promise<string>((resolve) => s.once('data', (d) => resolve(d.toString('latin1'))))
      s.write(text)
      assert.match(await reply, /^SIP\/2\.0 400 /)
      await until(() => closed.length === 1)
      s.destroy()
    } finally {
      await t.stop()
    }
  })

  test('half-open and silent connections are closed by the idle timeout', async () => {
    const { t, closed } = await server(['tcp:127.0.0.1:0'], { idleTimeout: 200 })
    try {
      const silent = await tcpClient(t.listeners[0]!.port)
      const partial = await tcpClient(t.listeners[0]!.port)
      partial.write('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n') // never finished
      await until(() => closed.length === 2, 3000)
      silent.destroy()
      partial.destroy()
      assert.equal(t.stats.connectionsOpen, 0)
    } finally {
      await t.stop()
    }
  })

  test('idle connections up to the per-IP limit; the rest are refused; others are still served', async () => {
    const { t } = await server(['tcp:127.0.0.1:0'], { maxConnectionsPerIp: 300, idleTimeout: 60_000 })
    const port = t.listeners[0]!.port
    const sockets: Socket[] = []
    const rssBefore = process.memoryUsage().rss
    try {
      for (let i = 0; i < 600; i++) {
        const s = await tcpClient(port, '127.0.0.2')
        s.on('error', () => {})
        sockets.push(s)
      }
      await until(() => t.stats.connectionsOpen === 300 && t.stats.connectionsRefused === 300)
      const grown = process.memoryUsage().rss - rssBefore
      assert.ok(grown < 100 * 1024 * 1024, `memory grew by ${grown} octets`)
      // another source address is still served
      assert.match(await goodTcpExchange(port, '127.0.0.3'), /^SIP\/2\.0 200/)
    } finally {
      for (const s of sockets) s.destroy()
      await t.stop()
    }
  })

  test('a peer that never reads is cut off when its unsent output passes maxWriteBuffer', async () => {
    let serverFlow: Flow | undefined
    let t: Transport | undefined
    t = createTransport(
      { listen: ['tcp:127.0.0.1:0'], limits: { maxWriteBuffer: 256 * 1024 } },
      {
        receive(_m, flow) {
          serverFlow = flow
        },
      },
    )
    await t.start()
    try {
      const s = await tcpClient(t.listeners[0]!.port)
      s.pause() // never reads
      s.on('error', () => {})
      s.write(serialize(options()))
      await until(() => serverFlow !== undefined)
      const big = createResponse(options(), 200, undefined, { body: 'x'.repeat(60_000) })
      let failed = false
      for (let i = 0; i < 500 && !failed; i++) {
        await t.sendResponse(big, serverFlow!).catch(() => {
          failed = true
        })
      }
      assert.equal(failed, true, 'sending fails once the peer stops reading')
      await until(() => t!.stats.connectionsOpen === 0)
      s.destroy()
    } finally {
      await t.stop()
    }
  })
})

describe('WebSocket', () => {
  test('the sip sub-protocol is required (RFC 7118 §4); garbage frames are dropped, the connection stays', async () => {
    const { t, got } = await server(['ws:127.0.0.1:0'])
    const port = t.listeners[0]!.port
    try {
      const refused = new WebSocket(`ws://127.0.0.1:${port}/`, 'not-sip')
      await new Promise<void>((resolve) => {
        refused.on('error', () => resolve())
        refused.on('close', () => resolve())
      })
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, 'sip')
      await new Promise((resolve) => ws.once('open', resolve))
      for (let i = 0; i < 50; i++) ws.send(Buffer.from([0xde, 0xad, i]))
      ws.send(Buffer.from(serialize(options())).toString('latin1'))
      const reply = await new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())))
      assert.match(reply, /^SIP\/2\.0 200/)
      assert.equal(got.length, 1)
      ws.close()
    } finally {
      await t.stop()
    }
  })
})
