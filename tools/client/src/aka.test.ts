import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createAkaChallenge,
  createMilenage,
  generateVector,
  nextSqn,
  resync,
  verifyAkaCredentials,
} from '@junction/aka'
import { createChallenge } from '@junction/digest'
import { createAkaProvider, parseKey } from './aka.ts'

// TS 35.207 test set 1
const k = parseKey('465b5ce8b199b49faa5f0a2ee238a6bc')!
const opc = parseKey('cd63cb71954a9f4e48a5994e37a02baf')!
const op = parseKey('cdc202d5123e20f62b6d676ac72cb318')!
const amf = Uint8Array.of(0x80, 0x00)
const milenage = createMilenage({ k, opc })
const input = (challenge: ReturnType<typeof createChallenge>, nc = 1) => ({
  challenge,
  proxy: false,
  method: 'REGISTER',
  uri: 'sip:ims.test',
  body: new Uint8Array(0),
  nc,
})

describe('the AKA credentials provider (RFC 3310, TS 33.102)', () => {
  test('answers an AKAv1-MD5 challenge with RES: the S-CSCF check (verifyAkaCredentials) authenticates it, with OP or OPc', () => {
    for (const keys of [{ opc }, { op }]) {
      const outcomes: string[] = []
      const provider = createAkaProvider({
        k,
        ...keys,
        impi: 'alice@ims.test',
        onOutcome: (o) => outcomes.push(o),
      })
      const vector = generateVector({ milenage, sqn: nextSqn(0n), amf })
      const credentials = provider.answer(input(createAkaChallenge({ realm: 'ims.test', vector })))
      assert.ok(credentials !== undefined)
      assert.equal(credentials.username, 'alice@ims.test')
      assert.deepEqual(verifyAkaCredentials(credentials, { method: 'REGISTER', vector }), {
        outcome: 'authenticated',
      })
      assert.deepEqual(outcomes, ['authenticated'])
    }
  })

  test("an SQN at or below the USIM's: AUTS, from which the HSS recovers SQN_MS; the next vector authenticates", () => {
    const sqnMs = nextSqn(nextSqn(nextSqn(0n)))
    const provider = createAkaProvider({ k, opc, impi: 'alice@ims.test', sqn: sqnMs })
    const stale = generateVector({ milenage, sqn: nextSqn(0n), amf })
    const first = provider.answer(input(createAkaChallenge({ realm: 'ims.test', vector: stale })))!
    const verdict = verifyAkaCredentials(first, { method: 'REGISTER', vector: stale })
    assert.equal(verdict.outcome, 'resync')
    assert.ok(verdict.outcome === 'resync')
    const r = resync({ milenage, rand: verdict.rand, auts: verdict.auts })
    assert.ok(r.ok)
    assert.equal(r.sqnMs, sqnMs)
    const fresh = generateVector({ milenage, sqn: nextSqn(r.sqnMs), amf })
    const second = provider.answer(input(createAkaChallenge({ realm: 'ims.test', vector: fresh })))!
    assert.deepEqual(verifyAkaCredentials(second, { method: 'REGISTER', vector: fresh }), {
      outcome: 'authenticated',
    })
  })

  test('a vector from another key: MAC failure, an empty response (the network is not genuine)', () => {
    const provider = createAkaProvider({ k, opc, impi: 'alice@ims.test' })
    const other = createMilenage({ k: parseKey('0396eb317b6d1c36f19c1c84cd6ffd16')!, opc })
    const vector = generateVector({ milenage: other, sqn: nextSqn(0n), amf })
    const c = provider.answer(input(createAkaChallenge({ realm: 'ims.test', vector })))!
    assert.equal(c.response, '')
  })

  test('a plain Digest challenge is left to other providers', () => {
    const provider = createAkaProvider({ k, opc, impi: 'alice@ims.test' })
    assert.equal(provider.answer(input(createChallenge({ realm: 'r', algorithm: 'MD5' }))), undefined)
  })
})
