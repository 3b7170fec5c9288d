import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProxyAuthenticate, WwwAuthenticate } from '@junction/sip'
import { answer, authorizationLine, sipRequest } from '../test/helpers.ts'
import { authorize } from './authorize.ts'
import { createMemoryCredentialStore } from './credentials.ts'
import { createDigestAuth } from './digest-auth.ts'

const clock = { t: 1_700_000_000_000, now: () => clock.t }
const auth = createDigestAuth(
  { realm: 'example.com', secret: 'cluster secret, 16 octets or more', nonceLifetimeSec: 60 },
  {
    credentials: createMemoryCredentialStore([{ user: 'alice', secret: { password: 'wonderland' } }]),
    clock,
  },
)

test('no credentials: 401 with one WWW-Authenticate per algorithm (RFC 3261 §22.2)', async () => {
  const r = await authorize(sipRequest('REGISTER'), auth)
  assert.equal(r.ok, false)
  if (r.ok) return
  assert.equal(r.reason, 'missing')
  assert.equal(r.response.status, 401)
  assert.equal(r.response.headers.get(WwwAuthenticate)?.length, 3)
  assert.equal(r.response.headers.get(WwwAuthenticate)?.[0]?.params.get('algorithm'), 'MD5')
})

test('a proxy answers 407 with Proxy-Authenticate and reads Proxy-Authorization (RFC 3261 §22.3)', async () => {
  const r = await authorize(sipRequest('INVITE'), auth, { proxy: true })
  assert.ok(!r.ok)
  assert.equal(r.response.status, 407)
  const challenge = r.response.headers.raw(ProxyAuthenticate)[0]!
  const cred = answer(challenge, { username: 'alice', password: 'wonderland', method: 'INVITE' })
  const ok = await authorize(sipRequest('INVITE', [authorizationLine(cred, true)]), auth, { proxy: true })
  assert.deepEqual(ok, { ok: true, user: 'alice', realm: 'example.com' })
})

test('an expired nonce gets a challenge with stale=true', async () => {
  const first = await authorize(sipRequest('REGISTER'), auth)
  assert.ok(!first.ok)
  const challenge = first.response.headers.raw(WwwAuthenticate)[0]!
  clock.t += 61_000
  const cred = answer(challenge, { username: 'alice', password: 'wonderland' })
  const r = await authorize(sipRequest('REGISTER', [authorizationLine(cred)]), auth)
  assert.ok(!r.ok)
  assert.equal(r.reason, 'stale')
  assert.equal(r.response.status, 401)
  assert.equal(r.response.headers.get(WwwAuthenticate)?.[0]?.params.get('stale'), 'true')
})

test('a right digest on a nonce not ours (a restart, another node) gets stale=true; a wrong one does not', async () => {
  const before = createDigestAuth(
    { realm: 'example.com', secret: 'the random secret before a restart' },
    {
      credentials: createMemoryCredentialStore([{ user: 'alice', secret: { password: 'wonderland' } }]),
      clock,
    },
  )
  const challenge = before.challenge(sipRequest('REGISTER'), { proxy: false })[0]![1]
  const right = answer(challenge, { username: 'alice', password: 'wonderland' })
  const r = await authorize(sipRequest('REGISTER', [authorizationLine(right)]), auth)
  assert.ok(!r.ok)
  assert.equal(r.reason, 'bad-nonce')
  assert.equal(r.response.status, 401)
  assert.equal(r.response.headers.get(WwwAuthenticate)?.[0]?.params.get('stale'), 'true')
  const wrong = answer(challenge, { username: 'alice', password: 'guess' })
  const w = await authorize(sipRequest('REGISTER', [authorizationLine(wrong)]), auth)
  assert.ok(!w.ok)
  assert.equal(w.reason, 'wrong')
  assert.equal(w.response.status, 401)
  assert.equal(w.response.headers.get(WwwAuthenticate)?.[0]?.params.get('stale'), undefined)
})

test('malformed credentials get 400', async () => {
  const r = await authorize(
    sipRequest('REGISTER', ['Authorization: Digest realm="example.com", nonce=']),
    auth,
  )
  assert.ok(!r.ok)
  assert.equal(r.response.status, 400)
})

test('ACK and CANCEL pass without credentials, with no user', async () => {
  for (const m of ['ACK', 'CANCEL'])
    assert.deepEqual(await authorize(sipRequest(m), auth), {
      ok: true,
      user: undefined,
      realm: 'example.com',
    })
})
