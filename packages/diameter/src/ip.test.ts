import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.ts'

test('IPv4: dotted quads only', () => {
  assert.deepEqual(parseIPv4('192.0.2.1'), Uint8Array.of(192, 0, 2, 1))
  assert.deepEqual(parseIPv4('0.0.0.0'), Uint8Array.of(0, 0, 0, 0))
  assert.deepEqual(parseIPv4('255.255.255.255'), Uint8Array.of(255, 255, 255, 255))
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..3.4', 'a.b.c.d', '1.2.3.4 ', '']) {
    assert.equal(parseIPv4(bad), undefined, bad)
  }
  assert.equal(formatIPv4(Uint8Array.of(10, 0, 0, 255)), '10.0.0.255')
})

test('IPv6: RFC 4291 §2.2 text forms in, RFC 5952 text out', () => {
  const cases: [string, string][] = [
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::1:2:3:4:5', 'fe80::1:2:3:4:5'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ]
  for (const [text, canonical] of cases) {
    const b = parseIPv6(text)
    assert.ok(b !== undefined, text)
    assert.equal(formatIPv6(b), canonical, text)
    assert.deepEqual(parseIPv6(canonical), b, canonical)
  }
  for (const bad of [
    ':',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    'g::',
    '::1.2.3',
    '1:2:3:4:5:6:7::8:9',
    '',
  ]) {
    assert.equal(parseIPv6(bad), undefined, bad)
  }
})
