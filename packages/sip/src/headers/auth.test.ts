import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  Authorization,
  type AuthValue,
  type Headers,
  type ListHeader,
  ProxyAuthenticate,
  ProxyAuthorization,
  parseMessage,
  WwwAuthenticate,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`SIP/2.0 401 Unauthorized\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): AuthValue | undefined {
  return WwwAuthenticate.parse(text, 0, text.length)
}

const defs: Array<[string, ListHeader<AuthValue>]> = [
  ['WWW-Authenticate (§20.44)', WwwAuthenticate],
  ['Proxy-Authenticate (§20.27)', ProxyAuthenticate],
  ['Authorization (§20.7)', Authorization],
  ['Proxy-Authorization (§20.28)', ProxyAuthorization],
]

const everyDigestParam =
  'Digest username="bob", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",' +
  ' uri="sip:bob@biloxi.example.com", response="6629fae49393a05397450978507c4ef1",' +
  ' algorithm=SHA-256, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth,' +
  ' nc=00000001, userhash=true'

describe('challenges: WWW-Authenticate, Proxy-Authenticate (RFC 3261 §20.27, §20.44, §25.1)', () => {
  test('§20.44 example: scheme as written, parameter values without quotes', () => {
    const all = headers(
      'WWW-Authenticate: Digest realm="atlanta.com",',
      ' domain="sip:boxesbybob.com", qop="auth",',
      ' nonce="f84f1cec41e6cbe5aea9c8e88d359",',
      ' opaque="", stale=FALSE, algorithm=MD5',
    ).get(WwwAuthenticate)
    assert.deepEqual(all, [
      {
        scheme: 'Digest',
        params: new Map([
          ['realm', 'atlanta.com'],
          ['domain', 'sip:boxesbybob.com'],
          ['qop', 'auth'],
          ['nonce', 'f84f1cec41e6cbe5aea9c8e88d359'],
          ['opaque', ''],
          ['stale', 'FALSE'],
          ['algorithm', 'MD5'],
        ]),
      },
    ])
  })

  test('§25.1 qop-options: a comma inside a quoted value does not split anything', () => {
    const v = parse('Digest realm="a.example.com", qop="auth,auth-int", nonce="n"')
    assert.equal(v?.params.get('qop'), 'auth,auth-int')
    assert.equal(v?.params.get('nonce'), 'n')
    assert.equal(v?.params.size, 3)
  })

  test('§7.3.1: several challenges come as several fields, never combined (RFC 8760 §2.4)', () => {
    const h = headers(
      'WWW-Authenticate: Digest realm="atlanta.com", qop="auth,auth-int", algorithm=SHA-256, nonce="n1"',
      'WWW-Authenticate: Digest realm="atlanta.com", qop="auth", algorithm=MD5, nonce="n2"',
    )
    const all = h.get(WwwAuthenticate)
    assert.deepEqual(
      all?.map((c) => [c.params.get('algorithm'), c.params.get('nonce')]),
      [
        ['SHA-256', 'n1'],
        ['MD5', 'n2'],
      ],
    )
    assert.equal(h.first(WwwAuthenticate)?.params.get('nonce'), 'n1')
    assert.equal(h.count(WwwAuthenticate), 2)
  })

  test('§7.3.1: two challenges combined in one field are invalid', () => {
    const h = headers('WWW-Authenticate: Digest realm="a", nonce="1", Digest realm="b", nonce="2"')
    assert.equal(h.get(WwwAuthenticate), undefined)
    assert.equal(h.first(WwwAuthenticate), undefined)
  })

  test('§20.27 Proxy-Authenticate; a bad field makes get undefined, first reads a good first field', () => {
    const h = headers(
      'Proxy-Authenticate: Digest realm="atlanta.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", qop="auth"',
      'Proxy-Authenticate: Digest realm=',
    )
    assert.equal(h.first(ProxyAuthenticate)?.params.get('realm'), 'atlanta.com')
    assert.equal(h.get(ProxyAuthenticate), undefined)
    assert.deepEqual(headers('Max-Forwards: 70').get(ProxyAuthenticate), [])
  })

  test('§25.1 quoted-string: escaped quotes and backslashes are resolved', () => {
    assert.equal(parse('Digest realm="a \\"quoted\\" realm\\\\"')?.params.get('realm'), 'a "quoted" realm\\')
  })

  test('§25.1 LWS around "=" and ","', () => {
    const v = parse('Digest   realm = "r" ,nonce="n",  algorithm =  MD5')
    assert.deepEqual(
      [...v!.params],
      [
        ['realm', 'r'],
        ['nonce', 'n'],
        ['algorithm', 'MD5'],
      ],
    )
  })

  test('§25.1 auth-param-name is case-insensitive (lower case); the scheme is kept as written', () => {
    const v = parse('DIGEST Realm="r", NONCE="n", Algorithm=sha-256')
    assert.equal(v?.scheme, 'DIGEST')
    assert.deepEqual([...v!.params.keys()], ['realm', 'nonce', 'algorithm'])
    assert.equal(v?.params.get('algorithm'), 'sha-256')
  })

  test('§25.1 other-challenge: another scheme with auth-params', () => {
    const v = parse('Bearer realm="sip.example.com", scope="sip:a", error="invalid_token"')
    assert.equal(v?.scheme, 'Bearer')
    assert.equal(v?.params.get('error'), 'invalid_token')
  })
})

describe('credentials: Authorization, Proxy-Authorization (RFC 3261 §20.7, §20.28)', () => {
  test('§20.7 example', () => {
    const h = headers(
      'Authorization: Digest username="Alice", realm="atlanta.com",',
      ' nonce="84a4cc6f3082121f32b42a2187831a9e",',
      ' response="7587245234b3434cc3412213e5f113a5432"',
    )
    assert.deepEqual(h.get(Authorization), [
      {
        scheme: 'Digest',
        params: new Map([
          ['username', 'Alice'],
          ['realm', 'atlanta.com'],
          ['nonce', '84a4cc6f3082121f32b42a2187831a9e'],
          ['response', '7587245234b3434cc3412213e5f113a5432'],
        ]),
      },
    ])
  })

  test('RFC 2617 §3.2.2, RFC 7616 §3.4, RFC 8760 §2.3: every digest parameter', () => {
    const v = headers(`Proxy-Authorization: ${everyDigestParam}`).first(ProxyAuthorization)
    assert.deepEqual(
      v?.params,
      new Map([
        ['username', 'bob'],
        ['realm', 'biloxi.example.com'],
        ['nonce', 'dcd98b7102dd2f0e8b11d0f600bfb0c093'],
        ['uri', 'sip:bob@biloxi.example.com'],
        ['response', '6629fae49393a05397450978507c4ef1'],
        ['algorithm', 'SHA-256'],
        ['cnonce', '0a4f113b'],
        ['opaque', '5ccc069c403ebaf9f0171e9517f40e41'],
        ['qop', 'auth'],
        ['nc', '00000001'],
        ['userhash', 'true'],
      ]),
    )
  })

  test('RFC 7616 §3.4: a UTF-8 quoted username reads as text; username* (RFC 5987) as written', () => {
    const v = headers('Authorization: Digest username="Jäsøn Doe", realm="r"').first(Authorization)
    assert.equal(v?.params.get('username'), 'Jäsøn Doe')
    const ext = parse('Digest username*=UTF-8\'\'J%C3%A4s%C3%B8n%20Doe, realm="r", userhash=false')
    assert.equal(ext?.params.get('username*'), "UTF-8''J%C3%A4s%C3%B8n%20Doe")
  })

  test('§20.7: several Authorization fields (one per realm) read in order', () => {
    const h = headers(
      'Authorization: Digest username="a", realm="one.example.com", nonce="1", uri="sip:x", response="r"',
      'Authorization: Digest username="a", realm="two.example.com", nonce="2", uri="sip:x", response="r"',
    )
    assert.deepEqual(
      h.get(Authorization)?.map((c) => c.params.get('realm')),
      ['one.example.com', 'two.example.com'],
    )
  })
})

describe('auth values: invalid forms (RFC 3261 §25.1, RFC 7616 §3.3)', () => {
  for (const [name, def] of defs) {
    test(`${name}: invalid values give undefined`, () => {
      for (const bad of [
        '',
        '"Digest" realm="r"',
        'Digest,realm="r"', // LWS is required after the scheme
        'Digest realm', // no "="
        'Digest realm=', // no value
        'Digest =x',
        'Digest realm="r",', // trailing comma
        'Digest realm="r",,nonce="n"',
        'Digest realm="unterminated',
        'Digest realm="r" nonce="n"', // no comma
        'Digest realm="r", realm="s"', // RFC 7616 §3.3: each directive at most once
        'Digest uri=sip:a@b', // not a token: must be quoted
      ]) {
        assert.equal(def.parse(bad, 0, bad.length), undefined, JSON.stringify(bad))
      }
    })
  }
})

describe('auth values: format (RFC 7616 §3.3, §3.4)', () => {
  test('challenges: stale and algorithm as tokens, every other directive quoted', () => {
    const v: AuthValue = {
      scheme: 'Digest',
      params: new Map([
        ['realm', 'atlanta.com'],
        ['qop', 'auth,auth-int'],
        ['nonce', 'abc'],
        ['algorithm', 'SHA-256'],
        ['stale', 'true'],
      ]),
    }
    const text = 'Digest realm="atlanta.com", qop="auth,auth-int", nonce="abc", algorithm=SHA-256, stale=true'
    assert.equal(WwwAuthenticate.format(v), text)
    assert.equal(ProxyAuthenticate.format(v), text)
  })

  test('credentials: algorithm, qop and nc as tokens, the rest quoted; username* never quoted', () => {
    const v = Authorization.parse(everyDigestParam, 0, everyDigestParam.length)!
    const text =
      'Digest username="bob", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",' +
      ' uri="sip:bob@biloxi.example.com", response="6629fae49393a05397450978507c4ef1",' +
      ' algorithm=SHA-256, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth,' +
      ' nc=00000001, userhash="true"'
    assert.equal(Authorization.format(v), text)
    assert.equal(ProxyAuthorization.format(v), text)
    const ext: AuthValue = { scheme: 'Digest', params: new Map([['username*', "UTF-8''J%C3%A4s%C3%B8n"]]) }
    assert.equal(Authorization.format(ext), "Digest username*=UTF-8''J%C3%A4s%C3%B8n")
  })

  test('values that are not tokens are quoted even for token directives; quotes and backslashes escaped', () => {
    const v: AuthValue = {
      scheme: 'Digest',
      params: new Map([
        ['algorithm', 'a b'],
        ['realm', 'say "hi" \\ bye'],
      ]),
    }
    assert.equal(WwwAuthenticate.format(v), 'Digest algorithm="a b", realm="say \\"hi\\" \\\\ bye"')
    assert.equal(WwwAuthenticate.format({ scheme: 'Digest', params: new Map() }), 'Digest')
  })

  test('parse(format(v)) deep-equals v, control chars included (§25.1 quoted-pair)', () => {
    const v: AuthValue = {
      scheme: 'Digest',
      params: new Map([
        ['realm', 'r "q" \\ \x01\x7f\t'],
        ['qop', 'auth,auth-int'],
        ['nc', '0000000a'],
        ['algorithm', 'MD5-sess'],
        ['opaque', ''],
      ]),
    }
    for (const [, def] of defs) {
      const text = def.format(v)
      assert.deepEqual(def.parse(text, 0, text.length), v, text)
    }
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1c", opaque="", stale=FALSE, algorithm=MD5',
      everyDigestParam,
      'Digest username*=UTF-8\'\'J%C3%A4s%C3%B8n%20Doe, realm="r"',
      'Digest   realm = "a \\"b\\"" ,nonce=n1',
      'Bearer realm="x", error="invalid_token"',
      'Digest',
    ]) {
      for (const [, def] of defs) {
        const v = def.parse(wire, 0, wire.length)
        assert.ok(v !== undefined, wire)
        const text = def.format(v)
        assert.deepEqual(def.parse(text, 0, text.length), v, text)
        assert.equal(def.format(def.parse(text, 0, text.length)!), text)
      }
    }
  })

  test('a UTF-8 value formats as text and reads back from its UTF-8 octets', () => {
    const v = headers('Authorization: Digest username="Jäsøn Doe", realm="r"').first(Authorization)!
    const text = Authorization.format(v)
    assert.equal(text, 'Digest username="Jäsøn Doe", realm="r"')
    const wire = Buffer.from(text, 'utf8').toString('latin1')
    assert.deepEqual(Authorization.parse(wire, 0, wire.length), v)
  })
})

describe('directive names (RFC 7616 §3.3: case-insensitive)', () => {
  const known = ['username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'cnonce', 'opaque', 'qop']
  const more = ['nc', 'userhash', 'stale', 'domain', 'charset', 'username*', 'auts']
  test('any spelling of a name, known or not, is the lower-case name', () => {
    const name = fc.oneof(fc.constantFrom(...known, ...more), fc.stringMatching(/^[a-z][a-z0-9*-]{0,11}$/))
    const spelled = name.chain((n) =>
      fc
        .array(fc.boolean(), { minLength: n.length, maxLength: n.length })
        .map((upper) => ({ n, written: [...n].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') })),
    )
    fc.assert(
      fc.property(fc.uniqueArray(spelled, { minLength: 1, maxLength: 6, selector: (x) => x.n }), (names) => {
        const text = `Digest ${names.map((x, i) => `${x.written}="v${i}"`).join(', ')}`
        const v = parse(text)
        assert.ok(v !== undefined, text)
        assert.deepEqual(
          [...v.params],
          names.map((x, i) => [x.n, `v${i}`]),
        )
      }),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })
})
