import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Headers, PVisitedNetworkId, parseMessage, type VisitedNetworkValue } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`REGISTER sip:home1.net SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): VisitedNetworkValue | undefined {
  return PVisitedNetworkId.parse(text, 0, text.length)
}

function assertStable(wire: string): void {
  const v = parse(wire)
  assert.ok(v !== undefined, wire)
  const text = PVisitedNetworkId.format(v)
  assert.deepEqual(parse(text), v, text)
  assert.equal(PVisitedNetworkId.format(parse(text)!), text)
}

describe('P-Visited-Network-ID (RFC 7315 §4.3: (token / quoted-string) *(SEMI vnetwork-param))', () => {
  test('RFC 7315 §4.3 example: a token and a quoted-string in one list', () => {
    assert.deepEqual(
      headers('P-Visited-Network-ID: other.net, "Visited network number 1"').get(PVisitedNetworkId),
      [
        { network: 'other.net', params: new Map() },
        { network: 'Visited network number 1', params: new Map() },
      ],
    )
  })

  test('§4.3: values over several fields in order; a comma inside quotes does not split', () => {
    const h = headers('P-Visited-Network-ID: "Network, one"', 'P-Visited-Network-ID: two.example.net')
    assert.deepEqual(
      h.get(PVisitedNetworkId)?.map((v) => v.network),
      ['Network, one', 'two.example.net'],
    )
    assert.equal(h.first(PVisitedNetworkId)?.network, 'Network, one')
  })

  test('§25.1 quoted-string: escapes resolved; UTF-8 reads as text', () => {
    assert.equal(parse('"say \\"hi\\" \\\\"')?.network, 'say "hi" \\')
    assert.equal(
      headers('P-Visited-Network-ID: "Réseau visité"').first(PVisitedNetworkId)?.network,
      'Réseau visité',
    )
  })

  test('§4.3 vnetwork-param = generic-param: kept, names in lower case', () => {
    const v = parse('"Visited network number 1" ; Foo=Bar;flag')
    assert.equal(v?.network, 'Visited network number 1')
    assert.deepEqual(
      [...v!.params!],
      [
        ['foo', 'Bar'],
        ['flag', null],
      ],
    )
  })

  test('invalid values give undefined; one bad element makes get undefined', () => {
    for (const bad of ['', 'two words', '"unterminated', '"a" b', 'other.net;', 'other/net', '"x";=y']) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
    const h = headers('P-Visited-Network-ID: other.net, ,x')
    assert.equal(h.get(PVisitedNetworkId), undefined)
    const bad = headers('P-Visited-Network-ID: other.net, "open')
    assert.equal(bad.get(PVisitedNetworkId), undefined)
    assert.deepEqual(headers('Max-Forwards: 70').get(PVisitedNetworkId), [])
  })

  test('format: a token bare, anything else quoted with escapes', () => {
    assert.equal(PVisitedNetworkId.format({ network: 'other.net' }), 'other.net')
    assert.equal(
      PVisitedNetworkId.format({ network: 'Visited network number 1', params: new Map([['x', 'y']]) }),
      '"Visited network number 1";x=y',
    )
    assert.equal(PVisitedNetworkId.format({ network: 'a "b" \\' }), '"a \\"b\\" \\\\"')
  })

  test('parse(format(v)) deep-equals v', () => {
    for (const v of [
      { network: 'other.net', params: new Map() },
      { network: 'Visited network, "number" 1\\', params: new Map<string, string | null>([['flag', null]]) },
    ] satisfies VisitedNetworkValue[]) {
      const text = PVisitedNetworkId.format(v)
      assert.deepEqual(PVisitedNetworkId.parse(text, 0, text.length), v)
    }
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of ['other.net', '"Visited network number 1"', '"other.net"', '"a \\"b\\""; Foo = bar']) {
      assertStable(wire)
    }
  })

  test('§25.1 quoted-pair: a control char read from a quoted-pair formats back as one', () => {
    // "\<SOH>" is a valid quoted-pair; the formatter must write it escaped again (qdtext excludes it)
    assertStable('"net\\\x01work"')
  })
})
