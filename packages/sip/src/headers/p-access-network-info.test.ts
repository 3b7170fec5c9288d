import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type AccessNetworkInfoValue, type Headers, PAccessNetworkInfo, parseMessage } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`REGISTER sip:home1.net SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): AccessNetworkInfoValue | undefined {
  return PAccessNetworkInfo.parse(text, 0, text.length)
}

describe('P-Access-Network-Info (RFC 7315 §4.4, RFC 7913)', () => {
  test('§4.4: access-type with utran-cell-id-3gpp and network-provided', () => {
    assert.deepEqual(
      headers(
        'P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2344512345678; network-provided',
      ).get(PAccessNetworkInfo),
      [
        {
          accessType: '3GPP-E-UTRAN-FDD',
          params: new Map([
            ['utran-cell-id-3gpp', '2344512345678'],
            ['network-provided', null],
          ]),
        },
      ],
    )
  })

  test('§4.4 access-type / access-class: other types kept as written', () => {
    assert.equal(parse('IEEE-802.11; i-wlan-node-id=ffeeddccbbaa')?.accessType, 'IEEE-802.11')
    assert.equal(parse('3GPP-NR-FDD; utran-cell-id-3gpp=0010100000001000000001')?.accessType, '3GPP-NR-FDD')
    assert.equal(parse('3GPP-GERAN')?.accessType, '3GPP-GERAN')
    assert.equal(parse('3gpp-utran-tdd')?.accessType, '3gpp-utran-tdd')
  })

  test('§4.4 access-info: quoted values kept with their quotes, names in lower case', () => {
    const v = parse('ADSL; DSL-Location="Some Location, Somewhere"; Operator-Specific-GI="a;b"')
    assert.deepEqual(
      [...v!.params!],
      [
        ['dsl-location', '"Some Location, Somewhere"'],
        ['operator-specific-gi', '"a;b"'],
      ],
    )
  })

  test('§4.4: a UA value and a network-provided one, in one field or in two, in order', () => {
    const one = headers(
      'P-Access-Network-Info: 3GPP-UTRAN-TDD; utran-cell-id-3gpp=23456789ABCDE, 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2344512345678; network-provided',
    )
    assert.deepEqual(
      one.get(PAccessNetworkInfo)?.map((v) => [v.accessType, v.params?.has('network-provided')]),
      [
        ['3GPP-UTRAN-TDD', false],
        ['3GPP-E-UTRAN-FDD', true],
      ],
    )
    const two = headers(
      'P-Access-Network-Info: 3GPP-UTRAN-TDD; utran-cell-id-3gpp=23456789ABCDE',
      'P-Access-Network-Info: IEEE-802.11; network-provided',
    )
    assert.deepEqual(
      two.get(PAccessNetworkInfo)?.map((v) => v.accessType),
      ['3GPP-UTRAN-TDD', 'IEEE-802.11'],
    )
    assert.equal(two.first(PAccessNetworkInfo)?.accessType, '3GPP-UTRAN-TDD')
  })

  test('invalid values give undefined; one bad element makes get undefined', () => {
    for (const bad of [
      '',
      '"3GPP-E-UTRAN-FDD"',
      '3GPP-E-UTRAN-FDD;',
      '3GPP E-UTRAN',
      '; network-provided',
      'x; a="open',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
    const h = headers('P-Access-Network-Info: IEEE-802.11, 3GPP/bad')
    assert.equal(h.get(PAccessNetworkInfo), undefined)
    assert.equal(h.first(PAccessNetworkInfo)?.accessType, 'IEEE-802.11')
    assert.deepEqual(headers('Max-Forwards: 70').get(PAccessNetworkInfo), [])
  })

  test('format; parse(format(v)) deep-equals v; wire examples are stable', () => {
    const v: AccessNetworkInfoValue = {
      accessType: '3GPP-E-UTRAN-FDD',
      params: new Map<string, string | null>([
        ['utran-cell-id-3gpp', '2344512345678'],
        ['network-provided', null],
      ]),
    }
    const text = PAccessNetworkInfo.format(v)
    assert.equal(text, '3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=2344512345678;network-provided')
    assert.deepEqual(PAccessNetworkInfo.parse(text, 0, text.length), v)
    assert.equal(PAccessNetworkInfo.format({ accessType: 'IEEE-802.11' }), 'IEEE-802.11')
    for (const wire of [
      '3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2344512345678; network-provided',
      'ADSL; dsl-location="Some Location, Somewhere"',
      'IEEE-802.11 ;I-WLAN-Node-ID = ffeeddccbbaa',
    ]) {
      const once = parse(wire)!
      const t = PAccessNetworkInfo.format(once)
      assert.deepEqual(parse(t), once, t)
      assert.equal(PAccessNetworkInfo.format(parse(t)!), t)
    }
  })
})
