import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { parseAnyCSeq } from './cseq.ts'
import { parseUsualCSeq } from './cseq-fast.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

// the value between other text, as in a message: neither parser may read outside its range
const usual = (text: string) => parseUsualCSeq(`X${text}Y`, 1, 1 + text.length)
const general = (text: string) => parseAnyCSeq(`X${text}Y`, 1, 1 + text.length)

/** The usual path either leaves the value to the general parser or reads exactly what it reads. */
function agrees(text: string): void {
  const fast = usual(text)
  if (fast !== null) assert.deepStrictEqual(fast, general(text), text)
}

const core = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER'] as const
const number = fc.oneof(
  fc.nat({ max: 0xffffffff }).map(String),
  fc.constantFrom(
    '',
    '0',
    '00000000001',
    '4294967295',
    '4294967296',
    '9999999999',
    '12345678901',
    '99999999999999999',
  ),
)
const gap = fc.constantFrom(' ', ' ', '  ', '\t', ' \t', '', '\r\n ')
const method = fc.constantFrom(
  ...core,
  'invite',
  'Invite',
  'REFER',
  'PRACK',
  'UPDATE',
  'INVITEX',
  'INVIT',
  'ACKX',
  'REGISTERS',
  'INV ITE',
  'INVITE ',
  'INVITE\t',
  'X',
  '',
  'ÉTÉ',
  'INVITE,',
)
const cseq = fc.tuple(number, gap, method).map(([n, g, m]) => `${n}${g}${m}`)
const usualCSeq = fc.tuple(fc.nat({ max: 0xffffffff }), fc.constantFrom(...core)).map(([n, m]) => `${n} ${m}`)

/** A value with one char inserted, replaced or removed somewhere. */
const mutated = fc
  .tuple(
    fc.oneof(cseq, usualCSeq),
    fc.nat(),
    fc.constantFrom('insert', 'replace', 'remove'),
    fc.constantFrom(' ', '\t', '0', '9', 'A', 'E', 'i', '-', ',', '\x80', '\u0100'),
  )
  .map(([v, at, how, c]) => {
    const k = v.length === 0 ? 0 : at % v.length
    if (how === 'insert') return v.slice(0, k) + c + v.slice(k)
    if (how === 'replace') return v.slice(0, k) + c + v.slice(k + 1)
    return v.slice(0, k) + v.slice(k + 1)
  })

describe('CSeq: the usual spelling read in one pass (RFC 3261 §20.16)', () => {
  test('reads the usual values itself, exactly as the general grammar does', () => {
    fc.assert(
      fc.property(usualCSeq, (text) => {
        const fast = usual(text)
        assert.notEqual(fast, null, text)
        assert.deepStrictEqual(fast, general(text), text)
      }),
      { numRuns },
    )
  })

  test('agrees with the general grammar on near-misses: case, LWS, long numbers, other methods', () => {
    fc.assert(fc.property(cseq, agrees), { numRuns })
  })

  test('agrees with the general grammar on values with one char inserted, replaced or removed', () => {
    fc.assert(fc.property(mutated, agrees), { numRuns })
  })

  test('agrees on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 24 }), agrees), { numRuns })
  })

  test('the method is the very constant the start line uses (one pointer compare)', () => {
    for (const m of core) assert.equal(usual(`1 ${m}`)?.method, m)
  })

  test('leaves the rest to the general grammar', () => {
    for (const text of [
      '1  INVITE',
      '1\tINVITE',
      '1 invite',
      '1 REFER',
      '4294967296 INVITE',
      '01234567890 ACK',
      '1 ',
    ])
      assert.equal(usual(text), null, text)
  })
})
