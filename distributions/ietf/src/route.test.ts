import assert from 'node:assert/strict'
import { BlockList } from 'node:net'
import { describe, it } from 'node:test'
import { createFloodGuard, createSipServer } from '@junction/proxy'
import { CallId, createResponse, formatUri, parseMessage, RecordRoute, serialize } from '@junction/sip'
import { routingConfig } from './config.ts'
import { createIetfRoute } from './route.ts'

function server(routing: unknown = {}) {
  return createSipServer({ route: createIetfRoute(routingConfig.parse(routing)), domains: ['example.com'] })
}

let n = 0
function req(method: string, uri: string, extra: string[] = []): string {
  n++
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr${n}`,
    'Max-Forwards: 70',
    '<sip:alice@example.com>;tag=a'.replace(/^/, 'From: '),
    'To: <sip:bob@example.com>',
    `Call-ID: route-${n}`,
    `CSeq: 1 ${method}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
}

async function outcome(s: ReturnType<typeof server>, text: string) {
  const since = s.network!.sent.length
  s.inject(text)
  const m = await s.network!.next(
    (x) => x.kind === 'request' || (x.kind === 'response' && x.message.status >= 200),
    {
      since,
    },
  )
  if (m.kind === 'response') return { status: m.message.status, reason: m.message.reason }
  const parsed = parseMessage(m.bytes)
  const message = parsed.ok && parsed.message.kind === 'request' ? parsed.message : undefined
  return { forwardedTo: `${m.target.address}:${m.target.port}`, message }
}

/** Answers a request the server forwarded (as the next hop it went to would). */
function reply(
  s: ReturnType<typeof server>,
  forwarded: Awaited<ReturnType<typeof outcome>>,
  status: number,
): void {
  const [address, port] = forwarded.forwardedTo!.split(':')
  const response = createResponse(forwarded.message!, status, undefined, { toTag: 'hop' })
  s.inject(serialize(response), { address, port: Number(port) })
}

describe('the junction-ietf route', () => {
  it('is not an open relay: a request for another domain gets 403', async () => {
    assert.deepEqual(await outcome(server(), req('INVITE', 'sip:bob@example.org')), {
      status: 403,
      reason: 'Relaying Denied',
    })
  })

  it('relays by DNS only when relay.dns is on', async () => {
    const r = await outcome(server({ relay: { dns: true } }), req('MESSAGE', 'sip:bob@192.0.2.44'))
    assert.equal(r.forwardedTo, '192.0.2.44:5060')
  })

  it('answers 404 for a local user it cannot locate, 200 to OPTIONS for itself', async () => {
    assert.equal((await outcome(server(), req('INVITE', 'sip:bob@example.com'))).status, 404)
    assert.equal((await outcome(server(), req('OPTIONS', 'sip:example.com'))).status, 200)
    assert.equal((await outcome(server(), req('OPTIONS', 'sip:127.0.0.1:5060'))).status, 200)
  })

  it('sends a matching static route to its next hop, keeping the Request-URI, with Record-Route', async () => {
    const s = server({ routes: [{ domain: 'example.com', user: '^\\+?[0-9]+$', to: 'sip:192.0.2.50:5070' }] })
    const r = await outcome(s, req('INVITE', 'sip:+4930123@example.com'))
    assert.equal(r.forwardedTo, '192.0.2.50:5070')
    assert.equal(formatUri(r.message!.uri), 'sip:+4930123@example.com')
    assert.equal(r.message!.headers.get(RecordRoute)!.length, 1)
    // the user does not match: no route
    assert.equal((await outcome(s, req('INVITE', 'sip:bob@example.com'))).status, 404)
    // a MESSAGE is not Record-Routed (no dialog)
    const m = await outcome(s, req('MESSAGE', 'sip:123@example.com'))
    assert.equal(m.message!.headers.has(RecordRoute), false)
  })

  it("fails over along a static route's next hops only when one fails, not when it answers", async () => {
    const s = server({ routes: [{ domain: 'example.com', to: ['sip:192.0.2.51', 'sip:192.0.2.52'] }] })
    // the first next hop answers 486: that is the answer, the second one never hears of the call
    const first = await outcome(s, req('INVITE', 'sip:bob@example.com'))
    assert.equal(first.forwardedTo, '192.0.2.51:5060')
    const since = s.network!.sent.length
    reply(s, first, 486)
    const up = await s.network!.next((x) => x.kind === 'response' && x.message.status >= 200, { since })
    assert.equal(up.kind === 'response' && up.message.status, 486)
    assert.equal(
      s.network!.sent.filter((x) => x.kind === 'request' && x.target.address === '192.0.2.52').length,
      0,
    )
    // the first next hop is unavailable (503): the second takes the call
    const again = await outcome(s, req('INVITE', 'sip:carol@example.com'))
    const since2 = s.network!.sent.length
    reply(s, again, 503)
    const next = await s.network!.next((x) => x.kind === 'request' && x.message.method === 'INVITE', {
      since: since2,
    })
    assert.equal(next.kind === 'request' && next.target.address, '192.0.2.52')
  })

  it('routing.flood: a source past maxRequests in a window is dropped; other sources and trusted peers are not', async () => {
    const trusted = new BlockList()
    trusted.addAddress('192.0.2.99')
    const s = createSipServer({
      route: createIetfRoute(routingConfig.parse({}), {
        flood: createFloodGuard({ maxRequests: 2, windowSec: 60 }),
        trusted,
      }),
      domains: ['example.com'],
    })
    const ping = () => req('OPTIONS', 'sip:example.com')
    const from = (address: string) => ({ address, port: 5060 })
    for (let i = 0; i < 2; i++) assert.equal((await outcome(s, ping())).status, 200)
    const since = s.network!.sent.length
    s.inject(ping())
    await new Promise((r) => setTimeout(r, 20))
    assert.equal(s.network!.sent.length, since, 'the third request in the window gets no answer')
    s.inject(ping(), from('192.0.2.11'))
    const other = await s.network!.next((x) => x.kind === 'response', { since })
    assert.equal(other.kind === 'response' && other.message.status, 200, 'another source is answered')
    for (let i = 0; i < 5; i++) {
      const before = s.network!.sent.length
      s.inject(ping(), from('192.0.2.99'))
      const r = await s.network!.next((x) => x.kind === 'response', { since: before })
      assert.equal(r.kind === 'response' && r.message.status, 200, 'a trusted peer is never blocked')
    }
  })

  it('skips the next hops that probing found down, and tries them all when every one is', async () => {
    let down = new Set(['sip:192.0.2.51'])
    const routing = routingConfig.parse({
      routes: [{ domain: 'example.com', to: ['sip:192.0.2.51', 'sip:192.0.2.52'] }],
    })
    const s = createSipServer({
      route: createIetfRoute(routing, { nextHops: { isUp: (hop) => !down.has(hop) } }),
      domains: ['example.com'],
    })
    assert.equal((await outcome(s, req('INVITE', 'sip:bob@example.com'))).forwardedTo, '192.0.2.52:5060')
    down = new Set(['sip:192.0.2.51', 'sip:192.0.2.52'])
    assert.equal((await outcome(s, req('INVITE', 'sip:bob@example.com'))).forwardedTo, '192.0.2.51:5060')
  })

  it('follows the route set of a dialog only when it names us with its token: 404 without, 403 when forged', async () => {
    const s = server({ routes: [{ domain: 'example.com', to: 'sip:192.0.2.50' }] })
    const invite = await outcome(s, req('INVITE', 'sip:bob@example.com'))
    const rr = invite.message!.headers.get(RecordRoute)!
    assert.equal(rr.length, 1)
    const recorded = formatUri(rr[0]!.uri)
    assert.match(recorded, /^sip:dlg-[A-Za-z0-9_-]{16}@127\.0\.0\.1:5060;lr$/)
    const callId = invite.message!.headers.get(CallId)!
    // the callee's BYE: Request-URI the caller's Contact, the recorded route, the dialog's Call-ID
    const bye = (route: string[], id = callId) =>
      req('BYE', 'sip:alice@192.0.2.60', route)
        .replace('To: <sip:bob@example.com>', 'To: <sip:bob@example.com>;tag=b')
        .replace(/Call-ID: .*/, `Call-ID: ${id}`)
    const r = await outcome(s, bye([`Route: <${recorded}>`]))
    assert.equal(r.forwardedTo, '192.0.2.60:5060')
    // a To tag without our Route: not ours to route
    assert.equal((await outcome(s, bye([]))).status, 404)
    // our address without a token, or with the token of another dialog: a forged dialog, no relay
    assert.deepEqual(await outcome(s, bye(['Route: <sip:127.0.0.1;lr>'])), {
      status: 403,
      reason: 'Unknown Dialog',
    })
    assert.equal((await outcome(s, bye([`Route: <${recorded}>`], 'another-call'))).status, 403)
  })
})
