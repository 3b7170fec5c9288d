/**
 * Interop with sipsak (a real SIP client, Debian package `sipsak`): it answers our 401 with
 * digest credentials (MD5, qop=auth) and must get through. Skipped when sipsak is not installed.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { test } from 'node:test'
import { createResponse, parseMessage, serialize } from '@junction/sip'
import { authorize } from '../src/authorize.ts'
import { createMemoryCredentialStore } from '../src/credentials.ts'
import { createDigestAuth } from '../src/digest-auth.ts'

const hasSipsak = spawnSync('sipsak', ['-V']).error === undefined

test('sipsak authenticates against our challenge (OPTIONS, 401, then 200)', {
  skip: !hasSipsak && 'sipsak is not installed',
}, async () => {
  const auth = createDigestAuth(
    { realm: '127.0.0.1', secret: 'interop secret of sixteen octets' },
    { credentials: createMemoryCredentialStore([{ user: 'alice', secret: { password: 'wonderland' } }]) },
  )
  const outcomes: string[] = []
  const socket = createSocket('udp4')
  socket.on('message', async (bytes, from) => {
    const r = parseMessage(bytes)
    if (!r.ok || r.message.kind !== 'request') return
    const a = await authorize(r.message, auth)
    outcomes.push(a.ok ? `ok ${a.user}` : a.reason)
    const res = a.ok ? createResponse(r.message, 200) : a.response
    socket.send(serialize(res), from.port, from.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  try {
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn('sipsak', ['-s', `sip:alice@127.0.0.1:${port}`, '-a', 'wonderland', '-u', 'alice'], {
        stdio: 'ignore',
      })
      p.on('exit', resolve)
    })
    assert.deepEqual(outcomes, ['missing', 'ok alice'])
    assert.equal(code, 0)
  } finally {
    socket.close()
  }
})
