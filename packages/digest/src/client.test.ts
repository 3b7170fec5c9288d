/**
 * Client and server sides together: credentials built by `createCredentials` verify with
 * `verifyCredentials`, for every algorithm, and through the directive maps.
 *
 * FC_NUM_RUNS sets the runs per property (default 10 000).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { type DigestAlgorithm, digestAlgorithms } from './algorithm.ts'
import { createCredentials, createNonceCounter, generateCnonce } from './client.ts'
import { computeResponse, type DigestQop } from './compute.ts'
import { DigestError, digestErrorCodes, digestFaultCodes } from './errors.ts'
import { createChallenge, generateNonce, verifyCredentials } from './server.ts'
import {
  challengeDirectives,
  credentialsDirectives,
  type DigestChallenge,
  type DigestCredentials,
  parseChallenge,
  parseCredentials,
} from './values.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; reason: string } }): T {
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.reason}`)
  return r.value
}

const isInvalidArgument = (e: unknown): boolean =>
  e instanceof DigestError && e.code === digestFaultCodes.INVALID_ARGUMENT

describe('createCredentials', () => {
  test('reproduces RFC 2617 §3.5 given its cnonce', () => {
    const credentials = value(
      createCredentials({
        challenge: {
          realm: 'testrealm@host.com',
          nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
          opaque: '5ccc069c403ebaf9f0171e9517f40e41',
          qop: ['auth', 'auth-int'],
        },
        username: 'Mufasa',
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        cnonce: '0a4f113b',
      }),
    )
    assert.deepEqual(credentials, {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    })
  })

  test('reproduces RFC 7616 §3.9.1 (SHA-256) and echoes the algorithm', () => {
    const credentials = value(
      createCredentials({
        challenge: {
          realm: 'http-auth@example.org',
          nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
          opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
          algorithm: 'SHA-256',
          qop: ['auth', 'auth-int'],
        },
        username: 'Mufasa',
        password: 'Circle of Life',
        method: 'GET',
        uri: '/dir/index.html',
        cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      }),
    )
    assert.equal(credentials.algorithm, 'SHA-256')
    assert.equal(credentials.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1')
  })

  test('qop choice: auth when offered, auth-int when alone or preferred, none without qop-options', () => {
    const base = { username: 'u', password: 'p', method: 'INVITE', uri: 'sip:b@x', body: 'v=0' } as const
    const qopOf = (qop: readonly string[] | undefined, preferred?: DigestQop): string | undefined =>
      value(createCredentials({ ...base, challenge: { realm: 'r', nonce: 'n', qop }, qop: preferred })).qop
    assert.equal(qopOf(['auth-int', 'auth']), 'auth')
    assert.equal(qopOf(['auth-int']), 'auth-int')
    assert.equal(qopOf(['auth', 'auth-int'], 'auth-int'), 'auth-int')
    assert.equal(qopOf(['auth'], 'auth-int'), 'auth')
    assert.equal(qopOf(['token-from-the-future', 'auth']), 'auth')
    const compat = value(createCredentials({ ...base, challenge: { realm: 'r', nonce: 'n' } }))
    assert.equal(compat.qop, undefined)
    assert.equal(compat.nc, undefined)
    assert.equal(compat.cnonce, undefined)
  })

  test('no supported qop: JUNCTION_ERR_DIGEST_UNSUPPORTED_QOP', () => {
    const r = createCredentials({
      challenge: { realm: 'r', nonce: 'n', qop: ['auth-conf'] },
      username: 'u',
      password: 'p',
      method: 'GET',
      uri: '/',
    })
    assert.equal(r.ok, false)
    assert.equal(!r.ok && r.error.code, digestErrorCodes.UNSUPPORTED_QOP)
  })

  test('a fresh cnonce each time, the nonce-count as given', () => {
    const options = {
      challenge: { realm: 'r', nonce: 'n', qop: ['auth'] },
      username: 'u',
      password: 'p',
      method: 'GET',
      uri: '/',
    } as const
    const a = value(createCredentials(options))
    const b = value(createCredentials({ ...options, nc: 26 }))
    assert.notEqual(a.cnonce, b.cnonce)
    assert.match(a.cnonce ?? '', /^[0-9a-f]{32}$/)
    assert.equal(a.nc, '00000001')
    assert.equal(b.nc, '0000001a')
    assert.throws(() => createCredentials({ ...options, nc: 0 }), isInvalidArgument)
    assert.throws(() => createCredentials({ ...options, cnonce: 'a"b' }), isInvalidArgument)
  })

  test('userhash: the hash is sent as username, the server verifies with the real name (RFC 7616 §3.4.4)', () => {
    const challenge = createChallenge({ realm: 'api@example.org', algorithm: 'SHA-512-256', userhash: true })
    const credentials = value(
      createCredentials({
        challenge,
        username: 'Jäsøn Doe',
        password: 'Secret, or not?',
        method: 'GET',
        uri: '/doe.json',
      }),
    )
    assert.equal(credentials.userhash, true)
    assert.equal(
      credentials.username,
      createHash('sha512-256').update('Jäsøn Doe:api@example.org').digest('hex'),
    )
    assert.equal(
      verifyCredentials(credentials, { method: 'GET', username: 'Jäsøn Doe', password: 'Secret, or not?' }),
      true,
    )
    assert.equal(
      verifyCredentials(credentials, { method: 'GET', username: 'Jason Doe', password: 'Secret, or not?' }),
      false,
    )
    assert.throws(
      () => verifyCredentials(credentials, { method: 'GET', password: 'Secret, or not?' }),
      isInvalidArgument,
    )
  })

  test('auts is carried for AKA (RFC 3310 §3.4)', () => {
    const credentials = value(
      createCredentials({
        challenge: { realm: 'ims.test', nonce: 'n', algorithm: 'AKAv1-MD5', qop: ['auth'] },
        username: 'alice@ims.test',
        password: '',
        method: 'REGISTER',
        uri: 'sip:ims.test',
        auts: 'uoU/PBI8z0TpNZbjVcY=',
      }),
    )
    assert.equal(credentials.auts, 'uoU/PBI8z0TpNZbjVcY=')
    assert.equal(credentials.algorithm, 'AKAv1-MD5')
  })
})

describe('server side', () => {
  test('createChallenge: fresh nonces, qop auth by default, none with an empty list', () => {
    const a = createChallenge({ realm: 'example.com' })
    const b = createChallenge({ realm: 'example.com' })
    assert.notEqual(a.nonce, b.nonce)
    assert.deepEqual(a.qop, ['auth'])
    assert.equal(createChallenge({ realm: 'r', qop: [] }).qop, undefined)
    assert.match(generateNonce(), /^[A-Za-z0-9_-]{32}$/)
    assert.throws(() => createChallenge({ realm: 'a"b' }), isInvalidArgument)
  })

  test('verifyCredentials with a stored HA1', () => {
    const challenge = createChallenge({ realm: 'example.com', algorithm: 'SHA-256' })
    const credentials = value(
      createCredentials({
        challenge,
        username: 'bob',
        password: 'pw',
        method: 'REGISTER',
        uri: 'sip:example.com',
      }),
    )
    const ha1 = createHash('sha256').update('bob:example.com:pw').digest('hex')
    assert.equal(verifyCredentials(credentials, { method: 'REGISTER', ha1 }), true)
    assert.equal(verifyCredentials(credentials, { method: 'INVITE', ha1 }), false)
    assert.equal(
      verifyCredentials(
        { ...credentials, response: credentials.response.slice(1) },
        { method: 'REGISTER', ha1 },
      ),
      false,
    )
  })
})

describe('round trips for every algorithm', () => {
  for (const algorithm of digestAlgorithms) {
    for (const qop of [undefined, 'auth', 'auth-int'] as const) {
      test(`${algorithm}, qop ${qop ?? 'none'}`, () => {
        const challenge = createChallenge({
          realm: 'ims.test',
          algorithm,
          qop: qop === undefined ? [] : [qop],
        })
        const password = algorithm === 'AKAv1-MD5' ? Uint8Array.from([0xd3, 0, 0x28, 0xed]) : 'pässword'
        const credentials = value(
          createCredentials({
            challenge,
            username: 'alice@ims.test',
            password,
            method: 'REGISTER',
            uri: 'sip:ims.test',
            body: 'body',
            nc: 3,
          }),
        )
        assert.equal(credentials.qop, qop)
        assert.equal(credentials.nc, qop === undefined ? undefined : '00000003')
        const check = { method: 'REGISTER', body: 'body', password }
        assert.equal(verifyCredentials(credentials, check), true)
        assert.equal(verifyCredentials(credentials, { ...check, password: 'other' }), false)
        // auth-int covers the body; auth and none do not.
        assert.equal(verifyCredentials(credentials, { ...check, body: 'bodY' }), qop !== 'auth-int')
        // Through the directive maps, as a SIP header would carry them.
        const parsed = value(parseCredentials(credentialsDirectives(credentials)))
        assert.deepEqual(parsed, credentials)
        assert.equal(verifyCredentials(parsed, check), true)
      })
    }
  }
})

describe('nonce counter', () => {
  test('counts per nonce and forgets', () => {
    const counter = createNonceCounter()
    assert.equal(counter.next('a'), 1)
    assert.equal(counter.next('a'), 2)
    assert.equal(counter.next('b'), 1)
    assert.equal(counter.next('a'), 3)
    counter.forget('a')
    assert.equal(counter.next('a'), 1)
    assert.equal(counter.size, 2)
  })

  test('is bounded: the least recently used nonce goes first', () => {
    const counter = createNonceCounter({ max: 2 })
    counter.next('a')
    counter.next('b')
    counter.next('a') // a is now the most recent
    counter.next('c') // evicts b
    assert.equal(counter.size, 2)
    assert.equal(counter.next('a'), 3)
    assert.equal(counter.next('b'), 1)
    assert.throws(() => createNonceCounter({ max: 0 }), isInvalidArgument)
  })

  test('cnonces are unique and hex', () => {
    const seen = new Set(Array.from({ length: 1000 }, generateCnonce))
    assert.equal(seen.size, 1000)
  })
})

describe('properties', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 24 })
  const quotable = fc
    .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 24 })
    .filter((s) => !s.includes('"'))
  const algorithmArb = fc.constantFrom<DigestAlgorithm>(...digestAlgorithms)
  const qopArb = fc.option(fc.subarray<DigestQop>(['auth', 'auth-int'], { minLength: 1 }), { nil: undefined })
  const passwordArb = fc.oneof(text, fc.uint8Array({ maxLength: 16 }))
  const bodyArb = fc.oneof(fc.string({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }))

  test('client credentials verify on the server, for any inputs; any change of password or method fails', () => {
    fc.assert(
      fc.property(
        fc.record({
          algorithm: algorithmArb,
          qop: qopArb,
          realm: quotable,
          username: text,
          password: passwordArb,
          method: fc.constantFrom('REGISTER', 'INVITE', 'MESSAGE', 'GET'),
          uri: quotable,
          body: bodyArb,
          nc: fc.integer({ min: 1, max: 0xffffffff }),
          userhash: fc.boolean(),
        }),
        (g) => {
          const challenge: DigestChallenge = createChallenge({
            realm: g.realm,
            algorithm: g.algorithm,
            qop: g.qop ?? [],
            userhash: g.userhash,
          })
          const credentials: DigestCredentials = value(
            createCredentials({
              challenge: value(parseChallenge(challengeDirectives(challenge))),
              username: g.username,
              password: g.password,
              method: g.method,
              uri: g.uri,
              body: g.body,
              nc: g.nc,
            }),
          )
          const received = value(parseCredentials(credentialsDirectives(credentials)))
          const check = { method: g.method, body: g.body, password: g.password, username: g.username }
          assert.equal(verifyCredentials(received, check), true)
          assert.equal(verifyCredentials(received, { ...check, password: `${String(g.password)}x` }), false)
          assert.equal(verifyCredentials(received, { ...check, method: `${g.method}X` }), false)
        },
      ),
      { numRuns },
    )
  })

  test('responses are lower-case hex of the length of the algorithm', () => {
    fc.assert(
      fc.property(
        algorithmArb,
        text,
        text,
        quotable,
        quotable,
        (algorithm, username, password, nonce, cnonce) => {
          const r = computeResponse({
            algorithm,
            username,
            realm: 'r',
            password,
            nonce,
            cnonce,
            method: 'GET',
            uri: '/',
            qop: 'auth',
            nc: 1,
          })
          assert.match(r, algorithm.includes('SHA') ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{32}$/)
        },
      ),
      { numRuns },
    )
  })
})
