import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type Headers,
  type ListHeader,
  type NameAddr,
  PAssertedIdentity,
  PPreferredIdentity,
  parseMessage,
  parseUri,
  sipUri,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`INVITE sip:b@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): NameAddr | undefined {
  return PAssertedIdentity.parse(text, 0, text.length)
}

const defs: Array<[string, ListHeader<NameAddr>]> = [
  ['P-Asserted-Identity (RFC 3325 §9.1)', PAssertedIdentity],
  ['P-Preferred-Identity (RFC 3325 §9.2)', PPreferredIdentity],
]

describe('P-Asserted-Identity, P-Preferred-Identity (RFC 3325 §9.1, §9.2)', () => {
  test('RFC 3325 §10 example: a name-addr and a tel URI in separate fields', () => {
    const h = headers(
      'P-Asserted-Identity: "Cullen Jennings" <sip:fluffy@cisco.com>',
      'P-Asserted-Identity: tel:+14085264000',
    )
    assert.deepEqual(h.get(PAssertedIdentity), [
      { displayName: 'Cullen Jennings', uri: parseUri('sip:fluffy@cisco.com') },
      { displayName: undefined, uri: parseUri('tel:+14085264000') },
    ])
    assert.equal(h.first(PAssertedIdentity)?.displayName, 'Cullen Jennings')
  })

  test('§9.1: a comma-separated list, with a comma inside a quoted display name', () => {
    const all = headers(
      'P-Asserted-Identity: "Jennings, Cullen" <sip:fluffy@cisco.com>, <tel:+14085264000>',
    ).get(PAssertedIdentity)
    assert.equal(all?.length, 2)
    assert.equal(all?.[0]?.displayName, 'Jennings, Cullen')
    assert.equal(all?.[1]?.uri.kind, 'tel')
  })

  test('§9.2 P-Preferred-Identity, with an escaped quote in the display name', () => {
    const v = headers('P-Preferred-Identity: "Cullen \\"Fluffy\\" J" <sip:fluffy@cisco.com>').get(
      PPreferredIdentity,
    )
    assert.equal(v?.[0]?.displayName, 'Cullen "Fluffy" J')
  })

  test('§9.1 PAssertedID-value = name-addr / addr-spec: an addr-spec, and an unquoted display name', () => {
    const v = parse('sips:alice@atlanta.example.com')
    assert.ok(v?.uri.kind === 'sip' && v.uri.scheme === 'sips' && v.uri.user === 'alice')
    assert.equal(v.displayName, undefined)
    assert.equal(parse('Cullen  Jennings <sip:fluffy@cisco.com>')?.displayName, 'Cullen  Jennings')
  })

  test('§9.1: ";" in the user part inside "<>" belongs to the user', () => {
    const v = parse('<sip:+14085264000;npdi@example.com;user=phone>')
    assert.ok(v?.uri.kind === 'sip')
    assert.equal(v.uri.user, '+14085264000;npdi')
    assert.equal(v.uri.params.get('user'), 'phone')
  })

  for (const [name, def] of defs) {
    test(`${name}: no header parameters; invalid values give undefined`, () => {
      for (const bad of [
        '',
        '<sip:a@example.com>;foo=bar',
        'sip:a@example.com;user=phone', // the params would be header params
        '"Name" sip:a@example.com',
        '<sip:a@example.com',
        '<sip:a@example.com> junk',
        '"unterminated <sip:a@example.com>',
        'sip:a@example.com?x=y',
      ]) {
        assert.equal(def.parse(bad, 0, bad.length), undefined, JSON.stringify(bad))
      }
    })
  }

  test('one bad value makes get undefined; first still reads the first', () => {
    const h = headers('P-Asserted-Identity: <sip:a@example.com>, <sip:b@example.com>;x=y')
    assert.equal(h.first(PAssertedIdentity)?.uri.kind, 'sip')
    assert.equal(h.get(PAssertedIdentity), undefined)
    assert.deepEqual(headers('Max-Forwards: 70').get(PPreferredIdentity), [])
  })

  test('format: bracketed URI, display name bare or quoted', () => {
    const uri = sipUri({ user: 'fluffy', host: 'cisco.com' })
    assert.equal(
      PAssertedIdentity.format({ displayName: 'Cullen Jennings', uri }),
      'Cullen Jennings <sip:fluffy@cisco.com>',
    )
    assert.equal(
      PPreferredIdentity.format({ displayName: 'Jennings, C.', uri }),
      '"Jennings, C." <sip:fluffy@cisco.com>',
    )
    assert.equal(PAssertedIdentity.format({ uri: parseUri('tel:+14085264000')! }), '<tel:+14085264000>')
  })

  test('parse(format(v)) deep-equals v, and wire examples are stable', () => {
    const v: NameAddr = {
      displayName: 'a "b", c',
      uri: sipUri({ user: 'u;x', host: 'example.com', params: { user: 'phone' } }),
    }
    for (const [, def] of defs) {
      const text = def.format(v)
      assert.deepEqual(def.parse(text, 0, text.length), v)
    }
    for (const wire of [
      '"Cullen Jennings" <sip:fluffy@cisco.com>',
      'tel:+14085264000',
      'sips:alice@atlanta.example.com',
      '"Jennings, Cullen" <sip:fluffy@cisco.com>',
      '<sip:+14085264000;npdi@example.com;user=phone>',
    ]) {
      const once = parse(wire)
      assert.ok(once !== undefined, wire)
      const text = PAssertedIdentity.format(once)
      assert.deepEqual(parse(text), once, text)
      assert.equal(PAssertedIdentity.format(parse(text)!), text)
    }
  })
})
