import assert from 'node:assert/strict'
import { isIPv4 } from 'node:net'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { sourceKeyOf } from './source-key.ts'

describe('sourceKeyOf (a limit counts a host, not an address)', () => {
  it('IPv4 as it is', () => {
    assert.equal(sourceKeyOf('192.0.2.1'), '192.0.2.1')
  })

  it('IPv4-mapped IPv6 (RFC 4291 §2.5.5.2) as the IPv4 address, in every spelling', () => {
    for (const a of [
      '::ffff:192.0.2.1',
      '::FFFF:192.0.2.1',
      '[::ffff:192.0.2.1]',
      '0:0:0:0:0:ffff:192.0.2.1',
      '0000:0000:0000:0000:0000:ffff:c000:0201',
      '::ffff:c000:201',
    ])
      assert.equal(sourceKeyOf(a), '192.0.2.1', a)
  })

  it('IPv6 by its /64: full, compressed, upper case, bracketed, with a zone id', () => {
    const key = '2001:db8:0:1::/64'
    for (const a of [
      '2001:0db8:0000:0001:0000:0000:0000:0001',
      '2001:db8:0:1::1',
      '2001:DB8:0:1:ffff:eeee:dddd:cccc',
      '[2001:db8:0:1::2]',
      '2001:db8:0:1::3%eth0',
      '2001:db8:0:1:1:2:192.0.2.1',
    ])
      assert.equal(sourceKeyOf(a), key, a)
    assert.equal(sourceKeyOf('2001:db8:0:2::1'), '2001:db8:0:2::/64', 'another /64 is another source')
    assert.equal(sourceKeyOf('2001:db8::1'), '2001:db8::/64')
    assert.equal(sourceKeyOf('fe80::1%en0'), 'fe80::/64')
    assert.equal(sourceKeyOf('::1'), '::/64')
    assert.equal(sourceKeyOf('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  })

  it('any other text is its own key, and nothing throws', () => {
    for (const a of ['', 'a', 'x0', 'host.example.com', '::ffff:999.0.0.1', '1:2:3', '[', '[]', '%', '::g'])
      assert.equal(sourceKeyOf(a), a, a)
  })

  it('any IPv6 address keys as its first 64 bits (or, mapped, its IPv4 address); any text gives a string', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const key = sourceKeyOf(ip)
        const full = expand(new URL(`http://[${ip}]/`).hostname.slice(1, -1))
        if (key.includes('.')) return full.slice(0, 6).join() === '0,0,0,0,0,65535' && isIPv4(key)
        if (!key.endsWith('/64')) return false
        const prefix = expand(key.slice(0, -3))
        return prefix.slice(0, 4).every((g, i) => g === full[i]) && prefix.slice(4).every((g) => g === 0)
      }),
      { numRuns: 10_000 },
    )
    fc.assert(
      fc.property(fc.string(), (s) => typeof sourceKeyOf(s) === 'string'),
      { numRuns: 10_000 },
    )
  })
})

/** The eight groups of an IPv6 address in hexadecimal groups (compressed or not, no dotted part). */
function expand(text: string): number[] {
  const [head = '', rest] = text.split('::')
  const h = head === '' ? [] : head.split(':')
  const r = rest === undefined || rest === '' ? [] : rest.split(':')
  const groups =
    rest === undefined ? h : [...h, ...new Array<string>(8 - h.length - r.length).fill('0'), ...r]
  return groups.map((g) => Number.parseInt(g, 16))
}
