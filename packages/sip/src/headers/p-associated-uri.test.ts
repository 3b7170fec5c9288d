import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type AssociatedUriValue,
  type Headers,
  PAssociatedUri,
  parseMessage,
  parseUri,
  sipUri,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`SIP/2.0 200 OK\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): AssociatedUriValue | undefined {
  return PAssociatedUri.parse(text, 0, text.length)
}

describe('P-Associated-URI (RFC 7315 §4.1: name-addr *( SEMI ai-param ))', () => {
  test('RFC 7315 §4.1 example: a list of URIs in order', () => {
    const all = headers(
      'P-Associated-URI: <sip:user1_public2@home1.net>,',
      ' <sip:user1_public3@home1.net>, <sip:+1-212-555-1234@home1.net;user=phone>',
    ).get(PAssociatedUri)
    assert.deepEqual(all, [
      { displayName: undefined, uri: parseUri('sip:user1_public2@home1.net'), params: new Map() },
      { displayName: undefined, uri: parseUri('sip:user1_public3@home1.net'), params: new Map() },
      {
        displayName: undefined,
        uri: parseUri('sip:+1-212-555-1234@home1.net;user=phone'),
        params: new Map(),
      },
    ])
  })

  test('§7.3.1: values over several fields in order, tel URIs and display names', () => {
    const h = headers(
      'P-Associated-URI: "User One, Work" <sip:user1@home1.net>',
      'P-Associated-URI: <tel:+1-212-555-1234>',
    )
    const all = h.get(PAssociatedUri)
    assert.equal(all?.length, 2)
    assert.equal(all?.[0]?.displayName, 'User One, Work')
    assert.ok(all?.[1]?.uri.kind === 'tel' && all[1].uri.number === '+1-212-555-1234')
    assert.equal(h.first(PAssociatedUri)?.displayName, 'User One, Work')
  })

  test('§4.1 ai-param = generic-param: kept after ">", names in lower case', () => {
    const v = parse('<sip:user1@home1.net>;Foo=Bar;flag')
    assert.deepEqual(
      [...v!.params!],
      [
        ['foo', 'Bar'],
        ['flag', null],
      ],
    )
  })

  test('§4.1: the angle brackets are mandatory; invalid values give undefined', () => {
    for (const bad of [
      '',
      'sip:user1@home1.net',
      '<sip:user1@home1.net',
      '<sip:user1@home1.net>;',
      '<sip:u@h.net> x',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
    const h = headers('P-Associated-URI: <sip:user1@home1.net>, sip:user2@home1.net')
    assert.equal(h.get(PAssociatedUri), undefined)
    assert.equal(h.first(PAssociatedUri)?.uri.kind, 'sip')
    assert.deepEqual(headers('Max-Forwards: 70').get(PAssociatedUri), [])
  })

  test('format; parse(format(v)) deep-equals v; wire examples are stable', () => {
    const v: AssociatedUriValue = {
      displayName: 'Work',
      uri: sipUri({ user: '+1-212-555-1234', host: 'home1.net', params: { user: 'phone' } }),
      params: new Map([['x', '"y z"']]),
    }
    const text = PAssociatedUri.format(v)
    assert.equal(text, 'Work <sip:+1-212-555-1234@home1.net;user=phone>;x="y z"')
    assert.deepEqual(PAssociatedUri.parse(text, 0, text.length), v)
    for (const wire of [
      '<sip:user1_public2@home1.net>',
      '"A, B" <tel:+1-212-555-1234>;flag',
      '<SIP:U@HOME1.NET>',
    ]) {
      const once = parse(wire)!
      const t = PAssociatedUri.format(once)
      assert.deepEqual(parse(t), once, t)
      assert.equal(PAssociatedUri.format(parse(t)!), t)
    }
  })
})
