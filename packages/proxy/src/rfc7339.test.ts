import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseMessage, type SipResponse, serialize, Via } from '@junction/sip'
import { createNet, rand, request } from '../test/harness.ts'
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

  it('not overloaded: nothing added; after an overload, oc=0;oc-validity=0 for one validity, then nothing', async () => {
    const { net, control, setBusy, advanceWall } = overloadedNet({ onRequest: (ctx) => ctx.reply(200) })
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    assert.equal(wireVia(net.sent.at(-1)!).params?.get('oc'), null, 'the client oc, unanswered')
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
    advanceWall(500)
    net.send(request('OPTIONS', 'sip:example.com', { via: ocVia() }))
    await net.settle()
    assert.equal(wireVia(net.sent.at(-1)!).params?.get('oc'), null)
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
