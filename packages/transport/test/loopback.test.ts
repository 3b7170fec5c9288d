/**
 * Loopback integration: two transports exchange a request and its response over UDP, TCP, TLS,
 * WS and WSS, on IPv4 and IPv6 (RFC 3261 §18, RFC 7118).
 */
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { before, describe, test } from 'node:test'
import { createRequest, createResponse, type SipMessage, type SipRequest, Via } from '@junction/sip'
import type { Flow, TransportName } from '../src/flow.ts'
import { createTransport, type Transport } from '../src/transport.ts'
import { createTestPki, type TestPki } from './certs.ts'

interface Received {
  message: SipMessage
  flow: Flow
}

function inbox() {
  const got: Received[] = []
  const waiters: Array<() => void> = []
  return {
    got,
    push(r: Received) {
      got.push(r)
      for (const w of waiters.splice(0)) w()
    },
    async next(count = 1, ms = 3000): Promise<Received> {
      const deadline = Date.now() + ms
      while (got.length < count) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for message #${count}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50)
        })
      }
      return got[count - 1]!
    },
  }
}

function options(): SipRequest {
  return createRequest({
    method: 'OPTIONS',
    uri: 'sip:b@127.0.0.1',
    from: 'sip:a@example.com',
    to: 'sip:b@example.com',
    via: { transport: 'UDP', host: '0.0.0.0', rport: null },
  })
}

let pki: TestPki
let certA: { cert: string; key: string }
let certB: { cert: string; key: string }

before(() => {
  pki = createTestPki()
  certA = pki.issue('a', ['a.test', '127.0.0.1', '::1'])
  certB = pki.issue('b', ['b.test', '127.0.0.1', '::1'])
})

const cases: Array<[TransportName, string]> = [
  ['udp', '127.0.0.1'],
  ['udp', '::1'],
  ['tcp', '127.0.0.1'],
  ['tcp', '::1'],
  ['tls', '127.0.0.1'],
  ['tls', '::1'],
  ['ws', '127.0.0.1'],
  ['ws', '::1'],
  ['wss', '127.0.0.1'],
  ['wss', '::1'],
]

describe('a request and its response over every transport, IPv4 and IPv6', () => {
  for (const [transport, host] of cases) {
    test(`${transport} on ${host}`, async () => {
      const secure = transport === 'tls' || transport === 'wss'
      const hostSpec = host.includes(':') ? `[${host}]` : host
      const boxA = inbox()
      const boxB = inbox()
      const listen = (cert: { cert: string; key: string }) =>
        secure ? [{ transport, host, port: 0, tls: { ...cert, ca: pki.ca } }] : [`${transport}:${hostSpec}:0`]
      const a: Transport = createTransport(
        { listen: listen(certA), tlsClient: { ca: pki.ca } },
        { receive: (message, flow) => boxA.push({ message, flow }) },
      )
      const b: Transport = createTransport(
        { listen: listen(certB), tlsClient: { ca: pki.ca } },
        { receive: (message, flow) => boxB.push({ message, flow }) },
      )
      await a.start()
      await b.start()
      try {
        const port = b.listeners[0]!.port
        const req = options()
        await a.sendRequest(req, {
          transport,
          address: host,
          port,
          serverName: secure ? 'b.test' : undefined,
        })
        const inB = await boxB.next()
        assert.equal(inB.message.kind, 'request')
        assert.equal(inB.flow.transport, transport)
        assert.equal(inB.flow.remote.address, host)
        const via = inB.message.headers.first(Via)!
        assert.equal(via.transport, transport.toUpperCase())
        // §18.1.1 sent-by is A's listener; RFC 3581: rport filled in with the source port
        assert.equal(via.port, a.listeners[0]!.port)
        assert.equal(via.rport, inB.flow.remote.port)
        await b.sendResponse(createResponse(inB.message as SipRequest, 200), inB.flow)
        const inA = await boxA.next()
        assert.ok(inA.message.kind === 'response' && inA.message.status === 200)
        if (transport !== 'udp')
          assert.equal(inA.flow.id, a.flow(inA.flow.id)?.id, 'the same connection carried both')
        assert.equal(b.stats.messagesIn, 1)
        assert.equal(a.stats.messagesOut, 1)
      } finally {
        await a.stop()
        await b.stop()
      }
    })
  }
})

describe('UDP flows', () => {
  test('every datagram from one peer comes with the same flow; another peer gets its own', async () => {
    const box = inbox()
    const b = createTransport(
      { listen: ['udp:127.0.0.1:0'] },
      { receive: (message, flow) => box.push({ message, flow }) },
    )
    const a1 = createTransport({ listen: ['udp:127.0.0.1:0'] }, { receive: () => {} })
    const a2 = createTransport({ listen: ['udp:127.0.0.1:0'] }, { receive: () => {} })
    await b.start()
    await a1.start()
    await a2.start()
    try {
      const to = { transport: 'udp', address: '127.0.0.1', port: b.listeners[0]!.port } as const
      await a1.sendRequest(options(), to)
      await a1.sendRequest(options(), to)
      await a2.sendRequest(options(), to)
      await box.next(3)
      const [f1, f2, f3] = box.got.map((r) => r.flow)
      assert.equal(f1, f2, 'one object per peer, reused')
      assert.notEqual(f1, f3)
      assert.equal(f1!.remote.port, a1.listeners[0]!.port)
      assert.equal(f3!.remote.port, a2.listeners[0]!.port)
      assert.equal(b.flow(f3!.id)?.remote.port, a2.listeners[0]!.port)
    } finally {
      await a1.stop()
      await a2.stop()
      await b.stop()
    }
  })
})

describe('send errors', () => {
  test('a refused TCP connection and a UDP send that fails are counted and published once each', async () => {
    const seen: unknown[] = []
    const onError = (m: unknown) => seen.push(m)
    subscribe('junction:transport:send-error', onError)
    const a = createTransport({ listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'] }, { receive: () => {} })
    // a port nobody listens on: a TCP listener started and stopped
    const gone = createTransport({ listen: ['tcp:127.0.0.1:0'] }, { receive: () => {} })
    await gone.start()
    const closedPort = gone.listeners[0]!.port
    await gone.stop()
    await a.start()
    try {
      await assert.rejects(
        a.sendRequest(options(), { transport: 'tcp', address: '127.0.0.1', port: closedPort }),
        {
          code: 'ECONNREFUSED',
        },
      )
      // port 0: the UDP socket refuses to send there
      await assert.rejects(a.sendRequest(options(), { transport: 'udp', address: '127.0.0.1', port: 0 }))
      assert.equal(a.stats.sendErrors, 2)
      assert.deepEqual(
        seen.map((m) => {
          const e = m as { transport: string; kind: string; code: string }
          return [e.transport, e.kind, e.code === 'ECONNREFUSED' ? e.code : 'udp-error']
        }),
        [
          ['tcp', 'request', 'ECONNREFUSED'],
          ['udp', 'request', 'udp-error'],
        ],
      )
    } finally {
      unsubscribe('junction:transport:send-error', onError)
      await a.stop()
    }
  })
})
