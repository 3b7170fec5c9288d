import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type ChargingVectorValue, type Headers, PChargingVector, parseMessage } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`INVITE sip:b@home2.net SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): ChargingVectorValue | undefined {
  return PChargingVector.parse(text, 0, text.length)
}

describe('P-Charging-Vector (RFC 7315 §4.6: icid-value *(SEMI charge-params))', () => {
  test('§4.6 example: icid-value first, then charge-params', () => {
    assert.deepEqual(
      headers(
        'P-Charging-Vector: icid-value=1234bc9876e; icid-generated-at=192.0.6.8; orig-ioi=home1.net',
      ).get(PChargingVector),
      {
        icidValue: '1234bc9876e',
        params: new Map([
          ['icid-generated-at', '192.0.6.8'],
          ['orig-ioi', 'home1.net'],
        ]),
      },
    )
  })

  test('§4.6 icid-value = gen-value: a quoted value reads unquoted', () => {
    assert.equal(
      parse('icid-value="AyretyU0dm+6O2IrT5tAFrbHLso="')?.icidValue,
      'AyretyU0dm+6O2IrT5tAFrbHLso=',
    )
    assert.equal(parse('ICID-Value = abc ; Term-IOI = home2.net')?.icidValue, 'abc')
    assert.equal(parse('ICID-Value = abc ; Term-IOI = home2.net')?.params?.get('term-ioi'), 'home2.net')
  })

  test('§4.6 charge-params: an IPv6 icid-generated-at, quoted and flag params kept as written', () => {
    const v = parse('icid-value=x1; icid-generated-at=[2001:db8::1]; transit-ioi="a,b"; related-icid=y; flag')
    assert.deepEqual(
      [...v!.params!],
      [
        ['icid-generated-at', '[2001:db8::1]'],
        ['transit-ioi', '"a,b"'],
        ['related-icid', 'y'],
        ['flag', null],
      ],
    )
  })

  test('§4.6: icid-value must come first and have a value', () => {
    for (const bad of [
      '',
      'orig-ioi=home1.net; icid-value=1234bc9876e', // not first
      'orig-ioi=home1.net',
      'icid-value',
      'icid-value=',
      'icid-value=1234;',
      'icid-value="open',
      'icid-value=a b',
      ';icid-value=a',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('single header: two fields give undefined', () => {
    assert.equal(
      headers('P-Charging-Vector: icid-value=a', 'P-Charging-Vector: icid-value=b').get(PChargingVector),
      undefined,
    )
    assert.equal(headers('P-Charging-Vector: icid-value=a, icid-value=b').get(PChargingVector), undefined)
    assert.equal(headers('Max-Forwards: 70').get(PChargingVector), undefined)
  })

  test('parse reads exactly s[start, end)', () => {
    const s = 'xx;icid-value=abc;orig-ioi=home1.net;tail=1'
    const start = s.indexOf('icid')
    const v = PChargingVector.parse(s, start, s.indexOf(';tail'))
    assert.deepEqual(v, { icidValue: 'abc', params: new Map([['orig-ioi', 'home1.net']]) })
  })

  test('format: icid-value first, quoted when it is not a token', () => {
    assert.equal(
      PChargingVector.format({ icidValue: '1234bc9876e', params: new Map([['orig-ioi', 'home1.net']]) }),
      'icid-value=1234bc9876e;orig-ioi=home1.net',
    )
    assert.equal(
      PChargingVector.format({ icidValue: 'AyretyU0dm+6O2IrT5tAFrbHLso=' }),
      'icid-value="AyretyU0dm+6O2IrT5tAFrbHLso="',
    )
  })

  test('parse(format(v)) deep-equals v; wire examples are stable', () => {
    const v: ChargingVectorValue = {
      icidValue: 'a b "c"',
      params: new Map<string, string | null>([
        ['icid-generated-at', '[2001:db8::1]'],
        ['flag', null],
      ]),
    }
    const text = PChargingVector.format(v)
    assert.deepEqual(PChargingVector.parse(text, 0, text.length), v)
    for (const wire of [
      'icid-value=1234bc9876e; icid-generated-at=192.0.6.8; orig-ioi=home1.net',
      'icid-value="AyretyU0dm+6O2IrT5tAFrbHLso="; term-ioi="home2.net"',
      'ICID-VALUE=x;FLAG',
    ]) {
      const once = parse(wire)!
      const t = PChargingVector.format(once)
      assert.deepEqual(parse(t), once, t)
      assert.equal(PChargingVector.format(parse(t)!), t)
    }
  })
})
