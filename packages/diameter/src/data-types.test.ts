import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { avp, message } from '../test/raw.ts'
import { checkValue, normalizeInput } from './data-types.ts'
import {
  baseDictionary,
  createDictionary,
  createRequest,
  DiameterCodecError,
  decodeMessage,
  defineDictionary,
  encodeMessage,
  faultCodes,
} from './index.ts'

/** An application with one AVP of every data type (RFC 6733 §4.2, §4.3, §4.4). */
const types = defineDictionary({
  name: 'test: every data type',
  applicationId: 4242,
  vendorId: 99999,
  avps: {
    'T-OctetString': { code: 1, type: 'OctetString' },
    'T-Integer32': { code: 2, type: 'Integer32' },
    'T-Integer64': { code: 3, type: 'Integer64' },
    'T-Unsigned32': { code: 4, type: 'Unsigned32' },
    'T-Unsigned64': { code: 5, type: 'Unsigned64' },
    'T-Float32': { code: 6, type: 'Float32' },
    'T-Float64': { code: 7, type: 'Float64' },
    'T-Address': { code: 8, type: 'Address' },
    'T-Time': { code: 9, type: 'Time' },
    'T-UTF8String': { code: 10, type: 'UTF8String' },
    'T-DiameterIdentity': { code: 11, type: 'DiameterIdentity' },
    'T-DiameterURI': { code: 12, type: 'DiameterURI' },
    'T-Enumerated': { code: 13, type: 'Enumerated', values: { ZERO: 0, ONE: 1, MINUS: -1 } },
    'T-Grouped': { code: 14, type: 'Grouped', grammar: '[ T-Unsigned32 ] *[ T-Grouped ] *[ AVP ]' },
  },
  commands: {
    TTR: `<Type-Test-Request> ::= < Diameter Header: 8388600, REQ, PXY >
        { Origin-Host }
        { Origin-Realm }
       *[ AVP ]`,
    TTA: `<Type-Test-Answer> ::= < Diameter Header: 8388600, PXY >
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
       *[ AVP ]`,
  },
})
const dictionary = createDictionary(baseDictionary, types)

type Init = Parameters<typeof createRequest<typeof dictionary>>[1]['avps']

/** Encodes a TTR with the AVPs, decodes it with the same dictionary. */
function roundTrip(avps: Init) {
  const m = createRequest('TTR', {
    dictionary,
    avps: { 'Origin-Host': 'a', 'Origin-Realm': 'b', ...avps },
  })
  const bytes = encodeMessage(m)
  const r = decodeMessage(bytes, { dictionary })
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  assert.equal(r.message.name, 'TTR')
  return { built: m, decoded: r.message, bytes }
}

describe('data types round trip (RFC 6733 §4.2–§4.4)', () => {
  test('OctetString: any octets; a string is written as UTF-8', () => {
    for (const v of [new Uint8Array(0), Uint8Array.of(0, 255, 0, 128), new Uint8Array(1000).fill(7)]) {
      const { decoded, built } = roundTrip({ 'T-OctetString': v })
      assert.deepEqual(Buffer.from(decoded.get('T-OctetString')!), Buffer.from(v))
      assert.deepEqual(Buffer.from(built.get('T-OctetString')!), Buffer.from(v))
    }
    for (const text of [
      'é<xml/>',
      '<xml/>',
      `<x>${'é'.repeat(40)}</x>`,
      `<x>${'y'.repeat(100)}</x>`,
      'a\ud800',
    ]) {
      const { decoded, built, bytes } = roundTrip({ 'T-OctetString': text })
      const utf8 = Buffer.from(text, 'utf8')
      assert.deepEqual(Buffer.from(decoded.get('T-OctetString')!), utf8)
      // built from a string: its UTF-8 octets, the same object on every read
      const value = built.get('T-OctetString')!
      assert.deepEqual(Buffer.from(value), utf8)
      assert.equal(built.get('T-OctetString'), value)
      assert.deepEqual(Buffer.from(built.find('T-OctetString')!.data), utf8)
      assert.deepEqual(encodeMessage(built), bytes)
    }
  })

  test("Integer32, Unsigned32, Enumerated: 32-bit, two's complement", () => {
    for (const v of [-(2 ** 31), -1, 0, 1, 2 ** 31 - 1]) {
      const { decoded } = roundTrip({ 'T-Integer32': v })
      assert.equal(decoded.get('T-Integer32'), v)
    }
    for (const v of [0, 1, 2 ** 31, 2 ** 32 - 1]) {
      const { decoded } = roundTrip({ 'T-Unsigned32': v })
      assert.equal(decoded.get('T-Unsigned32'), v)
    }
    for (const v of [0, 1, -1]) {
      const { decoded } = roundTrip({ 'T-Enumerated': v })
      assert.equal(decoded.get('T-Enumerated'), v)
    }
  })

  test('Integer64, Unsigned64: bigints (numbers accepted when safe)', () => {
    for (const v of [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]) {
      const { decoded } = roundTrip({ 'T-Integer64': v })
      assert.equal(decoded.get('T-Integer64'), v)
    }
    for (const v of [0n, 2n ** 32n, 2n ** 64n - 1n]) {
      const { decoded } = roundTrip({ 'T-Unsigned64': v })
      assert.equal(decoded.get('T-Unsigned64'), v)
    }
    const { built, decoded } = roundTrip({ 'T-Unsigned64': 5 })
    assert.equal(built.get('T-Unsigned64'), 5n)
    assert.equal(decoded.get('T-Unsigned64'), 5n)
  })

  test('Float32, Float64: IEEE 754', () => {
    for (const v of [0, -0, 1.5, Math.fround(0.1), Number.POSITIVE_INFINITY, Number.NaN]) {
      const { decoded } = roundTrip({ 'T-Float32': v })
      assert.ok(Object.is(decoded.get('T-Float32'), v), String(v))
    }
    assert.equal(roundTrip({ 'T-Float32': 0.1 }).decoded.get('T-Float32'), Math.fround(0.1))
    for (const v of [0.1, -1e308, Number.MIN_VALUE, Number.NaN, -0]) {
      const { decoded } = roundTrip({ 'T-Float64': v })
      assert.ok(Object.is(decoded.get('T-Float64'), v), String(v))
    }
  })

  test('Address: IPv4 and IPv6 with their 2-octet family (RFC 6733 §4.3.1)', () => {
    for (const [v, family, canonical] of [
      ['192.0.2.1', 1, '192.0.2.1'],
      ['2001:DB8::0:1', 2, '2001:db8::1'],
      ['::ffff:192.0.2.1', 2, '::ffff:192.0.2.1'],
    ] as const) {
      const { decoded, built } = roundTrip({ 'T-Address': v })
      assert.equal(decoded.get('T-Address'), canonical)
      assert.equal(built.get('T-Address'), canonical)
      const data = decoded.find('T-Address')!.data
      assert.equal((data[0]! << 8) | data[1]!, family)
      assert.equal(data.length, family === 1 ? 6 : 18)
    }
    // E.164 (family 8) is read as its digits
    const m = decodeMessage(
      message(
        { code: 8388600, flags: 0xc0, applicationId: 4242 },
        avp(264, 0x40, 'a'),
        avp(296, 0x40, 'b'),
        avp(8, 0xc0, Buffer.from([0, 8, 0x34, 0x31]), { vendorId: 99999 }),
      ),
      { dictionary },
    )
    assert.ok(m.ok)
    assert.equal(m.message.get('T-Address'), '41')
  })

  test('Time: NTP seconds since 1900 as a Date; the RFC 4330 §3 era rule past 2036', () => {
    for (const iso of [
      '1968-01-20T03:14:08Z',
      '1970-01-01T00:00:00Z',
      '2024-02-29T12:00:00Z',
      '2036-02-07T06:28:15Z',
      '2036-02-07T06:28:16Z',
      '2104-02-26T09:42:23Z',
    ]) {
      const { decoded } = roundTrip({ 'T-Time': new Date(iso) })
      assert.equal(decoded.get('T-Time')?.toISOString(), new Date(iso).toISOString(), iso)
    }
    // 2036-02-07T06:28:16Z is 2^32 seconds after 1900: the second era starts at 0
    const { decoded } = roundTrip({ 'T-Time': new Date('2036-02-07T06:28:16Z') })
    assert.deepEqual(Buffer.from(decoded.find('T-Time')!.data), Buffer.alloc(4))
    // whole seconds
    assert.equal(
      roundTrip({ 'T-Time': new Date(1500) })
        .decoded.get('T-Time')
        ?.getTime(),
      1000,
    )
    for (const iso of ['1968-01-20T03:14:07Z', '2104-02-26T09:42:24Z']) {
      assert.throws(() => roundTrip({ 'T-Time': new Date(iso) }), DiameterCodecError, iso)
    }
  })

  test('UTF8String, DiameterIdentity, DiameterURI', () => {
    for (const v of ['', 'ascii', 'ünïcödé 🎉', '\u0000']) {
      const { decoded } = roundTrip({ 'T-UTF8String': v })
      assert.equal(decoded.get('T-UTF8String'), v)
    }
    assert.equal(
      roundTrip({ 'T-DiameterIdentity': 'hss.ims.test' }).decoded.get('T-DiameterIdentity'),
      'hss.ims.test',
    )
    const uri = 'aaa://hss.ims.test:3868;transport=tcp;protocol=diameter'
    assert.equal(roundTrip({ 'T-DiameterURI': uri }).decoded.get('T-DiameterURI'), uri)
  })

  test('Grouped: nested, with its grammar', () => {
    const { decoded } = roundTrip({
      'T-Grouped': {
        'T-Unsigned32': 1,
        'T-Grouped': [{ 'T-Unsigned32': 2 }, { 'T-Grouped': { 'T-UTF8String': 'deep' } }],
      },
    })
    const g = decoded.get('T-Grouped')!
    assert.equal(g.get('T-Unsigned32'), 1)
    const inner = g.getAll('T-Grouped')
    assert.equal(inner[0]?.get('T-Unsigned32'), 2)
    assert.equal(inner[1]?.get('T-Grouped')?.get('T-UTF8String'), 'deep')
  })
})

describe('builder values out of their type: INVALID_ARGUMENT', () => {
  const bad = (type: Parameters<typeof normalizeInput>[1], v: unknown) =>
    assert.throws(
      () => normalizeInput('X', type, v),
      (e) => e instanceof DiameterCodecError && e.code === faultCodes.INVALID_ARGUMENT,
      `${type} ${String(v)}`,
    )
  test('numbers', () => {
    bad('Integer32', 2 ** 31)
    bad('Integer32', 1.5)
    bad('Enumerated', '1')
    bad('Unsigned32', -1)
    bad('Unsigned32', Number.NaN)
    bad('Integer64', 2n ** 63n)
    bad('Integer64', 2 ** 60)
    bad('Unsigned64', -1n)
    bad('Unsigned64', 2n ** 64n)
    bad('Float32', '1')
  })
  test('strings, octets, addresses, dates', () => {
    bad('OctetString', 1)
    bad('UTF8String', '\udc00')
    bad('UTF8String', 1)
    bad('DiameterIdentity', '')
    bad('DiameterIdentity', 'a b')
    bad('DiameterIdentity', 'é')
    bad('DiameterIdentity', 'a'.repeat(256))
    bad('DiameterURI', 'aaa://x\n')
    bad('Address', 'localhost')
    bad('Address', '1.2.3.4:5')
    bad('Address', 1)
    bad('Time', new Date(Number.NaN))
    bad('Time', 0)
    bad('Grouped', {})
  })
})

test('checkValue: 5014 for a length wrong for the type, 5004 for an invalid value', () => {
  const b = (...x: number[]) => Uint8Array.from(x)
  const check = (type: Parameters<typeof checkValue>[0], data: Uint8Array, values?: Map<number, string>) =>
    checkValue(type, data, 0, data.length, values)
  assert.equal(check('Unsigned32', b(0, 0, 0)), 5014)
  assert.equal(check('Float64', b(0, 0, 0, 0)), 5014)
  assert.equal(check('Time', b(0, 0, 0, 0, 0)), 5014)
  assert.equal(check('Enumerated', b(0, 0, 0, 2), new Map([[1, 'ONE']])), 5004)
  assert.equal(check('Enumerated', b(0, 0, 0, 1), new Map([[1, 'ONE']])), 0)
  assert.equal(check('Address', b(0, 1, 1, 2, 3, 4)), 0)
  assert.equal(check('Address', b(0, 8)), 5004)
  assert.equal(check('Address', b(0, 8, 0x41)), 5004)
  assert.equal(check('UTF8String', b(0xc0, 0x80)), 5004)
  assert.equal(check('UTF8String', b()), 0)
  assert.equal(check('DiameterIdentity', b(0x61, 0x7f)), 5004)
  // at most 255 octets: an FQDN (RFC 1035 §2.3.4)
  assert.equal(check('DiameterIdentity', new Uint8Array(255).fill(0x61)), 0)
  assert.equal(check('DiameterIdentity', new Uint8Array(256).fill(0x61)), 5004)
  assert.equal(check('DiameterURI', new Uint8Array(300).fill(0x61)), 0)
  assert.equal(check('OctetString', b(0xff)), 0)
})
