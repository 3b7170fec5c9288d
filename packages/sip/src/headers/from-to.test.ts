import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { From, type FromToValue, type Headers, parseMessage, parseUri, sipUri, To } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function from(text: string): FromToValue | undefined {
  return headers(`From: ${text}`).get(From)
}

function parse(text: string): FromToValue | undefined {
  return From.parse(text, 0, text.length)
}

function assertStable(wire: string): FromToValue {
  const v = parse(wire)
  assert.ok(v !== undefined, `${wire} should parse`)
  const text = From.format(v)
  assert.deepEqual(parse(text), v, `${text} should read back`)
  assert.equal(From.format(parse(text)!), text)
  return v
}

describe('From / To: name-addr and addr-spec (RFC 3261 §20.20, §20.39, §25.1)', () => {
  test('§20.20 example: quoted display name, URI and tag', () => {
    assert.deepEqual(from('"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s'), {
      displayName: 'A. G. Bell',
      uri: parseUri('sip:agb@bell-telephone.com'),
      tag: 'a48s',
      params: new Map(),
    })
  })

  test('§20.39 To without a tag: tag is undefined', () => {
    const to = headers('To: The Operator <sip:operator@cs.columbia.edu>').get(To)
    assert.equal(to?.displayName, 'The Operator')
    assert.equal(to?.tag, undefined)
    assert.ok(to?.uri.kind === 'sip' && to.uri.user === 'operator' && to.uri.host === 'cs.columbia.edu')
  })

  test('§25.1 display-name = *(token LWS): several tokens unquoted, LWS kept as written', () => {
    assert.equal(
      from('Anonymous Caller <sip:c8oqz84zk7z@privacy.org>;tag=hyh8')?.displayName,
      'Anonymous Caller',
    )
    assert.equal(
      from("token1~` token2'+_ token3*%!.- <sip:a@b.example>")?.displayName,
      "token1~` token2'+_ token3*%!.-",
    )
    assert.equal(from('Bob   Smith<sip:bob@example.com>')?.displayName, 'Bob   Smith')
  })

  test('§25.1 quoted-pair: escaped quotes and an escaped backslash in the display name', () => {
    assert.equal(from('"a \\"b\\" c" <sip:x@example.com>;tag=1')?.displayName, 'a "b" c')
    assert.equal(from('"back\\\\slash" <sip:x@example.com>')?.displayName, 'back\\slash')
    assert.equal(from('"\\q\\u\\o\\t\\e" <sip:x@example.com>')?.displayName, 'quote')
    // RFC 4475 §3.1.1.1 wsinv: an escaped quote just before the closing one
    assert.equal(
      from('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8')?.displayName,
      'J Rosenberg \\"',
    )
  })

  test('RFC 4475 §3.1.1.3: control chars in a quoted display name as quoted-pairs', () => {
    const v = from(
      '"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@example.com>',
    )
    assert.equal(v?.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f')
  })

  test('§25.1: no LWS needed between a quoted display name and "<"', () => {
    assert.equal(from('"Bob"<sip:bob@example.com>;tag=1')?.displayName, 'Bob')
    assert.equal(from('Bob<sip:bob@example.com>')?.displayName, 'Bob')
  })

  test('§25.1 UTF8-NONASCII: a UTF-8 display name reads as text', () => {
    assert.equal(from('"Ünïcode Ōne 大" <sip:u@example.com>')?.displayName, 'Ünïcode Ōne 大')
  })

  test('§25.1: an empty quoted display name is no display name', () => {
    const v = from('"" <sip:anonymous@anonymous.invalid>;tag=1')
    assert.equal(v?.displayName, undefined)
    assert.equal(v?.tag, '1')
  })

  test('§19.1.1: ";" in the user part of a bracketed SIP URI belongs to the user', () => {
    const v = from('<sip:user;par=x@example.com>;tag=t1')
    assert.ok(v?.uri.kind === 'sip')
    assert.equal(v.uri.user, 'user;par=x')
    assert.equal(v.uri.host, 'example.com')
    assert.equal(v.uri.params.size, 0)
    assert.equal(v.tag, 't1')
  })

  test('§19.1.2, §25.1 escaped: %00 in the user part decodes to NUL and formats back escaped', () => {
    const v = from('<sip:user%00x@example.com>;tag=1')
    assert.ok(v?.uri.kind === 'sip')
    assert.equal(v.uri.user, 'user\x00x')
    assert.equal(From.format(v), '<sip:user%00x@example.com>;tag=1')
  })

  test('§20.10 (applies to §20.20): params after an addr-spec are header params; tag included', () => {
    const v = from('sip:+12125551212@phone2net.com;tag=887s;transport=tcp')
    assert.ok(v?.uri.kind === 'sip')
    assert.equal(v.uri.user, '+12125551212')
    assert.equal(v.uri.params.size, 0)
    assert.equal(v.tag, '887s')
    assert.deepEqual([...v.params!], [['transport', 'tcp']])
  })

  test('§20.10: params inside "<>" are URI params, after it header params', () => {
    const v = from('<sip:alice@atlanta.com;transport=tcp;tag=inuri>;tag=1928301774;x=Y')
    assert.ok(v?.uri.kind === 'sip')
    assert.deepEqual(
      [...v.uri.params],
      [
        ['transport', 'tcp'],
        ['tag', 'inuri'],
      ],
    )
    assert.equal(v.tag, '1928301774')
    assert.deepEqual([...v.params!], [['x', 'Y']])
  })

  test('§20.10: an addr-spec holding ";" in the user, "?" or "," is invalid unbracketed', () => {
    assert.equal(from('sip:user;par=x@example.com'), undefined)
    assert.equal(from('sip:bob@example.com?subject=hi'), undefined)
    assert.equal(from('sip:b,ob@example.com'), undefined)
  })

  test('§20.20 tel and other absolute URIs', () => {
    const tel = from('<tel:+1-201-555-0123>;tag=9')
    assert.ok(tel?.uri.kind === 'tel')
    assert.equal(tel.uri.number, '+1-201-555-0123')
    const abs = from('"Anon" <urn:service:sos>')
    assert.deepEqual(abs?.uri, { kind: 'absolute', scheme: 'urn', value: 'service:sos' })
  })

  test('§19.3 tag = token: without a value, quoted or with other chars it is invalid', () => {
    assert.equal(from("<sip:a@example.com>;tag=_token~1'+`*%!-.")?.tag, "_token~1'+`*%!-.")
    assert.equal(from('<sip:a@example.com>;TAG=AbC')?.tag, 'AbC')
    assert.equal(from('<sip:a@example.com>;tag'), undefined)
    assert.equal(from('<sip:a@example.com>;tag="abc"'), undefined)
    assert.equal(from('<sip:a@example.com>;tag=a:b'), undefined)
  })

  test('invalid values give undefined', () => {
    for (const bad of [
      '',
      '"Bob" sip:bob@example.com', // a display name needs "<...>"
      '"Bob <sip:bob@example.com>', // unterminated quote
      'Bob <sip:bob@example.com', // no ">"
      '<sip:bob@example.com> junk',
      '<sip:bob@example.com>;',
      '<>',
      '<not a uri>',
      'a@b <sip:bob@example.com>', // "@" is not a token char
      'Bob',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('§7.3.3 compact forms "f" and "t"; From and To are single headers', () => {
    const h = headers('f: <sip:a@example.com>;tag=1', 't: Bob <sip:b@example.com>')
    assert.equal(h.get(From)?.tag, '1')
    assert.equal(h.get(To)?.displayName, 'Bob')
    const two = headers('From: <sip:a@example.com>;tag=1', 'From: <sip:b@example.com>;tag=2')
    assert.equal(two.get(From), undefined)
    assert.equal(headers('To: <sip:a@example.com>').get(From), undefined)
  })

  test('a comma-separated list in From is invalid (single header)', () => {
    assert.equal(from('<sip:a@example.com>;tag=1, <sip:b@example.com>'), undefined)
  })
})

describe('From / To: format (RFC 3261 §20.20, §25.1)', () => {
  test('a built value: bare display name of tokens, bracketed URI, tag, params', () => {
    const v: FromToValue = {
      displayName: 'Bob Smith',
      uri: sipUri({ user: 'bob', host: 'biloxi.com' }),
      tag: 'a6c85cf',
      params: new Map([['x', 'y']]),
    }
    assert.equal(From.format(v), 'Bob Smith <sip:bob@biloxi.com>;tag=a6c85cf;x=y')
    assert.equal(To.format({ uri: sipUri({ host: 'example.com' }) }), '<sip:example.com>')
  })

  test('display names that are not a run of tokens are quoted, with quoted-pairs', () => {
    const uri = sipUri({ user: 'a', host: 'example.com' })
    assert.equal(From.format({ displayName: 'Smith, John', uri }), '"Smith, John" <sip:a@example.com>')
    assert.equal(From.format({ displayName: 'a "b" c', uri }), '"a \\"b\\" c" <sip:a@example.com>')
    assert.equal(From.format({ displayName: 'back\\slash', uri }), '"back\\\\slash" <sip:a@example.com>')
    assert.equal(From.format({ displayName: 'two  spaces', uri }), '"two  spaces" <sip:a@example.com>')
    assert.equal(From.format({ displayName: 'ctl\x01', uri }), '"ctl\\\x01" <sip:a@example.com>')
  })

  test('§20.10: the URI is always bracketed, so its parameters stay its own', () => {
    const v = parse('<sip:a@example.com;transport=tcp>')!
    assert.equal(From.format(v), '<sip:a@example.com;transport=tcp>')
  })

  test('parse(format(v)) deep-equals v for a built value with every field', () => {
    const v: FromToValue = {
      displayName: 'Ünïcode "quoted" \\ name',
      uri: sipUri({ scheme: 'sips', user: 'us;er', host: '[2001:db8::1]', port: 5061, params: { lr: null } }),
      tag: 'xyz',
      params: new Map<string, string | null>([
        ['flag', null],
        ['q', '"a,b"'],
      ]),
    }
    // format gives text; the wire carries its UTF-8 octets (one char per octet)
    const wire = Buffer.from(From.format(v), 'utf8').toString('latin1')
    assert.deepEqual(From.parse(wire, 0, wire.length), v)
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      '"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s',
      'sip:+12125551212@phone2net.com;tag=887s',
      'Anonymous   Caller <sip:c8oqz84zk7z@privacy.org>;tag=hyh8',
      '"a \\"b\\" c\\\\" <sip:x@example.com>;tag=1',
      '"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:x@example.com>',
      '"" <sip:anonymous@anonymous.invalid>;tag=1',
      '<sip:user;par=x@example.com>;tag=t1',
      '<sip:user%00@example.com>',
      '<sip:alice@atlanta.com;transport=tcp>;tag=1;Flag;X="q v"',
      '<tel:7042;phone-context=example.com>;tag=9',
    ]) {
      assertStable(wire)
    }
  })
})
