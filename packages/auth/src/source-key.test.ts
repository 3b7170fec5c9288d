import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { guardSourceKey } from './source-key.ts'

describe('guardSourceKey (the failed-auth guard counts a host, not an address)', () => {
  it('IPv4 as it is', () => {
    assert.equal(guardSourceKey('192.0.2.1'), '192.0.2.1')
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
      assert.equal(guardSourceKey(a), '192.0.2.1', a)
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
      assert.equal(guardSourceKey(a), key, a)
    assert.equal(guardSourceKey('2001:db8:0:2::1'), '2001:db8:0:2::/64', 'another /64 is another source')
    assert.equal(guardSourceKey('2001:db8::1'), '2001:db8::/64')
    assert.equal(guardSourceKey('fe80::1%en0'), 'fe80::/64')
    assert.equal(guardSourceKey('::1'), '::/64')
    assert.equal(guardSourceKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  })

  it('any other text is its own key, and nothing throws', () => {
    for (const a of ['', 'a', 'x0', 'host.example.com', '::ffff:999.0.0.1', '1:2:3', '[', '[]', '%', '::g'])
      assert.equal(guardSourceKey(a), a, a)
  })
})
