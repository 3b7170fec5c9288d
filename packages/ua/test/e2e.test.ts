/**
 * Two user agents call each other through an in-process Junction proxy (`@junction/proxy`, RFC
 * 3261 §16, record-routing) over UDP on loopback: INVITE with an offer, 180, 200 with the answer,
 * ACK, a MESSAGE within and outside the dialog, re-INVITE, BYE — and a CANCEL of a ringing call.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createSipServer, type Route, type SipServer } from '@junction/proxy'
import { CSeq, formatUri, RecordRoute } from '@junction/sip'
import { createTransport } from '@junction/transport'
import { createUserAgent, type IncomingCall, type UserAgent } from '../src/index.ts'

const users = new Map<string, string>()
const route: Route = {
  onRequest(ctx) {
    if (ctx.inDialog) return ctx.forwardInDialog()
    const uri = ctx.request.uri
    const target = uri.kind === 'sip' && uri.user !== undefined ? users.get(uri.user) : undefined
    if (target === undefined) return ctx.reply(404)
    return ctx.forward(target, { recordRoute: true })
  },
}

let proxy: SipServer
let proxyUri: string
const calls: IncomingCall[] = []
const messages: string[] = []
let cancelledCalls = 0
let alice: UserAgent
let bob: UserAgent

function agent(user: string, onInvite?: (call: IncomingCall) => void): UserAgent {
  return createUserAgent(
    {
      identity: { uri: `sip:${user}@127.0.0.1` },
      outboundProxy: proxyUri,
      handlers: {
        ...(onInvite === undefined ? {} : { onInvite }),
        onMessage(req) {
          messages.push(`${user}:${new TextDecoder().decode(req.body)}`)
        },
      },
    },
    { transport: (deps) => createTransport({ listen: ['udp:127.0.0.1:0'] }, deps) },
  )
}

before(async () => {
  proxy = createSipServer({ listen: ['udp:127.0.0.1:0'], domains: ['127.0.0.1'], route })
  await proxy.start()
  proxyUri = `sip:127.0.0.1:${proxy.transport.listeners[0]!.port}`
  alice = agent('alice')
  bob = agent('bob', (call) => {
    calls.push(call)
    call.onCancel = () => cancelledCalls++
    call.progress(180)
    if (call.request.headers.raw('Subject')[0] !== 'ring-only')
      void call.accept({ body: 'v=0\r\no=bob\r\n', contentType: 'application/sdp' })
  })
  await alice.start()
  await bob.start()
  users.set('alice', `sip:alice@127.0.0.1:${alice.transport.listeners[0]!.port}`)
  users.set('bob', `sip:bob@127.0.0.1:${bob.transport.listeners[0]!.port}`)
})

after(async () => {
  await alice?.stop()
  await bob?.stop()
  await proxy?.stop()
})

describe('two user agents through a Junction proxy over UDP', () => {
  test('OPTIONS and MESSAGE outside a dialog', async () => {
    assert.equal((await alice.request('OPTIONS', 'sip:bob@127.0.0.1')).response.status, 200)
    const m = await alice.message('sip:bob@127.0.0.1', 'hello bob')
    assert.equal(m.response.status, 200)
    assert.ok(messages.includes('bob:hello bob'))
    assert.equal((await alice.message('sip:carol@127.0.0.1', 'x')).response.status, 404)
  })

  test('a call: INVITE/180/200/ACK with offer and answer, re-INVITE, BYE, all through the proxy (Record-Route)', async () => {
    const provisional: number[] = []
    const call = alice.invite('sip:bob@127.0.0.1', {
      offer: { body: 'v=0\r\no=alice\r\n', contentType: 'application/sdp' },
      onProvisional: (r) => provisional.push(r.status),
    })
    const result = await call.result
    assert.ok(result.ok, `call failed: ${result.ok ? '' : result.outcome.response.status}`)
    assert.deepEqual(provisional, [180])
    const session = result.session
    assert.equal(new TextDecoder().decode(session.remoteBody!.body as Uint8Array), 'v=0\r\no=bob\r\n')
    // the proxy record-routed: the dialog's route set holds it (§12.1.2)
    assert.equal(session.dialog.routeSet.length, 1)
    assert.equal(result.response.headers.get(RecordRoute)?.length, 1)
    // bob's side of the session, once the ACK arrived
    await waitFor(() => bob.sessions.size === 1)
    const bobSession = [...bob.sessions][0]!
    assert.equal(bobSession.dialog.callId, session.dialog.callId)
    assert.equal(new TextDecoder().decode(bobSession.remoteBody!.body as Uint8Array), 'v=0\r\no=alice\r\n')
    // a MESSAGE within the dialog from bob to alice, routed by the route set
    const got: string[] = []
    session.onRequest = (req) => got.push(`${req.method}:${new TextDecoder().decode(req.body)}`)
    const m = await bobSession.request('MESSAGE', { body: 'in dialog', contentType: 'text/plain' })
    assert.equal(m.response.status, 200)
    assert.deepEqual(got, ['MESSAGE:in dialog'])
    // re-INVITE from alice
    const re = await session.reinvite({ body: 'v=0\r\no=alice2\r\n', contentType: 'application/sdp' })
    assert.equal(re.response.status, 200)
    assert.equal(re.response.headers.get(CSeq)?.seq, session.dialog.localSeq)
    await waitFor(() =>
      new TextDecoder().decode(bobSession.remoteBody!.body as Uint8Array).includes('alice2'),
    )
    // BYE from alice ends both sides
    const bye = await session.bye()
    assert.equal(bye.response.status, 200)
    assert.equal((await bobSession.ended).by, 'remote')
    assert.equal(alice.sessions.size, 0)
    assert.equal(bob.sessions.size, 0)
    assert.match(formatUri(session.dialog.routeSet[0]!.uri), /^sip:127\.0\.0\.1:\d+;lr/)
  })

  test('CANCEL of a ringing call: 487 at the caller, onCancel at the callee', async () => {
    const before = calls.length
    const call = alice.invite('sip:bob@127.0.0.1', {
      offer: { body: 'v=0\r\n', contentType: 'application/sdp' },
      headers: { Subject: 'ring-only' },
      onProvisional: () => call.cancel(),
    })
    const result = await call.result
    assert.ok(!result.ok)
    assert.equal(result.outcome.response.status, 487)
    assert.equal(calls.length, before + 1)
    assert.equal(calls.at(-1)!.state, 'cancelled')
    assert.equal(cancelledCalls, 1)
  })
})

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
