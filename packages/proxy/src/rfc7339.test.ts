import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { createResponse, parseMessage, type SipResponse, serialize, Via } from '@junction/sip'
import type { SentMessage } from '@junction/transport'
import fc from 'fast-check'
import { createNet, rand, request, tableResolver, wire } from '../test/harness.ts'
import { createOverloadClient } from './overload-client.ts'
import { formatOcSeq, ocSeqKey, offersLoss, readOc, withOc } from './rfc7339.ts'

const ocVia = (extra = ';oc;oc-algo="loss,A"') =>
  `SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${rand()}${extra}`

function topVia(r: SipResponse) {
  return r.headers.first(Via)!
}

/** The top Via as the client reads it: parsed again from the octets sent. */
function wireVia(sent: { bytes: Uint8Array }) {
  const p = parseMessage(sent.bytes)
  assert.ok(p.ok && p.message.kind === 'response')
  return topVia(p.message)
}

describe('RFC 7339 Via parameters through @junction/sip', () => {
  it('parse and format round trip, oc-algo quoted', () => {
    const text = request('OPTIONS', 'sip:example.com', {
      via: 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKx;oc=20;oc-algo="loss";oc-validity=500;oc-seq=1282321615.781',
    })
    const p = parseMessage(new TextEncoder().encode(text))
    assert.ok(p.ok)
    const via = p.message.headers.first(Via)!
    assert.equal(via.params?.get('oc-algo'), '"loss"')
    assert.deepEqual(readOc(via), { reduction: 20, validity: 500, seq: '1282321615.781' })
    p.message.headers.replaceFirst(Via, { ...via, params: withOc(via.params, 35, 0, '1282321616.001') })
    const again = parseMessage(serialize(p.message))
    assert.ok(again.ok)
    assert.match(
      again.message.headers.raw('Via')[0]!,
      /;branch=z9hG4bKx;oc=35;oc-algo="loss";oc-validity=0;oc-seq=1282321616\.001$/,
    )
    assert.deepEqual(readOc(again.message.headers.first(Via)), {
      reduction: 35,
      validity: 0,
      seq: '1282321616.001',
    })
  })

  it('reads only a server answer with the loss algorithm and a valid oc-seq', () => {
    const via = (params: Record<string, string | null>) => ({
      transport: 'UDP',
      host: 'a',
      params: new Map(Object.entries(params)),
    })
    assert.equal(readOc(via({ oc: null, 'oc-algo': '"loss"' })), undefined, 'our own oc echoed back')
    assert.equal(readOc(via({ oc: '10', 'oc-algo': '"rate"', 'oc-seq': '1.1' })), undefined)
    assert.equal(readOc(via({ oc: '10' })), undefined, 'no oc-seq')
    assert.deepEqual(readOc(via({ oc: '10', 'oc-seq': '1.1' })), { reduction: 10, validity: 500, seq: '1.1' })
    assert.ok(ocSeqKey('1282321615.8') > ocSeqKey('1282321615.781'))
    assert.ok(ocSeqKey('999.5') < ocSeqKey('1000.0'))
    assert.equal(ocSeqKey('1.123456'), '')
    assert.equal(formatOcSeq(1282321615781), '1282321615.781')
    assert.equal(formatOcSeq(5), '0.005')
    assert.ok(offersLoss('"A, LOSS"') && offersLoss(undefined) && !offersLoss('"rate"'))
  })

  it('untrusted answers: a malformed oc, oc-validity or oc-seq is no answer; oc is capped at 100', () => {
    const via = (params: Record<string, string | null>) => ({
      transport: 'UDP',
      host: 'a',
      params: new Map(Object.entries(params)),
    })
    for (const bad of [
      { oc: 'abc' },
      { oc: '-5' },
      { oc: '1e3' },
      { oc: '5', 'oc-validity': '-1' },
      { oc: '5', 'oc-validity': 'x' },
    ])
      assert.equal(readOc(via({ 'oc-seq': '1.1', ...bad })), undefined, JSON.stringify(bad))
    assert.equal(readOc(via({ oc: '999', 'oc-seq': '1.1' }))?.reduction, 100)
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('oc', 'oc-algo', 'oc-validity', 'oc-seq'), fc.option(fc.string())),
        (p) => {
          const v = readOc(via(p))
          return (
            v === undefined ||
            (v.reduction >= 0 &&
              v.reduction <= 100 &&
              Number.isSafeInteger(v.validity) &&
              ocSeqKey(v.seq) !== '')
          )
        },
      ),
      { numRuns: 10_000 },
    )
  })
})

describe('RFC 7339 server role: overload feedback to clients that support it', () => {
  function overloadedNet(route: Parameters<typeof createNet>[0]) {
    let busy = 0.99
    let wall = 1_700_000_000_000
    const net = createNet(route, { overload: {} }, undefined, {
      overload: { sample: () => busy, now: () => wall },
    })
    const control = net.server.overload!
    return {
      net,
      control,
      setBusy(b: number) {
        busy = b
      },
      advanceWall(ms: number) {
        wall += ms
      },
    }
  }

  it('a 503 refusal and an admitted reply carry oc, oc-algo="loss", oc-validity and oc-seq in the client Via', async () => {
    const { net, control } = overloadedNet({ onRequest: (ctx) => ctx.reply(200) })
    for (let i = 0; i < 100; i++) control.tick()
    assert.equal(control.stats.admitRatio, 0.05)
    assert.equal(control.stats.oc, 95)
    for (let i = 0; i < 20; i++) net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    const responses = net.sent.filter((s) => s.kind === 'response')
    assert.equal(responses.length, 20)
    const seqs = new Set<string>()
    for (const r of responses) {
      const via = wireVia(r)
      assert.equal(via.params?.get('oc'), '95')
      assert.equal(via.params?.get('oc-algo'), '"loss"')
      assert.equal(via.params?.get('oc-validity'), '500')
      assert.equal(via.host, '192.0.2.10')
      seqs.add(via.params!.get('oc-seq')!)
    }
    assert.equal(seqs.size, 1, 'one value, one oc-seq')
    assert.deepEqual([...new Set(responses.map((r) => (r.message as SipResponse).status))].sort(), [200, 503])
  })

  it('a forwarded final response carries them too (in the client Via, ours popped)', async () => {
    const { net, control } = overloadedNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20') })
    while (control.stats.admitRatio === 1) control.tick()
    assert.equal(control.stats.oc, 10) // admitRatio 0.9: the first is refused, the second admitted
    net.send(request('MESSAGE', 'sip:bob@example.com', { via: ocVia(';oc') }))
    net.send(request('MESSAGE', 'sip:bob@example.com', { via: ocVia(';oc') }))
    const fwd = await net.forwarded('MESSAGE')
    net.answer(fwd, 202)
    const up = await net.upstream(202)
    const vias = (() => {
      const p = parseMessage(up.bytes)
      assert.ok(p.ok)
      return p.message.headers.get(Via)!
    })()
    assert.equal(vias.length, 1)
    assert.equal(vias[0]!.params?.get('oc'), '10')
    assert.equal(vias[0]!.params?.get('oc-algo'), '"loss"')
  })

  it('not overloaded: oc=0;oc-validity=0 (support acknowledged, nothing to shed), newer oc-seq after an overload', async () => {
    const { net, control, setBusy, advanceWall } = overloadedNet({ onRequest: (ctx) => ctx.reply(200) })
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    const idle = wireVia(net.sent.at(-1)!).params!
    assert.equal(idle.get('oc'), '0', 'the client oc answered: supported, not overloaded')
    assert.equal(idle.get('oc-validity'), '0')
    assert.equal(idle.get('oc-algo'), '"loss"')
    assert.notEqual(ocSeqKey(idle.get('oc-seq')), '')
    while (control.stats.admitRatio === 1) control.tick()
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    const during = wireVia(net.sent.at(-1)!).params!
    assert.equal(during.get('oc'), '10')
    setBusy(0.1)
    for (let i = 0; i < 40; i++) control.tick()
    assert.equal(control.stats.oc, 0)
    advanceWall(100)
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    const after = wireVia(net.sent.at(-1)!).params!
    assert.equal(after.get('oc'), '0')
    assert.equal(after.get('oc-validity'), '0')
    assert.ok(ocSeqKey(after.get('oc-seq')) > ocSeqKey(during.get('oc-seq')), 'a newer oc-seq')
    advanceWall(5000)
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    const later = wireVia(net.sent.at(-1)!).params!
    assert.equal(later.get('oc'), '0', 'still answered, long after')
    assert.equal(later.get('oc-seq'), after.get('oc-seq'), 'the value did not change: nor did oc-seq')
  })

  it('a client Via without oc gets nothing: the response Via octets are the request ones', async () => {
    const { net, control } = overloadedNet({ onRequest: (ctx) => ctx.reply(200) })
    for (let i = 0; i < 100; i++) control.tick()
    const vias: string[] = []
    for (let i = 0; i < 20; i++) {
      const via = `SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${rand()};rport=5060`
      vias.push(via)
      net.send(request('OPTIONS', 'sip:example.com', { via }))
    }
    await net.settle()
    const responses = net.sent.filter((s) => s.kind === 'response')
    assert.equal(responses.length, 20)
    for (const r of responses) {
      const text = Buffer.from(r.bytes).toString('latin1')
      assert.ok(!text.includes('oc'), text)
      assert.ok(vias.some((v) => text.includes(`\r\nVia: ${v}\r\n`)))
    }
  })

  it('a client that offers no loss algorithm gets nothing', async () => {
    const { net, control } = overloadedNet({ onRequest: (ctx) => ctx.reply(200) })
    for (let i = 0; i < 100; i++) control.tick()
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia(';oc;oc-algo="rate"') }))
    await net.settle()
    assert.equal(wireVia(net.sent.at(-1)!).params?.get('oc'), null)
  })
})

describe('RFC 7339 client role: next hops that ask us to shed', () => {
  const pool = {
    '192.0.2.20': [{ transport: 'udp', address: '192.0.2.20', port: 5060 }],
    'pool.example.com': [
      { transport: 'udp', address: '192.0.2.71', port: 5060 },
      { transport: 'udp', address: '192.0.2.72', port: 5060 },
    ],
  } as const

  function clientNet(route: Parameters<typeof createNet>[0]) {
    let wall = 1_700_000_000_000
    const resolver = tableResolver(pool)
    const net = createNet(route, { overloadClient: {} }, resolver, { overloadClient: { now: () => wall } })
    /** Answers a forwarded request with `oc` values in our Via, as an RFC 7339 server would. */
    function answerOc(sent: SentMessage & { kind: 'request' }, status: number, oc: Record<string, string>) {
      const parsed = parseMessage(sent.bytes)
      assert.ok(parsed.ok && parsed.message.kind === 'request')
      const response = createResponse(parsed.message, status, undefined, { toTag: 'down' })
      const top = response.headers.first(Via)!
      const params = new Map(top.params)
      for (const [k, v] of Object.entries(oc)) params.set(k, v)
      response.headers.replaceFirst(Via, { ...top, params })
      net.server.inject(serialize(response), sent.target)
    }
    return {
      net,
      resolver,
      answerOc,
      advanceWall(ms: number) {
        wall += ms
      },
    }
  }

  /** Sends `n` new MESSAGEs one by one; which were forwarded (true) and which answered upstream at once. */
  async function pattern(
    net: ReturnType<typeof createNet>,
    n: number,
    spec: Parameters<typeof request>[2] = {},
  ) {
    const out: boolean[] = []
    for (let i = 0; i < n; i++) {
      const before = net.sent.length
      net.send(request('MESSAGE', 'sip:bob@example.com', spec))
      await net.settle()
      const news = net.sent.slice(before)
      out.push(news.some((m) => m.kind === 'request'))
    }
    return out
  }

  it('puts oc and oc-algo="loss" in our Via; oc=50 from a hop halves the new requests to it, evenly', async () => {
    const { net, answerOc } = clientNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20') })
    const events: unknown[] = []
    const listener = (e: unknown) => events.push(e)
    subscribe('junction:proxy:overload-peer', listener)
    try {
      net.send(request('MESSAGE', 'sip:bob@example.com'))
      const fwd = await net.forwarded('MESSAGE')
      const ours = wire(fwd).headers.first(Via)!
      assert.equal(ours.params?.get('oc'), null)
      assert.equal(ours.params?.get('oc-algo'), '"loss"')
      assert.match(Buffer.from(fwd.bytes).toString('latin1'), /;oc;oc-algo="loss"\r\n/)
      answerOc(fwd, 202, { oc: '50', 'oc-algo': '"loss"', 'oc-validity': '1000', 'oc-seq': '1700000000.100' })
      await net.upstream(202)
      assert.deepEqual(net.server.overloadClient!.stats.peers, [
        {
          peer: 'udp:192.0.2.20:5060',
          reduction: 50,
          validity: 1000,
          seq: '1700000000.100',
          until: 1_700_000_001_000,
          refused: 0,
        },
      ])
      assert.deepEqual(events, [
        {
          peer: 'udp:192.0.2.20:5060',
          reduction: 50,
          validity: 1000,
          seq: '1700000000.100',
          reason: 'update',
        },
      ])
      assert.deepEqual(await pattern(net, 8), [false, true, false, true, false, true, false, true])
      // the shed ones were answered upstream at once: the branch failed as a 503 (sent as 500, §16.7)
      assert.equal(net.sent.filter((m) => m.kind === 'response' && m.message.status === 500).length, 4)
      assert.equal(net.server.overloadClient!.stats.refused, 4)
    } finally {
      unsubscribe('junction:proxy:overload-peer', listener)
    }
  })

  it('never sheds requests in a dialog; a lapsed answer ends the throttling', async () => {
    const { net, answerOc, advanceWall } = clientNet({
      onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20'),
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    answerOc(await net.forwarded('MESSAGE'), 202, { oc: '100', 'oc-seq': '1.0' }) // oc-validity: 500
    await net.upstream(202)
    assert.deepEqual(await pattern(net, 3), [false, false, false])
    assert.deepEqual(await pattern(net, 3, { to: '<sip:bob@example.com>;tag=t1' }), [true, true, true])
    advanceWall(500)
    assert.deepEqual(await pattern(net, 3), [true, true, true])
    assert.deepEqual(net.server.overloadClient!.stats.peers, [])
  })

  it('ignores an answer with an older oc-seq; a newer oc=0 ends the throttling', async () => {
    const { net, answerOc } = clientNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20') })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    answerOc(await net.forwarded('MESSAGE'), 202, { oc: '100', 'oc-seq': '1700000000.5' })
    await net.upstream(202)
    net.send(request('MESSAGE', 'sip:bob@example.com', { to: '<sip:bob@example.com>;tag=t2' }))
    answerOc(await net.forwarded('MESSAGE'), 202, { oc: '0', 'oc-seq': '1700000000.499' })
    await net.upstream(202)
    assert.equal(net.server.overloadClient!.stats.peers.length, 1, 'older: ignored')
    assert.deepEqual(await pattern(net, 2), [false, false])
    net.send(request('MESSAGE', 'sip:bob@example.com', { to: '<sip:bob@example.com>;tag=t3' }))
    answerOc(await net.forwarded('MESSAGE'), 202, { oc: '0', 'oc-seq': '1700000000.51' })
    await net.upstream(202)
    assert.equal(net.server.overloadClient!.stats.peers.length, 0)
    assert.deepEqual(await pattern(net, 2), [true, true])
  })

  it('a shed request goes to the next destination, and the throttling hop is not marked down', async () => {
    const { net, answerOc, resolver } = clientNet({
      onRequest: (ctx) => ctx.forward('sip:bob@pool.example.com'),
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    answerOc(await net.forwarded('MESSAGE', '192.0.2.71'), 202, { oc: '100', 'oc-seq': '2.0' })
    await net.upstream(202)
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const next = await net.forwarded('MESSAGE')
    assert.equal(next.target.address, '192.0.2.72')
    net.answer(next, 202)
    await net.upstream(202)
    assert.deepEqual(resolver.failed, [])
  })
})

describe('createOverloadClient', () => {
  const hop = { transport: 'udp', address: '192.0.2.9', port: 5060 } as const
  const via = (params: Record<string, string>) => ({
    transport: 'UDP',
    host: 'h',
    params: new Map(Object.entries(params)),
  })
  const parsedRequest = (method: string, uri = 'sip:bob@example.com') => {
    const p = parseMessage(new TextEncoder().encode(request(method, uri)))
    assert.ok(p.ok && p.message.kind === 'request')
    return p.message
  }

  it('sheds evenly by the percentage; CANCEL, ACK and emergency calls pass; the same oc-seq renews the validity', () => {
    let t = 0
    const c = createOverloadClient({}, { now: () => t })
    c.observe(hop, via({ oc: '75', 'oc-validity': '100', 'oc-seq': '5.0' }))
    const invite = parsedRequest('INVITE')
    const sent = Array.from({ length: 8 }, () => c.admit(hop, invite))
    assert.deepEqual(sent, [false, false, false, true, false, false, false, true])
    assert.ok(c.admit(hop, parsedRequest('CANCEL')) && c.admit(hop, parsedRequest('ACK')))
    // (the proxy answers a urn: Request-URI 416 before routing; a route could still send one on)
    assert.ok(c.admit(hop, parsedRequest('INVITE', 'urn:service:sos.police')))
    t = 90
    c.observe(hop, via({ oc: '75', 'oc-validity': '100', 'oc-seq': '5.0' }))
    t = 150
    assert.equal(c.admit(hop, invite), false, 'renewed at 90: holds until 190')
    t = 190
    assert.equal(c.admit(hop, invite), true)
    assert.equal(c.stats.peers.length, 0)
  })

  it('honours an oc-validity for maxValidityMs at most (a next hop cut off at 100 % gets asked again)', () => {
    let t = 0
    const c = createOverloadClient({}, { now: () => t })
    const invite = parsedRequest('INVITE')
    c.observe(hop, via({ oc: '100', 'oc-validity': '9999999999', 'oc-seq': '1.0' }))
    assert.equal(c.stats.peers[0]?.validity, 9_999_999_999, 'shown as the next hop sent it')
    assert.equal(c.stats.peers[0]?.until, 60_000)
    t = 59_999
    assert.equal(c.admit(hop, invite), false)
    t = 60_000
    assert.equal(c.admit(hop, invite), true, 'lapsed after the default cap of 60 s')
    const short = createOverloadClient({ maxValidityMs: 1_000 }, { now: () => t })
    short.observe(hop, via({ oc: '100', 'oc-validity': '5000', 'oc-seq': '2.0' }))
    t += 1_000
    assert.equal(short.admit(hop, invite), true)
  })

  it('remembers at most maxPeers next hops, forgetting lapsed ones first', () => {
    let t = 0
    const c = createOverloadClient({ maxPeers: 1 }, { now: () => t })
    c.observe(hop, via({ oc: '10', 'oc-validity': '100', 'oc-seq': '1.0' }))
    const other = { ...hop, address: '192.0.2.8' }
    c.observe(other, via({ oc: '10', 'oc-validity': '100', 'oc-seq': '1.0' }))
    assert.deepEqual(
      c.stats.peers.map((p) => p.peer),
      ['udp:192.0.2.9:5060'],
    )
    t = 100
    c.observe(other, via({ oc: '10', 'oc-validity': '100', 'oc-seq': '1.0' }))
    assert.deepEqual(
      c.stats.peers.map((p) => p.peer),
      ['udp:192.0.2.8:5060'],
    )
  })
})
