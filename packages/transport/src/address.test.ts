import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { test } from 'node:test'
import fc from 'fast-check'
import { connectionKeyOf, ipVersion } from './address.ts'

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

test('connectionKeyOf: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64 prefix', () => {
  const cases: Array<[string, string]> = [
    ['192.0.2.1', '192.0.2.1'],
    // IPv4-mapped (RFC 4291 §2.5.5.2): dotted, hexadecimal and uncompressed forms
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    // full and compressed forms of one /64 give one key
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::/64'],
    ['2001:db8:0:1::1', '2001:db8:0:1::/64'],
    ['2001:DB8:0:1:ffff:ffff:ffff:ffff', '2001:db8:0:1::/64'],
    ['2001:db8:0:1:a:b:192.0.2.1', '2001:db8:0:1::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['2001:db8::2:0:0:1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    // the zone id stays (each link is its own network)
    ['fe80::1%eth0', 'fe80:0:0:0::/64%eth0'],
    ['fe80::abcd:1%eth0', 'fe80:0:0:0::/64%eth0'],
    ['fe80::1%eth1', 'fe80:0:0:0::/64%eth1'],
    // not an address: unchanged
    ['', ''],
    ['example.com', 'example.com'],
    ['2001:db8::1::2', '2001:db8::1::2'],
  ]
  for (const [ip, key] of cases) assert.equal(connectionKeyOf(ip), key, ip)
  assert.notEqual(connectionKeyOf('2001:db8:0:1::1'), connectionKeyOf('2001:db8:0:2::1'))
})

test('connectionKeyOf: any IPv6 address keys as its first 64 bits; it never throws', () => {
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const key = connectionKeyOf(ip)
      const full = new URL(`http://[${ip}]/`).hostname.slice(1, -1)
      if (key.includes('.')) return /^::ffff:/.test(full) && isIP(key) === 4
      const groups = key
        .slice(0, -5)
        .split(':')
        .map((g) => Number.parseInt(g, 16))
      const expanded = expand(full)
      return key.endsWith('::/64') && groups.every((g, i) => g === expanded[i])
    }),
    { numRuns: 5_000 },
  )
  fc.assert(fc.property(fc.string(), (s) => typeof connectionKeyOf(s) === 'string'))
})

/** The eight groups of a canonical (URL-normalized) IPv6 address. */
function expand(canonical: string): number[] {
  const [head = '', rest] = canonical.split('::')
  const h = head === '' ? [] : head.split(':')
  const r = rest === undefined || rest === '' ? [] : rest.split(':')
  const groups = [...h, ...new Array<string>(8 - h.length - r.length).fill('0'), ...r]
  return groups.map((g) => Number.parseInt(g, 16))
}
