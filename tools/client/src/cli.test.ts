import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run } from './cli.ts'

async function help(args: string[]): Promise<string> {
  let out = ''
  const code = await run([...args, '--help'], { stdout: (t) => (out += t), stderr: (t) => (out += t) })
  assert.equal(code, 0)
  return out
}

test('--help documents every flag of every command, with a description', async () => {
  const expected: Record<string, string[]> = {
    options: [
      '--transport',
      '--proxy',
      '--local',
      '--ca',
      '--insecure',
      '--timeout',
      '--verbose',
      '--json',
      '--from',
      '--repeat',
      '--interval',
      '--password',
      '--user',
      '--algorithm',
    ],
    register: [
      '--password',
      '--aka-k',
      '--aka-op',
      '--aka-opc',
      '--aka-sqn',
      '--impi',
      '--expires',
      '--unregister',
      '--instance',
      '--reg-id',
      '--duration',
      '--registrar',
      '--transport',
      '--timeout',
      '--json',
    ],
    message: ['--content-type', '--password', '--proxy', '--json'],
    call: ['--answer', '--duration', '--register', '--count', '--from', '--proxy', '--json', '--verbose'],
    subscribe: ['--event', '--accept', '--expires', '--duration', '--from', '--proxy', '--json'],
    lint: ['--role', '--json'],
  }
  for (const [command, flags] of Object.entries(expected)) {
    const text = await help([command])
    for (const flag of flags)
      assert.match(text, new RegExp(`${flag}\\b[^\\n]*\\s{2,}\\S`), `${command} ${flag}`)
  }
  assert.match(await help([]), /Exit codes: 0 success, 1 SIP failure/)
})

test('usage errors exit 2 with the reason on stderr', async () => {
  let err = ''
  const io = { stdout: () => {}, stderr: (t: string) => (err += t) }
  assert.equal(await run(['register', 'sip:a@b', '--aka-k', '465b5ce8b199b49faa5f0a2ee238a6bc'], io), 2)
  assert.match(err, /--aka-k needs --aka-op or --aka-opc/)
  assert.equal(await run(['options', 'not a uri', '--timeout', '100'], io), 2)
  assert.equal(await run(['register', 'sip:a@b', '--expires', '-1'], io), 2)
  assert.equal(await run(['nosuchcommand'], io), 2)
})
