import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { memoryStoreOptions, registrarConfig, registrarOptions } from './config.ts'

describe('registrarConfig', () => {
  it('has embedded defaults: outbound and GRUU on, 60–3600 s, 10 contacts', () => {
    const c = registrarConfig.parse(undefined)
    assert.equal(c.enabled, true)
    const o = registrarOptions(c, ['example.com'])
    assert.deepEqual(o.domains, ['example.com'])
    assert.equal(o.minExpires, 60)
    assert.equal(o.maxExpires, 3600)
    assert.equal(o.defaultExpires, 3600)
    assert.equal(o.maxContacts, 10)
    assert.equal(o.outbound, true)
    assert.equal(o.gruu, true)
    assert.deepEqual(memoryStoreOptions(c), { maxAors: 1_000_000, maxBindingsPerAor: 10 })
  })

  it('refuses unknown keys, minExpires above maxExpires, a short GRUU secret', () => {
    assert.equal(registrarConfig.safeParse({ maxContact: 3 }).success, false)
    assert.equal(registrarConfig.safeParse({ minExpires: 600, maxExpires: 300 }).success, false)
    assert.equal(registrarConfig.safeParse({ gruuSecret: 'short' }).success, false)
  })

  it('keeps defaultExpires within min and max', () => {
    const c = registrarConfig.parse({ minExpires: 120, maxExpires: 600 })
    assert.equal(registrarOptions(c, ['a']).defaultExpires, 600)
  })
})
