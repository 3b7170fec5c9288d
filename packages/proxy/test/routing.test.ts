/**
 * Record-Route (§16.6 step 4, RFC 5658), Route preprocessing (§16.4), loose and strict routing
 * (§16.6 steps 6–7, §16.12), pre-loaded routes, stateless forwarding (§16.11), stray responses and
 * failover to the next RFC 3263 destination.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatUri, parseUri, RecordRoute, Route, type SipUri, Via } from '@junction/sip'
import { cancelOf, createNet, type Net, request, tableResolver, wire } from './harness.ts'

function sip(s: string): SipUri {
  const u = parseUri(s)
  if (u?.kind !== 'sip') throw new Error(s)
  return u
}

describe('Record-Route (§16.6 step 4)', () => {
  it('adds one lr URI of the listener the request leaves from', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20', { recordRoute: true }) })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const rr = wire(await net.forwarded('INVITE')).headers.get(RecordRoute)!
    assert.deepEqual(
      rr.map((r) => formatUri(r.uri)),
      ['sip:127.0.0.1:5060;lr'],
    )
  })

  it('doubles it when the request changes transport: callee side on top (RFC 5658)', async () => {
    const net = createNet({
      onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20;transport=tcp', { recordRoute: true }),
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE')
    assert.equal(out.target.transport, 'tcp')
    const rr = wire(out).headers.get(RecordRoute)!
    assert.deepEqual(
      rr.map((r) => formatUri(r.uri)),
      ['sip:127.0.0.1:5060;transport=tcp;lr', 'sip:127.0.0.1:5060;lr'],
    )
  })

  it('uses a SIPS URI on the side of a SIPS URI, and a sip: one on the side that came in the clear', async () => {
    const net = createNet(
      { onRequest: (ctx) => ctx.forward(undefined, { recordRoute: true }) },
      { listen: ['tls:127.0.0.1:5061', 'udp:127.0.0.1:5060'] },
    )
    net.send(request('INVITE', 'sips:bob@192.0.2.20'), { transport: 'udp' })
    const out = await net.forwarded('INVITE')
    assert.equal(out.target.transport, 'tls')
    const rr = wire(out).headers.get(RecordRoute)!
    assert.deepEqual(
      rr.map((r) => formatUri(r.uri)),
      ['sips:127.0.0.1:5061;lr', 'sip:127.0.0.1:5060;lr'],
    )
  })

  it('record-routes a dialog-creating request whose hop becomes secure even when the route did not ask', async () => {
    const net = createNet(
      { onRequest: (ctx) => ctx.forward(undefined) },
      { listen: ['tls:127.0.0.1:5061', 'udp:127.0.0.1:5060'] },
    )
    net.send(request('INVITE', 'sips:bob@192.0.2.20'), { transport: 'udp' })
    const invite = wire(await net.forwarded('INVITE')).headers.get(RecordRoute)
    assert.deepEqual(
      invite?.map((r) => formatUri(r.uri)),
      ['sips:127.0.0.1:5061;lr', 'sip:127.0.0.1:5060;lr'],
    )
    net.send(request('MESSAGE', 'sips:bob@192.0.2.20'), { transport: 'udp' })
    const message = wire(await net.forwarded('MESSAGE')).headers.get(RecordRoute)
    assert.deepEqual(message, [], 'no dialog, no Record-Route')
    net.send(request('INVITE', 'sip:bob@192.0.2.20'), { transport: 'udp' })
    const plain = wire(await net.forwarded('INVITE')).headers.get(RecordRoute)
    assert.deepEqual(plain, [], 'the same security on both hops: the route decides')
  })
})

describe('Route preprocessing (§16.4) and loose routing (§16.12)', () => {
  it('removes our Route values (both of a double Record-Route) and routes to the next one', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forwardInDialog() })
    net.send(
      request('BYE', 'sip:bob@192.0.2.40', {
        to: '<sip:bob@example.com>;tag=x',
        headers: [
          'Route: <sip:127.0.0.1:5060;lr>, <sip:127.0.0.1:5060;transport=tcp;lr>',
          'Route: <sip:192.0.2.30;lr>',
        ],
      }),
    )
    const out = await net.forwarded('BYE', '192.0.2.30')
    const req = wire(out)
    assert.equal(formatUri(req.uri), 'sip:bob@192.0.2.40')
    assert.deepEqual(
      req.headers.get(Route)!.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.30;lr'],
    )
  })

  it('tells the route which of our Route values it removed (poppedRoute: the topmost, its user part kept)', async () => {
    const popped: Array<string | undefined> = []
    const all: string[][] = []
    const net = createNet({
      onRequest: (ctx) => {
        popped.push(ctx.poppedRoute && formatUri(ctx.poppedRoute))
        all.push(ctx.poppedRoutes.map((u) => formatUri(u)))
        return ctx.forwardInDialog()
      },
    })
    net.send(
      request('BYE', 'sip:bob@192.0.2.40', {
        to: '<sip:bob@example.com>;tag=x',
        headers: ['Route: <sip:ft.abc@127.0.0.1:5060;lr>, <sip:ft.abc@127.0.0.1:5060;transport=tcp;lr>'],
      }),
    )
    await net.forwarded('BYE', '192.0.2.40')
    net.send(request('MESSAGE', 'sip:bob@192.0.2.40', { to: '<sip:bob@example.com>;tag=y' }))
    await net.forwarded('MESSAGE', '192.0.2.40')
    assert.deepEqual(popped, ['sip:ft.abc@127.0.0.1:5060;lr', undefined])
    assert.deepEqual(all, [
      ['sip:ft.abc@127.0.0.1:5060;lr', 'sip:ft.abc@127.0.0.1:5060;transport=tcp;lr'],
      [],
    ])
  })

  it('goes to the Request-URI when no Route is left', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forwardInDialog() })
    net.send(
      request('BYE', 'sip:bob@192.0.2.40:5070', {
        to: '<sip:bob@example.com>;tag=x',
        headers: ['Route: <sip:127.0.0.1;lr>'],
      }),
    )
    const out = await net.forwarded('BYE', '192.0.2.40')
    assert.equal(out.target.port, 5070)
    assert.equal(wire(out).headers.has(Route), false)
  })

  it('restores the Request-URI a strict router replaced with our Record-Route URI', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forwardInDialog() })
    net.send(
      request('BYE', 'sip:127.0.0.1:5060;lr', {
        to: '<sip:bob@example.com>;tag=x',
        headers: ['Route: <sip:192.0.2.30;lr>, <sip:bob@192.0.2.40>'],
      }),
    )
    const out = await net.forwarded('BYE', '192.0.2.30')
    const req = wire(out)
    assert.equal(formatUri(req.uri), 'sip:bob@192.0.2.40')
    assert.deepEqual(
      req.headers.get(Route)!.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.30;lr'],
    )
  })

  it('sends to a strict router with its URI as Request-URI and the old one last in Route (§16.6 step 6)', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forwardInDialog() })
    net.send(
      request('BYE', 'sip:bob@192.0.2.40', {
        to: '<sip:bob@example.com>;tag=x',
        headers: ['Route: <sip:192.0.2.31>, <sip:192.0.2.32;lr>'],
      }),
    )
    const out = await net.forwarded('BYE', '192.0.2.31')
    const req = wire(out)
    assert.equal(formatUri(req.uri), 'sip:192.0.2.31')
    assert.deepEqual(
      req.headers.get(Route)!.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.32;lr', 'sip:bob@192.0.2.40'],
    )
  })

  it('pre-loads a route for a target (an outbound proxy, RFC 3327 Path)', async () => {
    const net = createNet({
      onRequest: (ctx) =>
        ctx.forward({
          uri: sip('sip:bob@198.51.100.7'),
          route: [sip('sip:192.0.2.50;lr'), sip('sip:192.0.2.51;lr')],
        }),
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE', '192.0.2.50')
    assert.deepEqual(
      wire(out)
        .headers.get(Route)!
        .map((r) => formatUri(r.uri)),
      ['sip:192.0.2.50;lr', 'sip:192.0.2.51;lr'],
    )
  })

  it('sends to a static next hop without a Route header (nextHop)', async () => {
    const net = createNet({
      onRequest: (ctx) => ctx.forward({ uri: ctx.request.uri, nextHop: sip('sip:192.0.2.80:5080') }),
    })
    net.send(request('INVITE', 'sip:service@127.0.0.1'))
    const out = await net.forwarded('INVITE', '192.0.2.80')
    assert.equal(out.target.port, 5080)
    assert.equal(formatUri(wire(out).uri), 'sip:service@127.0.0.1')
    assert.equal(wire(out).headers.has(Route), false)
  })

  it('sends to an explicit destination (a registered flow) without resolving', async () => {
    const net = createNet({
      onRequest: (ctx) =>
        ctx.forward({
          uri: sip('sip:bob@10.0.0.5:5062'),
          destination: { transport: 'tcp', address: '192.0.2.60', port: 40000, flowId: 'tcp:9' },
        }),
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const out = await net.forwarded('MESSAGE')
    assert.deepEqual(out.target, { transport: 'tcp', address: '192.0.2.60', port: 40000, flowId: 'tcp:9' })
    assert.equal(formatUri(wire(out).uri), 'sip:bob@10.0.0.5:5062')
  })
})

describe('stateless forwarding (§16.11)', () => {
  it('keeps no transaction, gives a retransmission the same branch, relays the response by Via', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20', { stateless: true }) })
    const text = net.send(request('INVITE', 'sip:bob@example.com'))
    const first = await net.forwarded('INVITE')
    net.send(text)
    const second = await net.forwarded('INVITE')
    assert.equal(wire(first).headers.first(Via)!.branch, wire(second).headers.first(Via)!.branch)
    assert.equal(net.server.stats.transactions, 0)
    assert.equal(
      net.sent.filter((s) => s.kind === 'response').length,
      0,
      'no 100 Trying from a stateless proxy',
    )
    net.answer(second, 180)
    const up = await net.upstream(180)
    assert.equal(up.flow, undefined, 'sent by Via alone')
    assert.equal(up.message.headers.get(Via)!.length, 1)
  })

  it('the CANCEL of a statelessly forwarded INVITE gets the INVITE branch', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20', { stateless: true }) })
    const invite = net.send(request('INVITE', 'sip:bob@example.com', { callId: 'sl' }))
    const fwd = await net.forwarded('INVITE')
    net.send(cancelOf(invite))
    const cancel = await net.forwarded('CANCEL')
    assert.equal(wire(cancel).headers.first(Via)!.branch, wire(fwd).headers.first(Via)!.branch)
  })

  it('forwards a 2xx no transaction knows by its next Via; drops one whose top Via is not ours', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forward() })
    const stray = [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKold.1',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKup',
      'From: <sip:a@example.com>;tag=1',
      'To: <sip:b@example.com>;tag=2',
      'Call-ID: stray',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
    net.server.inject(stray, { address: '192.0.2.20' })
    const up = await net.upstream(200)
    assert.equal(up.message.headers.first(Via)!.host, '192.0.2.10')
    net.server.inject(stray.replace('127.0.0.1:5060', '192.0.2.99:5060'), { address: '192.0.2.20' })
    await net.settle()
    assert.equal(net.sent.length, 1)
    assert.equal(net.network.stats.drops['not-for-us'], 1)
  })
})

describe('failover (RFC 3263 §4.3)', () => {
  const twoSrv = {
    'a.example.com': [{ transport: 'udp', address: '192.0.2.21', port: 5060 }],
    'pool.example.com': [
      { transport: 'udp', address: '192.0.2.71', port: 5060 },
      { transport: 'udp', address: '192.0.2.72', port: 5060 },
    ],
  } as const

  it('a 503 moves the branch to the next destination and blocks the first', async () => {
    const resolver = tableResolver(twoSrv)
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@pool.example.com') }, {}, resolver)
    net.send(request('INVITE', 'sip:bob@example.com'))
    const first = await net.forwarded('INVITE', '192.0.2.71')
    net.answer(first, 503)
    const second = await net.forwarded('INVITE', '192.0.2.72')
    assert.notEqual(wire(second).headers.first(Via)!.branch, wire(first).headers.first(Via)!.branch)
    net.answer(second, 200)
    await net.upstream(200)
    assert.deepEqual(
      resolver.failed.map((t) => t.address),
      ['192.0.2.71'],
    )
    assert.deepEqual(
      net.sent.filter((s) => s.kind === 'response').map((s) => (s.message as { status: number }).status),
      [100, 200],
    )
  })

  it('a timeout (Timer F) moves a non-INVITE to the next destination', async () => {
    const resolver = tableResolver(twoSrv)
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@pool.example.com') }, {}, resolver)
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    await net.forwarded('MESSAGE', '192.0.2.71')
    net.clock.advance(32_000)
    const second = await net.forwarded('MESSAGE', '192.0.2.72')
    net.answer(second, 202)
    await net.upstream(202)
  })

  it('no destination at all: the branch fails as a 503, sent upstream as 500', async () => {
    const net = createNet(
      { onRequest: (ctx) => ctx.forward('sip:bob@nowhere.invalid') },
      {},
      tableResolver({}),
    )
    net.send(request('INVITE', 'sip:bob@example.com'))
    await net.upstream(500)
  })

  it('a transport error (a refused connection) moves the branch to the next destination', async () => {
    const resolver = tableResolver(twoSrv)
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@pool.example.com') }, {}, resolver)
    net.network.refuse('192.0.2.71')
    net.send(request('INVITE', 'sip:bob@example.com'))
    const second = await net.forwarded('INVITE', '192.0.2.72')
    net.answer(second, 200)
    await net.upstream(200)
    assert.deepEqual(
      resolver.failed.map((t) => t.address),
      ['192.0.2.71'],
    )
  })

  it('Timer C without a provisional response is a 408: the next destination is tried (§16.8)', async () => {
    const resolver = tableResolver(twoSrv)
    const net = createNet(
      { onRequest: (ctx) => ctx.forward('sip:bob@pool.example.com') },
      { timerC: 5000 },
      resolver,
    )
    net.send(request('INVITE', 'sip:bob@example.com'))
    await net.forwarded('INVITE', '192.0.2.71')
    net.clock.advance(5000) // Timer C (before Timer B): .71 never answered
    const second = await net.forwarded('INVITE', '192.0.2.72')
    net.clock.advance(5000) // .72 does not answer either: 408 upstream
    await net.upstream(408)
    assert.deepEqual(
      resolver.failed.map((t) => t.address),
      ['192.0.2.71', '192.0.2.72'],
    )
    assert.equal(wire(second).method, 'INVITE')
  })

  it('no failover once a 2xx went upstream: the other branch is not tried at its next destination', async () => {
    const net = createNet(
      { onRequest: (ctx) => ctx.forward(['sip:a@a.example.com', 'sip:bob@pool.example.com']) },
      {},
      tableResolver(twoSrv),
    )
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    await net.forwarded('INVITE', '192.0.2.71')
    net.answer(a, 200, { toTag: 'ta' })
    await net.upstream(200)
    net.clock.advance(32_000) // Timer B of the branch that never answered (its CANCEL waits for a 1xx)
    await net.settle()
    assert.deepEqual(
      net.sent.filter((s) => s.kind === 'request' && s.target.address === '192.0.2.72'),
      [],
      'a new INVITE after the call was answered',
    )
  })

  it('no failover after a 6xx (§16.7 step 5): a 503 on the other branch ends it', async () => {
    const net = createNet(
      { onRequest: (ctx) => ctx.forward(['sip:a@a.example.com', 'sip:bob@pool.example.com']) },
      {},
      tableResolver(twoSrv),
    )
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    const pool = await net.forwarded('INVITE', '192.0.2.71')
    net.answer(a, 603)
    await net.settle()
    net.answer(pool, 503)
    await net.upstream(603)
    assert.deepEqual(
      net.sent.filter((s) => s.kind === 'request' && s.target.address === '192.0.2.72'),
      [],
      'a new INVITE after a 6xx',
    )
  })

  it('after a provisional response there is no failover: the 503 is final (as a 500)', async () => {
    const net = createNet(
      { onRequest: (ctx) => ctx.forward('sip:bob@pool.example.com') },
      {},
      tableResolver(twoSrv),
    )
    net.send(request('INVITE', 'sip:bob@example.com'))
    const first = await net.forwarded('INVITE', '192.0.2.71')
    net.answer(first, 180)
    net.answer(first, 503)
    await net.upstream(500)
    assert.equal(net.sent.filter((s) => s.kind === 'request' && s.target.address === '192.0.2.72').length, 0)
  })
})

describe('Outbound flows (RFC 5626 §5.3, §7)', () => {
  /** A TCP connection from the UA at 192.0.2.60:`port` (its first octets a keep-alive): its flow id. */
  function connect(net: Net, port: number): string {
    return net.network.receive('\r\n\r\n', { transport: 'tcp', address: '192.0.2.60', port }).id
  }

  /** A UA instance registered over two TCP flows (two reg-ids), as a registrar's lookup gives it. */
  function overFlows(flows: readonly string[]) {
    const [first, ...rest] = flows.map((flowId, i) => ({
      uri: sip(`sip:bob@10.0.0.5:5062;ob;i=${i}`),
      destination: {
        transport: 'tcp',
        address: '192.0.2.60',
        port: 40000 + i,
        flowId,
        flowOnly: true,
      } as const,
    }))
    return { ...first!, alternates: rest }
  }

  it('a flow that is gone: the branch fails 430 Flow Failed (no new connection is tried)', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forward(overFlows(['tcp:41'])) })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const res = await net.upstream(430)
    assert.equal((res.message as { reason: string }).reason, 'Flow Failed')
    assert.equal(net.sent.filter((s) => s.kind === 'request').length, 0)
  })

  it('430 or 408 on one flow: the same instance over its next flow; one flow at a time', async () => {
    const flows: string[] = []
    const net = createNet({
      onRequest: (ctx) => ctx.forward(overFlows([...flows, 'tcp:gone'].slice(0, 3))),
    })
    // three flows: the first is up but never answers (Timer F), the second is up, the third unused
    flows.push(connect(net, 40000), connect(net, 40001))
    const before = net.sent.length
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const first = await net.forwarded('MESSAGE')
    assert.equal(first.target.flowId, flows[0])
    assert.equal(net.sent.slice(before).filter((s) => s.kind === 'request').length, 1, 'one flow at a time')
    net.clock.advance(32_000) // Timer F: 408 on the first flow
    const second = await net.forwarded('MESSAGE')
    assert.equal(second.target.flowId, flows[1])
    net.network.closeFlow(flows[1]!)
    net.answer(second, 430) // an edge proxy in between would say so (RFC 5626 §5.3)
    // the third flow is gone: 430 again, and the best final response goes up
    await net.upstream(430)
  })

  it('a final response other than 408 or 430 is not retried on another flow (§7)', async () => {
    const up: string[] = []
    const net = createNet({ onRequest: (ctx) => ctx.forward(overFlows(up)) })
    up.push(connect(net, 40000), connect(net, 40001))
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const first = await net.forwarded('MESSAGE')
    net.answer(first, 486)
    await net.upstream(486)
    assert.equal(net.sent.filter((s) => s.kind === 'request' && s.target.flowId === up[1]).length, 0)
  })
})
