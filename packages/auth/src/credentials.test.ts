import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { createMemoryCredentialStore, hashUser } from './credentials.ts'
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
