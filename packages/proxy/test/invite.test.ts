/**
 * INVITE through the stateful proxy: forking by q-value (§16.6), response selection (§16.7),
 * CANCEL (§16.10), Timer C (§16.8) and the ACK for a 2xx (§16.7 step 5, §13.2.2.4).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CallId,
  CSeq,
  createResponse,
  formatUri,
  ProxyAuthenticate,
  serialize,
  Via,
  WwwAuthenticate,
} from '@junction/sip'
import { SipError } from '../src/errors.ts'
import type { Route } from '../src/route.ts'
import { cancelOf, createNet, request, wire } from './harness.ts'

const fork =
  (...targets: Array<string | { uri: string; q: number }>): Route['onRequest'] =>
  (ctx) =>
    ctx.forward(targets.map((t) => (typeof t === 'string' ? t : { uri: ctx_uri(t.uri), q: t.q })))

import { parseUri } from '@junction/sip'

function ctx_uri(s: string) {
  const u = parseUri(s)
  if (u === undefined) throw new Error(s)
  return u
}

/** An onBranch that refuses the branch to `sip:a@…` with `status` (it ends at once). */
const refuseUserA =
  (status: number): NonNullable<Route['onBranch']> =>
  (ctx) => {
    if (ctx.request.uri.kind === 'sip' && ctx.request.uri.user === 'a') throw new SipError(status)
  }

function responses(net: ReturnType<typeof createNet>): number[] {
  return net.sent.filter((s) => s.kind === 'response').map((s) => (s.message as { status: number }).status)
}

describe('INVITE: provisional and 2xx responses (§16.7 step 5)', () => {
  it('sends 100 Trying at once, relays 180 and 200, and routes the ACK for the 2xx end to end', async () => {
    const net = createNet({
      onRequest: (ctx) => (ctx.inDialog ? ctx.forwardInDialog() : ctx.forward('sip:bob@192.0.2.20')),
    })
    net.send(
      request('INVITE', 'sip:bob@example.com', { callId: 'call-1', from: '<sip:alice@example.com>;tag=a1' }),
    )
    await net.upstream(100)
    const out = await net.forwarded('INVITE', '192.0.2.20')
    net.answer(out, 180)
    await net.upstream(180)
    net.answer(out, 200)
    await net.upstream(200)
    // the ACK for the 2xx: a new transaction, end to end (its Request-URI is the callee's Contact)
    net.send(
      request('ACK', 'sip:bob@192.0.2.20', {
        callId: 'call-1',
        from: '<sip:alice@example.com>;tag=a1',
        to: '<sip:bob@example.com>;tag=down',
      }),
    )
    const ack = await net.forwarded('ACK', '192.0.2.20')
    assert.equal(wire(ack).headers.get(Via)!.length, 2)
    assert.equal(net.server.stats.stateless, 1)
  })

  it('relays a 2xx retransmission after the call is answered, through onResponse with the branch request', async () => {
    const seen: Array<[number, string, string | undefined, string | undefined]> = []
    const net = createNet({
      onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20'),
      onResponse: (ctx) => {
        const { method, headers } = ctx.request
        seen.push([ctx.response.status, method, ctx.target && formatUri(ctx.target.uri), headers.get(CallId)])
      },
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE', '192.0.2.20')
    net.answer(out, 200)
    await net.upstream(200)
    net.answer(out, 200) // the UAS resends its 2xx until the ACK (§13.3.1.4)
    await net.settle()
    assert.deepEqual(responses(net), [100, 200, 200])
    // the second one after the proxy transaction let go of its request: a slim copy of it
    const callId = seen[0]?.[3]
    assert.ok(callId)
    assert.deepEqual(seen, [
      [200, 'INVITE', 'sip:bob@192.0.2.20', callId],
      [200, 'INVITE', 'sip:bob@192.0.2.20', callId],
    ])
  })

  it("gives onResponse the request line alone for a 2xx retransmission when the route asks for 'line'", async () => {
    const seen: Array<[string, string, string | undefined]> = []
    const net = createNet({
      onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20'),
      retransmittedRequest: 'line',
      onResponse: (ctx) => {
        const { method, uri, headers } = ctx.request
        seen.push([method, formatUri(uri), headers.get(CallId)])
      },
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE', '192.0.2.20')
    net.answer(out, 200)
    await net.upstream(200)
    net.answer(out, 200)
    await net.settle()
    assert.deepEqual(responses(net), [100, 200, 200])
    // the first 2xx sees the branch request whole; the retransmission its request line alone
    assert.ok(seen[0]?.[2])
    assert.deepEqual(seen.slice(1), [['INVITE', 'sip:bob@192.0.2.20', undefined]])
  })

  it('relays every 2xx of a forked INVITE (RFC 6026), and CANCELs the branches that rang', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22', 'sip:c@192.0.2.23') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    const b = await net.forwarded('INVITE', '192.0.2.22')
    const c = await net.forwarded('INVITE', '192.0.2.23')
    net.answer(a, 180, { toTag: 'ta' })
    net.answer(b, 200, { toTag: 'tb' })
    const cancel = await net.forwarded('CANCEL', '192.0.2.21')
    assert.equal(wire(cancel).headers.first(Via)!.branch, wire(a).headers.first(Via)!.branch)
    // c never sent a provisional: no CANCEL for it yet (§9.1)
    await net.settle()
    assert.equal(net.sent.filter((s) => s.kind === 'request' && s.message.method === 'CANCEL').length, 1)
    net.answer(c, 180, { toTag: 'tc' })
    await net.forwarded('CANCEL', '192.0.2.23')
    // a second 2xx (from a, before the CANCEL took effect) still goes upstream
    net.answer(a, 200, { toTag: 'ta' })
    await net.settle()
    assert.deepEqual(
      responses(net).filter((s) => s >= 200),
      [200, 200],
    )
  })
})

describe('order within a dialog', () => {
  it('an ACK and the BYE right behind it leave in the order they came', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forwardInDialog() })
    const inDialog = (method: string, cseq: number) =>
      request(method, 'sip:bob@192.0.2.20', {
        callId: 'order',
        cseq,
        from: '<sip:alice@example.com>;tag=a1',
        to: '<sip:bob@example.com>;tag=b1',
        headers: ['Route: <sip:127.0.0.1;lr>'],
      })
    net.send(inDialog('ACK', 1))
    net.send(inDialog('BYE', 2))
    await net.forwarded('BYE')
    await net.settle()
    assert.deepEqual(
      net.sent.filter((s) => s.kind === 'request').map((s) => (s.message as { method: string }).method),
      ['ACK', 'BYE'],
    )
  })
})

describe('forking (§16.6)', () => {
  it('parallel within a q-value, the next q-value only when the first group fails', async () => {
    const net = createNet({
      onRequest: fork(
        { uri: 'sip:a@192.0.2.21', q: 1 },
        { uri: 'sip:b@192.0.2.22', q: 1 },
        { uri: 'sip:c@192.0.2.23', q: 0.5 },
      ),
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    const b = await net.forwarded('INVITE', '192.0.2.22')
    await net.settle()
    assert.equal(net.sent.filter((s) => s.kind === 'request' && s.target.address === '192.0.2.23').length, 0)
    net.answer(a, 486)
    net.answer(b, 480)
    const c = await net.forwarded('INVITE', '192.0.2.23')
    net.answer(c, 200)
    await net.upstream(200)
  })

  it('serial: one target at a time, in the order given', async () => {
    const net = createNet({
      onRequest: (ctx) => ctx.forward(['sip:a@192.0.2.21', 'sip:b@192.0.2.22'], { serial: true }),
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const a = await net.forwarded('MESSAGE', '192.0.2.21')
    await net.settle()
    assert.equal(net.sent.filter((s) => s.kind === 'request').length, 1)
    net.answer(a, 404)
    const b = await net.forwarded('MESSAGE', '192.0.2.22')
    net.answer(b, 200)
    await net.upstream(200)
  })

  it('failover: the next target only when one failed (503, no answer), not when it answered (486)', async () => {
    const hops = ['sip:h1@192.0.2.21', 'sip:h2@192.0.2.22', 'sip:h3@192.0.2.23']
    const net = createNet({ onRequest: (ctx) => ctx.forward(hops, { failover: true }) })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const h1 = await net.forwarded('INVITE', '192.0.2.21')
    net.answer(h1, 503)
    await net.forwarded('INVITE', '192.0.2.22')
    net.clock.advance(32_000) // Timer B: h2 never answers
    const h3 = await net.forwarded('INVITE', '192.0.2.23')
    net.answer(h3, 486)
    await net.upstream(486)

    // a target that answers ends the list: the callee is not rung again through the next one
    const net2 = createNet({ onRequest: (ctx) => ctx.forward(hops, { failover: true }) })
    net2.send(request('INVITE', 'sip:bob@example.com'))
    net2.answer(await net2.forwarded('INVITE', '192.0.2.21'), 486)
    await net2.upstream(486)
    await net2.settle()
    assert.deepEqual(
      net2.sent.flatMap((s) =>
        s.kind === 'request' && s.message.method === 'INVITE' ? [s.target.address] : [],
      ),
      ['192.0.2.21'],
    )

    // a 503 after a provisional response: the callee may have been alerted, no failover
    const net3 = createNet({ onRequest: (ctx) => ctx.forward(hops, { failover: true }) })
    net3.send(request('INVITE', 'sip:bob@example.com'))
    const r1 = await net3.forwarded('INVITE', '192.0.2.21')
    net3.answer(r1, 180)
    net3.answer(r1, 503)
    await net3.upstream(500)
    assert.equal(net3.sent.filter((s) => s.kind === 'request' && s.message.method === 'INVITE').length, 1)
  })
})

describe('a branch that ends while its group is being started (§16.7 step 6)', () => {
  it('a target with no destination (tel:) does not end the request: the rest of the group goes out', async () => {
    const net = createNet({ onRequest: fork('tel:+15551234', 'sip:b@192.0.2.21') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const b = await net.forwarded('INVITE', '192.0.2.21')
    await net.settle()
    assert.deepEqual(responses(net), [100], 'no final response while a branch is pending')
    net.answer(b, 200)
    await net.upstream(200)
  })

  it('an onBranch that throws for the first target: the second is still tried', async () => {
    const net = createNet({
      onRequest: fork('sip:a@192.0.2.20', 'sip:b@192.0.2.21'),
      onBranch: refuseUserA(403),
    })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const b = await net.forwarded('MESSAGE', '192.0.2.21')
    net.answer(b, 486)
    await net.upstream()
    assert.equal(responses(net).length, 1)
  })

  it('a 6xx at once closes the target set: the rest of the group is not started (step 5)', async () => {
    const net = createNet({
      onRequest: fork('sip:a@192.0.2.20', 'sip:b@192.0.2.21'),
      onBranch: refuseUserA(603),
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    await net.upstream(603)
    assert.equal(net.sent.filter((s) => s.kind === 'request').length, 0)
  })
})

describe('a response meant for the proxy (§16.7 step 3)', () => {
  it('one whose only Via is ours is not forwarded; a final one ends its branch as a 502', async () => {
    const net = createNet({ onRequest: fork('sip:bob@192.0.2.20') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE')
    const ours = wire(out)
    ours.headers.set(Via, [ours.headers.first(Via)!])
    for (const status of [180, 486]) {
      const response = createResponse(ours, status, undefined, { toTag: 'down' })
      net.server.inject(serialize(response), out.target)
    }
    await net.upstream(502)
    assert.deepEqual(responses(net), [100, 502])
  })
})

describe('choosing the response (§16.7 steps 6–7)', () => {
  it('a 6xx CANCELs the others and wins over the 487s they end with', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    const b = await net.forwarded('INVITE', '192.0.2.22')
    net.answer(b, 180)
    net.answer(a, 603)
    const cancel = await net.forwarded('CANCEL', '192.0.2.22')
    net.answer(cancel, 200)
    net.answer(b, 487)
    const up = await net.upstream(603)
    assert.ok(up)
    assert.deepEqual(responses(net), [100, 180, 603])
  })

  it('the lowest class wins; a 503 goes upstream as 500', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22') })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const a = await net.forwarded('MESSAGE', '192.0.2.21')
    const b = await net.forwarded('MESSAGE', '192.0.2.22')
    net.answer(a, 503)
    net.answer(b, 502)
    await net.upstream(502)

    const single = createNet({ onRequest: fork('sip:a@192.0.2.21') })
    single.send(request('MESSAGE', 'sip:bob@example.com'))
    single.answer(await single.forwarded(), 503)
    await single.upstream(500)
    assert.deepEqual(responses(single), [500])
  })

  it('forking with 302 and 486: the 3xx (the lowest class) goes upstream, with its Contact', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    const b = await net.forwarded('INVITE', '192.0.2.22')
    net.answer(b, 486)
    net.answer(a, 302, { headers: { Contact: '<sip:bob@198.51.100.9>' } })
    const up = await net.upstream(302)
    assert.deepEqual(up.message.headers.raw('Contact'), ['<sip:bob@198.51.100.9>'])
  })

  it('forking with 486 and 200: the 200 goes upstream, the 486 never does', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    const b = await net.forwarded('INVITE', '192.0.2.22')
    net.answer(a, 486)
    await net.settle()
    assert.deepEqual(responses(net), [100], 'a 4xx waits while a branch is pending (§16.7 step 5)')
    net.answer(b, 200, { toTag: 'tb' })
    await net.upstream(200)
    await net.settle()
    assert.deepEqual(responses(net), [100, 200])
  })

  it('a 486 beats the 408 of a branch that never answered', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22') })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const a = await net.forwarded('INVITE', '192.0.2.21')
    await net.forwarded('INVITE', '192.0.2.22')
    net.answer(a, 486)
    net.clock.advance(32_000) // Timer B of the silent branch
    await net.upstream(486)
  })

  it('merges the challenges of every 401 and 407 into the one relayed (step 7)', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21', 'sip:b@192.0.2.22', 'sip:c@192.0.2.23') })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    const a = await net.forwarded('MESSAGE', '192.0.2.21')
    const b = await net.forwarded('MESSAGE', '192.0.2.22')
    const c = await net.forwarded('MESSAGE', '192.0.2.23')
    net.answer(a, 401, { headers: { 'WWW-Authenticate': 'Digest realm="a.example", nonce="1"' } })
    net.answer(b, 407, { headers: { 'Proxy-Authenticate': 'Digest realm="b.example", nonce="2"' } })
    net.answer(c, 404)
    const up = await net.upstream(401)
    assert.deepEqual(
      up.message.headers.get(WwwAuthenticate)!.map((c) => c.params.get('realm')),
      ['a.example'],
    )
    assert.deepEqual(
      up.message.headers.get(ProxyAuthenticate)!.map((c) => c.params.get('realm')),
      ['b.example'],
    )
  })

  it('onFailure may try other targets (a voicemail) after every branch failed', async () => {
    const net = createNet({
      onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.21'),
      onFailure: (ctx) => (ctx.best.status === 486 ? ctx.forward('sip:vm@192.0.2.99') : ctx.relayBest()),
    })
    net.send(request('INVITE', 'sip:bob@example.com'))
    net.answer(await net.forwarded('INVITE', '192.0.2.21'), 486)
    const vm = await net.forwarded('INVITE', '192.0.2.99')
    net.answer(vm, 200)
    await net.upstream(200)
  })

  it('once maxBranches is reached, the best response goes upstream: onFailure is not asked again', async () => {
    let asked = 0
    const net = createNet(
      {
        onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.21'),
        onFailure: (ctx) => {
          asked++
          return ctx.forward('sip:vm@192.0.2.99')
        },
      },
      { maxBranches: 2 },
    )
    net.send(request('INVITE', 'sip:bob@example.com'))
    net.answer(await net.forwarded('INVITE', '192.0.2.21'), 486)
    net.answer(await net.forwarded('INVITE', '192.0.2.99'), 486)
    await net.upstream(486)
    assert.equal(asked, 2)
    assert.equal(net.server.stats.pending, 0)
  })

  it('never sends a 408 to a non-INVITE request (RFC 4320 §4.2)', async () => {
    const net = createNet({ onRequest: fork('sip:a@192.0.2.21') })
    net.send(request('MESSAGE', 'sip:bob@example.com'))
    await net.forwarded('MESSAGE')
    net.clock.advance(32_000) // Timer F
    await net.settle()
    assert.deepEqual(responses(net), [])
    assert.equal(net.server.stats.transactions, 0)
  })
})

describe('CANCEL (§16.10)', () => {
  it('answers 200, CANCELs the ringing branch, relays its 487; the route never sees the CANCEL', async () => {
    const methods: string[] = []
    const net = createNet({
      onRequest: (ctx) => {
        methods.push(ctx.request.method)
        return ctx.forward('sip:bob@192.0.2.20')
      },
    })
    const invite = request('INVITE', 'sip:bob@example.com', { callId: 'c-cancel', cseq: 5 })
    net.send(invite)
    const out = await net.forwarded('INVITE')
    net.answer(out, 180)
    net.send(cancelOf(invite))
    const ok = await net.upstream(200)
    assert.equal(ok.message.headers.get(CSeq)!.method, 'CANCEL')
    const cancel = await net.forwarded('CANCEL', '192.0.2.20')
    net.answer(cancel, 200)
    net.answer(out, 487)
    await net.upstream(487)
    assert.deepEqual(methods, ['INVITE'])
  })

  it('a CANCEL before any provisional is held until one arrives (§9.1)', async () => {
    const net = createNet({ onRequest: fork('sip:bob@192.0.2.20') })
    const invite = request('INVITE', 'sip:bob@example.com', { callId: 'c2' })
    net.send(invite)
    const out = await net.forwarded('INVITE')
    net.send(cancelOf(invite))
    await net.upstream(200)
    await net.settle()
    assert.equal(net.sent.filter((s) => s.kind === 'request' && s.message.method === 'CANCEL').length, 0)
    net.answer(out, 100)
    await net.forwarded('CANCEL')
  })

  it('a CANCELled branch that never answers ends as 487, not as the 408 of its Timer B', async () => {
    const net = createNet({ onRequest: fork('sip:bob@192.0.2.20') })
    const invite = request('INVITE', 'sip:bob@example.com', { callId: 'c3' })
    net.send(invite)
    await net.forwarded('INVITE')
    net.send(cancelOf(invite))
    await net.upstream(200)
    net.clock.advance(32_000) // Timer B: the callee never answered, so no CANCEL was ever sent
    await net.upstream(487)
    assert.deepEqual(
      net.sent.filter((s) => s.kind === 'response').map((s) => (s.message as { status: number }).status),
      [100, 200, 487],
    )
  })

  it('a CANCEL while the route is still deciding gets the INVITE a 487 at once', async () => {
    let decide: (() => void) | undefined
    const net = createNet({
      onRequest: (ctx) =>
        new Promise((resolve) => {
          decide = () => resolve(ctx.forward('sip:bob@192.0.2.20'))
        }),
    })
    const invite = request('INVITE', 'sip:bob@example.com', { callId: 'c3' })
    net.send(invite)
    await net.settle()
    net.send(cancelOf(invite))
    await net.upstream(487)
    decide!()
    await net.settle()
    assert.equal(net.sent.filter((s) => s.kind === 'request').length, 0)
  })

  for (const thrown of [new SipError(404), new Error('lookup failed')]) {
    it(`an async route that rejects (${thrown.name}) after a CANCEL answered the INVITE: nothing more, no crash`, async () => {
      const rejections: unknown[] = []
      const onRejection = (e: unknown) => rejections.push(e)
      process.on('unhandledRejection', onRejection)
      try {
        let fail: (() => void) | undefined
        const net = createNet({
          onRequest: () =>
            new Promise((_, reject) => {
              fail = () => reject(thrown)
            }),
        })
        const invite = request('INVITE', 'sip:bob@example.com')
        net.send(invite)
        await net.settle()
        net.send(cancelOf(invite))
        await net.upstream(487)
        fail!()
        await net.settle()
        assert.deepEqual(rejections, [])
        assert.deepEqual(responses(net), [200, 487])
      } finally {
        process.off('unhandledRejection', onRejection)
      }
    })
  }

  it('a CANCEL that matches nothing is forwarded statelessly', async () => {
    const net = createNet({ onRequest: (ctx) => ctx.forward('sip:bob@192.0.2.20') })
    net.send(request('CANCEL', 'sip:bob@example.com'))
    await net.forwarded('CANCEL', '192.0.2.20')
    assert.equal(net.server.stats.stateless, 1)
  })
})

describe('Timer C (§16.8)', () => {
  it('a 100 Trying does not restart it (§16.7 step 2: 101–199 only)', async () => {
    const net = createNet({ onRequest: fork('sip:bob@192.0.2.20') }, { timerC: 180_000 })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE')
    net.answer(out, 180)
    net.clock.advance(100_000)
    net.answer(out, 100)
    net.clock.advance(80_001)
    await net.forwarded('CANCEL')
  })

  it('CANCELs a branch that rang too long and relays a 408', async () => {
    const net = createNet({ onRequest: fork('sip:bob@192.0.2.20') }, { timerC: 180_000 })
    net.send(request('INVITE', 'sip:bob@example.com'))
    const out = await net.forwarded('INVITE')
    net.answer(out, 180)
    net.clock.advance(100_000)
    net.answer(out, 183) // a provisional restarts Timer C
    net.clock.advance(100_000)
    await net.settle()
    assert.equal(net.sent.filter((s) => s.kind === 'request' && s.message.method === 'CANCEL').length, 0)
    net.clock.advance(80_001)
    const cancel = await net.forwarded('CANCEL')
    net.answer(cancel, 200)
    net.answer(out, 487)
    await net.upstream(408)
  })
})
