/**
 * Flows (RFC 5626): CRLF keep-alives answered on streams, WebSocket pings answered, flow failure
 * seen by the layers above, flows found again by id, and what observers see on the diagnostics
 * channels.
 */
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { connect } from 'node:net'
import { test } from 'node:test'
import { createRequest, createResponse } from '@junction/sip'
import { WebSocket } from 'ws'
import type { Flow } from '../src/flow.ts'
import { createTransport, type Transport } from '../src/transport.ts'

async function echoServer(listen: string[]) {
  const closed: Flow[] = []
  const seen: Flow[] = []
  let t: Transport | undefined
  t = createTransport(
    { listen },
    {
      receive(m, flow) {
        seen.push(flow)
        if (m.kind === 'request') t!.sendResponse(createResponse(m, 200), flow).catch(() => {})
      },
      flowClosed: (flow) => closed.push(flow),
    },
  )
  await t.start()
  return { t, closed, seen }
}

/** A TCP connection to `t` that sends one OPTIONS; resolves once answered, with the flow it made. */
async function tcpFlow(t: Transport, seen: Flow[], callId: string) {
  const s = connect({ host: '127.0.0.1', port: t.listeners[0]!.port })
  await new Promise((r) => s.once('connect', r))
  const reply = new Promise((r) => s.once('data', r))
  s.write(
    Buffer.from(
      `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK${callId}\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    ),
  )
  await reply
  return { socket: s, flow: seen.at(-1)! }
}

/** Waits (up to 3 s) until `closed` holds a flow. */
async function closing(closed: Flow[]): Promise<void> {
  const deadline = Date.now() + 3000
  while (closed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
}

test('RFC 5626 §4.4.1: a CRLFCRLF ping on a stream is answered with a CRLF pong', async () => {
  const { t } = await echoServer(['tcp:127.0.0.1:0'])
  try {
    const s = connect({ host: '127.0.0.1', port: t.listeners[0]!.port })
    await new Promise((r) => s.once('connect', r))
    const pong = new Promise<string>((resolve) => s.once('data', (d) => resolve(d.toString('latin1'))))
    s.write('\r\n\r\n')
    assert.equal(await pong, '\r\n')
    s.destroy()
  } finally {
    await t.stop()
  }
})

test('a WebSocket ping is answered with a pong (RFC 6455 §5.5.2)', async () => {
  const { t } = await echoServer(['ws:127.0.0.1:0'])
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${t.listeners[0]!.port}/`, 'sip')
    await new Promise((r) => ws.once('open', r))
    const pong = new Promise<string>((resolve) => ws.once('pong', (d) => resolve(d.toString())))
    ws.ping('keepalive')
    assert.equal(await pong, 'keepalive')
    ws.close()
  } finally {
    await t.stop()
  }
})

test('a flow is found by id while it is up; its failure reaches flowClosed (RFC 5626 §5.3)', async () => {
  const { t, closed, seen } = await echoServer(['tcp:127.0.0.1:0'])
  try {
    const { socket, flow } = await tcpFlow(t, seen, 'c1')
    assert.equal(t.flow(flow.id)?.id, flow.id)
    socket.destroy()
    await closing(closed)
    assert.deepEqual(
      closed.map((f) => f.id),
      [flow.id],
    )
    assert.equal(t.flow(flow.id), undefined)
    // a UDP flow id names its listener and 5-tuple, so it resolves as long as the listener is up
    const udp = await echoServer(['udp:127.0.0.1:0'])
    assert.equal(udp.t.flow('udp:0:192.0.2.1:5060')?.remote.address, '192.0.2.1')
    await udp.t.stop()
  } finally {
    await t.stop()
  }
})

test('a flowOnly target whose flow is gone fails with FLOW_GONE and opens no new connection (RFC 5626 §5.3)', async () => {
  const { t, closed, seen } = await echoServer(['tcp:127.0.0.1:0'])
  const ua = await echoServer(['tcp:127.0.0.1:0']) // something listens where the flow came from
  try {
    const { socket, flow } = await tcpFlow(t, seen, 'c2')
    socket.destroy()
    await closing(closed)
    const request = () =>
      createRequest({
        method: 'OPTIONS',
        uri: 'sip:ua@127.0.0.1',
        from: 'sip:a@example.com',
        to: 'sip:ua@example.com',
        via: { transport: 'TCP', host: '0.0.0.0' },
      })
    const uaPort = ua.t.listeners[0]!.port
    const gone = {
      transport: 'tcp',
      address: '127.0.0.1',
      port: uaPort,
      flowId: flow.id,
      flowOnly: true,
    } as const
    await assert.rejects(t.sendRequest(request(), gone), { code: 'JUNCTION_ERR_TRANSPORT_FLOW_GONE' })
    assert.equal(ua.seen.length, 0, 'no new connection was opened to the address')
    // without flowOnly the same target is reached over a new connection (RFC 3261 §18.1.1)
    await t.sendRequest(request(), { ...gone, flowOnly: false })
    const until = Date.now() + 3000
    while (ua.seen.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    assert.equal(ua.seen.length, 1)
  } finally {
    await t.stop()
    await ua.t.stop()
  }
})

test('a request to the address and port of an open inbound connection goes over it (NAT, RFC 5626 §5.3)', async () => {
  const { t, seen } = await echoServer(['tcp:127.0.0.1:0'])
  try {
    const s = connect({ host: '127.0.0.1', port: t.listeners[0]!.port })
    await new Promise((r) => s.once('connect', r))
    let received = ''
    s.on('data', (d) => {
      received += d.toString('latin1')
    })
    s.write(
      Buffer.from(
        'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.9:5060;branch=z9hG4bK2\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      ),
    )
    const deadline = Date.now() + 3000
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    const opened = t.stats.connectionsOpen
    // no flow id: only the address and port the UA's connection comes from (its Contact is private)
    const req = createRequest({ method: 'BYE', uri: 'sip:a@10.0.0.9:5060', from: 'sip:b@x', to: 'sip:a@x' })
    await t.sendRequest(req, { transport: 'tcp', address: '127.0.0.1', port: s.localPort! })
    while (!received.includes('BYE sip:a@10.0.0.9') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.match(received, /BYE sip:a@10\.0\.0\.9:5060 SIP\/2\.0/)
    assert.equal(t.stats.connectionsOpen, opened, 'no new connection')
    s.destroy()
  } finally {
    await t.stop()
  }
})

test('observers see messages in and out, connections opening and closing', async () => {
  const events: string[] = []
  const on = (name: string) => (m: unknown) => {
    const x = m as { flow: Flow; size?: number }
    events.push(`${name}:${x.flow.transport}${x.size === undefined ? '' : `:${x.size > 0}`}`)
  }
  const handlers = {
    'junction:transport:message-in': on('in'),
    'junction:transport:message-out': on('out'),
    'junction:transport:connection-open': on('open'),
    'junction:transport:connection-close': on('close'),
  }
  for (const [name, fn] of Object.entries(handlers)) subscribe(name, fn)
  const a = await echoServer(['tcp:127.0.0.1:0'])
  const got: string[] = []
  const b = createTransport({ listen: ['tcp:127.0.0.1:0'] }, { receive: (m) => got.push(m.kind) })
  await b.start()
  try {
    const req = createRequest({
      method: 'OPTIONS',
      uri: 'sip:x@127.0.0.1',
      from: 'sip:a@x.test',
      to: 'sip:b@x.test',
    })
    await b.sendRequest(req, { transport: 'tcp', address: '127.0.0.1', port: a.t.listeners[0]!.port })
    const deadline = Date.now() + 3000
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    await b.stop()
    await a.t.stop()
    await new Promise((r) => setTimeout(r, 50))
    for (const e of ['open:tcp', 'out:tcp:true', 'in:tcp:true', 'close:tcp'])
      assert.ok(events.includes(e), `${e} in ${events}`)
    assert.equal(
      events.filter((e) => e.startsWith('in:')).length,
      2,
      'the request at A and the response at B',
    )
  } finally {
    for (const [name, fn] of Object.entries(handlers)) unsubscribe(name, fn)
  }
})
