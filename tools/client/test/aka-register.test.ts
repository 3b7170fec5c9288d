/**
 * IMS AKA registration end to end over UDP: `register` with --aka flags against an in-process
 * S-CSCF stand-in (a Junction proxy route with `@junction/aka`'s network side: vectors from
 * Milenage, AKAv1-MD5 challenges, verification, resynchronisation from AUTS, TS 33.102 §6.3.5).
 * A client whose USIM is ahead of the network's SQN resynchronises and ends in 200 OK.
 * The same against Kamailio's IMS core and junction-hss: ims.test.ts.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type AuthenticationVector,
  createAkaChallenge,
  createMilenage,
  generateVector,
  nextSqn,
  resync,
  verifyAkaCredentials,
} from '@junction/aka'
import { challengeDirectives, parseCredentials } from '@junction/digest'
import { createSipServer, type Route, type SipServer } from '@junction/proxy'
import { Authorization, WwwAuthenticate } from '@junction/sip'
import { type ClientEvent, register, run } from '../src/index.ts'

const K = '465b5ce8b199b49faa5f0a2ee238a6bc'
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf'
const milenage = createMilenage({ k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex') })
const realm = 'ims.test'
let sqnHe = 0n
const vectors = new Map<string, AuthenticationVector>()
const verdicts: string[] = []

function challenge(ctx: Parameters<Route['onRequest']>[0]) {
  sqnHe = nextSqn(sqnHe)
  const vector = generateVector({ milenage, sqn: sqnHe, amf: Uint8Array.of(0x80, 0) })
  const c = createAkaChallenge({ realm, vector })
  vectors.set(c.nonce, vector)
  return ctx.reply(401, undefined, {
    headers: {
      'WWW-Authenticate': WwwAuthenticate.format({ scheme: 'Digest', params: challengeDirectives(c) }),
    },
  })
}

const route: Route = {
  onRequest(ctx) {
    const req = ctx.request
    if (req.method !== 'REGISTER') return ctx.reply(403)
    const auth = req.headers.get(Authorization)?.[0]
    if (auth === undefined) return challenge(ctx)
    const parsed = parseCredentials(auth.params)
    const vector = parsed.ok ? vectors.get(parsed.value.nonce) : undefined
    if (!parsed.ok || vector === undefined) return challenge(ctx)
    vectors.delete(parsed.value.nonce)
    const verdict = verifyAkaCredentials(parsed.value, { method: 'REGISTER', vector })
    verdicts.push(verdict.outcome)
    if (verdict.outcome === 'authenticated') {
      return ctx.reply(200, undefined, {
        headers: { Contact: `${req.headers.raw('Contact')[0]}`, Expires: '600' },
      })
    }
    if (verdict.outcome === 'resync') {
      const r = resync({ milenage, rand: verdict.rand, auts: verdict.auts })
      if (!r.ok) return ctx.reply(403)
      sqnHe = r.sqnMs
      return challenge(ctx)
    }
    return ctx.reply(403, verdict.outcome)
  },
}

let server: SipServer
let proxy: string
before(async () => {
  server = createSipServer({ listen: ['udp:127.0.0.1:0'], domains: [realm], route })
  await server.start()
  proxy = `sip:127.0.0.1:${server.transport.listeners[0]!.port}`
})
after(async () => {
  await server?.stop()
})

describe('register with IMS AKA (AKAv1-MD5) against an in-process S-CSCF stand-in', () => {
  test('401 with an AKA challenge, answered with RES: 200', async () => {
    verdicts.length = 0
    const events: ClientEvent[] = []
    const r = await register(`sip:alice@${realm}`, {
      proxy,
      local: '127.0.0.1',
      aka: { k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex'), impi: `alice@${realm}` },
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.exitCode, 0, JSON.stringify(events))
    assert.deepEqual(verdicts, ['authenticated'])
    assert.deepEqual(
      events.filter((e) => e.event === 'aka').map((e) => e['outcome']),
      ['authenticated'],
    )
  })

  test("the USIM's SQN is ahead of the network's: AUTS, resynchronisation, then 200 (the CLI, --aka-sqn)", async () => {
    verdicts.length = 0
    sqnHe = 0n
    const out: string[] = []
    const code = await run(
      [
        'register',
        `sip:alice@${realm}`,
        '--proxy',
        proxy,
        '--local',
        '127.0.0.1',
        '--aka-k',
        K,
        '--aka-opc',
        OPC,
        '--aka-sqn',
        String(32 * 40),
        '--json',
      ],
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
    )
    assert.equal(code, 0, out.join(''))
    assert.deepEqual(verdicts, ['resync', 'authenticated'])
    const events = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ClientEvent)
    assert.deepEqual(
      events.filter((e) => e.event === 'aka').map((e) => e['outcome']),
      ['sync-failure', 'authenticated'],
    )
    assert.equal(events.find((e) => e.event === 'response')?.['status'], 200)
  })

  test('wrong keys: the network fails authentication, an empty response, 403, exit code 1', async () => {
    verdicts.length = 0
    const r = await register(`sip:alice@${realm}`, {
      proxy,
      local: '127.0.0.1',
      aka: { k: Buffer.from('0396eb317b6d1c36f19c1c84cd6ffd16', 'hex'), opc: Buffer.from(OPC, 'hex') },
    })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 403)
    assert.deepEqual(verdicts, ['network-authentication-failure'])
  })
})
