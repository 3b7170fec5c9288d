/**
 * junction-ietf (a real process, its bin) with the two browser SIP stacks, JsSIP and SIP.js, run
 * in Node over WebSocket (RFC 7118) with signalling-only media (see browser-clients.ts):
 *
 * - a JsSIP user (alice) and a SIP.js user (bob) REGISTER over WS with digest (401 round);
 * - JsSIP calls SIP.js and SIP.js calls JsSIP through junction-ietf: INVITE (with the 407 round)
 *   → 200 → ACK → BYE → 200, each step asserted on the side that must see it. Their Contacts are
 *   `sip:xyz@abc.invalid;transport=ws` (or JsSIP's GRUU): junction-ietf reaches each one over its
 *   registered WS flow and, inside the dialog, through the Contact alias.
 *
 * JsSIP 3.13 and SIP.js 0.21 keep only the LAST WWW-Authenticate of a 401 (their parsers replace
 * the previous one) and need it to be MD5: the first suite offers SHA-256, SHA-512-256, MD5 (most
 * preferred first, RFC 8760 §2.4, MD5 last); the second runs junction-ietf's default, MD5 alone.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  bounded,
  dump,
  installGlobals,
  type JsSipCall,
  JsSipUser,
  received,
  type SipJsCall,
  SipJsUser,
  sees,
  trace,
  uninstallGlobals,
} from './browser-clients.ts'
import { type Ietf, startIetf } from './process.ts'

const DOMAIN = '127.0.0.1'

async function rpc(ietf: Ietf, method: string, params?: unknown): Promise<unknown> {
  const { host, port } = ietf.admin!
  const res = await fetch(`http://${host}:${port}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: unknown; error?: unknown }
  assert.equal(body.error, undefined)
  return body.result
}

/** Runs `body`; when it fails, the error also carries junction-ietf's warnings and errors. */
async function withLogs(ietf: Ietf, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (e) {
    const min = process.env['IETF_LOG'] === 'debug' ? 20 : 40
    const logs = ietf.lines
      .filter((l) => Number(l['level']) >= min)
      .map((l) => JSON.stringify(l).slice(0, 600))
      .join('\n')
    if (e instanceof Error) e.message += `\njunction-ietf log (level >= ${min}):\n${logs || '(none)'}`
    throw e
  }
}

function config(auth?: object): object {
  return {
    sip: { listen: ['udp:127.0.0.1:0', 'ws:127.0.0.1:0'], domains: [DOMAIN] },
    ...(auth === undefined ? {} : { auth }),
    admin: { port: 0 },
    // IETF_LOG=debug: junction-ietf's debug lines in the failure messages
    log: { level: process.env['IETF_LOG'] === 'debug' ? 'debug' : 'info' },
  }
}

describe('junction-ietf with JsSIP and SIP.js over WebSocket', { timeout: 180_000 }, () => {
  let ietf: Ietf
  let alice: JsSipUser
  let bob: SipJsUser

  before(async () => {
    installGlobals()
    // no auth.users: the example users alice/alice-secret and bob/bob-secret (loopback only).
    // MD5 last: JsSIP and SIP.js keep only the LAST WWW-/Proxy-Authenticate of a response (see
    // the default-order suite below).
    ietf = await startIetf(config({ algorithms: ['SHA-256', 'SHA-512-256', 'MD5'] }))
    const ws = `ws://127.0.0.1:${ietf.port('ws')}`
    alice = new JsSipUser('alice', 'alice-secret', ws, DOMAIN)
    bob = new SipJsUser('bob', 'bob-secret', ws, DOMAIN)
  })

  after(async () => {
    await Promise.allSettled([alice?.stop(), bob?.stop()])
    await ietf?.stop()
    uninstallGlobals()
  })

  test('JsSIP and SIP.js REGISTER over WS with digest', { timeout: 40_000 }, () =>
    withLogs(ietf, async () => {
      await alice.register()
      await bob.register()
      for (const user of ['alice', 'bob']) {
        // a 401 challenge, then the 200...
        assert.deepEqual(
          received(user).filter((r) => r.endsWith('REGISTER')),
          ['401 REGISTER', '200 REGISTER'],
          dump(user),
        )
        // ...to credentials computed with MD5, the one challenge of the three they can answer
        const sent = trace(user).filter((f) => f.dir === '>' && f.text.startsWith('REGISTER '))
        assert.match(sent[1]?.text ?? '', /\r\nAuthorization: Digest [^\r]*algorithm=MD5/i, dump(user))
        // the binding: the .invalid WS Contact, reached over the flow it registered from
        const bindings = (await rpc(ietf, 'registrar.lookup', { aor: `sip:${user}@${DOMAIN}` })) as Array<{
          contact: string
          flowId?: string
        }>
        assert.equal(bindings.length, 1, `${user}: ${JSON.stringify(bindings)}`)
        assert.match(bindings[0]!.contact, /\.invalid;transport=ws$/i, JSON.stringify(bindings))
        assert.match(bindings[0]!.flowId ?? '', /^ws:/, JSON.stringify(bindings))
      }
    }),
  )

  describe('JsSIP calls SIP.js', () => {
    let session: Awaited<ReturnType<JsSipUser['call']>> | undefined
    let call: SipJsCall | undefined
    let start = 0

    test('the INVITE reaches SIP.js over its WS flow, the 200 reaches JsSIP', { timeout: 40_000 }, () =>
      withLogs(ietf, async () => {
        start = received('bob').length
        const incoming = bob.nextIncoming()
        const calling = alice.call(`sip:bob@${DOMAIN}`)
        // the callee got the INVITE, after the caller answered the proxy's 407
        const invitation = await incoming
        assert.ok(received('alice').includes('407 INVITE'), dump('alice'))
        const answered = bob.answer(invitation)
        // the caller got the 200 (JsSIP confirms the session when it has sent the ACK)
        session = await calling
        call = await answered
        assert.ok(received('alice').includes('200 INVITE'), dump('alice'))
        assert.deepEqual(received('bob').slice(start).filter(isRequest), ['INVITE'], dump('bob'))
      }),
    )

    test('the ACK and the BYE reach SIP.js, the 200 to the BYE JsSIP', { timeout: 40_000 }, () =>
      withLogs(ietf, async () => {
        assert.ok(session !== undefined && call !== undefined, 'no call established')
        try {
          // in the dialog: Route (our Record-Route), then the callee's Contact alias
          await bounded(call.acked, 'SIP.js bob waiting for the ACK')
          alice.hangUp(session)
          await bounded(call.byeReceived, 'SIP.js bob waiting for the BYE')
          await sees('alice', '200 BYE')
          assert.deepEqual(
            received('bob').slice(start).filter(isRequest),
            ['INVITE', 'ACK', 'BYE'],
            dump('bob'),
          )
        } finally {
          alice.hangUp(session)
        }
      }),
    )
  })

  describe('SIP.js calls JsSIP', () => {
    let call: SipJsCall | undefined
    let answered: JsSipCall | undefined
    let start = 0

    test('the INVITE reaches JsSIP over its WS flow, the 200 reaches SIP.js', { timeout: 40_000 }, () =>
      withLogs(ietf, async () => {
        start = received('alice').length
        const incoming = alice.nextIncoming()
        const calling = bob.call(`sip:alice@${DOMAIN}`)
        // the callee got the INVITE, after the caller answered the proxy's 407
        const session = await incoming
        assert.ok(received('bob').includes('407 INVITE'), dump('bob'))
        answered = alice.answer(session)
        // the caller got the 200
        call = await calling
        assert.ok(received('bob').includes('200 INVITE'), dump('bob'))
        assert.deepEqual(received('alice').slice(start).filter(isRequest), ['INVITE'], dump('alice'))
      }),
    )

    test('the ACK and the BYE reach JsSIP, the 200 to the BYE SIP.js', { timeout: 40_000 }, () =>
      withLogs(ietf, async () => {
        assert.ok(call !== undefined && answered !== undefined, 'no call established')
        await bounded(answered.acked, 'JsSIP alice waiting for the ACK')
        await bob.hangUp(call)
        await bounded(answered.byeReceived, 'JsSIP alice waiting for the BYE')
        assert.ok(received('bob').includes('200 BYE'), dump('bob'))
        assert.deepEqual(
          received('alice').slice(start).filter(isRequest),
          ['INVITE', 'ACK', 'BYE'],
          dump('alice'),
        )
      }),
    )
  })
})

describe('junction-ietf with its default challenge (MD5 alone)', { timeout: 60_000 }, () => {
  let ietf: Ietf
  let carol: JsSipUser
  let dave: SipJsUser

  before(async () => {
    installGlobals()
    ietf = await startIetf(config())
    const ws = `ws://127.0.0.1:${ietf.port('ws')}`
    carol = new JsSipUser('alice', 'alice-secret', `${ws}/default`, DOMAIN)
    dave = new SipJsUser('bob', 'bob-secret', `${ws}/default`, DOMAIN)
  })

  after(async () => {
    await Promise.allSettled([carol?.stop(), dave?.stop()])
    await ietf?.stop()
    uninstallGlobals()
  })

  test('JsSIP and SIP.js REGISTER', { timeout: 40_000 }, () =>
    withLogs(ietf, async () => {
      // both tried, each failure named
      const results = await Promise.allSettled([carol.register(), dave.register()])
      const failures = results.flatMap((r) =>
        r.status === 'rejected' ? [String((r.reason as Error).message).split('\n')[0]] : [],
      )
      assert.deepEqual(failures, [], `${failures.join('\n')}\n${dump('default', 12)}`)
    }),
  )
})

function isRequest(entry: string): boolean {
  return !/^\d{3} /.test(entry)
}
