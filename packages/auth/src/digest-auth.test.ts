import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Authorization, WwwAuthenticate } from '@junction/sip'
import { answer, authorizationLine, sipRequest } from '../test/helpers.ts'
import { createMemoryCredentialStore, hashUser } from './credentials.ts'
import { createDigestAuth, type DigestAuthConfig, needsAuth } from './digest-auth.ts'
import { AuthError, authFaultCodes } from './errors.ts'
import { createFailureGuard } from './failure-guard.ts'
import type { NonceIssuer } from './nonce.ts'

const T0 = 1_700_000_000_000
const SECRET = 'cluster secret, 16 octets or more'
const users = createMemoryCredentialStore([
  { user: 'alice', secret: { password: 'wonderland' } },
  {
    user: 'bob',
    realm: 'example.com',
    secret: {
      ha1: {
        MD5: hashUser('bob', 'example.com', 'builder', 'MD5'),
        'SHA-256': hashUser('bob', 'example.com', 'builder', 'SHA-256'),
        'SHA-512-256': hashUser('bob', 'example.com', 'builder', 'SHA-512-256'),
      },
    },
  },
  {
    user: 'md5only',
    realm: 'example.com',
    secret: { ha1: { MD5: hashUser('md5only', 'example.com', 'x', 'MD5') } },
  },
])

function setup(config: Partial<DigestAuthConfig> = {}, clock = { t: T0 }) {
  const auth = createDigestAuth(
    { realm: 'example.com', secret: SECRET, ...config },
    { credentials: users, clock: { now: () => clock.t } },
  )
  return { auth, clock }
}

function challenges(auth: ReturnType<typeof setup>['auth'], proxy = false, stale = false) {
  return auth.challenge(sipRequest('REGISTER'), { proxy, stale })
}

describe('challenges (RFC 3261 §22.1, RFC 8760 §2.4)', () => {
  test('one WWW-Authenticate per algorithm, MD5 first, sharing one fresh nonce, qop=auth', () => {
    const { auth } = setup()
    const list = challenges(auth)
    assert.deepEqual(
      list.map(([name]) => name),
      ['WWW-Authenticate', 'WWW-Authenticate', 'WWW-Authenticate'],
    )
    const parsed = list.map(([, v]) => WwwAuthenticate.parse(v, 0, v.length)!)
    assert.deepEqual(
      parsed.map((p) => p.params.get('algorithm')),
      ['MD5', 'SHA-256', 'SHA-512-256'],
    )
    assert.equal(new Set(parsed.map((p) => p.params.get('nonce'))).size, 1)
    assert.match(
      list[0]![1],
      /^Digest realm="example\.com", nonce="[A-Za-z0-9_-]{43}", algorithm=MD5, qop="auth"$/,
    )
    assert.notEqual(
      parsed[0]!.params.get('nonce'),
      WwwAuthenticate.parse(challenges(auth)[0]![1], 0, 10_000)?.params.get('nonce'),
    )
  })

  test('configured order and qop; Proxy-Authenticate for a proxy; stale=true on request', () => {
    const { auth } = setup({ algorithms: ['SHA-256', 'MD5'], qop: ['auth', 'auth-int'] })
    const list = challenges(auth, true, true)
    assert.deepEqual(
      list.map(([name]) => name),
      ['Proxy-Authenticate', 'Proxy-Authenticate'],
    )
    assert.match(list[0]![1], /algorithm=SHA-256, qop="auth,auth-int", stale=true$/)
    assert.match(list[1]![1], /algorithm=MD5/)
  })
})

describe('verify', () => {
  test('nc tracking keeps no request text alive (the nonce is tracked by its id)', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const { auth } = setup({ algorithms: ['MD5'] })
    const pad = Array.from({ length: 12 }, (_, i) => `X-Pad-${i}: ${'x'.repeat(5000)}`)
    const verify = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const cred = answer(challenges(auth)[0]![1], { username: 'alice', password: 'wonderland' })
        const req = sipRequest('REGISTER', [...pad, authorizationLine(cred)])
        assert.equal((await auth.verify(req, { proxy: false })).ok, true)
      }
    }
    // a first round, so that what a first verification allocates for good (compiled code, caches)
    // is in the baseline; then 100 requests, which would hold ~6 MB if each kept its text
    await verify(10)
    gc()
    const baseline = process.memoryUsage().heapUsed
    await verify(100)
    gc()
    const held = process.memoryUsage().heapUsed - baseline
    assert.ok(held < 2_000_000, `${held} octets held after 100 requests of 60 KB`)
  })

  for (const algorithm of ['MD5', 'SHA-256', 'SHA-512-256'] as const) {
    test(`a SIP client answering the ${algorithm} challenge is authenticated (password and HA1 stores)`, async () => {
      const { auth } = setup()
      for (const [username, password] of [
        ['alice', 'wonderland'],
        ['bob', 'builder'],
      ] as const) {
        const challenge = challenges(auth).find(([, v]) => v.includes(`algorithm=${algorithm},`))![1]
        const cred = answer(challenge, { username, password })
        const req = sipRequest('REGISTER', [authorizationLine(cred)])
        assert.deepEqual(await auth.verify(req, { proxy: false }), {
          ok: true,
          user: username,
          realm: 'example.com',
        })
      }
    })
  }

  test('RFC 7616 §3.9.1 example values (MD5 and SHA-256) verify', async () => {
    const rfcNonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'
    const nonces: NonceIssuer = {
      issue: () => rfcNonce,
      check: (n) => (n === rfcNonce ? { ok: true, issuedAt: T0, expired: false, id: 1 } : { ok: false }),
    }
    const credentials = createMemoryCredentialStore([
      { user: 'Mufasa', secret: { password: 'Circle of Life' } },
    ])
    // one server per example: both use the same nonce with nc=00000001
    const server = () =>
      createDigestAuth(
        { realm: 'http-auth@example.org', secret: SECRET, algorithms: ['SHA-256', 'MD5'] },
        { credentials, nonces, clock: { now: () => T0 } },
      )
    const common =
      'username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", qop=auth, ' +
      `cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nonce="${rfcNonce}", ` +
      'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    const md5 = `Authorization: Digest ${common}, nc=00000001, algorithm=MD5, response="8ca523f5e9506fed4657c9700eebdbec"`
    const sha = `Authorization: Digest ${common}, nc=00000001, algorithm=SHA-256, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"`
    // the example is an HTTP GET; the method is the request's
    assert.deepEqual(await server().verify(sipRequest('GET', [md5]), { proxy: false }), {
      ok: true,
      user: 'Mufasa',
      realm: 'http-auth@example.org',
    })
    const auth = server()
    assert.equal((await auth.verify(sipRequest('GET', [sha]), { proxy: false })).ok, true)
    assert.deepEqual(
      await auth.verify(sipRequest('POST', [sha.replace('nc=00000001', 'nc=00000002')]), { proxy: false }),
      {
        ok: false,
        reason: 'wrong',
      },
    )
  })

  test('wrong password, unknown user, and an HA1 missing for the algorithm', async () => {
    const { auth } = setup()
    const [md5, sha] = challenges(auth).map(([, v]) => v)
    const wrong = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'alice', password: 'nope' })),
    ])
    assert.deepEqual(await auth.verify(wrong, { proxy: false }), { ok: false, reason: 'wrong' })
    const nobody = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'eve', password: 'x' })),
    ])
    assert.deepEqual(await auth.verify(nobody, { proxy: false }), { ok: false, reason: 'unknown-user' })
    const noHa1 = sipRequest('REGISTER', [
      authorizationLine(answer(sha!, { username: 'md5only', password: 'x' })),
    ])
    assert.deepEqual(await auth.verify(noHa1, { proxy: false }), { ok: false, reason: 'wrong' })
  })

  test('the HA1 of a password user is computed once, per user and secret: a new secret (reload) counts', async () => {
    // one secret object handed out for two users (a store may share them): each gets its own HA1
    let shared: { readonly password: string } = { password: 'common' }
    let lookups = 0
    const credentials = {
      async lookup(user: string) {
        lookups++
        return user === 'carol' || user === 'dave' ? shared : undefined
      },
    }
    const auth = createDigestAuth({ realm: 'example.com', secret: SECRET }, { credentials })
    const tryAs = async (username: string, password: string) => {
      const challenge = auth.challenge(sipRequest('REGISTER'), { proxy: false })[0]![1]
      const req = sipRequest('REGISTER', [authorizationLine(answer(challenge, { username, password }))])
      return (await auth.verify(req, { proxy: false })).ok
    }
    assert.equal(await tryAs('carol', 'common'), true)
    assert.equal(await tryAs('carol', 'common'), true)
    assert.equal(await tryAs('dave', 'common'), true)
    assert.equal(await tryAs('carol', 'other'), false)
    // the users file changed: the store hands out a new secret object, the old HA1 no longer holds
    shared = { password: 'changed' }
    assert.equal(await tryAs('carol', 'common'), false)
    assert.equal(await tryAs('carol', 'changed'), true)
    assert.equal(lookups, 6)
  })

  test('a replayed nonce-count is refused; a higher one is accepted', async () => {
    const { auth } = setup()
    const [md5] = challenges(auth).map(([, v]) => v)
    const first = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'alice', password: 'wonderland', nc: 1 })),
    ])
    assert.equal((await auth.verify(first, { proxy: false })).ok, true)
    assert.deepEqual(await auth.verify(first, { proxy: false }), { ok: false, reason: 'replay' })
    const second = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'alice', password: 'wonderland', nc: 2 })),
    ])
    assert.equal((await auth.verify(second, { proxy: false })).ok, true)
    const back = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'alice', password: 'wonderland', nc: 2 })),
    ])
    assert.deepEqual(await auth.verify(back, { proxy: false }), { ok: false, reason: 'replay' })
  })

  test('an expired nonce with right credentials is stale (stale: true); with wrong ones it is wrong', async () => {
    const { auth, clock } = setup({ nonceLifetimeSec: 60 })
    const [md5] = challenges(auth).map(([, v]) => v)
    clock.t = T0 + 61_000
    const right = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'alice', password: 'wonderland' })),
    ])
    assert.deepEqual(await auth.verify(right, { proxy: false }), { ok: false, reason: 'stale', stale: true })
    const wrong = sipRequest('REGISTER', [
      authorizationLine(answer(md5!, { username: 'alice', password: 'bad' })),
    ])
    assert.deepEqual(await auth.verify(wrong, { proxy: false }), { ok: false, reason: 'wrong' })
  })

  test('a nonce forged with another secret is rejected; instances sharing the secret accept each other', async () => {
    const one = setup().auth
    const two = setup().auth
    const forger = createDigestAuth(
      { realm: 'example.com', secret: 'not the cluster secret!' },
      { credentials: users },
    )
    const ours = sipRequest('REGISTER', [
      authorizationLine(answer(challenges(one)[0]![1], { username: 'alice', password: 'wonderland' })),
    ])
    assert.equal((await two.verify(ours, { proxy: false })).ok, true)
    const forged = sipRequest('REGISTER', [
      authorizationLine(
        answer(forger.challenge(sipRequest('REGISTER'), { proxy: false })[0]![1], {
          username: 'alice',
          password: 'wonderland',
        }),
      ),
    ])
    assert.deepEqual(await one.verify(forged, { proxy: false }), {
      ok: false,
      reason: 'bad-nonce',
      stale: true,
    })
  })

  test('a nonce not ours (RFC 7616 §3.3): a right digest is stale, a wrong one is wrong, an unknown user unknown', async () => {
    const { auth } = setup()
    const other = createDigestAuth(
      { realm: 'example.com', secret: 'the secret before the restart' },
      { credentials: users },
    )
    const foreign = other.challenge(sipRequest('REGISTER'), { proxy: false })[0]![1]
    // any nonce text at all: the digest is checked over the client's own nonce
    const odd = 'Digest realm="example.com", nonce="not-one-of-ours", algorithm=MD5, qop="auth"'
    for (const challenge of [foreign, odd]) {
      const verify = (username: string, password: string) =>
        auth.verify(sipRequest('REGISTER', [authorizationLine(answer(challenge, { username, password }))]), {
          proxy: false,
        })
      assert.deepEqual(await verify('alice', 'wonderland'), { ok: false, reason: 'bad-nonce', stale: true })
      assert.deepEqual(await verify('bob', 'builder'), { ok: false, reason: 'bad-nonce', stale: true })
      assert.deepEqual(await verify('alice', 'guess'), { ok: false, reason: 'wrong' })
      assert.deepEqual(await verify('nobody', 'guess'), { ok: false, reason: 'unknown-user' })
    }
    // the guard: right digests on a foreign nonce (every phone after a restart) never block; wrong
    // ones on a foreign nonce are guesses like any other and do
    const guard = createFailureGuard({ maxFailures: 2 })
    const outcome = async (password: string) => {
      const r = await auth.verify(
        sipRequest('REGISTER', [authorizationLine(answer(foreign, { username: 'alice', password }))]),
        { proxy: false },
      )
      return guard.record('192.0.2.1', r.ok ? 'ok' : r.reason)
    }
    for (let i = 0; i < 5; i++) assert.equal(await outcome('wonderland'), false)
    assert.equal(guard.isBlocked('192.0.2.1'), false)
    assert.equal(await outcome('guess 1'), false)
    assert.equal(await outcome('guess 2'), true)
  })

  test('missing credentials, credentials for another realm, and Proxy-Authorization for a proxy', async () => {
    const { auth } = setup()
    assert.deepEqual(await auth.verify(sipRequest('INVITE'), { proxy: false }), {
      ok: false,
      reason: 'missing',
    })
    const cred = answer(challenges(auth, true)[0]![1], {
      username: 'alice',
      password: 'wonderland',
      method: 'INVITE',
    })
    const other = sipRequest('INVITE', [authorizationLine({ ...cred, realm: 'other.org' }, true)])
    assert.deepEqual(await auth.verify(other, { proxy: true }), { ok: false, reason: 'missing' })
    const both = sipRequest('INVITE', [
      authorizationLine({ ...cred, realm: 'other.org' }, true),
      authorizationLine(cred, true),
    ])
    assert.equal((await auth.verify(both, { proxy: true })).ok, true)
    assert.deepEqual(
      await auth.verify(both, { proxy: false }),
      { ok: false, reason: 'missing' },
      'WWW credentials are not proxy ones',
    )
  })

  test('malformed: unparsable header, missing directives, an algorithm or qop not offered, no qop, userhash', async () => {
    const { auth } = setup({ algorithms: ['MD5'] })
    const cred = answer(challenges(auth)[0]![1], { username: 'alice', password: 'wonderland' })
    const cases = [
      'Authorization: Digest realm="example.com", nonce=',
      `Authorization: Digest realm="example.com", nonce="${cred.nonce}", username="alice"`,
      authorizationLine({ ...cred, algorithm: 'SHA-256' }),
      authorizationLine({ ...cred, algorithm: 'MD5-sess' }),
      authorizationLine({ ...cred, qop: 'auth-int' }),
      authorizationLine({ ...cred, userhash: true }),
      `Authorization: ${Authorization.format({
        scheme: 'Digest',
        params: new Map([
          ['realm', 'example.com'],
          ['nonce', cred.nonce],
          ['username', 'alice'],
          ['uri', 'sip:example.com'],
          ['response', cred.response],
        ]),
      })}`,
    ]
    for (const line of cases) {
      assert.deepEqual(
        await auth.verify(sipRequest('REGISTER', [line]), { proxy: false }),
        { ok: false, reason: 'malformed' },
        line,
      )
    }
  })

  test('qop auth-int covers the body', async () => {
    const { auth } = setup({ qop: ['auth-int'] })
    const challenge = challenges(auth)[0]![1]
    const cred = answer(challenge, {
      username: 'alice',
      password: 'wonderland',
      method: 'MESSAGE',
      body: 'hello',
      qop: 'auth-int',
    })
    assert.equal(
      (await auth.verify(sipRequest('MESSAGE', [authorizationLine(cred)], 'hello'), { proxy: false })).ok,
      true,
    )
    const cred2 = answer(challenge, {
      username: 'alice',
      password: 'wonderland',
      method: 'MESSAGE',
      body: 'hello',
      qop: 'auth-int',
      nc: 2,
    })
    assert.deepEqual(
      await auth.verify(sipRequest('MESSAGE', [authorizationLine(cred2)], 'HELLO'), { proxy: false }),
      {
        ok: false,
        reason: 'wrong',
      },
    )
  })

  test('nonce-count memory is bounded and never lets a replay through', async () => {
    const { auth, clock } = setup({ maxNcEntries: 2 })
    const requests = [0, 1, 2].map(() => {
      clock.t += 1000
      return sipRequest('REGISTER', [
        authorizationLine(answer(challenges(auth)[0]![1], { username: 'alice', password: 'wonderland' })),
      ])
    })
    for (const r of requests) assert.equal((await auth.verify(r, { proxy: false })).ok, true)
    // the first nonce was evicted: its replay is answered stale, never accepted
    assert.deepEqual(await auth.verify(requests[0]!, { proxy: false }), {
      ok: false,
      reason: 'stale',
      stale: true,
    })
    assert.deepEqual(await auth.verify(requests[2]!, { proxy: false }), { ok: false, reason: 'replay' })
  })
})

test('needsAuth: ACK and CANCEL are never challenged (RFC 3261 §22.1)', () => {
  assert.equal(needsAuth(sipRequest('ACK')), false)
  assert.equal(needsAuth(sipRequest('CANCEL')), false)
  for (const m of ['INVITE', 'REGISTER', 'BYE', 'MESSAGE', 'SUBSCRIBE'])
    assert.equal(needsAuth(sipRequest(m)), true)
})

test('configuration errors throw JUNCTION_ERR_AUTH_INVALID_CONFIG', () => {
  const bad: Partial<DigestAuthConfig>[] = [
    { realm: '' },
    { realm: 'a"b' },
    { secret: 'short' },
    { algorithms: [] },
    { algorithms: ['SHA-1' as 'MD5'] },
    { qop: [] },
    { nonceLifetimeSec: 0 },
    { maxNcEntries: 0 },
  ]
  for (const c of bad) {
    assert.throws(
      () => createDigestAuth({ realm: 'example.com', secret: SECRET, ...c }, { credentials: users }),
      (e: unknown) => e instanceof AuthError && e.code === authFaultCodes.INVALID_CONFIG,
      JSON.stringify(c),
    )
  }
})
