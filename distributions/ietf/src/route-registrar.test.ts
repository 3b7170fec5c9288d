/**
 * The junction-ietf route with its registrar and authentication (issue: registrar, location and
 * digest authentication), through the real stack over the in-memory transport: REGISTER with
 * digest (401, RFC 3261 §22.2), calls between registered users behind NAT (location lookup §16.5,
 * the source address they registered from, the Contact alias for in-dialog requests), 407 for our
 * own users (§22.3), From spoofing, the failed-auth guard, open relay refused, trusted peers.
 */
import assert from 'node:assert/strict'
import { BlockList } from 'node:net'
import { describe, it } from 'node:test'
import {
  createDigestAuth,
  createFailureGuard,
  createMemoryCredentialStore,
  type DigestAuth,
  type FailureGuard,
} from '@junction/auth'
import { createCredentials, credentialsDirectives, parseChallenge } from '@junction/digest'
import { createSipServer, type SipServer } from '@junction/proxy'
import { createMemoryLocationStore, createRegistrar, type Registrar } from '@junction/registrar'
import {
  Authorization,
  Contact,
  formatUri,
  ProxyAuthenticate,
  ProxyAuthorization,
  parseMessage,
  RecordRoute,
  type SipRequest,
  type SipResponse,
  WwwAuthenticate,
} from '@junction/sip'
import type { MemorySource, SentMessage, Target } from '@junction/transport'
import { routingConfig } from './config.ts'
import { createIetfRoute } from './route.ts'

const ALICE = { transport: 'udp', address: '198.51.100.7', port: 40312 } as const // NAT public side
const BOB = { transport: 'udp', address: '203.0.113.9', port: 51000 } as const

interface World {
  readonly server: SipServer
  readonly registrar: Registrar
  readonly auth: DigestAuth
  readonly guard: FailureGuard
}

function world(routing: unknown = {}, trusted?: BlockList): World {
  const registrar = createRegistrar(
    { domains: ['example.com'], outbound: true, gruu: true },
    {
      store: createMemoryLocationStore(),
    },
  )
  const credentials = createMemoryCredentialStore([
    { user: 'alice', secret: { password: 'alice-secret' } },
    { user: 'bob', secret: { password: 'bob-secret' } },
  ])
  const auth = createDigestAuth(
    { realm: 'example.com', secret: 'a test secret of 32 characters!!' },
    { credentials },
  )
  const guard = createFailureGuard({ maxFailures: 3, blockSec: 60 })
  const server = createSipServer({
    route: createIetfRoute(routingConfig.parse(routing), { registrar, auth, guard, trusted }),
    domains: ['example.com'],
  })
  return { server, registrar, auth, guard }
}

let n = 0
function msg(lines: readonly string[], body = ''): string {
  return [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n')
}

function register(
  user: string,
  contact: string,
  extra: readonly string[] = [],
  callId = `reg-${user}`,
  cseq = 1,
) {
  n++
  return msg([
    'REGISTER sip:example.com SIP/2.0',
    `Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKreg${n}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@example.com>;tag=r${n}`,
    `To: <sip:${user}@example.com>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: ${contact}`,
    'Expires: 600',
    ...extra,
  ])
}

function invite(from: string, to: string, extra: readonly string[] = [], callId = `call-${++n}`) {
  return msg(
    [
      `INVITE sip:${to} SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKinv${++n}`,
      'Max-Forwards: 70',
      `From: <sip:${from}>;tag=i${n}`,
      `To: <sip:${to}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:alice@10.0.0.5:5060>',
      'Content-Type: application/sdp',
      ...extra,
    ],
    'v=0\r\n',
  )
}

/** Sends `text` from `from`; resolves with the next final response to it, or the request it caused. */
async function send(s: SipServer, text: string, from: MemorySource = ALICE): Promise<SentMessage> {
  const since = s.network!.sent.length
  s.inject(text, from)
  return s.network!.next((m) => m.kind === 'request' || m.message.status >= 200, { since })
}

function response(m: SentMessage): SipResponse {
  assert.equal(m.kind, 'response', `expected a response, got ${m.kind === 'request' ? m.message.method : ''}`)
  return m.message as SipResponse
}

function request(m: SentMessage): SipRequest & { target: Target } {
  assert.equal(m.kind, 'request', `expected a request, got ${m.kind === 'response' ? m.message.status : ''}`)
  const r = parseMessage((m as { bytes: Uint8Array }).bytes)
  assert.ok(r.ok && r.message.kind === 'request')
  return Object.assign(r.message, { target: (m as { target: Target }).target })
}

/** The header line answering the first challenge of `res` (a 401 or 407). */
function credentialsFor(res: SipResponse, method: string, uri: string, username: string, password: string) {
  const proxy = res.status === 407
  const ch = (proxy ? res.headers.get(ProxyAuthenticate) : res.headers.get(WwwAuthenticate))?.[0]
  assert.ok(ch !== undefined, 'a challenge')
  const c = parseChallenge(ch.params)
  assert.ok(c.ok)
  const cred = createCredentials({ challenge: c.value, username, password, method, uri, nc: 1 })
  assert.ok(cred.ok)
  const h = proxy ? ProxyAuthorization : Authorization
  return `${h.name}: ${h.format({ scheme: 'Digest', params: credentialsDirectives(cred.value) })}`
}

/** Alice's INVITE to bob from a UA with Outbound over TCP (`ob` in its Contact, RFC 5626 §5.3). */
function outboundInvite(callId: string, fromTag: string, extra: readonly string[]): string {
  return msg(
    [
      'INVITE sip:bob@example.com SIP/2.0',
      `Via: SIP/2.0/TCP 10.0.0.5:5060;rport;branch=z9hG4bKob${++n}`,
      'Max-Forwards: 70',
      `From: <sip:alice@example.com>;tag=${fromTag}`,
      'To: <sip:bob@example.com>',
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:alice@10.0.0.5:5060;transport=tcp;ob>',
      ...extra,
    ],
    'v=0\r\n',
  )
}

/** Sends alice's Outbound INVITE from `from`, answers the 407 with her credentials; the INVITE forwarded. */
async function outboundCall(w: World, from: MemorySource, callId: string, fromTag: string) {
  const challenge = response(await send(w.server, outboundInvite(callId, fromTag, []), from))
  const cred = credentialsFor(challenge, 'INVITE', 'sip:bob@example.com', 'alice', 'alice-secret')
  return request(await send(w.server, outboundInvite(callId, fromTag, [cred]), from))
}

async function registered(w: World, user: string, password: string, contact: string, from: MemorySource) {
  const challenge = response(await send(w.server, register(user, contact), from))
  assert.equal(challenge.status, 401)
  const auth = credentialsFor(challenge, 'REGISTER', 'sip:example.com', user, password)
  return response(await send(w.server, register(user, contact, [auth], `reg-${user}`, 2), from))
}

describe('junction-ietf route: registrar and authentication', () => {
  it('REGISTER is challenged (401, MD5 first), then bound; the 200 lists the binding', async () => {
    const w = world()
    const challenge = response(await send(w.server, register('alice', '<sip:alice@10.0.0.5:5060>')))
    assert.equal(challenge.status, 401)
    const algorithms = challenge.headers.get(WwwAuthenticate)!.map((c) => c.params.get('algorithm'))
    assert.deepEqual(algorithms, ['MD5', 'SHA-256', 'SHA-512-256'])
    const ok = await registered(w, 'alice', 'alice-secret', '<sip:alice@10.0.0.5:5060>', ALICE)
    assert.equal(ok.status, 200)
    assert.equal(formatUri((ok.headers.get(Contact)![0] as { uri: never }).uri), 'sip:alice@10.0.0.5:5060')
    const bindings = await w.registrar.bindings('sip:alice@example.com')
    assert.equal(bindings.length, 1)
    assert.equal(bindings[0]!.received, 'sip:198.51.100.7:40312;transport=udp')
  })

  it('challenges are stateless (RFC 3261 §8.2.7): a retransmitted REGISTER gets a fresh nonce; refusals are not', async () => {
    const w = world()
    const text = register('alice', '<sip:alice@10.0.0.5:5060>')
    const first = response(await send(w.server, text))
    assert.equal(w.server.stats.transactions, 0, 'no transaction waits to resend the 401')
    const again = response(await send(w.server, text))
    const nonce = (r: SipResponse) => r.headers.get(WwwAuthenticate)![0]!.params.get('nonce')
    assert.equal(again.status, 401)
    assert.notEqual(nonce(again), nonce(first))
    // the registration itself keeps its transaction: a retransmission gets the same 200
    const auth = credentialsFor(again, 'REGISTER', 'sip:example.com', 'alice', 'alice-secret')
    const ok = register('alice', '<sip:alice@10.0.0.5:5060>', [auth], 'reg-alice', 2)
    assert.equal(response(await send(w.server, ok)).status, 200)
    assert.equal(w.server.stats.transactions, 1)
    const resent = response(await send(w.server, ok))
    assert.equal(resent.status, 200)
    assert.equal(w.server.stats.transactions, 1, 'the retransmission matched it')
    // wrong credentials are refused statefully: a retransmission is absorbed, not counted again
    const fresh = response(await send(w.server, register('bob', '<sip:bob@10.0.0.6:5060>')))
    const guess = credentialsFor(fresh, 'REGISTER', 'sip:example.com', 'bob', 'guess')
    const wrong = register('bob', '<sip:bob@10.0.0.6:5060>', [guess], 'reg-bob', 2)
    assert.equal(response(await send(w.server, wrong)).status, 401)
    assert.equal(w.server.stats.transactions, 2, 'the refusal keeps its transaction')
    assert.equal(response(await send(w.server, wrong)).status, 401)
    assert.equal(w.server.stats.transactions, 2, 'its retransmission matched it')
  })

  it('REGISTER with a wrong password: 401 again; as another user: 403', async () => {
    const w = world()
    const challenge = response(await send(w.server, register('alice', '<sip:alice@10.0.0.5>')))
    const wrong = credentialsFor(challenge, 'REGISTER', 'sip:example.com', 'alice', 'guess')
    assert.equal(
      response(await send(w.server, register('alice', '<sip:alice@10.0.0.5>', [wrong]))).status,
      401,
    )
    const asBob = credentialsFor(challenge, 'REGISTER', 'sip:example.com', 'bob', 'bob-secret')
    assert.equal(
      response(await send(w.server, register('alice', '<sip:alice@10.0.0.5>', [asBob]))).status,
      403,
    )
    assert.equal((await w.registrar.bindings('sip:alice@example.com')).length, 0)
  })

  it('a call between two users behind NAT reaches the callee where it registered from, both ways', async () => {
    const w = world()
    await registered(w, 'alice', 'alice-secret', '<sip:alice@10.0.0.5:5060>', ALICE)
    await registered(w, 'bob', 'bob-secret', '<sip:bob@192.168.1.20:5060>', BOB)

    // alice calls bob: 407 first (she is one of ours), then with credentials
    const callId = 'nat-call'
    const challenge = response(
      await send(w.server, invite('alice@example.com', 'bob@example.com', [], callId)),
    )
    assert.equal(challenge.status, 407)
    const cred = credentialsFor(challenge, 'INVITE', 'sip:bob@example.com', 'alice', 'alice-secret')
    const out = request(await send(w.server, invite('alice@example.com', 'bob@example.com', [cred], callId)))
    // to bob's NAT binding, not to the private Contact; our credentials consumed; alice's Contact aliased
    assert.deepEqual(
      { address: out.target.address, port: out.target.port },
      { address: BOB.address, port: BOB.port },
    )
    assert.equal(formatUri(out.uri), 'sip:bob@192.168.1.20:5060')
    assert.equal(out.headers.raw('Proxy-Authorization').length, 0)
    const aliceContact = (out.headers.get(Contact)![0] as { uri: { params: ReadonlyMap<string, string> } })
      .uri
    assert.equal(aliceContact.params.get('alias'), '198.51.100.7~40312~udp')
    const rr = out.headers.get(RecordRoute)!
    assert.equal(rr.length, 1)

    // bob answers 200 from behind his NAT: his Contact gets his alias on the way to alice
    const since = w.server.network!.sent.length
    const ok = msg([
      'SIP/2.0 200 OK',
      ...out.headers.raw('Via').map((v) => `Via: ${v}`),
      `Record-Route: ${out.headers.raw('Record-Route')[0]}`,
      `From: ${out.headers.raw('From')[0]}`,
      `To: ${out.headers.raw('To')[0]};tag=bob1`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:bob@192.168.1.20:5060>',
    ])
    w.server.inject(ok, BOB)
    const relayed = await w.server.network!.next((m) => m.kind === 'response' && m.message.status === 200, {
      since,
    })
    const bobContact = (
      relayed.message.headers.get(Contact)![0] as { uri: { params: ReadonlyMap<string, string> } }
    ).uri
    assert.equal(bobContact.params.get('alias'), '203.0.113.9~51000~udp')

    // bob hangs up: the BYE follows the route set to us, then goes to alice's NAT address
    const rrUri = out.headers.raw('Record-Route')[0]!
    const bye = msg([
      `BYE sip:alice@10.0.0.5:5060;alias=198.51.100.7~40312~udp SIP/2.0`,
      `Via: SIP/2.0/UDP 192.168.1.20:5060;rport;branch=z9hG4bKbye${++n}`,
      'Max-Forwards: 70',
      `Route: ${rrUri}`,
      `From: <sip:bob@example.com>;tag=bob1`,
      `To: ${out.headers.raw('From')[0]}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 BYE',
    ])
    const byeOut = request(await send(w.server, bye, BOB))
    assert.equal(byeOut.method, 'BYE')
    assert.deepEqual(
      { address: byeOut.target.address, port: byeOut.target.port },
      { address: ALICE.address, port: ALICE.port },
    )
    assert.equal(formatUri(byeOut.uri), 'sip:alice@10.0.0.5:5060', 'the alias is removed')
  })

  it('Outbound (RFC 5626): one flow per instance at a time; a gone flow (430) gives way to the next', async () => {
    const w = world()
    const instance = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-00aabbccddee>"'
    const flow1 = { transport: 'tcp', address: '203.0.113.9', port: 51001 } as const
    const flow2 = { transport: 'tcp', address: '203.0.113.9', port: 51002 } as const
    for (const [regId, from] of [
      [1, flow1],
      [2, flow2],
    ] as const) {
      const contact = `<sip:bob@192.168.1.20:5060;transport=tcp;ob>;${instance};reg-id=${regId}`
      const challenge = response(
        await send(w.server, register('bob', contact, ['Supported: outbound'], `ob-${regId}`), from),
      )
      const auth = credentialsFor(challenge, 'REGISTER', 'sip:example.com', 'bob', 'bob-secret')
      const ok = response(
        await send(w.server, register('bob', contact, ['Supported: outbound', auth], `ob-${regId}`, 2), from),
      )
      assert.equal(ok.status, 200)
    }
    assert.equal((await w.registrar.bindings('sip:bob@example.com')).length, 2)

    // a caller from outside: one INVITE, over one of bob's flows (the most recently refreshed;
    // both registered within the same millisecond here, so either), not both
    const network = w.server.network!
    const since = network.sent.length
    const first = request(await send(w.server, invite('carol@example.org', 'bob@example.com')))
    assert.ok(([flow1.port, flow2.port] as number[]).includes(first.target.port))
    assert.equal(first.target.flowOnly, true)
    await new Promise((r) => setImmediate(r))
    assert.equal(network.sent.slice(since).filter((m) => m.kind === 'request').length, 1)

    // that connection drops (its binding still there: the registrar hears of it later): the next
    // call fails on it with 430 and goes over bob's other flow, with no new connection opened
    network.closeFlow(first.target.flowId!)
    assert.equal((await w.registrar.bindings('sip:bob@example.com')).length, 2)
    const second = request(await send(w.server, invite('carol@example.org', 'bob@example.com')))
    assert.equal(second.target.port, first.target.port === flow1.port ? flow2.port : flow1.port)
    assert.notEqual(second.target.flowId, first.target.flowId)
  })

  it('Outbound caller (RFC 5626 §5.3): our Record-Route names her flow; requests to her go over it, 430 once gone', async () => {
    const w = world()
    const ALICE_TCP = { transport: 'tcp', address: '198.51.100.7', port: 40400 } as const
    await registered(w, 'bob', 'bob-secret', '<sip:bob@192.168.1.20:5060>', BOB)
    const callId = 'ob-call'
    const out = await outboundCall(w, ALICE_TCP, callId, 'ob1')
    const rr = out.headers.get(RecordRoute)!
    assert.equal(rr.length, 2, 'double Record-Route: alice came over TCP, bob is reached over UDP')
    assert.ok(
      rr.every((r) => r.uri.kind === 'sip' && (r.uri.user?.length ?? 0) > 20),
      'both carry a flow token',
    )
    const aliceContact = out.headers.get(Contact)![0] as { uri: { params: ReadonlyMap<string, string> } }
    assert.equal(aliceContact.uri.params.has('alias'), false, 'no alias: the token does that job')

    // bob's in-dialog request (from his side of the route set) goes over alice's TCP flow only
    const inDialog = (method: string, cseq: number) =>
      msg([
        `${method} sip:alice@10.0.0.5:5060;transport=tcp;ob SIP/2.0`,
        `Via: SIP/2.0/UDP 192.168.1.20:5060;rport;branch=z9hG4bKobd${++n}`,
        'Max-Forwards: 70',
        ...out.headers.raw('Record-Route').map((v) => `Route: ${v}`),
        'From: <sip:bob@example.com>;tag=bob2',
        'To: <sip:alice@example.com>;tag=ob1',
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
      ])
    const info = request(await send(w.server, inDialog('INFO', 2), BOB))
    assert.deepEqual(
      { transport: info.target.transport, address: info.target.address, port: info.target.port },
      ALICE_TCP,
    )
    assert.equal(info.target.flowOnly, true)
    assert.equal(formatUri(info.uri), 'sip:alice@10.0.0.5:5060;transport=tcp;ob')

    // her connection drops: 430 Flow Failed, and no connection is opened towards her
    w.server.network!.closeFlow(info.target.flowId!)
    const failed = response(await send(w.server, inDialog('BYE', 3), BOB))
    assert.equal(failed.status, 430)

    // a token that was not made here is not followed: the request is routed as any other
    const forged = inDialog('BYE', 4).replace(/sip:[A-Za-z0-9_.-]{20,}@/g, 'sip:Zm9v.AAAAAAAAAAAAAAAA@')
    const plain = await send(w.server, forged, BOB)
    assert.ok(plain.kind === 'response' || plain.target.flowId !== info.target.flowId)
  })

  it('a flow token is good for its dialog only: another Call-ID with it is not relayed anywhere', async () => {
    const w = world()
    const ALICE_TCP = { transport: 'tcp', address: '198.51.100.7', port: 40401 } as const
    await registered(w, 'bob', 'bob-secret', '<sip:bob@192.168.1.20:5060>', BOB)
    const out = await outboundCall(w, ALICE_TCP, 'ob-call-1', 'ob3')
    // alice, over the flow the token names, sends "in-dialog" requests of a Call-ID we never
    // recorded to a target of her choice, with the tokens she saw in our Record-Route
    const elsewhere = msg([
      'MESSAGE sip:victim@203.0.113.9 SIP/2.0',
      `Via: SIP/2.0/TCP 10.0.0.5:5060;rport;branch=z9hG4bKobx${++n}`,
      'Max-Forwards: 70',
      ...out.headers
        .raw('Record-Route')
        .reverse()
        .map((v) => `Route: ${v}`),
      'From: <sip:alice@example.com>;tag=ob3',
      'To: <sip:victim@203.0.113.9>;tag=v1',
      'Call-ID: never-recorded',
      'CSeq: 2 MESSAGE',
    ])
    const refused = response(await send(w.server, elsewhere, ALICE_TCP))
    assert.deepEqual(
      { status: refused.status, reason: refused.reason },
      { status: 403, reason: 'Unknown Dialog' },
    )
    // the same request in the dialog that was recorded goes where its Request-URI says (§16.12):
    // a party to a dialog still chooses its targets (see the README: no dialog state yet)
    const inDialog = request(
      await send(w.server, elsewhere.replace('Call-ID: never-recorded', 'Call-ID: ob-call-1'), ALICE_TCP),
    )
    assert.equal(inDialog.target.address, '203.0.113.9')
  })

  it('two Outbound UAs (RFC 5626 §5.3): a flow token per side; each side reaches the other over its flow', async () => {
    const w = world()
    const ALICE_TCP = { transport: 'tcp', address: '198.51.100.7', port: 40500 } as const
    const BOB_TCP = { transport: 'tcp', address: '203.0.113.9', port: 51500 } as const
    const bobContact = '<sip:bob@192.168.1.20:5060;transport=tcp;ob>'
    const instance = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-00bbccddeeff>";reg-id=1'
    const challenge = response(
      await send(
        w.server,
        register('bob', `${bobContact};${instance}`, ['Supported: outbound'], 'ob2'),
        BOB_TCP,
      ),
    )
    const auth = credentialsFor(challenge, 'REGISTER', 'sip:example.com', 'bob', 'bob-secret')
    const reg = [`${bobContact};${instance}`, ['Supported: outbound', auth], 'ob2', 2] as const
    assert.equal(response(await send(w.server, register('bob', ...reg), BOB_TCP)).status, 200)

    const callId = 'ob-both'
    const out = await outboundCall(w, ALICE_TCP, callId, 'a2')
    assert.equal(out.target.port, BOB_TCP.port)
    const rr = out.headers.get(RecordRoute)!
    assert.equal(rr.length, 2, 'one value per side, though both sides are on the same listener')
    const users = rr.map((r) => (r.uri.kind === 'sip' ? r.uri.user : undefined))
    assert.ok(users.every((u) => (u?.length ?? 0) > 20) && users[0] !== users[1], 'a different token each')

    const routeSet = out.headers.raw('Record-Route')
    const inDialog = (method: string, cseq: number, fromBob: boolean) =>
      msg([
        fromBob
          ? `${method} sip:alice@10.0.0.5:5060;transport=tcp;ob SIP/2.0`
          : `${method} sip:bob@192.168.1.20:5060;transport=tcp;ob SIP/2.0`,
        `Via: SIP/2.0/TCP 10.0.0.5:5060;rport;branch=z9hG4bKob2d${++n}`,
        'Max-Forwards: 70',
        // the callee's route set is the Record-Route in order, the caller's reversed (§12.1)
        ...(fromBob ? routeSet : [...routeSet].reverse()).map((v) => `Route: ${v}`),
        fromBob ? 'From: <sip:bob@example.com>;tag=b2' : 'From: <sip:alice@example.com>;tag=a2',
        fromBob ? 'To: <sip:alice@example.com>;tag=a2' : 'To: <sip:bob@example.com>;tag=b2',
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
      ])
    const toBob = request(await send(w.server, inDialog('INFO', 2, false), ALICE_TCP))
    assert.deepEqual([toBob.target.port, toBob.target.flowOnly], [BOB_TCP.port, true])
    const toAlice = request(await send(w.server, inDialog('INFO', 2, true), BOB_TCP))
    assert.deepEqual([toAlice.target.port, toAlice.target.flowOnly], [ALICE_TCP.port, true])

    // bob's connection drops: alice's BYE gets 430 Flow Failed (no new connection towards his NAT)
    w.server.network!.closeFlow(toBob.target.flowId!)
    assert.equal(response(await send(w.server, inDialog('BYE', 3, false), ALICE_TCP)).status, 430)
  })

  it('480 for a local user with no binding; 404 is not used for a known domain', async () => {
    const w = world()
    const c = response(await send(w.server, invite('carol@example.org', 'bob@example.com')))
    assert.equal(c.status, 480)
  })

  it('a local user may not claim another From; our users are challenged, outsiders calling in are not', async () => {
    const w = world()
    await registered(w, 'bob', 'bob-secret', '<sip:bob@192.168.1.20:5060>', BOB)
    const challenge = response(await send(w.server, invite('alice@example.com', 'bob@example.com')))
    const asBob = credentialsFor(challenge, 'INVITE', 'sip:bob@example.com', 'bob', 'bob-secret')
    const spoof = response(await send(w.server, invite('alice@example.com', 'bob@example.com', [asBob])))
    assert.equal(spoof.status, 403)
    // someone of another domain calling bob is let through without a challenge (an incoming call)
    const incoming = request(await send(w.server, invite('carol@example.org', 'bob@example.com')))
    assert.equal(incoming.target.address, BOB.address)
  })

  it('is not an open relay: outsiders to other domains get 403, even with relay.dns on', async () => {
    const w = world({ relay: { dns: true } })
    assert.equal(response(await send(w.server, invite('carol@example.org', 'dave@example.net'))).status, 403)
  })

  it('trusted peers are neither challenged nor refused relaying', async () => {
    const trusted = new BlockList()
    trusted.addSubnet('192.0.2.0', 24, 'ipv4')
    const w = world({ relay: { dns: true } }, trusted)
    const gw = { transport: 'udp', address: '192.0.2.50', port: 5060 } as const
    const out = request(await send(w.server, invite('alice@example.com', 'dave@192.0.2.99'), gw))
    assert.equal(out.target.address, '192.0.2.99')
  })

  it('a static route is for our users and trusted peers (auth: required); auth: none opens it', async () => {
    const pstn = { domain: 'example.com', user: '^\\+?[0-9]+$', to: 'sip:192.0.2.10:5060' }
    const trusted = new BlockList()
    trusted.addAddress('192.0.2.50')
    const w = world({ routes: [pstn] }, trusted)
    // an outsider, whatever its From, is challenged: no toll-free way to the gateway
    for (const from of ['anyone@attacker.example', 'anonymous@anonymous.invalid']) {
      const r = response(await send(w.server, invite(from, '+4930999@example.com'), BOB))
      assert.equal(r.status, 407, from)
    }
    // our user, authenticated, is routed; so is a trusted peer without credentials
    const challenge = response(await send(w.server, invite('alice@example.com', '+4930999@example.com')))
    const cred = credentialsFor(challenge, 'INVITE', 'sip:+4930999@example.com', 'alice', 'alice-secret')
    const out = request(await send(w.server, invite('alice@example.com', '+4930999@example.com', [cred])))
    assert.equal(out.target.address, '192.0.2.10')
    const gw = { transport: 'udp', address: '192.0.2.50', port: 5060 } as const
    assert.equal(
      request(await send(w.server, invite('carol@example.org', '+4930999@example.com'), gw)).target.address,
      '192.0.2.10',
    )
    // a route marked auth: none (calls in to a PBX) is open to anyone
    const open = world({ routes: [{ ...pstn, auth: 'none' }] })
    const inbound = request(
      await send(open.server, invite('anyone@attacker.example', '+4930999@example.com'), BOB),
    )
    assert.equal(inbound.target.address, '192.0.2.10')
  })

  it('RFC 3325 §5: asserted identities from untrusted sources are removed; a trusted peer keeps them', async () => {
    const open = { domain: 'example.com', user: '^\\+?[0-9]+$', to: 'sip:192.0.2.10:5060', auth: 'none' }
    const trusted = new BlockList()
    trusted.addAddress('192.0.2.50')
    const w = world({ routes: [open] }, trusted)
    const claims = [
      'P-Asserted-Identity: <sip:alice@example.com>',
      'P-Asserted-Identity: <tel:+4930999>',
      'P-Preferred-Identity: <sip:bob@example.com>',
      'Remote-Party-ID: <sip:bob@example.com>;party=calling',
    ]
    const forged = request(
      await send(w.server, invite('eve@attacker.example', '+4930111@example.com', claims), BOB),
    )
    assert.deepEqual(
      ['P-Asserted-Identity', 'P-Preferred-Identity', 'Remote-Party-ID'].map((h) => forged.headers.raw(h)),
      [[], [], []],
    )
    const gw = { transport: 'udp', address: '192.0.2.50', port: 5060 } as const
    const kept = request(
      await send(w.server, invite('carol@example.org', '+4930111@example.com', claims), gw),
    )
    assert.deepEqual(kept.headers.raw('P-Asserted-Identity'), ['<sip:alice@example.com>', '<tel:+4930999>'])
  })

  it('RFC 3327: a Path from an untrusted REGISTER is ignored: calls go where the REGISTER came from', async () => {
    const w = world()
    const path = ['Path: <sip:10.20.0.5:5060;lr>']
    const challenge = response(await send(w.server, register('bob', '<sip:bob@10.20.0.5>', path), BOB))
    const cred = credentialsFor(challenge, 'REGISTER', 'sip:example.com', 'bob', 'bob-secret')
    const ok = response(
      await send(w.server, register('bob', '<sip:bob@10.20.0.5>', [...path, cred], 'reg-bob', 2), BOB),
    )
    assert.equal(ok.status, 200)
    assert.deepEqual(ok.headers.raw('Path'), [], 'no Path stored, none echoed (RFC 3327 §5.3)')
    const out = request(await send(w.server, invite('carol@example.org', 'bob@example.com')))
    assert.deepEqual([out.target.address, out.target.port], [BOB.address, BOB.port])
  })

  it('blocks a source after repeated failed authentications; others are unaffected', async () => {
    const w = world()
    const challenge = response(await send(w.server, register('alice', '<sip:alice@10.0.0.5>')))
    const wrong = credentialsFor(challenge, 'REGISTER', 'sip:example.com', 'alice', 'guess')
    for (let i = 0; i < 3; i++) {
      assert.equal(
        response(await send(w.server, register('alice', '<sip:alice@10.0.0.5>', [wrong]))).status,
        401,
      )
    }
    assert.equal(w.guard.isBlocked(ALICE.address), true)
    const since = w.server.network!.sent.length
    w.server.inject(register('alice', '<sip:alice@10.0.0.5>'), ALICE)
    await new Promise((r) => setTimeout(r, 20))
    assert.equal(w.server.network!.sent.length, since, 'dropped without an answer')
    const ok = await registered(w, 'bob', 'bob-secret', '<sip:bob@192.168.1.20>', BOB)
    assert.equal(ok.status, 200)
    assert.deepEqual({ ...w.guard.stats }, { failures: 3, blocks: 1, blockedSources: 1, trackedSources: 1 })
  })

  it('auth.realmPerDomain: each domain its own realm (REGISTER by its To, calls by their From); users of one realm only', async () => {
    const domains = ['a.example.com', 'b.example.com']
    const registrar = createRegistrar({ domains }, { store: createMemoryLocationStore() })
    const credentials = createMemoryCredentialStore([
      { user: 'alice', realm: 'a.example.com', secret: { password: 'alice-secret' } },
      { user: 'carol', realm: 'b.example.com', secret: { password: 'carol-secret' } },
    ])
    const options = { realm: 'a.example.com', secret: 'a test secret of 32 characters!!' }
    const realms = new Map(
      domains.map((d) => [d, createDigestAuth({ ...options, realm: d }, { credentials })]),
    )
    const server = createSipServer({
      route: createIetfRoute(routingConfig.parse({}), {
        registrar,
        auth: createDigestAuth(options, { credentials }),
        realms,
      }),
      domains,
    })
    const reg = (user: string, domain: string, extra: readonly string[] = [], cseq = 1) =>
      register(user, `<sip:${user}@10.0.0.5:5060>`, extra, `reg-${user}-${domain}`, cseq)
        .replace('REGISTER sip:example.com', `REGISTER sip:${domain}`)
        .replace(/@example\.com>/g, `@${domain}>`)
    const realmOf = (r: SipResponse) =>
      r.headers.get(r.status === 407 ? ProxyAuthenticate : WwwAuthenticate)?.[0]?.params.get('realm')

    const inB = response(await send(server, reg('carol', 'b.example.com')))
    assert.equal(inB.status, 401)
    assert.equal(realmOf(inB), 'b.example.com')
    const carol = credentialsFor(inB, 'REGISTER', 'sip:b.example.com', 'carol', 'carol-secret')
    assert.equal(response(await send(server, reg('carol', 'b.example.com', [carol], 2))).status, 200)

    // alice is a user of a.example.com: her password is no good in b.example.com's realm
    const aliceInB = response(await send(server, reg('alice', 'b.example.com')))
    assert.equal(realmOf(aliceInB), 'b.example.com')
    const wrongRealm = credentialsFor(aliceInB, 'REGISTER', 'sip:b.example.com', 'alice', 'alice-secret')
    assert.notEqual(response(await send(server, reg('alice', 'b.example.com', [wrongRealm], 2))).status, 200)

    // a call from carol is challenged in her domain's realm; her credentials for us are consumed
    const call = invite('carol@b.example.com', 'carol@b.example.com', [], 'call-realm')
    const challenge = response(await send(server, call))
    assert.equal(challenge.status, 407)
    assert.equal(realmOf(challenge), 'b.example.com')
    const proxyCred = credentialsFor(challenge, 'INVITE', 'sip:carol@b.example.com', 'carol', 'carol-secret')
    // with credentials for another of our realms and for a realm downstream: ours all come off
    const other = (realm: string) =>
      `Proxy-Authorization: Digest username="carol", realm="${realm}", nonce="n", uri="sip:carol@b.example.com", response="00000000000000000000000000000000"`
    const again = invite(
      'carol@b.example.com',
      'carol@b.example.com',
      [other('a.example.com'), proxyCred, other('gw.example.net')],
      'call-realm',
    )
    const forwarded = request(await send(server, again))
    assert.equal(forwarded.method, 'INVITE')
    assert.deepEqual(
      forwarded.headers.raw(ProxyAuthorization).map((v) => /realm="([^"]+)"/.exec(v)?.[1]),
      ['gw.example.net'],
    )
  })
})
