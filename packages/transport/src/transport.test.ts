/**
 * Robustness of the transport against its own callers and the network: a receiver that throws,
 * a WebSocket port in use, connections that never complete. Loopback only; every test is bounded.
 */
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { createSocket } from 'node:dgram'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { createRequest, type SipMessage, serialize } from '@junction/sip'
import { WebSocket } from 'ws'
import type { Flow } from './flow.ts'
import { createTransport } from './transport.ts'

const options = (transport = 'UDP') =>
  serialize(
    createRequest({
      method: 'OPTIONS',
      uri: 'sip:b@127.0.0.1',
      from: 'sip:a@example.com',
      to: 'sip:b@example.com',
      via: { transport, host: '127.0.0.1', rport: null },
    }),
  )

const until = async (what: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

function listening(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}

function tcpClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
}

describe('a receiver that throws', { timeout: 5000 }, () => {
  for (const kind of ['udp', 'tcp'] as const) {
    test(`${kind}: the message is counted as dropped and the next one is still delivered`, async () => {
      const got: SipMessage[] = []
      const t = createTransport(
        { listen: [`${kind}:127.0.0.1:0`] },
        {
          receive(message) {
            got.push(message)
            if (got.length === 1) throw new Error('a bug above')
          },
        },
      )
      await t.start()
      const port = t.listeners[0]!.port
      try {
        if (kind === 'udp') {
          const s = createSocket('udp4')
          for (let i = 0; i < 2; i++) {
            s.send(options(), port, '127.0.0.1')
            await until(() => got.length > i)
          }
          s.close()
        } else {
          const s = await tcpClient(port)
          s.write(options('TCP'))
          await until(() => got.length === 1)
          s.write(options('TCP'))
          await until(() => got.length === 2)
          s.destroy()
        }
        assert.equal(t.stats.drops['receive-error'], 1)
        assert.equal(t.stats.messagesIn, 2)
      } finally {
        await t.stop()
      }
    })
  }
})

describe('listeners', { timeout: 5000 }, () => {
  for (const kind of ['tcp', 'ws'] as const) {
    test(`${kind}: start() on a port in use rejects with EADDRINUSE`, async () => {
      const busy = createServer()
      const port = await listening(busy)
      try {
        const t = createTransport({ listen: [`${kind}:127.0.0.1:${port}`] }, { receive() {} })
        await assert.rejects(t.start(), { code: 'EADDRINUSE' })
      } finally {
        busy.close()
      }
    })
  }
})

describe('a peer that trickles a message (slowloris)', { timeout: 5000 }, () => {
  test('the connection is closed messageTimeout after the message began, though octets keep coming', async () => {
    const closed: Flow[] = []
    const t = createTransport(
      { listen: ['tcp:127.0.0.1:0'], limits: { messageTimeout: 300, idleTimeout: 60_000 } },
      { receive() {}, flowClosed: (flow) => closed.push(flow) },
    )
    await t.start()
    const s = await tcpClient(t.listeners[0]!.port)
    s.on('error', () => {})
    try {
      const wire = options('TCP')
      const began = Date.now()
      for (let i = 0; closed.length === 0 && i < wire.length - 1; i++) {
        s.write(wire.subarray(i, i + 1))
        await new Promise((r) => setTimeout(r, 20))
      }
      await until(() => closed.length === 1)
      assert.ok(Date.now() - began < 2000)
      assert.equal(t.stats.drops['message-timeout'], 1)
    } finally {
      s.destroy()
      await t.stop()
    }
  })

  test('whole messages keep a connection open past messageTimeout', async () => {
    const got: SipMessage[] = []
    const t = createTransport(
      { listen: ['tcp:127.0.0.1:0'], limits: { messageTimeout: 100 } },
      { receive: (m) => got.push(m) },
    )
    await t.start()
    const s = await tcpClient(t.listeners[0]!.port)
    try {
      for (let i = 1; i <= 4; i++) {
        s.write(options('TCP'))
        await until(() => got.length === i)
        await new Promise((r) => setTimeout(r, 60))
      }
      assert.equal(t.stats.connectionsOpen, 1)
      assert.equal(t.stats.drops['message-timeout'], undefined)
    } finally {
      s.destroy()
      await t.stop()
    }
  })
})

describe('an outbound connection that does not complete', { timeout: 5000 }, () => {
  for (const transport of ['tls', 'ws'] as const) {
    test(`${transport}: on connectTimeout the send fails and the socket is closed`, async () => {
      // a peer that accepts and never answers: no TLS handshake, no HTTP upgrade
      const peers: Socket[] = []
      let peersClosed = 0
      const peer = createServer((socket) => {
        peers.push(socket)
        socket.on('error', () => {})
        socket.on('close', () => peersClosed++)
        socket.resume() // read (and drop) what comes, so the peer sees the end
      })
      const port = await listening(peer)
      const t = createTransport(
        { listen: ['tcp:127.0.0.1:0'], limits: { connectTimeout: 150 } },
        { receive() {} },
      )
      await t.start()
      try {
        const request = createRequest({
          method: 'OPTIONS',
          uri: 'sip:b@127.0.0.1',
          from: 'sip:a@example.com',
          to: 'sip:b@example.com',
        })
        await assert.rejects(t.sendRequest(request, { transport, address: '127.0.0.1', port }))
        await until(() => peers.length === 1 && peersClosed === 1)
        assert.equal(t.stats.connectionsOpen, 0)
      } finally {
        await t.stop()
        for (const p of peers) p.destroy()
        peer.close()
      }
    })
  }
})

test('STUN on a dual-stack UDP listener: an IPv4 client gets its IPv4 address (RFC 5389 §15.2)', {
  timeout: 5000,
}, async () => {
  const t = createTransport({ listen: ['udp:[::]:0'] }, { receive() {} })
  await t.start()
  const client = createSocket('udp4')
  try {
    const request = Buffer.alloc(20)
    request.writeUInt16BE(0x0001, 0) // Binding request, no attributes
    request.writeUInt32BE(0x2112a442, 4)
    request.write('0123456789ab', 8, 'latin1')
    const answer = new Promise<Buffer>((resolve) => client.once('message', resolve))
    client.bind(0, '127.0.0.1', () => client.send(request, t.listeners[0]!.port, '127.0.0.1'))
    const res = await answer
    assert.equal(res.readUInt16BE(20), 0x0020) // XOR-MAPPED-ADDRESS
    assert.equal(res[25], 0x01, 'family IPv4')
    const ip = (res.readUInt32BE(28) ^ 0x2112a442) >>> 0
    assert.equal([ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), '127.0.0.1')
    assert.equal(res.readUInt16BE(26) ^ 0x2112, client.address().port)
  } finally {
    client.close()
    await t.stop()
  }
})

describe('WebSocket idle timer', { timeout: 5000 }, () => {
  async function setup() {
    const flows: Flow[] = []
    const closed: Flow[] = []
    const t = createTransport(
      { listen: ['ws:127.0.0.1:0'], limits: { idleTimeout: 200 } },
      { receive: (_m, flow) => flows.push(flow), flowClosed: (flow) => closed.push(flow) },
    )
    await t.start()
    const ws = new WebSocket(`ws://127.0.0.1:${t.listeners[0]!.port}/`, 'sip')
    ws.on('error', () => {})
    await new Promise((resolve) => ws.once('open', resolve))
    return { t, ws, flows, closed }
  }
  const tick = () => new Promise((r) => setTimeout(r, 50))

  test("the peer's pings keep the connection up", async () => {
    const { t, ws, closed } = await setup()
    try {
      for (let i = 0; i < 10; i++) {
        ws.ping()
        await tick()
      }
      assert.equal(closed.length, 0)
      assert.equal(ws.readyState, WebSocket.OPEN)
    } finally {
      ws.terminate()
      await t.stop()
    }
  })

  test('our writes keep the connection up', async () => {
    const { t, ws, flows, closed } = await setup()
    try {
      ws.send(options('WS'))
      await until(() => flows.length === 1)
      const flow = flows[0]!
      for (let i = 0; i < 10; i++) {
        const request = createRequest({
          method: 'OPTIONS',
          uri: 'sip:a@example.com',
          from: 'sip:b@example.com',
          to: 'sip:a@example.com',
        })
        await t.sendRequest(request, { ...flow.remote, transport: 'ws', flowId: flow.id, flowOnly: true })
        await tick()
      }
      assert.equal(closed.length, 0)
    } finally {
      ws.terminate()
      await t.stop()
    }
  })
})
