import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { test } from 'node:test'
import fc from 'fast-check'
import { ipVersion } from './address.ts'

test('ipVersion answers as node:net isIP on addresses, near misses and any text', () => {
  for (const s of [
    '127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '192.0.2.10',
    '::1',
    '::ffff:1.2.3.4',
    'fe80::1%eth0',
  ]) {
    assert.equal(ipVersion(s), isIP(s), s)
  }
  for (const s of [
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '1.2.3.4 ',
    'a.b.c.d',
    '',
    '1234.1.1.1',
  ]) {
    assert.equal(ipVersion(s), 0, s)
  }
  const octet = fc.oneof(fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom('00', '01', '007', ''))
  const quad = fc.array(octet, { minLength: 2, maxLength: 6 }).map((a) => a.join('.'))
  const text = fc.oneof(
    quad,
    fc.ipV4(),
    fc.ipV6(),
    fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ':', 'a') }),
  )
  fc.assert(
    fc.property(text, (s) => ipVersion(s) === isIP(s)),
    { numRuns: 10_000 },
  )
})
