import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { createNonceIssuer } from './nonce.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const T0 = 1_700_000_000_000

function issuer(o: { secret?: string; realm?: string; at?: () => number } = {}) {
  return createNonceIssuer({
    secret: o.secret ?? 'a secret of at least sixteen octets',
    realm: o.realm ?? 'example.com',
    lifetimeSec: 300,
    now: o.at ?? (() => T0),
  })
}

test('a nonce checks out where it was issued, with its time', () => {
  const n = issuer()
  const nonce = n.issue()
  assert.match(nonce, /^[A-Za-z0-9_-]{43}$/)
  assert.notEqual(n.issue(), nonce)
  const checked = n.check(nonce)
  assert.ok(checked.ok)
  assert.deepEqual({ ...checked, id: 0 }, { ok: true, issuedAt: T0, expired: false, id: 0 })
  assert.ok(Number.isSafeInteger(checked.id) && checked.id >= 0 && checked.id < 2 ** 48)
})

test('each nonce has its own id, the same wherever it is checked', () => {
  const n = issuer()
  const ids = new Set<number>()
  for (let i = 0; i < 10_000; i++) {
    const nonce = n.issue()
    const a = n.check(nonce)
    const b = issuer().check(nonce)
    assert.ok(a.ok && b.ok)
    assert.equal(a.id, b.id)
    ids.add(a.id)
  }
  assert.equal(ids.size, 10_000)
})

test('instances with the same secret and realm accept each other nonces; another secret or realm does not', () => {
  const nonce = issuer().issue()
  assert.equal(issuer().check(nonce).ok, true)
  assert.deepEqual(issuer({ secret: 'another secret of sixteen octets' }).check(nonce), { ok: false })
  assert.deepEqual(issuer({ realm: 'other.org' }).check(nonce), { ok: false })
})

test('expired after the lifetime; rejected when from too far in the future', () => {
  let now = T0
  const n = issuer({ at: () => now })
  const nonce = n.issue()
  now = T0 + 300_000
  assert.equal((n.check(nonce) as { expired: boolean }).expired, false)
  now = T0 + 300_001
  assert.equal((n.check(nonce) as { expired: boolean }).expired, true)
  now = T0 - 61_000
  assert.deepEqual(n.check(nonce), { ok: false })
})

test('garbage is not a nonce', () => {
  const n = issuer()
  for (const s of [
    '',
    'abc',
    'x'.repeat(43),
    '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    `${n.issue()}=`,
  ])
    assert.deepEqual(n.check(s), { ok: false })
})

test('property: a tampered nonce never verifies', () => {
  const n = issuer()
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  fc.assert(
    fc.property(
      fc.array(fc.record({ at: fc.nat(42), char: fc.constantFrom(...alphabet) }), {
        minLength: 1,
        maxLength: 4,
      }),
      (edits) => {
        const nonce = n.issue()
        const chars = [...nonce]
        for (const e of edits) chars[e.at] = e.char
        const tampered = chars.join('')
        // a base64url string has one decoding: a different string is different octets (the last
        // char's 2 padding bits are ignored by the decoder, so compare octets, not text)
        const same = Buffer.from(tampered, 'base64url').equals(Buffer.from(nonce, 'base64url'))
        assert.equal(n.check(tampered).ok, same)
      },
    ),
    { numRuns },
  )
})

test('property: random strings never verify', () => {
  const n = issuer()
  fc.assert(
    fc.property(fc.string({ minLength: 0, maxLength: 60 }), (s) => {
      assert.equal(n.check(s).ok, false)
    }),
    { numRuns },
  )
})

test('the MAC is HMAC-SHA256 (RFC 2104) of the nonce head and realm, as node:crypto computes it', () => {
  const secret = 'a secret of at least sixteen octets'
  const n = issuer({ secret, realm: 'example.com' })
  for (let i = 0; i < 300; i++) {
    const raw = Buffer.from(n.issue(), 'base64url')
    const key = createHmac('sha256', Buffer.from(secret, 'utf8')).update('junction-auth nonce key').digest()
    const expected = createHmac('sha256', key).update(raw.subarray(0, 16)).update('example.com').digest()
    assert.deepEqual(raw.subarray(16), expected.subarray(0, 16))
  }
  // the random part differs from nonce to nonce across refills of the pool
  const seen = new Set(
    Array.from({ length: 600 }, () => Buffer.from(n.issue(), 'base64url').subarray(7, 16).toString('hex')),
  )
  assert.equal(seen.size, 600)
})
