/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1), IPv6 text per RFC 4291 §2.2,
 * RFC 5954 §4.1 and RFC 5118, canonical IPv6 text per RFC 5952.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  canonicalIPv6,
  comparableHost,
  ipv4End,
  isIPv4,
  isIPv6,
  parseIPv6,
  scanHost,
  scanHostname,
} from './host.ts'
import { parseSipUri } from './sip-uri.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

const whole = (s: string): number => scanHostname(s, 0, s.length)

describe('scanHostname (RFC 3261 §25.1)', () => {
  test('RFC 3261 §25.1: returns the index after the hostname, stopping at ":", ";", "?" or ">"', () => {
    assert.equal(scanHostname('atlanta.com:5060', 0, 16), 11)
    assert.equal(scanHostname('atlanta.com;lr', 0, 14), 11)
    assert.equal(scanHostname('atlanta.com?x=y', 0, 15), 11)
    assert.equal(scanHostname('<atlanta.com>', 1, 13), 12)
    assert.equal(scanHostname('sip:alice@atlanta.com', 10, 21), 21)
  })

  test('RFC 3261 §25.1: never reads past the end of its range', () => {
    assert.equal(scanHostname('atlanta.com', 0, 7), 7)
    assert.equal(scanHostname('192.0.2.1', 0, 5), -1) // "192.0" is neither an IPv4 address nor a hostname
    assert.equal(scanHostname('atlanta.com', 3, 3), -1)
  })

  test('RFC 3261 §25.1: hostname = *( domainlabel "." ) toplabel [ "." ]', () => {
    for (const h of [
      'localhost',
      'atlanta.com',
      'atlanta.com.',
      'a.b.c.d.e',
      'my-host.sub-domain.example',
      'x1.y2',
      '123.example.com',
      'a--b.com',
      'A.COM',
    ]) {
      assert.equal(whole(h), h.length, h)
    }
  })

  test('RFC 3261 §25.1: a label may not start or end with "-" nor be empty', () => {
    for (const h of ['-a.com', 'a-.com', 'a.-b.com', 'a.b-', 'a..com', '.a.com', '-', '.']) {
      assert.equal(whole(h), -1, h)
    }
  })

  test('RFC 3261 §25.1: toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum, so host.123 and 1a are not hostnames', () => {
    for (const h of ['host.123', 'host.1com', '1a', 'a.b.9z', 'a.1-2']) {
      assert.equal(whole(h), -1, h)
    }
  })

  test('RFC 3261 §25.1: IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each octet at most 255', () => {
    for (const h of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '10.0.0.01'])
      assert.equal(whole(h), h.length, h)
    for (const h of [
      '256.0.0.1',
      '1.256.0.1',
      '1.2.3.999',
      '1.2.3',
      '1.2.3.4.5',
      '1234.1.1.1',
      '1.2.3.0004',
      '1.2.3.4.',
      '1',
    ]) {
      assert.equal(whole(h), -1, h)
    }
  })

  test('RFC 3261 §25.1: the scan stops at the first char that no host holds (an empty scan is -1)', () => {
    assert.equal(scanHostname('atl_anta.com', 0, 12), 3)
    assert.equal(scanHostname('_atlanta.com', 0, 12), -1)
    assert.equal(scanHostname('', 0, 0), -1)
  })
})

describe('isIPv4 (RFC 3261 §25.1)', () => {
  test('RFC 3261 §25.1: dotted quads with octets 0-255 are IPv4 addresses', () => {
    for (const a of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '1.2.3.4']) assert.equal(isIPv4(a), true, a)
  })

  test('RFC 3261 §25.1: everything else is not', () => {
    for (const a of [
      '256.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '1.2.3.4.',
      ' 1.2.3.4',
      'a.b.c.d',
      'atlanta.com',
      '1.2.3.0004',
      '',
      '::1',
    ]) {
      assert.equal(isIPv4(a), false, a)
    }
  })

  test('RFC 3261 §25.1: a range inside a larger string', () => {
    assert.equal(isIPv4('[192.0.2.1]', 1, 10), true)
    assert.equal(isIPv4('192.0.2.10', 0, 9), true)
    assert.equal(isIPv4('x192.0.2.1', 0, 10), false)
  })
})

describe('parseIPv6 (RFC 4291 §2.2, RFC 5954 §4.1, RFC 5118 §4.10)', () => {
  test('RFC 4291 §2.2: the preferred form x:x:x:x:x:x:x:x', () => {
    assert.deepEqual(
      parseIPv6('2001:DB8:0:0:8:800:200C:417A'),
      [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a],
    )
    assert.deepEqual(parseIPv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8])
    assert.deepEqual(parseIPv6('ffff:FFFF:0000:0001:1:1:1:1'), [0xffff, 0xffff, 0, 1, 1, 1, 1, 1])
  })

  test('RFC 4291 §2.2: "::" stands for one or more groups of zeros, at the start, middle or end', () => {
    assert.deepEqual(parseIPv6('2001:db8::1'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])
    assert.deepEqual(parseIPv6('::'), [0, 0, 0, 0, 0, 0, 0, 0])
    assert.deepEqual(parseIPv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1])
    assert.deepEqual(parseIPv6('1::'), [1, 0, 0, 0, 0, 0, 0, 0])
    assert.deepEqual(parseIPv6('1:2:3:4:5:6:7::'), [1, 2, 3, 4, 5, 6, 7, 0])
    assert.deepEqual(parseIPv6('::2:3:4:5:6:7:8'), [0, 2, 3, 4, 5, 6, 7, 8])
  })

  test('RFC 4291 §2.2: the mixed form with an embedded IPv4 address in the last 32 bits', () => {
    assert.deepEqual(parseIPv6('::ffff:192.0.2.1'), [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201])
    assert.deepEqual(parseIPv6('1:2:3:4:5:6:1.2.3.4'), [1, 2, 3, 4, 5, 6, 0x0102, 0x0304])
    assert.deepEqual(parseIPv6('::13.1.68.3'), [0, 0, 0, 0, 0, 0, 0x0d01, 0x4403])
  })

  test('RFC 5118 §4.10 / RFC 5954 §4.1: the RFC 3261 three-colon form 2001:db8:::192.0.2.1 is read as "::"', () => {
    assert.deepEqual(parseIPv6('2001:db8:::192.0.2.1'), parseIPv6('2001:db8::192.0.2.1'))
    assert.deepEqual(parseIPv6('2001:db8:::192.0.2.1'), [0x2001, 0xdb8, 0, 0, 0, 0, 0xc000, 0x0201])
  })

  test('RFC 4291 §2.2: invalid texts', () => {
    for (const a of [
      '',
      ':',
      ':::',
      '2001:db8::g',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8::',
      '::1:2:3:4:5:6:7:8',
      '1::2::3',
      '12345::1',
      ':1::2',
      '1::2:',
      '1:2:3:4:5:6:7:8:',
      '2001:db8:::1',
      '::1.2.3.4:5',
      '1.2.3.4::',
      '::256.0.0.1',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      '[::1]',
      ' ::1',
    ]) {
      assert.equal(parseIPv6(a), undefined, a)
      assert.equal(isIPv6(a), false, a)
    }
  })
})

describe('canonicalIPv6 (RFC 5952)', () => {
  test('RFC 5952 §4: 2001:DB8:0:0:0:0:0:1 is written 2001:db8::1', () => {
    assert.equal(canonicalIPv6('2001:DB8:0:0:0:0:0:1'), '2001:db8::1')
  })

  test('RFC 5952 §4.1: leading zeros in a group are suppressed', () => {
    assert.equal(canonicalIPv6('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1')
    assert.equal(canonicalIPv6('2001:db8:00a0:0:1:1:1:01'), '2001:db8:a0:0:1:1:1:1')
  })

  test('RFC 5952 §4.2.1: "::" shortens as much as possible', () => {
    assert.equal(canonicalIPv6('2001:db8:0:0:0:0:2:1'), '2001:db8::2:1')
    assert.equal(canonicalIPv6('2001:db8::0:1'), '2001:db8::1')
  })

  test('RFC 5952 §4.2.2: "::" is not used for a single zero group', () => {
    assert.equal(canonicalIPv6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1')
    assert.equal(canonicalIPv6('2001:db8::1:1:1:1:1'), '2001:db8:0:1:1:1:1:1')
    assert.equal(canonicalIPv6('1:2:3:4:5:6:7:0'), '1:2:3:4:5:6:7:0')
  })

  test('RFC 5952 §4.2.3: the longest zero run is shortened; between equal runs, the first', () => {
    assert.equal(canonicalIPv6('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1')
    assert.equal(canonicalIPv6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1')
  })

  test('RFC 5952 §4.3: hex digits are lower case', () => {
    assert.equal(canonicalIPv6('2001:DB8::ABCD:EF'), '2001:db8::abcd:ef')
  })

  test('RFC 5952 §4.2: all-zero, loopback and trailing-zero addresses', () => {
    assert.equal(canonicalIPv6('0:0:0:0:0:0:0:0'), '::')
    assert.equal(canonicalIPv6('0:0:0:0:0:0:0:1'), '::1')
    assert.equal(canonicalIPv6('1:0:0:0:0:0:0:0'), '1::')
    assert.equal(canonicalIPv6('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8')
  })

  test('RFC 5952 §5: an IPv4-mapped address is written in mixed notation ::ffff:192.0.2.1', () => {
    assert.equal(canonicalIPv6('::ffff:192.0.2.1'), '::ffff:192.0.2.1')
    assert.equal(canonicalIPv6('0:0:0:0:0:FFFF:C000:0201'), '::ffff:192.0.2.1')
    assert.equal(canonicalIPv6('::ffff:0:0'), '::ffff:0.0.0.0')
  })

  test('RFC 5952 §5: other embedded IPv4 forms get hexadecimal text', () => {
    assert.equal(canonicalIPv6('2001:db8:::192.0.2.1'), '2001:db8::c000:201')
    assert.equal(canonicalIPv6('1:2:3:4:5:6:1.2.3.4'), '1:2:3:4:5:6:102:304')
  })

  test('RFC 5952 §4: equal addresses have the same canonical text, invalid ones have none', () => {
    assert.equal(canonicalIPv6('2001:db8:0::1'), canonicalIPv6('2001:0DB8:0:0:0:0:0:0001'))
    assert.equal(canonicalIPv6('2001:db8::g'), undefined)
    assert.equal(canonicalIPv6('1::2::3'), undefined)
  })
})

describe('scanHost (RFC 3261 §25.1 host, RFC 5118)', () => {
  test('RFC 5118 §4.4: an IPv6 reference ends at "]", before the port', () => {
    assert.equal(scanHost('[2001:db8::1]:5060', 0, 18), 13)
    assert.equal(scanHost('alice@[::1];lr', 6, 14), 11)
  })

  test('RFC 5118 §4.2: a reference without its closing "]" within the range, or with a bad address, is -1', () => {
    assert.equal(scanHost('[2001:db8::1', 0, 12), -1)
    assert.equal(scanHost('[::1]', 0, 4), -1)
    assert.equal(scanHost('[zz]', 0, 4), -1)
    assert.equal(scanHost('[]', 0, 2), -1)
  })

  test('RFC 3261 §25.1: hostnames and IPv4 addresses go through scanHostname', () => {
    assert.equal(scanHost('atlanta.com:5060', 0, 16), 11)
    assert.equal(scanHost('192.0.2.1;lr', 0, 12), 9)
    assert.equal(scanHost('-atlanta.com', 0, 12), -1)
  })
})

describe('comparableHost (RFC 3261 §19.1.4)', () => {
  test('RFC 3261 §19.1.4: hostnames compare case-insensitively', () => {
    assert.equal(comparableHost('AtLanTa.CoM'), 'atlanta.com')
    assert.equal(comparableHost('atlanta.com'), comparableHost('ATLANTA.COM'))
    assert.equal(comparableHost('192.0.2.4'), '192.0.2.4')
  })

  test('RFC 3261 §19.1.4: a hostname never equals the IP address it resolves to', () => {
    assert.notEqual(comparableHost('phone21.boxesbybob.com'), comparableHost('192.0.2.4'))
  })

  test('RFC 5118 §4.1 / RFC 5952: IPv6 references compare by address, kept in brackets', () => {
    assert.equal(comparableHost('[2001:DB8:0:0:0:0:0:1]'), '[2001:db8::1]')
    assert.equal(comparableHost('[2001:db8:0::1]'), comparableHost('[2001:db8::1]'))
    assert.equal(comparableHost('[::ffff:c000:201]'), '[::ffff:192.0.2.1]')
    assert.notEqual(comparableHost('[2001:db8::1]'), comparableHost('[2001:db8::2]'))
  })

  test('RFC 5118 §4.10: the three-colon form compares equal to the two-colon form', () => {
    assert.equal(comparableHost('[2001:db8:::192.0.2.1]'), comparableHost('[2001:db8::192.0.2.1]'))
  })
})

describe('the host of a SIP URI (RFC 3261 §19.1.4: stored in lower case)', () => {
  test('any mix of case: the host as written, lower-cased (upper case seen by the scan, or a reference)', () => {
    const label = fc.stringMatching(/^[a-zA-Z]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?$/)
    const host = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
      fc.constantFrom('[2001:DB8::aBcD]', '[::1]', '192.0.2.1', 'EXAMPLE.com.'),
    )
    fc.assert(
      fc.property(host, (h) => {
        const uri = parseSipUri(`sip:alice@${h};lr`)
        assert.ok(uri !== undefined)
        assert.equal(uri.host, h.toLowerCase())
      }),
      { numRuns },
    )
  })
})

describe('ipv4End (an IPv4 address read up to the first char that is no digit or ".")', () => {
  test('the run of digits and dots, when it is an address: against a regular expression', () => {
    const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]|0[0-9]{1,2})'
    const address = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`)
    const unit = fc.constantFrom('0', '1', '9', '25', '255', '256', '00', '.', ';', 'a', ':')
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (s) => {
        const run = /^[0-9.]*/.exec(s)![0]
        assert.equal(ipv4End(s, 0, s.length), address.test(run) ? run.length : -1)
        assert.equal(isIPv4(s), address.test(s))
      }),
      { numRuns },
    )
  })
})
