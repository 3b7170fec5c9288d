import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  Contact,
  type ContactAddress,
  type ContactValue,
  type Headers,
  parseMessage,
  parseUri,
  sipUri,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`REGISTER sip:example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): ContactValue | undefined {
  return Contact.parse(text, 0, text.length)
}

/** The one Contact address of `text`. */
function address(text: string): ContactAddress | undefined {
  const v = parse(text)
  assert.ok(v !== '*')
  return v
}

function assertStable(wire: string): ContactValue {
  const v = parse(wire)
  assert.ok(v !== undefined, `${wire} should parse`)
  const text = Contact.format(v)
  assert.deepEqual(parse(text), v, `${text} should read back`)
  assert.equal(Contact.format(parse(text)!), text)
  return v
}

const instance = '<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>'

describe('Contact values (RFC 3261 §20.10, §25.1)', () => {
  test('§20.10 example: two values in one field, q and expires, a mailto URI', () => {
    const all = headers(
      'Contact: "Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600,',
      '  "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1',
    ).get(Contact)
    assert.equal(all?.length, 2)
    assert.deepEqual(all[0], {
      displayName: 'Mr. Watson',
      uri: parseUri('sip:watson@worcester.bell-telephone.com'),
      expires: 3600,
      q: 0.7,
      instance: undefined,
      regId: undefined,
      pubGruu: undefined,
      tempGruu: undefined,
      params: new Map(),
    })
    const second = all[1]
    assert.ok(second !== undefined && second !== '*')
    assert.deepEqual(second.uri, { kind: 'absolute', scheme: 'mailto', value: 'watson@bell-telephone.com' })
    assert.equal(second.q, 0.1)
  })

  test('§7.3.3 compact form "m", values over several fields in order', () => {
    const h = headers(
      'm: <sips:bob@192.0.2.4>;expires=60',
      'Contact: <sip:bob@192.0.2.5>',
      'M: <sip:bob@192.0.2.6>',
    )
    assert.deepEqual(
      h.get(Contact)?.map((c) => c !== '*' && c.uri.kind === 'sip' && c.uri.host),
      ['192.0.2.4', '192.0.2.5', '192.0.2.6'],
    )
    assert.equal(h.count(Contact), 3)
  })

  test('§10.2.2 STAR: "*" removes every binding', () => {
    const h = headers('Contact: *', 'Expires: 0')
    assert.deepEqual(h.get(Contact), ['*'])
    assert.equal(h.first(Contact), '*')
    assert.equal(parse('**'), undefined)
    assert.equal(parse('*;expires=0'), undefined)
  })

  test('§20.10: "*" with other values, in one field or over several, is invalid', () => {
    assert.equal(headers('Contact: *, <sip:a@192.0.2.4>').get(Contact), undefined)
    assert.equal(headers('Contact: <sip:a@192.0.2.4>', 'Contact: *').get(Contact), undefined)
    assert.equal(headers('Contact: *', 'Contact: *').get(Contact), undefined)
    assert.equal(
      headers('Contact: *, <sip:a@192.0.2.4>').count(Contact),
      1,
      'the field is still there, as written',
    )
  })

  test('§7.3.1: a comma inside a quoted display name does not split the list', () => {
    const all = headers(
      'Contact: "Smith, John" <sip:john@example.com>, "a,\\"b\\"" <sip:b@example.com>;x="1,2"',
    ).get(Contact)
    assert.equal(all?.length, 2)
    const [a, b] = all as ContactAddress[]
    assert.equal(a?.displayName, 'Smith, John')
    assert.equal(b?.displayName, 'a,"b"')
    assert.equal(b?.params?.get('x'), '"1,2"')
  })

  test('§7.3.1: a comma inside "<>" does not split the list', () => {
    const all = headers('Contact: <sip:a,b@example.com>, <sip:c@example.com>').get(
      Contact,
    ) as ContactAddress[]
    assert.equal(all.length, 2)
    assert.ok(all[0]?.uri.kind === 'sip' && all[0].uri.user === 'a,b')
  })

  test('§20.10: params after an addr-spec are header params, not URI params', () => {
    const c = address('sip:alice@pc33.atlanta.com;expires=60;transport=tcp;q=0.5')
    assert.ok(c?.uri.kind === 'sip')
    assert.equal(c.uri.params.size, 0)
    assert.equal(c.expires, 60)
    assert.equal(c.q, 0.5)
    assert.deepEqual([...c.params!], [['transport', 'tcp']])
    const bracketed = address('<sip:alice@pc33.atlanta.com;transport=tcp>;expires=60')
    assert.ok(bracketed?.uri.kind === 'sip')
    assert.equal(bracketed.uri.params.get('transport'), 'tcp')
    assert.equal(bracketed.params?.size, 0)
  })

  test('§20.10: ";" in a SIP user part needs the brackets', () => {
    const c = address('<sip:user;par=x@example.com>;expires=30')
    assert.ok(c?.uri.kind === 'sip')
    assert.equal(c.uri.user, 'user;par=x')
    assert.equal(c.expires, 30)
    assert.equal(parse('sip:user;par=x@example.com'), undefined)
  })

  test('§25.1: unquoted display name of several tokens', () => {
    assert.equal(address('Mr Watson  Junior <sip:w@example.com>')?.displayName, 'Mr Watson  Junior')
  })

  test('§20.10 c-p-expires = delta-seconds: 0 to 2^32-1', () => {
    assert.equal(address('<sip:a@example.com>;expires=0')?.expires, 0)
    assert.equal(address('<sip:a@example.com>;EXPIRES=4294967295')?.expires, 4294967295)
    for (const bad of [
      'expires=4294967296',
      'expires',
      'expires=',
      'expires=-1',
      'expires="60"',
      'expires=6o',
    ]) {
      assert.equal(parse(`<sip:a@example.com>;${bad}`), undefined, bad)
    }
  })

  test('§20.10 qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )', () => {
    for (const [text, q] of [
      ['0', 0],
      ['0.', 0],
      ['0.5', 0.5],
      ['0.05', 0.05],
      ['0.123', 0.123],
      ['1', 1],
      ['1.', 1],
      ['1.0', 1],
      ['1.000', 1],
    ] as const) {
      assert.equal(address(`<sip:a@example.com>;q=${text}`)?.q, q, text)
    }
    for (const bad of ['1.1', '0.1234', '1.0001', '2', '.5', '-0.5', '01', '1.00a', '']) {
      assert.equal(parse(`<sip:a@example.com>;q=${bad}`), undefined, bad)
    }
    assert.equal(parse('<sip:a@example.com>;q'), undefined)
  })

  test('RFC 5626 §4.1 +sip.instance: a quoted "<urn:uuid:...>", read unquoted', () => {
    const c = address(`<sip:line1@192.0.2.2;transport=tcp>;reg-id=1;+sip.instance="${instance}"`)
    assert.equal(c?.instance, instance)
    assert.equal(c?.regId, 1)
    assert.equal(c?.params?.size, 0)
    assert.equal(parse('<sip:a@example.com>;+sip.instance=urn:uuid:1'), undefined)
    assert.equal(parse('<sip:a@example.com>;+sip.instance'), undefined)
  })

  test('RFC 5626 §4.2 reg-id: 1*DIGIT, 1 to 2^31-1', () => {
    assert.equal(address('<sip:a@example.com>;reg-id=2147483647')?.regId, 2147483647)
    assert.equal(address('<sip:a@example.com>;reg-id=01')?.regId, 1) // 1*DIGIT allows a leading zero
    for (const bad of ['0', '2147483648', 'x', '"1"', '', '1.5']) {
      assert.equal(parse(`<sip:a@example.com>;reg-id=${bad}`), undefined, bad)
    }
  })

  test('RFC 5627 §3.3 pub-gruu and temp-gruu: quoted URIs, read unquoted', () => {
    const c = address(
      `<sip:callee@192.0.2.1>;pub-gruu="sip:callee@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"` +
        ';temp-gruu="sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr"' +
        `;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";expires=3600`,
    )
    assert.equal(c?.pubGruu, 'sip:callee@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6')
    assert.equal(c?.tempGruu, 'sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr')
    assert.equal(c?.instance, '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>')
    assert.equal(c?.expires, 3600)
    assert.equal(parse('<sip:a@example.com>;pub-gruu=sip:x@example.com'), undefined)
    assert.equal(parse('<sip:a@example.com>;temp-gruu'), undefined)
  })

  test('§25.1 contact-extension: other params, names in lower case, values as written', () => {
    const c = address('<sip:a@example.com>;+sip.ice;Methods="INVITE,BYE";+G.3gpp.icsi-ref="urn%3Aurn-7"')
    assert.deepEqual(
      [...c!.params!],
      [
        ['+sip.ice', null],
        ['methods', '"INVITE,BYE"'],
        ['+g.3gpp.icsi-ref', '"urn%3Aurn-7"'],
      ],
    )
  })

  test('invalid values give undefined', () => {
    for (const bad of [
      '',
      '"Bob" sip:bob@example.com',
      '<sip:bob@example.com',
      '<sip:bob@example.com> x',
      '<sip:bob@example.com>;',
      'sip:bob@example.com?subject=x',
      '<sip:bob@example.com>;x="unterminated',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('one invalid value makes get undefined; first still reads a valid first value', () => {
    const h = headers('Contact: <sip:a@example.com>;expires=60, <sip:b@example.com>;q=2')
    const first = h.first(Contact)
    assert.ok(first !== undefined && first !== '*' && first.uri.kind === 'sip')
    assert.equal(first.uri.user, 'a')
    assert.equal(h.get(Contact), undefined)
    const fields = headers('Contact: <sip:a@example.com>', 'Contact: <sip:b@example.com>;reg-id=0')
    assert.equal(fields.get(Contact), undefined)
    assert.ok(fields.first(Contact) !== undefined)
  })

  test('absent Contact: get gives []', () => {
    assert.deepEqual(headers('Expires: 0').get(Contact), [])
  })
})

describe('Contact: format (RFC 3261 §20.10, RFC 5626, RFC 5627)', () => {
  test('a built value formats every field', () => {
    const v: ContactAddress = {
      displayName: 'Bob',
      uri: sipUri({ user: 'bob', host: '192.0.2.4', params: { transport: 'tcp' } }),
      expires: 3600,
      q: 0.7,
      instance,
      regId: 2,
      pubGruu: 'sip:bob@example.com;gr=x',
      tempGruu: 'sip:t@example.com;gr',
      params: new Map([['+sip.ice', null]]),
    }
    assert.equal(
      Contact.format(v),
      `Bob <sip:bob@192.0.2.4;transport=tcp>;expires=3600;q=0.7;+sip.instance="${instance}";reg-id=2` +
        ';pub-gruu="sip:bob@example.com;gr=x";temp-gruu="sip:t@example.com;gr";+sip.ice',
    )
    assert.equal(Contact.format('*'), '*')
  })

  test('§20.10 q formats as a qvalue: 1.0, 0.0, at most three decimals', () => {
    const uri = sipUri({ host: 'example.com' })
    assert.equal(Contact.format({ uri, q: 1 }), '<sip:example.com>;q=1.0')
    assert.equal(Contact.format({ uri, q: 0 }), '<sip:example.com>;q=0.0')
    assert.equal(Contact.format({ uri, q: 0.5 }), '<sip:example.com>;q=0.5')
    assert.equal(Contact.format({ uri, q: 1 / 3 }), '<sip:example.com>;q=0.333')
  })

  test('parse(format(v)) deep-equals v for a built value with every field', () => {
    const v: ContactAddress = {
      displayName: 'Smith, "J"',
      uri: sipUri({ user: 'a;b', host: '[2001:db8::5]', port: 5070, params: { ob: null } }),
      expires: 4294967295,
      q: 0.125,
      instance,
      regId: 2147483647,
      pubGruu: 'sip:a@example.com;gr=urn:uuid:1',
      tempGruu: 'sip:tgruu.1@example.com;gr',
      params: new Map<string, string | null>([
        ['methods', '"INVITE,BYE"'],
        ['flag', null],
      ]),
    }
    const text = Contact.format(v)
    assert.deepEqual(Contact.parse(text, 0, text.length), v)
    assert.equal(Contact.parse('*', 0, 1), '*')
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      '"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600',
      '"Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1',
      'sip:alice@pc33.atlanta.com;expires=60;transport=tcp;q=1.000',
      `<sip:line1@192.0.2.2;transport=tcp>;reg-id=1;+sip.instance="${instance}"`,
      '<sip:callee@192.0.2.1>;pub-gruu="sip:callee@example.com;gr=x";temp-gruu="sip:t@example.com;gr"',
      '"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33',
      '<sip:user;par=x@example.com>',
      '*',
    ]) {
      assertStable(wire)
    }
  })
})
