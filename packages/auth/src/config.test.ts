import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { authConfig, credentialStoreOf, digestAuthOptions, failureGuardOptions } from './config.ts'

describe('authConfig', () => {
  it('defaults: MD5 alone (what every client answers), qop auth, the realm from the flavor, a random secret, the guard on', () => {
    const c = authConfig.parse(undefined)
    const o = digestAuthOptions(c, 'example.com')
    assert.equal(o.realm, 'example.com')
    assert.deepEqual(o.algorithms, ['MD5'])
    assert.deepEqual(o.qop, ['auth'])
    assert.ok(o.secret instanceof Uint8Array && o.secret.length === 32)
    assert.notDeepEqual(o.secret, digestAuthOptions(c, 'example.com').secret, 'random per call')
    assert.deepEqual(failureGuardOptions(c), {
      maxFailures: 10,
      windowSec: 60,
      blockSec: 300,
      maxSources: 100_000,
    })
    assert.equal(failureGuardOptions(authConfig.parse({ guard: { enabled: false } })), undefined)
  })

  it('refuses usersFile with users, duplicate users, a short secret, unknown keys', () => {
    assert.equal(authConfig.safeParse({ usersFile: '/x', users: [] }).success, false)
    assert.equal(
      authConfig.safeParse({
        users: [
          { user: 'a', password: 'x' },
          { user: 'a', password: 'y' },
        ],
      }).success,
      false,
    )
    assert.equal(authConfig.safeParse({ secret: 'short' }).success, false)
    assert.equal(authConfig.safeParse({ algorithm: ['MD5'] }).success, false)
  })

  it('credential store: inline users, else the fallback', async () => {
    const inline = credentialStoreOf(authConfig.parse({ users: [{ user: 'carol', password: 'c1' }] }), [
      { user: 'alice', password: 'a1' },
    ])
    assert.deepEqual(await inline.lookup('carol', 'example.com'), { password: 'c1' })
    assert.equal(await inline.lookup('alice', 'example.com'), undefined)
    const fallback = credentialStoreOf(authConfig.parse({}), [{ user: 'alice', password: 'a1' }])
    assert.equal(fallback.size, 1)
    assert.deepEqual(await fallback.lookup('alice', 'example.com'), { password: 'a1' })
  })

  it('credential store of a users file: reloads are reported to onReload, a bad file keeps the old users', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-config-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'users.yaml')
    writeFileSync(file, 'users:\n  - { user: mallory, password: m1 }\n')
    const results: unknown[] = []
    const store = credentialStoreOf(authConfig.parse({ usersFile: file }), [], {
      intervalMs: 10,
      onReload: (r) => results.push(r.ok ? r.users : r.error.code),
    })
    t.after(() => store.close())
    writeFileSync(file, 'users:\n  - { user: mallory, pasword: typo }\n')
    for (let i = 0; i < 100 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(results.length, 1, 'told of the failed reload')
    assert.match(String(results[0]), /^JUNCTION_ERR_AUTH_/)
    assert.deepEqual(
      await store.lookup('mallory', 'example.com'),
      { password: 'm1' },
      'the previous users stay',
    )
  })
})
