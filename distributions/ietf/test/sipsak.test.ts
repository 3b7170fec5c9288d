/**
 * sipsak (Debian `sipsak`) against a running junction-ietf: an OPTIONS ping answered by the server
 * itself, and sipsak's traceroute (Max-Forwards 0, 1, ...: 483 from us, then the final answer).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { type Ietf, run, startIetf } from './process.ts'

const hasSipsak = spawnSync('sipsak', ['-V']).error === undefined
if (!hasSipsak && process.env['CI'] === 'true') {
  test('sipsak is installed (required under CI=true)', () => assert.fail('sipsak is missing'))
}

describe('sipsak → junction-ietf', {
  skip: hasSipsak ? false : 'sipsak is not installed (apt-get install sipsak)',
}, () => {
  let ietf: Ietf
  before(async () => {
    // sipsak's From names 127.0.0.1, one of our addresses: trusted here, so it is not challenged
    ietf = await startIetf({
      sip: { listen: ['udp:127.0.0.1:0'] },
      routing: { trusted: ['127.0.0.1'] },
      admin: { enabled: false },
    })
  })
  after(async () => {
    await ietf.stop()
  })

  test('OPTIONS to the server: 200 with Allow', async () => {
    const r = await run('sipsak', ['-v', '-s', `sip:127.0.0.1:${ietf.port('udp')}`], 15)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^SIP\/2\.0 200 OK/m)
    assert.match(r.stdout, /^Allow: .*INVITE/m)
  })

  test('traceroute: 483 Too Many Hops at Max-Forwards 0, then 480 for a local user not registered', async () => {
    const r = await run('sipsak', ['-T', '-s', `sip:bob@127.0.0.1:${ietf.port('udp')}`], 20)
    assert.match(r.stdout, /483 Too Many Hops/)
    assert.match(r.stdout, /480 Temporarily Unavailable/)
  })
})
