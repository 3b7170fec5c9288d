import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { createMemoryCredentialStore, hashUser, UserTable } from './credentials.ts'
import { AuthError, authFaultCodes } from './errors.ts'

test('hashUser is H(user:realm:password) for each algorithm (RFC 7616 §3.4.2)', () => {
  // RFC 2617 §3.5: HA1 of Mufasa / testrealm@host.com / Circle Of Life
  assert.equal(
    hashUser('Mufasa', 'testrealm@host.com', 'Circle Of Life', 'MD5'),
    '939e7578ed9e3c518a452acee763bce9',
  )
  const text = 'alice:example.com:wonderland'
  assert.equal(
    hashUser('alice', 'example.com', 'wonderland', 'SHA-256'),
    createHash('sha256').update(text).digest('hex'),
  )
  assert.equal(
    hashUser('alice', 'example.com', 'wonderland', 'SHA-512-256'),
    createHash('sha512-256').update(text).digest('hex'),
  )
  assert.throws(
    () => hashUser('a', 'b', 'c', 'SHA-1' as 'MD5'),
    (e: unknown) => e instanceof AuthError && e.code === authFaultCodes.INVALID_ARGUMENT,
  )
})

test('memory store: a realm entry wins over an any-realm entry', async () => {
  const store = createMemoryCredentialStore([
    { user: 'alice', secret: { password: 'any' } },
    { user: 'alice', realm: 'example.com', secret: { password: 'specific' } },
  ])
  assert.deepEqual(await store.lookup('alice', 'example.com'), { password: 'specific' })
  assert.deepEqual(await store.lookup('alice', 'other.org'), { password: 'any' })
  assert.equal(await store.lookup('bob', 'example.com'), undefined)
})

test('UserTable answers like a map keyed by user and realm, a realm entry before an any-realm one', () => {
  const name = fc.constantFrom('alice', 'bob', 'Alice', 'a\n=b', 'a')
  const realm = fc.option(fc.constantFrom('example.com', 'b', '*', 'other.org'), { nil: undefined })
  fc.assert(
    fc.property(
      fc.array(fc.tuple(name, realm, fc.nat(5)), { maxLength: 12 }),
      name,
      realm,
      (sets, user, asked) => {
        const table = new UserTable()
        const model = new Map<string, { password: string }>()
        // a model key that no user and realm pair can share with another (JSON of the pair)
        const key = (u: string, r: string | undefined): string => JSON.stringify([u, r ?? null])
        for (const [u, r, n] of sets) {
          table.set(u, r, { password: String(n) })
          model.set(key(u, r), { password: String(n) })
        }
        assert.equal(table.size, model.size)
        const r = asked ?? 'example.com'
        assert.deepEqual(table.get(user, r), model.get(key(user, r)) ?? model.get(key(user, undefined)))
      },
    ),
    { numRuns: 10_000 },
  )
})
