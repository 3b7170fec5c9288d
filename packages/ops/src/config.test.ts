import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { z } from 'zod'
import { adminConfig, logConfig, shutdownConfig } from './config.ts'

// how a flavor composes the slices
const flavorConfig = z.strictObject({ log: logConfig, admin: adminConfig, shutdown: shutdownConfig })

describe('config slices', () => {
  test('left out, every slice takes its defaults', () => {
    assert.deepEqual(flavorConfig.parse({}), {
      log: { level: 'info', pretty: false },
      admin: { enabled: true, host: '127.0.0.1', port: 8080, maxBodySize: 65536 },
      shutdown: { graceMs: 10_000 },
    })
  })

  test('values given are kept, the rest defaulted', () => {
    const c = flavorConfig.parse({ log: { level: 'debug' }, admin: { port: 9090, host: '0.0.0.0' } })
    assert.equal(c.log.level, 'debug')
    assert.equal(c.log.pretty, false)
    assert.equal(c.admin.port, 9090)
    assert.equal(c.admin.host, '0.0.0.0')
    assert.equal(c.admin.enabled, true)
  })

  test('unknown keys and bad values are errors that name their path', () => {
    const r = flavorConfig.safeParse({
      log: { level: 'loud', colour: true },
      admin: { port: 70000 },
      shutdown: { graceMs: -1 },
    })
    assert.equal(r.success, false)
    const paths = r.error!.issues.map((i) => [...i.path, ...('keys' in i ? i.keys : [])].join('.'))
    assert.ok(paths.includes('log.level'), paths.join(' '))
    assert.ok(paths.includes('log.colour'), paths.join(' '))
    assert.ok(paths.includes('admin.port'), paths.join(' '))
    assert.ok(paths.includes('shutdown.graceMs'), paths.join(' '))
  })
})
