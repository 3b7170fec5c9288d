/**
 * Digest AKA (RFC 3310, RFC 4169) against the vectors of reference/ims.md §3.2–§3.4 (SIPp and
 * Kamailio interop captures) and as round trips. FC_NUM_RUNS sets the runs per property.
 */
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { computeHA1, type DigestChallenge, digestErrorCodes, parseCredentials } from '@junction/digest'
import fc from 'fast-check'
import {
  akaPassword,
  answerAkaChallenge,
  createAkaChallenge,
  createAkaNonce,
  decodeAuts,
  encodeAuts,
  parseAkaNonce,
  verifyAkaCredentials,
} from './digest-aka.ts'
import { AkaError, akaErrorCodes, akaFaultCodes } from './errors.ts'
import { hex, testSets, toHex } from './fixtures.test.ts'
import { createUsimSqn, SQN_MAX } from './sqn.ts'
import { generateVector, resync } from './vector.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const isInvalid = (e: unknown): boolean => e instanceof AkaError && e.code === akaFaultCodes.INVALID_ARGUMENT

const set1 = testSets[0]
const set2 = testSets[1]
const set2Keys = { k: hex(set2.k), op: hex(set2.op) }

describe('nonce (RFC 3310 §3.1)', () => {
  test('set 1 and set 2: base64(RAND ‖ AUTN) (reference/ims.md §3.2)', () => {
    assert.equal(
      createAkaNonce({ rand: hex(set1.rand), autn: hex('55f328b43577b9b94a9ffac354dfafb3') }),
      'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=',
    )
    assert.equal(
      createAkaNonce({ rand: hex(set2.rand), autn: hex('39f96cd9800faf175df5b31807e258b0') }),
      'wA1gMQPc7lLER4EZSUIC6Dn5bNmAD68XXfWzGAfiWLA=',
    )
  })

  test('parse gives RAND, AUTN and the server data back', () => {
    const nonce = createAkaNonce({
      rand: hex(set1.rand),
      autn: hex('55f328b43577b9b94a9ffac354dfafb3'),
      serverData: hex('0102'),
    })
    const r = parseAkaNonce(nonce)
    assert.ok(r.ok)
    assert.equal(toHex(r.value.rand), set1.rand)
    assert.equal(toHex(r.value.autn), '55f328b43577b9b94a9ffac354dfafb3')
    assert.equal(toHex(r.value.serverData), '0102')
  })

  test('bad nonces: JUNCTION_ERR_AKA_BAD_NONCE', () => {
    for (const nonce of [
      '',
      'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7',
      'a b',
      'x'.repeat(5000),
      '%%%%',
    ]) {
      const r = parseAkaNonce(nonce)
      assert.equal(!r.ok && r.error.code, akaErrorCodes.BAD_NONCE, JSON.stringify(nonce.slice(0, 40)))
    }
    assert.throws(() => createAkaNonce({ rand: new Uint8Array(15), autn: new Uint8Array(16) }), isInvalid)
  })
})

describe('AKAv1-MD5 (RFC 3310)', () => {
  test('vector A (SIPp 3.6.1, reference/ims.md §3.3): the UE side', () => {
    const challenge: DigestChallenge = {
      realm: 'ims.test',
      nonce: 'wA1gMQPc7lLER4EZSUIC6Dn5bNmAD68XXfWzGAfiWLA=',
      algorithm: 'AKAv1-MD5',
      qop: ['auth'],
    }
    const answer = answerAkaChallenge({
      ...set2Keys,
      challenge,
      username: 'alice@ims.test',
      method: 'REGISTER',
      uri: 'sip:127.0.0.1:25070',
      cnonce: '6b8b4567',
    })
    assert.equal(answer.outcome, 'authenticated')
    assert.ok(answer.outcome === 'authenticated')
    assert.equal(answer.credentials.response, '9501d9735a5b2f8f52811a406bdc0291')
    assert.equal(answer.credentials.nc, '00000001')
    assert.equal(answer.credentials.algorithm, 'AKAv1-MD5')
    assert.equal(toHex(answer.res), set2.f2)
    assert.equal(toHex(answer.ck), set2.f3)
    assert.equal(toHex(answer.ik), set2.f4)
  })

  test('vector A: the server side, and the password is RES as octets (not its hex text)', () => {
    const credentials = {
      username: 'alice@ims.test',
      realm: 'ims.test',
      nonce: 'wA1gMQPc7lLER4EZSUIC6Dn5bNmAD68XXfWzGAfiWLA=',
      uri: 'sip:127.0.0.1:25070',
      response: '9501d9735a5b2f8f52811a406bdc0291',
      algorithm: 'AKAv1-MD5',
      qop: 'auth',
      nc: '00000001',
      cnonce: '6b8b4567',
    } as const
    const vector = { rand: hex(set2.rand), xres: hex(set2.f2) }
    assert.deepEqual(verifyAkaCredentials(credentials, { method: 'REGISTER', vector }), {
      outcome: 'authenticated',
    })
    assert.deepEqual(
      verifyAkaCredentials(credentials, {
        method: 'REGISTER',
        vector: { ...vector, xres: hex('d3a628ed988620f1') },
      }),
      { outcome: 'wrong-response' },
    )
    assert.deepEqual(verifyAkaCredentials(credentials, { method: 'INVITE', vector }), {
      outcome: 'wrong-response',
    })
  })

  test('vector B (accepted by Kamailio ims_auth, reference/ims.md §3.3): qop=auth-int, empty body', () => {
    const xres = hex('5b8caba5d583b111')
    assert.equal(
      computeHA1({ algorithm: 'AKAv1-MD5', username: 'alice@ims.test', realm: 'ims.test', password: xres }),
      'c3215f43ad83854a5181b44e7b7c59ac',
    )
    const nonce = createAkaNonce({
      rand: hex('ba6bf6d6933b96657012702857d93245'),
      autn: hex('f548e454d484af1782a30229235fb8ab'),
    })
    assert.equal(nonce, 'umv21pM7lmVwEnAoV9kyRfVI5FTUhK8XgqMCKSNfuKs=')
    const answer = answerAkaChallenge({
      ...set2Keys,
      challenge: { realm: 'ims.test', nonce, algorithm: 'AKAv1-MD5', qop: ['auth-int'] },
      username: 'alice@ims.test',
      method: 'REGISTER',
      uri: 'sip:ims.test',
      cnonce: '6b8b4567',
    })
    assert.ok(answer.outcome === 'authenticated')
    assert.equal(answer.credentials.qop, 'auth-int')
    assert.equal(answer.credentials.response, 'ed7de936fedd30903c45eb9965279110')
    assert.deepEqual(
      verifyAkaCredentials(answer.credentials, {
        method: 'REGISTER',
        body: '',
        vector: { rand: hex('ba6bf6d6933b96657012702857d93245'), xres },
      }),
      { outcome: 'authenticated' },
    )
  })

  test('resynchronisation (reference/ims.md §3.4): auts, empty-password response, HSS recovers SQN_MS', () => {
    const answer = answerAkaChallenge({
      ...set2Keys,
      challenge: {
        realm: 'ims.test',
        nonce: 'wA1gMQPc7lLER4EZSUIC6Dn5bNmA768XbWVO7tI/4aY=',
        algorithm: 'AKAv1-MD5',
      },
      username: 'alice@ims.test',
      method: 'REGISTER',
      uri: 'sip:ims.test',
      usim: createUsimSqn({ sqnMs: 0xfd8eef41ffffn }),
    })
    assert.ok(answer.outcome === 'sync-failure')
    assert.equal(answer.credentials.auts, 'zX/2MZ4+R3ZAI5n2mdo=')
    assert.equal(answer.credentials.response, 'c686f77b762e24da561739c0c1ceb3c0')
    assert.equal(toHex(answer.auts), 'cd7ff6319e3e4776402399f699da')

    // The S-CSCF sees auts and asks the HSS (MAR with RAND ‖ AUTS).
    const verdict = verifyAkaCredentials(answer.credentials, {
      method: 'REGISTER',
      vector: { rand: hex(set2.rand), xres: hex('00000000') },
    })
    assert.ok(verdict.outcome === 'resync')
    assert.equal(toHex(verdict.rand), set2.rand)
    assert.deepEqual(resync({ ...set2Keys, rand: verdict.rand, auts: verdict.auts }), {
      ok: true,
      sqnMs: 0xfd8eef41ffffn,
    })
  })

  test('MAC failure: empty response, no auts (RFC 3310 §3.3); the server sees a network authentication failure', () => {
    const autn = hex('39f96cd9800faf175df5b31807e258b1') // last bit of MAC-A flipped
    const challenge = createAkaChallenge({ realm: 'ims.test', vector: { rand: hex(set2.rand), autn } })
    const answer = answerAkaChallenge({
      ...set2Keys,
      challenge,
      username: 'alice@ims.test',
      method: 'REGISTER',
      uri: 'sip:ims.test',
    })
    assert.ok(answer.outcome === 'mac-failure')
    assert.equal(answer.credentials.response, '')
    assert.equal(answer.credentials.auts, undefined)
    assert.deepEqual(
      verifyAkaCredentials(answer.credentials, {
        method: 'REGISTER',
        vector: { rand: hex(set2.rand), xres: hex(set2.f2) },
      }),
      { outcome: 'network-authentication-failure' },
    )
  })

  test('the server refuses a malformed auts, and credentials naming another algorithm', () => {
    const base = {
      username: 'u',
      realm: 'r',
      nonce: 'n',
      uri: 'sip:r',
      response: '00000000000000000000000000000000',
    }
    const vector = { rand: hex(set2.rand), xres: hex(set2.f2) }
    for (const auts of ['', 'not base64!', 'zX/2MZ4+R3ZAI5n2', 'zX/2MZ4+R3ZAI5n2mdoA']) {
      assert.deepEqual(
        verifyAkaCredentials({ ...base, auts }, { method: 'REGISTER', vector }),
        { outcome: 'bad-auts' },
        auts,
      )
    }
    assert.deepEqual(verifyAkaCredentials({ ...base, algorithm: 'MD5' }, { method: 'REGISTER', vector }), {
      outcome: 'wrong-response',
    })
  })

  test('the UE refuses a challenge that is not AKA, or whose nonce is not RAND ‖ AUTN', () => {
    const common = { ...set2Keys, username: 'u', method: 'REGISTER', uri: 'sip:r' }
    const md5 = answerAkaChallenge({
      ...common,
      challenge: { realm: 'r', nonce: 'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=' },
    })
    assert.ok(md5.outcome === 'invalid')
    assert.equal(md5.error.code, digestErrorCodes.UNSUPPORTED_ALGORITHM)
    const short = answerAkaChallenge({
      ...common,
      challenge: { realm: 'r', nonce: 'AAAA', algorithm: 'AKAv1-MD5' },
    })
    assert.ok(short.outcome === 'invalid')
    assert.equal(short.error.code, akaErrorCodes.BAD_NONCE)
    const qop = answerAkaChallenge({
      ...common,
      challenge: {
        realm: 'r',
        nonce: 'wA1gMQPc7lLER4EZSUIC6Dn5bNmAD68XXfWzGAfiWLA=',
        algorithm: 'AKAv1-MD5',
        qop: ['auth-conf'],
      },
    })
    assert.ok(qop.outcome === 'invalid')
    assert.equal(qop.error.code, digestErrorCodes.UNSUPPORTED_QOP)
  })

  test('auts encoding: base64 of 14 octets, 20 characters', () => {
    assert.equal(encodeAuts(hex('ba853f3c123ccf44e93596e355c6')), 'uoU/PBI8z0TpNZbjVcY=')
    assert.equal(
      toHex(decodeAuts('uoU/PBI8z0TpNZbjVcY=') ?? new Uint8Array(0)),
      'ba853f3c123ccf44e93596e355c6',
    )
    assert.equal(decodeAuts('uoU/PBI8z0TpNZbjVc=='), undefined)
    assert.throws(() => encodeAuts(new Uint8Array(13)), isInvalid)
  })
})

describe('AKAv2-MD5 (RFC 4169 §3)', () => {
  /** HMAC-MD5 written out from RFC 2104 §2, independently of node's createHmac. */
  function hmacMd5(key: Uint8Array, data: string): Buffer {
    const k = Buffer.alloc(64)
    Buffer.from(key).copy(k)
    const inner = createHash('md5')
      .update(k.map((b) => b ^ 0x36))
      .update(data)
      .digest()
    return createHash('md5')
      .update(k.map((b) => b ^ 0x5c))
      .update(inner)
      .digest()
  }

  test('password = base64(HMAC-MD5 keyed with RES ‖ IK ‖ CK over "http-digest-akav2-password")', () => {
    const res = hex(set2.f2)
    const ik = hex(set2.f4)
    const ck = hex(set2.f3)
    const expected = hmacMd5(Buffer.concat([res, ik, ck]), 'http-digest-akav2-password').toString('base64')
    assert.equal(akaPassword('AKAv2-MD5', { res, ik, ck }), expected)
    assert.equal(expected.length, 24)
    assert.deepEqual(akaPassword('AKAv1-MD5', { res }), res)
    assert.throws(() => akaPassword('AKAv2-MD5', { res }), isInvalid)
    assert.throws(() => akaPassword('AKAv2-MD5', { res, ik: new Uint8Array(15), ck }), isInvalid)
    assert.throws(() => akaPassword('AKAv1-MD5', { res: new Uint8Array(2) }), isInvalid)
    assert.throws(() => akaPassword('MD5' as never, { res }), isInvalid)
  })

  test('challenge and response round trip; AKAv1 credentials do not pass an AKAv2 check', () => {
    const v = generateVector({ k: hex(set1.k), op: hex(set1.op), sqn: 0x20n, amf: hex('8000') })
    const challenge = createAkaChallenge({
      realm: 'ims.test',
      vector: v,
      algorithm: 'AKAv2-MD5',
      qop: ['auth', 'auth-int'],
    })
    assert.equal(challenge.algorithm, 'AKAv2-MD5')
    const answer = answerAkaChallenge({
      k: hex(set1.k),
      opc: hex(set1.opc),
      challenge,
      username: 'bob@ims.test',
      method: 'REGISTER',
      uri: 'sip:ims.test',
    })
    assert.ok(answer.outcome === 'authenticated')
    const check = { method: 'REGISTER', vector: v, algorithm: 'AKAv2-MD5' } as const
    assert.deepEqual(verifyAkaCredentials(answer.credentials, check), { outcome: 'authenticated' })
    assert.deepEqual(verifyAkaCredentials(answer.credentials, { ...check, algorithm: 'AKAv1-MD5' }), {
      outcome: 'wrong-response',
    })
    const { algorithm: _, ...withoutAlgorithm } = answer.credentials
    assert.deepEqual(verifyAkaCredentials(withoutAlgorithm, { ...check, algorithm: 'AKAv1-MD5' }), {
      outcome: 'wrong-response',
    })
  })
})

describe('properties', () => {
  const key = fc.uint8Array({ minLength: 16, maxLength: 16 })

  test('challenge → UE answer → server verdict, for any subscriber, SQN, algorithm and qop', () => {
    fc.assert(
      fc.property(
        key,
        key,
        fc.bigInt({ min: 32n, max: SQN_MAX }),
        fc.constantFrom('AKAv1-MD5', 'AKAv2-MD5'),
        fc.constantFrom<readonly ('auth' | 'auth-int')[]>(['auth'], ['auth-int'], ['auth', 'auth-int']),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 63 }),
        (k, opc, sqn, algorithm, qop, body, bit) => {
          const vector = generateVector({ k, opc, sqn, amf: hex('8000') })
          const challenge = createAkaChallenge({ realm: 'ims.test', vector, algorithm, qop })
          // A USIM that last accepted the SQN just below this one.
          const usim = createUsimSqn({ sqnMs: sqn - 32n })
          const ue = {
            k,
            opc,
            challenge,
            username: 'user@ims.test',
            method: 'REGISTER',
            uri: 'sip:ims.test',
            body,
            usim,
          }
          const answer = answerAkaChallenge(ue)
          assert.ok(answer.outcome === 'authenticated', answer.outcome)
          assert.deepEqual([...answer.res], [...vector.xres])
          // Through the directive map, as the Authorization header carries it.
          const received = parseCredentials(
            new Map(Object.entries(answer.credentials).map(([n, v]) => [n, String(v)])),
          )
          assert.ok(received.ok)
          const check = { method: 'REGISTER', body, vector, algorithm } as const
          assert.deepEqual(verifyAkaCredentials(received.value, check), { outcome: 'authenticated' })
          const xres = Buffer.from(vector.xres)
          xres[bit >> 3] = (xres[bit >> 3] as number) ^ (0x80 >> (bit & 7))
          assert.deepEqual(verifyAkaCredentials(received.value, { ...check, vector: { ...vector, xres } }), {
            outcome: 'wrong-response',
          })
          // The same vector again is a replay for the USIM: a sync failure whose AUTS resynchronises.
          const again = answerAkaChallenge(ue)
          assert.ok(again.outcome === 'sync-failure', again.outcome)
          const verdict = verifyAkaCredentials(again.credentials, check)
          assert.ok(verdict.outcome === 'resync')
          assert.deepEqual(resync({ k, opc, rand: verdict.rand, auts: verdict.auts }), {
            ok: true,
            sqnMs: sqn,
          })
        },
      ),
      { numRuns },
    )
  })
})
