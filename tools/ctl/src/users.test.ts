import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createDigestAuth, createYamlCredentialStore } from '@junction/auth'
import { computeHA1 } from '@junction/digest'
import { addUser, ha1Of, removeUser } from './users.ts'

const bin = fileURLToPath(new URL('../bin/junction-ctl.js', import.meta.url))

function ctl(
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

const dirs: string[] = []
const dir = (): string => {
  const made = mkdtempSync(join(tmpdir(), 'ctl-users-'))
  dirs.push(made)
  return made
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('junction-ctl user', () => {
  test('ha1: RFC 7616 H(user:realm:password) for each algorithm', () => {
    const h = ha1Of('Mufasa', 'http-auth@example.org', 'Circle of Life')
    // against @junction/digest, itself tested on the RFC 7616 §3.9.1 examples
    for (const [key, algorithm] of [
      ['md5', 'MD5'],
      ['sha256', 'SHA-256'],
      ['sha512_256', 'SHA-512-256'],
    ] as const) {
      const expected = computeHA1({
        algorithm,
        username: 'Mufasa',
        realm: 'http-auth@example.org',
        password: 'Circle of Life',
      })
      assert.equal(h[key], expected)
    }
    assert.equal(h['md5'], '3d78807defe7de2157e2b0b6573a855f') // md5('Mufasa:http-auth@example.org:Circle of Life')
    assert.equal(h['sha256']!.length, 64)
    assert.equal(h['sha512_256']!.length, 64)
  })

  test('add creates the file, stores HA1s, refuses a duplicate; the YAML store authenticates the user', async () => {
    const file = join(dir(), 'users.yaml')
    assert.deepEqual(addUser(file, { user: 'alice', realm: 'example.com', password: 's3cret' }), {
      ok: true,
      users: 1,
    })
    assert.deepEqual(addUser(file, { user: 'bob', realm: 'example.com', password: 'b0b', plain: true }), {
      ok: true,
      users: 2,
    })
    const dup = addUser(file, { user: 'alice', realm: 'example.com', password: 'x' })
    assert.equal(dup.ok, false)
    const text = readFileSync(file, 'utf8')
    assert.doesNotMatch(text, /s3cret/, 'no plain password unless --plain')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const store = createYamlCredentialStore(file, { watch: false })
    try {
      const secret = await store.lookup('alice', 'example.com')
      assert.deepEqual(secret, {
        ha1: {
          MD5: ha1Of('alice', 'example.com', 's3cret')['md5'],
          'SHA-256': ha1Of('alice', 'example.com', 's3cret')['sha256'],
          'SHA-512-256': ha1Of('alice', 'example.com', 's3cret')['sha512_256'],
        },
      })
      assert.deepEqual(await store.lookup('bob', 'example.com'), { password: 'b0b' })
      assert.ok(
        createDigestAuth({ realm: 'example.com', secret: 'sixteen octets!!' }, { credentials: store }),
      )
    } finally {
      store.close()
    }
  })

  test('add keeps comments and other entries; remove takes one user out', () => {
    const file = join(dir(), 'users.yaml')
    writeFileSync(file, '# our users\nusers:\n  - user: carol # the admin\n    password: c4r0l\n')
    assert.equal(addUser(file, { user: 'dave', realm: 'example.com', password: 'd' }).ok, true)
    assert.match(readFileSync(file, 'utf8'), /# our users[\s\S]*# the admin/)
    assert.deepEqual(removeUser(file, 'carol'), { ok: true, users: 1 })
    assert.equal(removeUser(file, 'carol').ok, false)
  })

  test('an invalid file is never rewritten', () => {
    const file = join(dir(), 'users.yaml')
    writeFileSync(file, 'users:\n  - user: x\n    password: a\n    ha1: { md5: "00" }\n')
    const r = addUser(file, { user: 'y', realm: 'r', password: 'p' })
    assert.equal(r.ok, false)
    assert.match((r as { error: string }).error, /invalid users file/)
    assert.match(readFileSync(file, 'utf8'), /md5: "00"/)
  })

  test('the command line: add with --password-stdin, ha1, remove; errors exit 1, usage 2', async () => {
    const file = join(dir(), 'users.yaml')
    const add = await ctl(
      ['user', 'add', file, 'alice', '--realm', 'example.com', '--password-stdin'],
      'pw1\n',
    )
    assert.equal(add.code, 0, add.stderr)
    assert.match(add.stdout, /alice added/)
    const ha1 = await ctl(['user', 'ha1', 'alice', 'example.com', '--password', 'pw1'])
    assert.equal(ha1.code, 0, ha1.stderr)
    assert.deepEqual(JSON.parse(ha1.stdout), ha1Of('alice', 'example.com', 'pw1'))
    const again = await ctl(['user', 'add', file, 'alice', '--realm', 'example.com', '--password', 'x'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /already there/)
    assert.equal((await ctl(['user', 'add', file, 'bob'])).code, 2, 'no --realm: usage')
    assert.equal((await ctl(['user', 'remove', file, 'alice'])).code, 0)
  })
})
