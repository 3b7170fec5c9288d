/**
 * The URI layer: sip/sips (RFC 3261 §19.1, §25.1; IPv6 per RFC 5118 and RFC 5954), tel (RFC 3966),
 * opaque absolute URIs, comparison (RFC 3261 §19.1.4, RFC 3966 §4) and formatting.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  type AbsoluteUri,
  formatUri,
  parseMessage,
  parseUri,
  type SipUri,
  sipUri,
  type TelUri,
  type Uri,
  uriEquals,
} from './index.ts'
import { parseUriAt } from './uri.ts'

function sip(text: string): SipUri {
  const u = parseUri(text)
  assert.ok(u !== undefined && u.kind === 'sip', `${text} should parse as a SIP URI`)
  return u
}

function tel(text: string): TelUri {
  const u = parseUri(text)
  assert.ok(u !== undefined && u.kind === 'tel', `${text} should parse as a tel URI`)
  return u
}

function uri(text: string): Uri {
  const u = parseUri(text)
  assert.ok(u !== undefined, `${text} should parse`)
  return u
}

/** The SipUri the parser should produce, every optional component spelled out. */
function expected(parts: {
  scheme?: 'sip' | 'sips'
  user?: string
  password?: string
  host: string
  port?: number
  params?: Array<[string, string | null]>
  headers?: Array<[string, string]>
}): SipUri {
  return {
    kind: 'sip',
    scheme: parts.scheme ?? 'sip',
    user: parts.user,
    password: parts.password,
    host: parts.host,
    port: parts.port,
    params: new Map(parts.params ?? []),
    headers: parts.headers ?? [],
  }
}

function assertEquivalent(a: string, b: string): void {
  assert.equal(uriEquals(uri(a), uri(b)), true, `${a} should equal ${b}`)
  assert.equal(uriEquals(uri(b), uri(a)), true, `${b} should equal ${a}`)
}

function assertDifferent(a: string, b: string): void {
  assert.equal(uriEquals(uri(a), uri(b)), false, `${a} should differ from ${b}`)
  assert.equal(uriEquals(uri(b), uri(a)), false, `${b} should differ from ${a}`)
}

describe('SIP and SIPS URIs: RFC 3261 §19.1.3 examples', () => {
  test('RFC 3261 §19.1.3: sip:alice@atlanta.com', () => {
    assert.deepEqual(sip('sip:alice@atlanta.com'), expected({ user: 'alice', host: 'atlanta.com' }))
  })

  test('RFC 3261 §19.1.3: sip:alice:secretword@atlanta.com;transport=tcp has a password and a transport', () => {
    assert.deepEqual(
      sip('sip:alice:secretword@atlanta.com;transport=tcp'),
      expected({
        user: 'alice',
        password: 'secretword',
        host: 'atlanta.com',
        params: [['transport', 'tcp']],
      }),
    )
  })

  test('RFC 3261 §19.1.3: sips:alice@atlanta.com?subject=project%20x&priority=urgent has two decoded headers', () => {
    assert.deepEqual(
      sip('sips:alice@atlanta.com?subject=project%20x&priority=urgent'),
      expected({
        scheme: 'sips',
        user: 'alice',
        host: 'atlanta.com',
        headers: [
          ['subject', 'project x'],
          ['priority', 'urgent'],
        ],
      }),
    )
  })

  test('RFC 3261 §19.1.3: sip:+1-212-555-1212:1234@gateway.com;user=phone is a telephone-subscriber with password', () => {
    assert.deepEqual(
      sip('sip:+1-212-555-1212:1234@gateway.com;user=phone'),
      expected({
        user: '+1-212-555-1212',
        password: '1234',
        host: 'gateway.com',
        params: [['user', 'phone']],
      }),
    )
  })

  test('RFC 3261 §19.1.3: sips:1212@gateway.com', () => {
    assert.deepEqual(
      sip('sips:1212@gateway.com'),
      expected({ scheme: 'sips', user: '1212', host: 'gateway.com' }),
    )
  })

  test('RFC 3261 §19.1.3: sip:alice@192.0.2.4 has an IPv4 host', () => {
    assert.deepEqual(sip('sip:alice@192.0.2.4'), expected({ user: 'alice', host: '192.0.2.4' }))
  })

  test('RFC 3261 §19.1.3: sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com has no userinfo', () => {
    assert.deepEqual(
      sip('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com'),
      expected({
        host: 'atlanta.com',
        params: [['method', 'REGISTER']],
        headers: [['to', 'alice@atlanta.com']],
      }),
    )
  })

  test('RFC 3261 §19.1.3: in sip:alice;day=tuesday@atlanta.com the ";day=tuesday" belongs to the user', () => {
    assert.deepEqual(
      sip('sip:alice;day=tuesday@atlanta.com'),
      expected({ user: 'alice;day=tuesday', host: 'atlanta.com' }),
    )
  })
})

describe('SIP and SIPS URIs: components (RFC 3261 §19.1.1, §25.1)', () => {
  test('RFC 3261 §19.1.1: the scheme is case-insensitive and stored in lower case', () => {
    assert.equal(sip('SIP:alice@atlanta.com').scheme, 'sip')
    assert.equal(sip('SiPs:alice@atlanta.com').scheme, 'sips')
    assert.equal(parseUri('sipx:alice@atlanta.com')?.kind, 'absolute')
  })

  test('RFC 3261 §19.1.4: the host is stored in lower case, the user keeps its case', () => {
    const u = sip('sip:Alice@AtLanTa.CoM')
    assert.equal(u.user, 'Alice')
    assert.equal(u.host, 'atlanta.com')
  })

  test('RFC 3261 §25.1: hostname forms: single label, fully qualified with a trailing ".", inner "-", digit labels', () => {
    assert.equal(sip('sip:localhost').host, 'localhost')
    assert.equal(sip('sip:atlanta.com.').host, 'atlanta.com.')
    assert.equal(sip('sip:my-host.sub-domain.example.com').host, 'my-host.sub-domain.example.com')
    assert.equal(sip('sip:123.example.com').host, '123.example.com')
    assert.equal(sip('sip:a1.b2.c3').host, 'a1.b2.c3')
  })

  test('RFC 3261 §25.1: IPv4address hosts, octets up to 255', () => {
    assert.equal(sip('sip:0.0.0.0').host, '0.0.0.0')
    assert.equal(sip('sip:bob@255.255.255.255:5060').host, '255.255.255.255')
    assert.equal(parseUri('sip:256.0.0.1'), undefined)
    assert.equal(parseUri('sip:1.2.3'), undefined)
    assert.equal(parseUri('sip:1.2.3.4.5'), undefined)
    assert.equal(parseUri('sip:1234.1.1.1'), undefined)
  })

  test('RFC 3261 §25.1: port = 1*DIGIT, from 0 to 65535', () => {
    assert.equal(sip('sip:alice@atlanta.com:0').port, 0)
    assert.equal(sip('sip:alice@atlanta.com:5060').port, 5060)
    assert.equal(sip('sips:alice@atlanta.com:65535').port, 65535)
    assert.equal(sip('sip:alice@atlanta.com').port, undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:65536'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:99999999999'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:50a0'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:abc'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:-1'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com:5060:5061'), undefined)
  })

  test('RFC 3261 §19.1.1: transport, user, method, ttl, maddr and lr uri-parameters, in order', () => {
    const u = sip('sip:proxy.example.com;transport=tls;user=ip;method=INVITE;ttl=15;maddr=239.255.255.1;lr')
    assert.deepEqual(
      [...u.params],
      [
        ['transport', 'tls'],
        ['user', 'ip'],
        ['method', 'INVITE'],
        ['ttl', '15'],
        ['maddr', '239.255.255.1'],
        ['lr', null],
      ],
    )
  })

  test('RFC 3261 §25.1: other-param with and without a value; names lower-cased, values as written', () => {
    const u = sip('sip:alice@atlanta.com;Foo=Bar;BAZ;x-y=[a]/b:c&d+e$f')
    assert.deepEqual(
      [...u.params],
      [
        ['foo', 'Bar'],
        ['baz', null],
        ['x-y', '[a]/b:c&d+e$f'],
      ],
    )
    assert.equal(u.params.get('lr'), undefined)
  })

  test('RFC 3261 §25.1: pname and pvalue are 1*paramchar: empty names, empty values and a trailing ";" are invalid', () => {
    assert.equal(parseUri('sip:alice@atlanta.com;'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com;transport=tcp;'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com;=tcp'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com;transport='), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com;a=b=c'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com;a=b;;c'), undefined)
  })

  test('RFC 3261 §19.1.1: the headers component ?Subject=x&Priority=urgent, names as written and in order', () => {
    assert.deepEqual(sip('sip:alice@atlanta.com?Subject=x&Priority=urgent').headers, [
      ['Subject', 'x'],
      ['Priority', 'urgent'],
    ])
    assert.deepEqual(sip('sip:alice@atlanta.com;lr?Subject=x').headers, [['Subject', 'x']])
    assert.deepEqual([...sip('sip:alice@atlanta.com;lr?Subject=x').params], [['lr', null]])
  })

  test('RFC 3261 §25.1: hvalue may be empty and may hold hnv-unreserved "[ ] / ? : + $"', () => {
    assert.deepEqual(sip('sip:alice@atlanta.com?Subject=').headers, [['Subject', '']])
    assert.equal(parseUri('sip:alice@atlanta.com?to=sip:bob@[::1]'), undefined) // "@" must be escaped
    assert.deepEqual(sip('sip:atlanta.com?to=sip:bob%40[::1]/x?y+z$').headers, [
      ['to', 'sip:bob@[::1]/x?y+z$'],
    ])
  })

  test('RFC 3261 §25.1: header = hname "=" hvalue, hname non-empty; a dangling "?" or "&" is invalid', () => {
    assert.equal(parseUri('sip:alice@atlanta.com?'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com?Subject'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com?=x'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com?a=b&'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com?a=b&&c=d'), undefined)
    assert.equal(parseUri('sip:alice@atlanta.com?a=b;lr'), undefined)
  })

  test('RFC 3261 §25.1: user-unreserved "& = + $ , ; ? /" and marks are allowed in the user part', () => {
    assert.equal(sip("sip:a;b?c/d&e=f+g$h,i-_.!~*'()@atlanta.com").user, "a;b?c/d&e=f+g$h,i-_.!~*'()")
    assert.equal(sip('sip:alice;x?y/z@atlanta.com;lr').user, 'alice;x?y/z')
    assert.deepEqual([...sip('sip:alice;x?y/z@atlanta.com;lr').params], [['lr', null]])
  })

  test('RFC 3261 §25.1: password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ), possibly empty', () => {
    assert.equal(sip("sip:alice:&=+$,-_.!~*'()@atlanta.com").password, "&=+$,-_.!~*'()")
    assert.equal(sip('sip:alice:@atlanta.com').password, '')
    assert.equal(sip('sip:alice@atlanta.com').password, undefined)
    assert.equal(parseUri('sip:alice:a;b@atlanta.com'), undefined)
    assert.equal(parseUri('sip:alice:a?b@atlanta.com'), undefined)
    assert.equal(parseUri('sip:alice:a:b@atlanta.com'), undefined)
  })

  test('RFC 3261 §25.1 escaped: %HH is resolved in user, password, param names and values, headers', () => {
    const u = sip('sip:alice%20smith:p%40ss@atlanta.com;%66oo=a%3Bb%20c?Sub%6Aect=a%26b%3Dc')
    assert.equal(u.user, 'alice smith')
    assert.equal(u.password, 'p@ss')
    assert.deepEqual([...u.params], [['foo', 'a;b c']])
    assert.deepEqual(u.headers, [['Subject', 'a&b=c']])
  })

  test('RFC 3261 §25.1 escaped: %00 is an escaped NUL octet', () => {
    assert.equal(sip('sip:a%00b@atlanta.com').user, 'a\u0000b')
    assert.equal(sip('sip:atlanta.com;x=%00').params.get('x'), '\u0000')
  })

  test('RFC 3261 §25.1 escaped: %C3%A9 (either hex case) decodes as UTF-8 é', () => {
    assert.equal(sip('sip:ren%C3%A9@atlanta.com').user, 'rené')
    assert.equal(sip('sip:ren%c3%a9@atlanta.com').user, 'rené')
    assert.deepEqual(sip('sip:atlanta.com?subject=caf%C3%A9').headers, [['subject', 'café']])
  })

  test('RFC 3261 §25.1 escaped: bad escapes %G1, %4 and a bare % are invalid in every component', () => {
    for (const text of [
      'sip:%G1@atlanta.com',
      'sip:%4@atlanta.com',
      'sip:alice%4',
      'sip:al%ice@atlanta.com',
      'sip:alice:%zz@atlanta.com',
      'sip:alice@atlanta.com;x=%G1',
      'sip:alice@atlanta.com;x=%4',
      'sip:alice@atlanta.com;%=1',
      'sip:alice@atlanta.com?s=%4',
      'sip:alice@atlanta.com?s=%GG',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 3261 §19.1.1: a URI without host, with an empty host or with an empty user is invalid', () => {
    for (const text of [
      'sip:',
      'sips:',
      'sip:alice@',
      'sip:@atlanta.com',
      'sip::pw@atlanta.com',
      'sip:;lr',
      'sip:?a=b',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 3261 §25.1: spaces, "<", ">", quotes and raw non-ASCII are not URI characters', () => {
    for (const text of [
      'sip:al ice@atlanta.com',
      'sip:alice@atlanta .com',
      'sip:alice@atlanta.com ',
      ' sip:alice@atlanta.com',
      'sip:<alice>@atlanta.com',
      'sip:alice@atlanta.com>',
      'sip:alice@<atlanta.com>',
      'sip:"alice"@atlanta.com',
      'sip:rené@atlanta.com',
      'sip:alice@atlanta.com;x=a b',
      'sip:alice@atlanta.com?s=a b',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 3261 §25.1: labels do not start or end with "-", are not empty, and the top label starts with a letter', () => {
    for (const text of [
      'sip:-atlanta.com',
      'sip:atlanta-.com',
      'sip:alice@atlanta.com-',
      'sip:alice@a.-b.com',
      'sip:alice@a..com',
      'sip:alice@.atlanta.com',
      'sip:alice@host.123',
      'sip:alice@host.1com',
      'sip:alice@1a',
      'sip:alice@atl_anta.com',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 5118 §4.10 / RFC 3261 §25.1: an IPv6 address without brackets is not a host (sip:2001:db8::1)', () => {
    assert.equal(parseUri('sip:2001:db8::1'), undefined)
    assert.equal(parseUri('sip:alice@2001:db8::1'), undefined)
    assert.equal(parseUri('sip:alice@::1'), undefined)
  })

  test('RFC 3261 §19.1.1: only the first "@" ends the userinfo; "@" elsewhere is invalid', () => {
    assert.equal(parseUri('sip:alice@bob@atlanta.com'), undefined)
    assert.equal(parseUri('sip:atlanta.com;x=a@b@c'), undefined)
  })

  test('RFC 3261 §19.1.1: a repeated uri-parameter keeps its first value', () => {
    assert.deepEqual(
      [...sip('sip:alice@atlanta.com;transport=tcp;Transport=udp').params],
      [['transport', 'tcp']],
    )
  })
})

describe('IPv6 references (RFC 5118, RFC 5954)', () => {
  test('RFC 5118 §4.1: sip:[2001:db8::1] keeps the brackets in the host', () => {
    assert.deepEqual(sip('sip:[2001:db8::1]'), expected({ host: '[2001:db8::1]' }))
  })

  test('RFC 5118 §4.1: [::1] and the upper-case [2001:DB8::ABCD] (stored lower-cased)', () => {
    assert.equal(sip('sip:alice@[::1]').host, '[::1]')
    assert.equal(sip('sip:alice@[2001:DB8::ABCD]').host, '[2001:db8::abcd]')
    assert.equal(sip('sip:[1:2:3:4:5:6:7:8]').host, '[1:2:3:4:5:6:7:8]')
  })

  test('RFC 5118 §4.9: an IPv4-mapped reference [::ffff:192.0.2.1]', () => {
    assert.equal(sip('sip:alice@[::ffff:192.0.2.1]').host, '[::ffff:192.0.2.1]')
  })

  test('RFC 5118 §4.4: the port follows "]" ([2001:db8::10]:5070)', () => {
    assert.deepEqual(
      sip('sip:alice@[2001:db8::10]:5070;transport=tcp'),
      expected({ user: 'alice', host: '[2001:db8::10]', port: 5070, params: [['transport', 'tcp']] }),
    )
  })

  test('RFC 5118 §4.3: inside the brackets ":5070" is an address group, not a port', () => {
    const u = sip('sip:alice@[2001:db8::10:5070]')
    assert.equal(u.host, '[2001:db8::10:5070]')
    assert.equal(u.port, undefined)
  })

  test('RFC 5118 §4.10 / RFC 5954 §4.1: the 3-colon form [2001:db8:::192.0.2.1] is tolerated and equals [2001:db8::192.0.2.1]', () => {
    const bug = sip('sip:alice@[2001:db8:::192.0.2.1]')
    const fixed = sip('sip:alice@[2001:db8::192.0.2.1]')
    assert.equal(bug.host, '[2001:db8:::192.0.2.1]')
    assert.equal(uriEquals(bug, fixed), true)
    assert.equal(uriEquals(fixed, bug), true)
  })

  test('RFC 5118 §4.2: a reference without its closing "]" is invalid', () => {
    assert.equal(parseUri('sip:alice@[2001:db8::10'), undefined)
    assert.equal(parseUri('sip:alice@[2001:db8::10;lr'), undefined)
    assert.equal(parseUri('sip:alice@2001:db8::10]'), undefined)
  })

  test('RFC 4291 §2.2 (RFC 5954 §4.1 ABNF): invalid groups, too many groups, two "::", empty brackets', () => {
    for (const text of [
      'sip:[2001:db8::g]',
      'sip:[1:2:3:4:5:6:7:8:9]',
      'sip:[1:2:3:4:5:6:7]',
      'sip:[1::2::3]',
      'sip:[12345::1]',
      'sip:[]',
      'sip:[:]',
      'sip:[2001:db8:::1]',
      'sip:[::ffff:192.0.2.256]',
      'sip:[::192.0.2.1:1]',
      'sip:[2001:db8::1]x',
      'sip:[2001:db8::1]:',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 5118 §4.1 / RFC 3261 §19.1.4: IPv6 references compare by address, not by text', () => {
    assertEquivalent('sip:alice@[2001:db8:0:0:0:0:0:1]', 'sip:alice@[2001:DB8::1]')
    assertEquivalent('sip:alice@[2001:0db8::0001]:5060', 'sip:alice@[2001:db8::1]:5060')
    assertEquivalent('sip:alice@[::ffff:192.0.2.1]', 'sip:alice@[::ffff:c000:201]')
    assertDifferent('sip:alice@[2001:db8::1]', 'sip:alice@[2001:db8::2]')
    assertDifferent('sip:alice@[2001:db8::1]', 'sip:alice@[2001:db8::1]:5060')
  })
})

describe('tel URIs (RFC 3966)', () => {
  test('RFC 3966 §3: global number tel:+1-201-555-0123', () => {
    assert.deepEqual(tel('tel:+1-201-555-0123'), {
      kind: 'tel',
      scheme: 'tel',
      number: '+1-201-555-0123',
      global: true,
      params: new Map(),
    })
    assert.equal(tel('TEL:+1.201.555.0123').number, '+1.201.555.0123')
    assert.equal(tel('tel:+1(201)5550123').global, true)
  })

  test('RFC 3966 §5.1.5: local number with a domain phone-context tel:7042;phone-context=example.com', () => {
    assert.deepEqual(tel('tel:7042;phone-context=example.com'), {
      kind: 'tel',
      scheme: 'tel',
      number: '7042',
      global: false,
      params: new Map([['phone-context', 'example.com']]),
    })
  })

  test('RFC 3966 §5.1.5: local number with a global-digits phone-context tel:863-1234;phone-context=+1-914-555', () => {
    const u = tel('tel:863-1234;phone-context=+1-914-555')
    assert.equal(u.number, '863-1234')
    assert.equal(u.global, false)
    assert.deepEqual([...u.params], [['phone-context', '+1-914-555']])
  })

  test('RFC 3966 §3: local-number-digits may hold HEXDIG, "*" and "#"', () => {
    assert.equal(tel('tel:*69;phone-context=example.com').number, '*69')
    assert.equal(tel('tel:#31#;phone-context=example.com').number, '#31#')
    assert.equal(tel('tel:ABC-12;phone-context=example.com').number, 'ABC-12')
  })

  test('RFC 3966 §5.1.5: a local number without phone-context is invalid', () => {
    assert.equal(parseUri('tel:7042'), undefined)
    assert.equal(parseUri('tel:863-1234;ext=22'), undefined)
    assert.equal(parseUri('tel:7042;context=example.com'), undefined)
  })

  test('RFC 3966 §3: context = ";phone-context=" descriptor; a missing or malformed descriptor is invalid', () => {
    assert.equal(parseUri('tel:7042;phone-context'), undefined)
    assert.equal(parseUri('tel:7042;phone-context='), undefined)
    assert.equal(parseUri('tel:7042;phone-context=+'), undefined)
    assert.equal(parseUri('tel:7042;phone-context=-example.com'), undefined)
    assert.equal(parseUri('tel:7042;phone-context=192.0.2.1'), undefined)
    assert.equal(tel('tel:7042;phone-context=example.com.').params.get('phone-context'), 'example.com.')
  })

  test('RFC 3966 §3: ;ext= and ;isub= parameters', () => {
    assert.deepEqual([...tel('tel:+1-201-555-0123;ext=1234').params], [['ext', '1234']])
    assert.deepEqual([...tel('tel:+1-201-555-0123;isub=1411').params], [['isub', '1411']])
    assert.deepEqual(
      [...tel('tel:7042;ext=22;phone-context=example.com;foo=bar;flag').params],
      [
        ['ext', '22'],
        ['phone-context', 'example.com'],
        ['foo', 'bar'],
        ['flag', null],
      ],
    )
  })

  test('RFC 3966 §3: parameter names are case-insensitive (stored lower-cased), values %HH-decoded', () => {
    assert.deepEqual(
      [...tel('tel:+1-201-555-0123;EXT=1234;Isub=a%20b').params],
      [
        ['ext', '1234'],
        ['isub', 'a b'],
      ],
    )
  })

  test('RFC 3966 §3: a parameter appears at most once (case-insensitively); a duplicate is invalid', () => {
    assert.equal(parseUri('tel:+1-201-555-0123;ext=1;ext=2'), undefined)
    assert.equal(parseUri('tel:+1-201-555-0123;EXT=1;ext=1'), undefined)
    assert.equal(parseUri('tel:7042;phone-context=a.com;phone-context=b.com'), undefined)
  })

  test('RFC 3966 §3: malformed numbers and parameters are invalid', () => {
    for (const text of [
      'tel:',
      'tel:+',
      'tel:+-',
      'tel:+1-800-FLOWERS',
      'tel:+1 201 555 0123',
      'tel:+1-201-555-0123;',
      'tel:+1-201-555-0123;=1',
      'tel:+1-201-555-0123;ext=',
      'tel:+1-201-555-0123;ex_t=1',
      'tel:+1-201-555-0123;ext=a b',
      'tel:+1-201-555-0123;ext=%G1',
      'tel:;phone-context=example.com',
      'tel:12g;phone-context=example.com',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 3966 §4: visual separators are ignored when comparing numbers', () => {
    assertEquivalent('tel:+1-201-555-0123', 'tel:+12015550123')
    assertEquivalent('tel:+1(201)555.0123', 'tel:+1-201-555-0123')
    assertEquivalent('tel:863-1234;phone-context=example.com', 'tel:8631234;phone-context=example.com')
    assertDifferent('tel:+1-201-555-0123', 'tel:+1-201-555-0124')
  })

  test('RFC 3966 §4: parameter order does not matter; names and values compare case-insensitively', () => {
    assertEquivalent(
      'tel:7042;phone-context=example.com;ext=22;foo=bar',
      'tel:7042;FOO=BAR;ext=22;phone-context=EXAMPLE.COM',
    )
    assertEquivalent('tel:ab12;phone-context=example.com', 'tel:AB12;phone-context=example.com')
  })

  test('RFC 3966 §4: a global-number-digits phone-context and ext compare digit by digit, separators removed', () => {
    assertEquivalent('tel:863-1234;phone-context=+1-914-555', 'tel:8631234;phone-context=+1914555')
    assertEquivalent('tel:+1-201-555-0123;ext=12-34', 'tel:+12015550123;ext=1234')
    assertDifferent('tel:863-1234;phone-context=+1-914-555', 'tel:863-1234;phone-context=+1-914-556')
  })

  test('RFC 3966 §4: a parameter present in only one URI makes them differ; global never equals local', () => {
    assertDifferent('tel:+1-201-555-0123', 'tel:+1-201-555-0123;ext=1')
    assertDifferent('tel:+1-201-555-0123;isub=1', 'tel:+1-201-555-0123;ext=1')
    assertDifferent('tel:+1-201-555-0123;ext=1', 'tel:+1-201-555-0123;ext=2')
    assertDifferent('tel:7042;phone-context=example.com', 'tel:7042;phone-context=example.net')
    assertDifferent('tel:+7042', 'tel:7042;phone-context=example.com')
  })

  test('RFC 3966 §4: a tel URI never equals a SIP URI holding the same number', () => {
    assertDifferent('tel:+1-212-555-1212', 'sip:+1-212-555-1212@gateway.com;user=phone')
  })
})

describe('other schemes kept opaque (RFC 3261 §25.1 absoluteURI, RFC 3986 §3.1)', () => {
  test('RFC 3261 §25.1: urn:uuid:..., mailto:, im: and soap.beep:// are absolute URIs with their value as written', () => {
    const cases: Array<[string, AbsoluteUri]> = [
      [
        'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
        { kind: 'absolute', scheme: 'urn', value: 'uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6' },
      ],
      ['mailto:a@b', { kind: 'absolute', scheme: 'mailto', value: 'a@b' }],
      ['im:x@y', { kind: 'absolute', scheme: 'im', value: 'x@y' }],
      [
        'soap.beep://stockquoteserver.example.com/StockQuote',
        { kind: 'absolute', scheme: 'soap.beep', value: '//stockquoteserver.example.com/StockQuote' },
      ],
      [
        'h323+x-1:Alice%20B@Example.COM',
        { kind: 'absolute', scheme: 'h323+x-1', value: 'Alice%20B@Example.COM' },
      ],
    ]
    for (const [text, want] of cases) assert.deepEqual(parseUri(text), want, text)
  })

  test('RFC 3986 §3.1: the scheme is stored in lower case, the value keeps its case', () => {
    assert.deepEqual(parseUri('URN:UUID:ABC'), { kind: 'absolute', scheme: 'urn', value: 'UUID:ABC' })
    assert.deepEqual(parseUri('MailTo:Alice@Example.com'), {
      kind: 'absolute',
      scheme: 'mailto',
      value: 'Alice@Example.com',
    })
  })

  test('RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); anything else is invalid', () => {
    for (const text of [
      '1sip:x',
      ':x',
      'sip x',
      'sip x:y',
      '-a:x',
      '+a:x',
      'a_b:x',
      'a b:x',
      'noscheme',
      '',
      'é:x',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
  })

  test('RFC 3261 §25.1: the value is 1*uric: empty, spaces, "<", and bad escapes (%G1, %4) are invalid', () => {
    for (const text of [
      'mailto:',
      'mailto:a b',
      'urn:<x>',
      'urn:a"b',
      'urn:%G1',
      'urn:%4',
      'urn:a%',
      'urn:x\u00e9',
    ]) {
      assert.equal(parseUri(text), undefined, text)
    }
    assert.deepEqual(parseUri('urn:a%20b'), { kind: 'absolute', scheme: 'urn', value: 'a%20b' })
  })

  test('RFC 3986 §6.2.2.1: absolute URIs compare with a case-insensitive scheme and an exact value', () => {
    assertEquivalent('URN:uuid:x', 'urn:uuid:x')
    assertDifferent('urn:uuid:X', 'urn:uuid:x')
    assertDifferent('mailto:a@b', 'im:a@b')
    assertDifferent('im:alice@atlanta.com', 'sip:alice@atlanta.com')
  })
})

describe('uriEquals: RFC 3261 §19.1.4', () => {
  test('RFC 3261 §19.1.4: sip:%61lice@atlanta.com;transport=TCP equals sip:alice@AtLanTa.CoM;Transport=tcp', () => {
    assertEquivalent('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp')
  })

  test('RFC 3261 §19.1.4: sip:carol@chicago.com, ...;newparam=5 and ...;security=on are all equivalent', () => {
    const set = [
      'sip:carol@chicago.com',
      'sip:carol@chicago.com;newparam=5',
      'sip:carol@chicago.com;security=on',
    ]
    for (const a of set) for (const b of set) assertEquivalent(a, b)
  })

  test('RFC 3261 §19.1.4: parameter order does not matter (sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com)', () => {
    assertEquivalent(
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    )
  })

  test('RFC 3261 §19.1.4: header order does not matter (?subject=project%20x&priority=urgent)', () => {
    assertEquivalent(
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    )
  })

  test('RFC 3261 §19.1.4: SIP:ALICE@AtLanTa.CoM;Transport=udp differs from sip:alice@AtLanTa.CoM;Transport=UDP (usernames)', () => {
    assertDifferent('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP')
  })

  test('RFC 3261 §19.1.4: sip:bob@biloxi.com differs from sip:bob@biloxi.com:5060 (can resolve to different ports)', () => {
    assertDifferent('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060')
  })

  test('RFC 3261 §19.1.4: sip:bob@biloxi.com differs from sip:bob@biloxi.com;transport=udp (different transports)', () => {
    assertDifferent('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp')
  })

  test('RFC 3261 §19.1.4: sip:bob@biloxi.com differs from sip:bob@biloxi.com:6000;transport=tcp (port and transport)', () => {
    assertDifferent('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp')
  })

  test('RFC 3261 §19.1.4: sip:carol@chicago.com differs from sip:carol@chicago.com?Subject=next%20meeting (header component)', () => {
    assertDifferent('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting')
  })

  test('RFC 3261 §19.1.4: sip:bob@phone21.boxesbybob.com differs from sip:bob@192.0.2.4 (no DNS resolution)', () => {
    assertDifferent('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4')
  })

  test('RFC 3261 §19.1.4: equality is not transitive (;security=on and ;security=off differ)', () => {
    assertEquivalent('sip:carol@chicago.com', 'sip:carol@chicago.com;security=on')
    assertEquivalent('sip:carol@chicago.com', 'sip:carol@chicago.com;security=off')
    assertDifferent('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off')
  })

  test('RFC 3261 §19.1.4: a SIP and a SIPS URI are never equivalent', () => {
    assertDifferent('sip:alice@atlanta.com', 'sips:alice@atlanta.com')
  })

  test('RFC 3261 §19.1.4: userinfo is case-sensitive, the host is not', () => {
    assertDifferent('sip:Alice@atlanta.com', 'sip:alice@atlanta.com')
    assertDifferent('sip:alice:Secret@atlanta.com', 'sip:alice:secret@atlanta.com')
    assertEquivalent('sip:alice@ATLANTA.com', 'sip:alice@atlanta.COM')
    assertEquivalent('sips:alice:secret@Atlanta.Com:5061', 'sips:alice:secret@atlanta.com:5061')
  })

  test('RFC 3261 §19.1.4: a URI omitting the user or the password does not match one that has it', () => {
    assertDifferent('sip:atlanta.com', 'sip:alice@atlanta.com')
    assertDifferent('sip:alice@atlanta.com', 'sip:alice:secret@atlanta.com')
    assertDifferent('sip:alice@atlanta.com', 'sip:alice:@atlanta.com')
  })

  test('RFC 3261 §19.1.4: characters other than reserved ones equal their %HH encoding', () => {
    assertEquivalent('sip:%61lice@atlanta.com', 'sip:alice@atlanta.com')
    assertEquivalent('sip:alice:%73ecret@atlanta.com', 'sip:alice:secret@atlanta.com')
    assertEquivalent('sip:alice@atlanta.com;transport=%74cp', 'sip:alice@atlanta.com;transport=tcp')
    assertEquivalent('sip:alice@atlanta.com?subject=%70roject', 'sip:alice@atlanta.com?subject=project')
  })

  test('deviation from §19.1.4, documented: an escaped reserved char reads, compares and formats as itself', () => {
    assertEquivalent('sip:%2B12125551212@gateway.com', 'sip:+12125551212@gateway.com')
    assertEquivalent('sip:alice%3Bday=tuesday@atlanta.com', 'sip:alice;day=tuesday@atlanta.com')
    assert.equal(sip('sip:%2B12125551212@gateway.com').user, '+12125551212') // §10.3 step 5 wants this
    assert.equal(formatUri(sip('sip:alice%3Bday@atlanta.com')), 'sip:alice;day@atlanta.com')
  })

  test('RFC 3261 §19.1.4: an explicit port 5060 differs from no port, and ports must match', () => {
    assertDifferent('sip:alice@atlanta.com:5060', 'sip:alice@atlanta.com')
    assertDifferent('sips:alice@atlanta.com:5061', 'sips:alice@atlanta.com')
    assertDifferent('sip:alice@atlanta.com:5060', 'sip:alice@atlanta.com:5070')
    assertEquivalent('sip:alice@atlanta.com:05060', 'sip:alice@atlanta.com:5060')
  })

  test('RFC 3261 §19.1.4: maddr, transport, user, ttl or method in only one URI makes them differ', () => {
    for (const param of [
      'maddr=239.255.255.1',
      'transport=udp',
      'user=phone',
      'user=ip',
      'ttl=1',
      'method=INVITE',
    ]) {
      assertDifferent('sip:alice@atlanta.com', `sip:alice@atlanta.com;${param}`)
      assertDifferent('sip:alice@atlanta.com;lr', `sip:alice@atlanta.com;lr;${param}`)
    }
  })

  test('RFC 3261 §19.1.4: any uri-parameter in both URIs must match (values case-insensitively)', () => {
    assertDifferent('sip:alice@atlanta.com;transport=tcp', 'sip:alice@atlanta.com;transport=udp')
    assertDifferent('sip:alice@atlanta.com;ttl=1', 'sip:alice@atlanta.com;ttl=2')
    assertDifferent('sip:alice@atlanta.com;foo=1', 'sip:alice@atlanta.com;foo=2')
    assertDifferent('sip:alice@atlanta.com;lr', 'sip:alice@atlanta.com;lr=on')
    assertEquivalent('sip:alice@atlanta.com;method=invite', 'sip:alice@atlanta.com;METHOD=INVITE')
    assertEquivalent('sip:alice@atlanta.com;maddr=Example.COM', 'sip:alice@atlanta.com;maddr=example.com')
    assertEquivalent('sip:alice@atlanta.com;Foo=Bar;x', 'sip:alice@atlanta.com;X;foo=bar')
  })

  test('RFC 3261 §19.1.4: other uri-parameters present in only one URI (lr, custom) are ignored', () => {
    assertEquivalent('sip:alice@atlanta.com;lr', 'sip:alice@atlanta.com')
    assertEquivalent('sip:alice@atlanta.com;foo=1;transport=tcp', 'sip:alice@atlanta.com;transport=tcp;bar')
  })

  test('RFC 3261 §19.1.4: header components are never ignored', () => {
    assertDifferent('sip:alice@atlanta.com?subject=x', 'sip:alice@atlanta.com')
    assertDifferent('sip:alice@atlanta.com?subject=x', 'sip:alice@atlanta.com?subject=y')
    assertDifferent('sip:alice@atlanta.com?subject=x', 'sip:alice@atlanta.com?priority=x')
    assertDifferent('sip:alice@atlanta.com?subject=x&subject=x', 'sip:alice@atlanta.com?subject=x')
    assertDifferent('sip:alice@atlanta.com?a=1&b=2', 'sip:alice@atlanta.com?a=1&a=1')
    assertEquivalent('sip:alice@atlanta.com?Subject=x', 'sip:alice@atlanta.com?subject=x')
  })

  test('RFC 3261 §19.1.4: a SIP URI never equals a tel or an absolute URI', () => {
    assertDifferent('sip:alice@atlanta.com', 'urn:alice@atlanta.com')
    assertDifferent('sip:+12015550123@atlanta.com', 'tel:+12015550123')
  })

  test('RFC 3261 §7.1: the Request-URI of a parsed message compares by §19.1.4', () => {
    const wire = [
      'INVITE sip:%61lice@AtLanTa.CoM;Transport=TCP SIP/2.0',
      'Via: SIP/2.0/TCP pc33.atlanta.com;branch=z9hG4bK776asdhds',
      'Max-Forwards: 70',
      'To: <sip:alice@atlanta.com>',
      'From: <sip:bob@biloxi.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710',
      'CSeq: 314159 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
    const r = parseMessage(Buffer.from(wire))
    assert.ok(r.ok && r.message.kind === 'request')
    assert.deepEqual(
      r.message.uri,
      expected({ user: 'alice', host: 'atlanta.com', params: [['transport', 'TCP']] }),
    )
    assert.equal(uriEquals(r.message.uri, uri('sip:alice@atlanta.com;transport=tcp')), true)

    const bad = parseMessage(Buffer.from(wire.replace('sip:%61lice@AtLanTa.CoM;Transport=TCP', 'sip:alice@')))
    assert.ok(!bad.ok)
    assert.equal(bad.error.code, 'JUNCTION_ERR_SIP_BAD_REQUEST_URI')
    assert.equal(bad.error.status, 400)
  })
})

describe('parseUriAt reads only its range', () => {
  test('RFC 3261 §20.10: a URI inside name-addr brackets, with "@" and ";" after the range', () => {
    const s = '<sip:atlanta.com;lr>;tag=a@b'
    assert.deepEqual(parseUriAt(s, 1, 19), expected({ host: 'atlanta.com', params: [['lr', null]] }))
    const t = 'x <sip:alice@[2001:db8::1]:5060> y'
    assert.deepEqual(parseUriAt(t, 3, 31), expected({ user: 'alice', host: '[2001:db8::1]', port: 5060 }))
    assert.equal(parseUriAt('sip:[::1]', 0, 8), undefined)
  })

  test('RFC 3966 §3: a tel URI inside a range, with ";" after the range', () => {
    const s = '<tel:+1-201-555-0123>;tag=1;ext=2'
    assert.deepEqual(parseUriAt(s, 1, 20), {
      kind: 'tel',
      scheme: 'tel',
      number: '+1-201-555-0123',
      global: true,
      params: new Map(),
    })
    assert.deepEqual(parseUriAt('<urn:uuid:1>;x', 1, 11), {
      kind: 'absolute',
      scheme: 'urn',
      value: 'uuid:1',
    })
  })
})

describe('formatUri (RFC 3261 §19.1.1, §25.1)', () => {
  const roundTrip = [
    'sip:alice@atlanta.com',
    'sip:alice:secretword@atlanta.com;transport=tcp',
    'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    'sips:1212@gateway.com',
    'sip:alice@192.0.2.4',
    'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
    'sip:alice;day=tuesday@atlanta.com',
    'sip:alice%20smith:p%40ss@[2001:db8::1]:5061;transport=tcp;lr;maddr=239.255.255.1?Subject=hello%20world&Priority=urgent',
    'sips:ren%C3%A9@atlanta.com;x=caf%C3%A9',
    'sip:a%00b@atlanta.com;x=%00?h=%00',
    'sip:a%3Ab%40c%25d@atlanta.com',
    'sip:alice:@atlanta.com',
    'sip:atlanta.com;foo=a%3Bb%3Dc;bar',
    'sip:atlanta.com?to=sip:bob%40[::1]/x?y+z$&empty=',
    'sip:alice@[2001:db8:::192.0.2.1]',
    'sip:alice@[::ffff:192.0.2.1]:0',
    'tel:+1-201-555-0123',
    'tel:863-1234;phone-context=+1-914-555',
    'tel:7042;ext=22;phone-context=example.com;isub=a%20b;flag',
    'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    'soap.beep://stockquoteserver.example.com/StockQuote',
  ]

  test('RFC 3261 §25.1: parseUri(formatUri(u)) deep-equals u for sip, sips, tel and absolute URIs', () => {
    for (const text of roundTrip) {
      const u = uri(text)
      const again = parseUri(formatUri(u))
      assert.deepEqual(again, u, text)
      assert.equal(formatUri(uri(formatUri(u))), formatUri(u), text)
    }
  })

  test('RFC 3261 §25.1: URIs needing no escaping are formatted as written (lower-case scheme, host, param names)', () => {
    for (const text of [
      'sip:alice@atlanta.com',
      'sip:alice:secretword@atlanta.com;transport=tcp',
      'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      'sip:alice;day=tuesday@atlanta.com',
      'sip:alice@[2001:db8::10]:5070;lr',
      'tel:863-1234;phone-context=+1-914-555',
      'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    ]) {
      assert.equal(formatUri(uri(text)), text)
    }
    assert.equal(formatUri(uri('SIP:Alice@AtLanTa.CoM;Transport=TCP')), 'sip:Alice@atlanta.com;transport=TCP')
    assert.equal(formatUri(uri('URN:UUID:X')), 'urn:UUID:X')
    assert.equal(formatUri(uri('TEL:+1-201-555-0123;EXT=1')), 'tel:+1-201-555-0123;ext=1')
  })

  test('RFC 3261 §25.1: a user with a space, "@", ":", "%" or non-ASCII is escaped as UTF-8 %HH', () => {
    assert.equal(
      formatUri(sipUri({ user: 'alice smith', host: 'atlanta.com' })),
      'sip:alice%20smith@atlanta.com',
    )
    assert.equal(formatUri(sipUri({ user: 'a@b', host: 'atlanta.com' })), 'sip:a%40b@atlanta.com')
    assert.equal(formatUri(sipUri({ user: 'a:b%c', host: 'atlanta.com' })), 'sip:a%3Ab%25c@atlanta.com')
    assert.equal(formatUri(sipUri({ user: 'rené', host: 'atlanta.com' })), 'sip:ren%C3%A9@atlanta.com')
    assert.equal(
      formatUri(sipUri({ user: '日本', host: 'atlanta.com' })),
      'sip:%E6%97%A5%E6%9C%AC@atlanta.com',
    )
    assert.equal(formatUri(sipUri({ user: 'a\u0000b', host: 'atlanta.com' })), 'sip:a%00b@atlanta.com')
  })

  test('RFC 3261 §25.1: user-unreserved and marks stay literal in the user', () => {
    assert.equal(
      formatUri(sipUri({ user: "a;b?c/d&e=f+g$h,i-_.!~*'()", host: 'atlanta.com' })),
      "sip:a;b?c/d&e=f+g$h,i-_.!~*'()@atlanta.com",
    )
  })

  test('RFC 3261 §25.1: the password escapes ";", "?", "/", ":" and "@" but keeps "& = + $ ,"', () => {
    assert.equal(
      formatUri(sipUri({ user: 'alice', password: 'a;b?c/d:e@f&=+$,', host: 'atlanta.com' })),
      'sip:alice:a%3Bb%3Fc%2Fd%3Ae%40f&=+$,@atlanta.com',
    )
  })

  test('RFC 3261 §25.1: a param value with ";", "=", "?", "@" or a space is escaped; param-unreserved stays', () => {
    assert.equal(
      formatUri(sipUri({ host: 'atlanta.com', params: { foo: 'a;b=c?d@e f', bar: '[x]/y:z&+$', lr: null } })),
      'sip:atlanta.com;foo=a%3Bb%3Dc%3Fd%40e%20f;bar=[x]/y:z&+$;lr',
    )
  })

  test('RFC 3261 §25.1: a header name or value with "&", "=", ";", "@" or a space is escaped; hnv-unreserved stays', () => {
    assert.equal(
      formatUri(
        sipUri({
          host: 'atlanta.com',
          headers: [
            ['Subject', 'a&b=c;d@e f'],
            ['x y', '[p]/q?r:s+t$'],
          ],
        }),
      ),
      'sip:atlanta.com?Subject=a%26b%3Dc%3Bd%40e%20f&x%20y=[p]/q?r:s+t$',
    )
  })

  test('RFC 3966 §3: a tel parameter value with ";" is escaped', () => {
    const u: TelUri = {
      kind: 'tel',
      scheme: 'tel',
      number: '7042',
      global: false,
      params: new Map([
        ['phone-context', 'example.com'],
        ['foo', 'a;b c'],
      ]),
    }
    assert.equal(formatUri(u), 'tel:7042;phone-context=example.com;foo=a%3Bb%20c')
    assert.deepEqual(parseUri(formatUri(u)), u)
  })

  test('RFC 3261 §25.1: any user, password, param value and header text survives format then parse', () => {
    const text = (minLength: number) => fc.string({ unit: 'binary', minLength, maxLength: 12 })
    fc.assert(
      fc.property(
        text(1),
        fc.option(text(0), { nil: undefined }),
        text(1),
        text(1),
        text(0),
        (user, password, value, hname, hvalue) => {
          const u = sipUri({
            scheme: 'sips',
            user,
            password,
            host: 'atlanta.com',
            port: 5061,
            params: { x: value, lr: null },
            headers: [[hname, hvalue]],
          })
          assert.deepEqual(parseUri(formatUri(u)), u)
        },
      ),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })
})

describe('sipUri builder', () => {
  test('RFC 3261 §19.1.1: defaults to scheme sip, no userinfo, no port, no params, no headers; host lower-cased', () => {
    assert.deepEqual(sipUri({ host: 'AtLanTa.CoM' }), expected({ host: 'atlanta.com' }))
    assert.deepEqual(sipUri({ host: '[2001:DB8::1]' }).host, '[2001:db8::1]')
  })

  test('RFC 3261 §19.1.4: params from a plain object, names lower-cased, values kept', () => {
    const u = sipUri({
      scheme: 'sips',
      user: 'Alice',
      host: 'atlanta.com',
      port: 5061,
      params: { Transport: 'TCP', lr: null },
    })
    assert.deepEqual(
      u,
      expected({
        scheme: 'sips',
        user: 'Alice',
        host: 'atlanta.com',
        port: 5061,
        params: [
          ['transport', 'TCP'],
          ['lr', null],
        ],
      }),
    )
  })

  test('RFC 3261 §19.1.4: params from a Map are lower-cased too', () => {
    const u = sipUri({ host: 'atlanta.com', params: new Map([['Maddr', '239.255.255.1']]) })
    assert.deepEqual([...u.params], [['maddr', '239.255.255.1']])
    assert.equal(uriEquals(u, uri('sip:atlanta.com')), false)
    const lower = new Map([['lr', null]])
    assert.deepEqual([...sipUri({ host: 'atlanta.com', params: lower }).params], [['lr', null]])
  })

  test('RFC 3261 §19.1.4: a built URI equals the parsed one and formats to it', () => {
    const built = sipUri({
      user: 'alice',
      password: 'secretword',
      host: 'Atlanta.com',
      params: { transport: 'tcp' },
      headers: [['Subject', 'project x']],
    })
    const parsed = uri('sip:alice:secretword@atlanta.com;transport=tcp?Subject=project%20x')
    assert.equal(uriEquals(built, parsed), true)
    assert.deepEqual(built, parsed)
    assert.equal(formatUri(built), 'sip:alice:secretword@atlanta.com;transport=tcp?Subject=project%20x')
  })
})
