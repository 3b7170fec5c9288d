/**
 * The stateful proxy through inject(): validation (§16.3), forwarding (§16.6) and relaying of
 * responses (§16.7) for a non-INVITE request.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CSeq, createResponse, MaxForwards, Unsupported, Via } from '@junction/sip'
import { SipError } from '../src/errors.ts'
import type { Route } from '../src/route.ts'
import { createNet, request, wire } from './harness.ts'

const toTarget: Route = { onRequest: (ctx) => ctx.forward() }

describe('forwarding a non-INVITE request (§16.6, §16.7)', () => {
  it('adds a Via with a magic-cookie branch, decrements Max-Forwards, relays the response without our Via', async () => {
    const net = createNet(toTarget)
    net.send(request('OPTIONS', 'sip:bob@192.0.2.20', { maxForwards: 10 }))
    const out = await net.forwarded('OPTIONS', '192.0.2.20')
    const req = wire(out)
    const vias = req.headers.get(Via)!
    assert.equal(vias.length, 2)
    assert.equal(vias[0]!.host, '127.0.0.1')
    assert.equal(vias[0]!.port, 5060)
    assert.match(vias[0]!.branch!, /^z9hG4bK[0-9a-z]+\.[0-9a-z]+$/)
    assert.equal(vias[1]!.host, '192.0.2.10')
    assert.equal(req.headers.get(MaxForwards), 9)
    assert.equal(out.target.port, 5060)
    net.answer(out, 200)
    const up = await net.upstream(200)
    const upVias = up.message.headers.get(Via)!
    assert.equal(upVias.length, 1)
    assert.equal(upVias[0]!.host, '192.0.2.10')
    assert.equal(net.server.stats.branches, 1)
  })

  it('adds Max-Forwards: 70 when the request has none (§16.6 step 3)', async () => {
    const net = createNet(toTarget)
    net.send(request('MESSAGE', 'sip:bob@192.0.2.20', { maxForwards: null }))
    assert.equal(wire(await net.forwarded()).headers.get(MaxForwards), 70)
  })

  it('relays 1xx other than 100 and the final response, once', async () => {
    const net = createNet(toTarget)
    net.send(request('SUBSCRIBE', 'sip:bob@192.0.2.20', { headers: ['Event: presence', 'Expires: 60'] }))
    const out = await net.forwarded()
    net.answer(out, 100)
    net.answer(out, 183)
    net.answer(out, 202)
    net.answer(out, 200) // a second final: the client transaction has completed, absorbed
    await net.settle()
    const statuses = net.sent
      .filter((s) => s.kind === 'response')
      .map((s) => (s.message as { status: number }).status)
    assert.deepEqual(statuses, [183, 202])
  })
})

describe('overload (§21.5.4)', () => {
  it('past maxTransactions a new request gets 503 with Retry-After, keeps no state, and is counted', async () => {
    const net = createNet(toTarget, { maxTransactions: 2 })
    net.send(request('OPTIONS', 'sip:bob@192.0.2.20')) // a server and a client transaction
    await net.forwarded('OPTIONS')
    net.send(request('OPTIONS', 'sip:carol@192.0.2.20'))
    const busy = await net.upstream(503)
    assert.deepEqual(busy.message.headers.raw('Retry-After'), ['5'])
    assert.equal(net.server.stats.transactions, 2)
    assert.equal(net.server.stats.overloaded, 1)
    assert.equal(net.server.stats.requests, 1, 'the route never saw it')
  })
})

describe('request validation (§16.3)', () => {
  it('answers 483 to Max-Forwards: 0 and does not call the route', async () => {
    let called = false
    const net = createNet({
      onRequest: (ctx) => {
        called = true
        return ctx.forward()
      },
    })
    net.send(request('OPTIONS', 'sip:bob@192.0.2.20', { maxForwards: 0 }))
    await net.upstream(483)
    assert.equal(called, false)
  })

  it('answers 420 listing the unsupported Proxy-Require tags (step 5)', async () => {
    const net = createNet(toTarget, { supported: ['path'] })
    net.send(request('OPTIONS', 'sip:bob@192.0.2.20', { headers: ['Proxy-Require: path, foo, bar'] }))
    const up = await net.upstream(420)
    assert.deepEqual(up.message.headers.get(Unsupported), ['foo', 'bar'])
  })

  it('answers 400 to a request missing Call-ID, 416 to an unknown URI scheme', async () => {
    const net = createNet(toTarget)
    net.send(request('OPTIONS', 'sip:bob@192.0.2.20').replace(/Call-ID: .*\r\n/, ''))
    assert.equal((await net.upstream()).message.status, 400)
    net.send(request('OPTIONS', 'http://example.com/'))
    assert.equal((await net.upstream()).message.status, 416)
  })

  it('answers 482 to a request that comes back unchanged (a loop), forwards a spiral', async () => {
    // the route sends everything to ourselves: the first pass forwards, the second is the loop
    const net = createNet({ onRequest: (ctx) => ctx.forward() })
    net.send(request('OPTIONS', 'sip:bob@127.0.0.1:5060'))
    const first = await net.forwarded('OPTIONS', '127.0.0.1')
    net.server.inject(first.bytes, { address: '127.0.0.1', port: 5060 })
    const loop = await net.upstream(482)
    assert.equal(loop.message.headers.get(Via)!.length, 2, '482 goes back to the previous hop: ourselves')

    // a spiral: the request returns with another Request-URI (e.g. after a retarget)
    const spiralNet = createNet({
      onRequest: (ctx) =>
        ctx.request.uri.kind === 'sip' && ctx.request.uri.user === 'bob'
          ? ctx.forward('sip:carol@127.0.0.1:5060')
          : ctx.forward('sip:carol@192.0.2.30'),
    })
    spiralNet.send(request('OPTIONS', 'sip:bob@example.com'))
    const again = await spiralNet.forwarded('OPTIONS', '127.0.0.1')
    spiralNet.server.inject(again.bytes, { address: '127.0.0.1', port: 5060 })
    const onward = await spiralNet.forwarded('OPTIONS', '192.0.2.30')
    assert.equal(wire(onward).headers.get(Via)!.length, 3)
  })
})

describe('the route decides', () => {
  it('replies with the status of a SipError, 500 for anything else', async () => {
    const net = createNet({
      onRequest: (ctx) => {
        if (ctx.request.method === 'MESSAGE')
          throw new SipError(403, { reason: 'Nope', headers: { 'X-Why': 'test' } })
        throw new Error('bug')
      },
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const forbidden = await net.upstream(403)
    assert.equal(forbidden.message.reason, 'Nope')
    assert.deepEqual(forbidden.message.headers.raw('X-Why'), ['test'])
    net.send(request('OPTIONS', 'sip:bob@example.com'))
    await net.upstream(500)
    assert.equal(net.server.stats.routeErrors, 1)
  })

  it('waits for an async route; an INVITE gets 100 Trying after 200 ms meanwhile (§16.2)', async () => {
    let decide: (() => void) | undefined
    const net = createNet({
      onRequest: (ctx) =>
        new Promise((resolve) => {
          decide = () => resolve(ctx.reply(486))
        }),
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    await net.settle()
    assert.equal(net.sent.length, 0)
    net.clock.advance(200)
    await net.upstream(100)
    decide!()
    await net.upstream(486)
  })

  it('drop() sends nothing and the retransmission runs the route again', async () => {
    let calls = 0
    const net = createNet({
      onRequest: (ctx) => {
        calls++
        return ctx.drop()
      },
    })
    const text = net.send(request('OPTIONS', 'sip:bob@example.com'))
    net.send(text)
    await net.settle()
    assert.equal(net.sent.length, 0)
    assert.equal(calls, 2)
  })

  it('a stateless reply or response (§8.2.7) keeps no transaction: a retransmission is routed again', async () => {
    let calls = 0
    const net = createNet({
      onRequest: (ctx) => {
        calls++
        const stateless = { stateless: true }
        if (ctx.request.method === 'REGISTER') return ctx.reply(401, undefined, stateless)
        return ctx.respond(createResponse(ctx.request, 403), stateless)
      },
    })
    for (const method of ['REGISTER', 'MESSAGE']) {
      const text = net.send(request(method, 'sip:example.com'))
      await net.upstream()
      assert.equal(net.server.stats.transactions, 0, `${method}: no transaction waits`)
      net.send(text) // the same request again, as a retransmission
      await net.upstream()
    }
    assert.equal(calls, 4)
    const statuses = net.sent.map((m) => (m.kind === 'response' ? m.message.status : 0))
    assert.deepEqual(statuses, [401, 401, 403, 403])
    // without the option the transaction answers the retransmission itself (§17.2.2)
    const kept = createNet({ onRequest: (ctx) => ctx.reply(401) })
    const text = kept.send(request('REGISTER', 'sip:example.com'))
    await kept.upstream(401)
    kept.send(text)
    await kept.settle()
    assert.equal(kept.sent.length, 2)
    assert.equal(kept.server.stats.transactions, 1)
  })

  it('a reply keeps the request headers a response copies (§8.2.6) and adds a To tag', async () => {
    const net = createNet({
      onRequest: (ctx) => ctx.reply(404, 'Not Here', { headers: { 'Retry-After': '10' } }),
    })
    net.send(request('MESSAGE', 'sip:bob@example.com', { cseq: 7 }))
    const up = await net.upstream(404)
    assert.equal(up.message.reason, 'Not Here')
    assert.equal(up.message.headers.get(CSeq)!.seq, 7)
    assert.match(up.message.headers.raw('To')[0]!, /;tag=/)
  })

  it('onBranch and onResponse see the branch target; their edits go out (§16.6, §16.7 step 3)', async () => {
    const seen: unknown[] = []
    const destination = { transport: 'udp', address: '192.0.2.77', port: 5099 } as const
    const net = createNet({
      onRequest: (ctx) => ctx.forward({ uri: ctx.request.uri, destination }),
      onBranch(ctx) {
        ctx.request.headers.setRaw('X-Branch', 'yes')
      },
      onResponse(ctx) {
        seen.push([ctx.response.status, ctx.target?.destination, ctx.request.headers.raw('X-Branch')])
        ctx.response.headers.setRaw('X-Seen', String(ctx.response.status))
      },
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const out = await net.forwarded('MESSAGE')
    assert.deepEqual(out.target, destination)
    assert.deepEqual(wire(out).headers.raw('X-Branch'), ['yes'])
    net.answer(out, 200)
    const up = await net.upstream(200)
    assert.deepEqual(up.message.headers.raw('X-Seen'), ['200'])
    assert.deepEqual(seen, [[200, destination, ['yes']]])
  })

  it('respond() sends a response built elsewhere as it is (a registrar 200, a 401) and only once', async () => {
    const net = createNet({
      onRequest: (ctx) =>
        ctx.respond(
          createResponse(ctx.request, 401, undefined, {
            headers: [['WWW-Authenticate', 'Digest realm="example.com", nonce="n1", algorithm=MD5']],
          }),
        ),
    })
    const text = request('REGISTER', 'sip:example.com')
    net.send(text)
    const up = await net.upstream(401)
    assert.deepEqual(up.message.headers.raw('WWW-Authenticate'), [
      'Digest realm="example.com", nonce="n1", algorithm=MD5',
    ])
    // a retransmission is absorbed by the server transaction: the same response again, no route run
    net.send(text)
    await net.settle()
    assert.equal(net.sent.filter((m) => m.kind === 'response' && m.message.status === 401).length, 2)
  })
})
