import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { hashUser } from './credentials.ts'
import { AuthError, authFaultCodes } from './errors.ts'
import { createYamlCredentialStore, loadUsersFile, type ReloadResult } from './yaml-store.ts'

const dir = mkdtempSync(join(tmpdir(), 'junction-auth-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
function file(text: string): string {
  const path = join(dir, `users-${n++}.yaml`)
  writeFileSync(path, text)
  return path
}

const md5 = hashUser('bob', 'example.com', 'builder', 'MD5')
const sha = hashUser('bob', 'example.com', 'builder', 'SHA-256')

test('a users file with passwords and HA1s', async () => {
  const path = file(`
users:
  - user: alice
    password: wonderland
  - user: bob
    realm: example.com
    ha1:
      md5: ${md5.toUpperCase()}
      sha256: ${sha}
`)
  const store = createYamlCredentialStore(path, { watch: false })
  assert.equal(store.size, 2)
  assert.deepEqual(await store.lookup('alice', 'anything.org'), { password: 'wonderland' })
  assert.deepEqual(await store.lookup('bob', 'example.com'), {
    ha1: { MD5: md5, 'SHA-256': sha, 'SHA-512-256': undefined },
  })
  assert.equal(await store.lookup('bob', 'other.org'), undefined)
  store.close()
})

test('validation errors name the entry and field', () => {
  const cases: Array<[string, RegExp]> = [
    [
      `users:\n  - user: a\n    password: x\n    ha1: { md5: ${md5} }\n    realm: r\n`,
      /users\.0: give either password or ha1/,
    ],
    ['users:\n  - user: a\n', /users\.0: give either password or ha1/],
    [
      'users:\n  - user: a\n    realm: r\n    ha1: { md5: abc }\n',
      /users\.0\.ha1\.md5: must be 32 hexadecimal digits/,
    ],
    [`users:\n  - user: a\n    ha1: { md5: ${md5} }\n`, /users\.0\.realm: an entry with ha1 needs its realm/],
    ['users:\n  - user: a\n    realm: r\n    ha1: {}\n', /users\.0\.ha1: ha1 needs at least one/],
    ['users:\n  - user: a\n    pasword: x\n', /users\.0: .*pasword/i],
    [
      'users:\n  - user: a\n    password: x\n  - user: a\n    password: y\n',
      /users\.1\.user: duplicate user and realm/,
    ],
    ['people: []\n', /people/],
    ['users: [unclosed\n', /not valid YAML/],
    ['users:\n  - user: ""\n    password: x\n', /users\.0\.user/],
  ]
  for (const [text, message] of cases) {
    assert.throws(
      () => loadUsersFile(file(text)),
      (e: unknown) =>
        e instanceof AuthError && e.code === authFaultCodes.USERS_FILE && message.test(e.message),
      text,
    )
  }
  assert.throws(() => createYamlCredentialStore(join(dir, 'missing.yaml')), /cannot be read \(ENOENT\)/)
})

test('hot reload: a change is picked up; a bad edit keeps the last good users and is reported', async () => {
  const path = file('users:\n  - user: alice\n    password: one\n')
  const results: ReloadResult[] = []
  let wake: (() => void) | undefined
  const store = createYamlCredentialStore(path, {
    intervalMs: 10,
    onReload: (r) => {
      results.push(r)
      wake?.()
    },
  })
  const reloaded = () => new Promise<void>((resolve) => (wake = resolve))
  try {
    assert.deepEqual(await store.lookup('alice', 'example.com'), { password: 'one' })
    let next = reloaded()
    writeFileSync(path, 'users:\n  - user: alice\n    password: two\n  - user: carol\n    password: three\n')
    await next
    assert.deepEqual(results.at(-1), { ok: true, users: 2 })
    assert.deepEqual(await store.lookup('alice', 'example.com'), { password: 'two' })
    next = reloaded()
    writeFileSync(path, 'users:\n  - user: alice\n')
    await next
    const bad = results.at(-1)
    assert.ok(bad !== undefined && !bad.ok && bad.error.code === authFaultCodes.USERS_FILE)
    assert.deepEqual(await store.lookup('carol', 'example.com'), { password: 'three' })
    assert.equal(store.size, 2)
  } finally {
    store.close()
  }
})
