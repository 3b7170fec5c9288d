import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { avp, message, origin, u32 } from '../test/raw.ts'
import { parseCommandCcf, parseGroupCcf } from './grammar.ts'
import {
  baseDictionary,
  createDictionary,
  DiameterCodecError,
  decodeMessage,
  defineDictionary,
  decodeErrorCodes as E,
  faultCodes,
} from './index.ts'

const rules = (text: string) => parseGroupCcf(text, 0, 0).map((r) => `${r.kind} ${r.name} ${r.min}..${r.max}`)

describe('CCF notation (RFC 6733 §3.2)', () => {
  test('counts: defaults by kind, min*max, * alone, spaces anywhere', () => {
    assert.deepEqual(rules('< A > { B } [ C ] *[ D ] 1*{ E } 0*1< F > *5[ G ]'), [
      'fixed A 1..1',
      'required B 1..1',
      'optional C 0..1',
      'optional D 0..Infinity',
      'required E 1..Infinity',
      'fixed F 0..1',
      'optional G 0..5',
    ])
    assert.deepEqual(rules('* [ AVP ]  1 * { X }  *{ Y } *< Z >'), [
      'optional AVP 0..Infinity',
      'required X 1..Infinity',
      'required Y 1..Infinity',
      'fixed Z 0..Infinity',
    ])
    assert.deepEqual(rules('*0[ X ]'), ['optional X 0..0'])
  })

  test('the AVP header line of a grouped AVP is optional, and must match', () => {
    assert.deepEqual(parseGroupCcf('<X> ::= < AVP Header: 7 10415 > { A }', 7, 10415).length, 1)
    assert.deepEqual(parseGroupCcf('X ::= < AVP header: 7 > { A }', 7, 0).length, 1)
    assert.throws(() => parseGroupCcf('X ::= < AVP Header: 8 > { A }', 7, 0), DiameterCodecError)
  })

  test('a command header: code, REQ, PXY, Application-Id', () => {
    const { header, rules } = parseCommandCcf(
      '< User-Authorization-Request> ::= < Diameter Header: 300, REQ, PXY, 16777216 > < Session-Id >',
    )
    assert.deepEqual(header, {
      name: 'User-Authorization-Request',
      code: 300,
      request: true,
      proxiable: true,
      error: false,
      applicationId: 16777216,
    })
    assert.equal(rules.length, 1)
  })

  test('malformed grammars are BAD_DICTIONARY faults', () => {
    for (const text of [
      '{ A ]',
      '[ A',
      '1[ A ]',
      '1*[ A ]',
      '0*{ A }',
      '3*2{ A }',
      '< AVP >',
      'A',
      '{ A } junk',
    ]) {
      assert.throws(
        () => rules(text),
        (e) => e instanceof DiameterCodecError && e.code === faultCodes.BAD_DICTIONARY,
        text,
      )
    }
    for (const text of [
      '{ A }',
      '<X> ::= < Diameter Header: abc > { A }',
      '<X> ::= < Diameter Header: 1, FOO >',
    ]) {
      assert.throws(() => parseCommandCcf(text), DiameterCodecError, text)
    }
  })
})

describe('grammar checks, with a fixed AVP at the end', () => {
  const app = defineDictionary({
    name: 'test: tail',
    applicationId: 7,
    avps: {
      'X-First': { code: 9001, type: 'Unsigned32' },
      'X-Last': { code: 9002, type: 'Unsigned32' },
      'X-Never': { code: 9003, type: 'Unsigned32' },
      'X-Twice': { code: 9004, type: 'Unsigned32' },
    },
    commands: {
      XXR: `<XXR> ::= < Diameter Header: 8388601, REQ >
        < X-First >
        { Origin-Host }
        { Origin-Realm }
      *2[ X-Twice ]
      *0[ X-Never ]
        < X-Last >`,
    },
  })
  const dictionary = createDictionary(baseDictionary, app)
  const decode = (...avps: Buffer[]) =>
    decodeMessage(message({ code: 8388601, applicationId: 7 }, ...avps), { dictionary })
  const first = avp(9001, 0x40, u32(1))
  const last = avp(9002, 0x40, u32(2))
  const twice = avp(9004, 0x40, u32(4))

  test('valid', () => {
    const r = decode(first, ...origin, twice, twice, last)
    assert.ok(r.ok, r.ok ? '' : r.error.reason)
  })

  test('the last fixed AVP elsewhere, or missing', () => {
    const r = decode(first, last, ...origin)
    assert.ok(!r.ok)
    assert.equal(r.error.code, E.AVP_NOT_ALLOWED)
    assert.equal(r.error.failedAvp?.name, 'X-Last')
    const r2 = decode(first, ...origin)
    assert.ok(!r2.ok)
    assert.equal(r2.error.code, E.MISSING_AVP)
  })

  test('*2: a third one is 5009; *0: never allowed (5008); no *[ AVP ]: others are 5008', () => {
    const r = decode(first, ...origin, twice, twice, twice, last)
    assert.ok(!r.ok)
    assert.equal(r.error.resultCode, 5009)
    const r2 = decode(first, ...origin, avp(9003, 0x40, u32(3)), last)
    assert.ok(!r2.ok)
    assert.equal(r2.error.resultCode, 5008)
    const r3 = decode(first, ...origin, avp(278, 0x40, u32(3)), last)
    assert.ok(!r3.ok)
    assert.equal(r3.error.resultCode, 5008)
    assert.equal(r3.error.failedAvp?.name, 'Origin-State-Id')
  })
})
