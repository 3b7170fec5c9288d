import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { parseDigits, scan, TOKEN } from './chars.ts'
import { parseErrorCodes as E, type ParseErrorCode } from './errors.ts'
import { nameSlot, readFieldName } from './field-names.ts'
import { scanFields, scanned } from './fields.ts'
import { nameSignature, STRIDE } from './headers.ts'
import { defaultLimits, type Limits } from './limits.ts'
import { compactOf, headerKey } from './names.ts'
import { CONTENT_LENGTH_SLOT, FOLDED, SLOT_COUNT, slotKey, slotOf, VIA_SLOT } from './slots.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

/**
 * The scanner as it was before the single-pass name reader (two searches per line, then the token
 * check, then a slot lookup by comparing names): the oracle the new one must agree with.
 */
function oracle(
  src: string,
  at: number,
  lim: Limits,
): { out: number[] | number; error?: ParseErrorCode; contentLength: number; end?: number; slots?: number[] } {
  const pos: number[] = []
  const slots = new Array<number>(SLOT_COUNT).fill(0)
  let contentLength = -1
  let vias = 0
  const fail = (error: ParseErrorCode, offset: number, cl = -1) => ({ out: offset, error, contentLength: cl })
  for (;;) {
    const fieldStart = at
    let nl = src.indexOf('\n', at)
    if (nl === -1) return fail(E.TRUNCATED, src.length)
    if (src.charCodeAt(nl - 1) !== 13 || src.indexOf('\r', at) !== nl - 1) return fail(E.BAD_LINE_ENDING, at)
    if (nl === at + 1) break
    let c = src.charCodeAt(nl + 1)
    while (c === 32 || c === 9) {
      const next = nl + 1
      nl = src.indexOf('\n', next)
      if (nl === -1) return fail(E.TRUNCATED, src.length)
      if (src.charCodeAt(nl - 1) !== 13 || src.indexOf('\r', next) !== nl - 1)
        return fail(E.BAD_LINE_ENDING, next)
      c = src.charCodeAt(nl + 1)
    }
    at = nl + 1
    if (at - fieldStart > lim.maxLineLength) return fail(E.LINE_TOO_LONG, fieldStart)
    if (pos.length === lim.maxHeaderCount * STRIDE) return fail(E.TOO_MANY_HEADERS, fieldStart)
    const nameEnd = scan(src, fieldStart, nl, TOKEN)
    let colon = nameEnd
    while (src.charCodeAt(colon) === 32 || src.charCodeAt(colon) === 9) colon++
    if (nameEnd === fieldStart || src.charCodeAt(colon) !== 58) return fail(E.BAD_HEADER_LINE, fieldStart)
    const field = pos.length / STRIDE
    pos.push(fieldStart, nameEnd, at, nameSignature(nameEnd - fieldStart, src.charCodeAt(fieldStart)))
    const slot = slotOf(headerKey(src.slice(fieldStart, nameEnd)))
    if (slot === -1) continue
    const seen = slots[slot]!
    slots[slot] = seen === 0 ? field + 1 : seen > 0 ? -seen : seen
    if (slot === VIA_SLOT) {
      vias += 1 + (src.slice(colon, nl).match(/,/g)?.length ?? 0)
      if (vias > lim.maxViaCount) return fail(E.TOO_MANY_VIAS, fieldStart)
    } else if (slot === CONTENT_LENGTH_SLOT) {
      const value = src.slice(colon + 1, nl - 1).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')
      const n = contentLength === -1 ? parseDigits(value, 0, value.length, 0xffffffff) : -2
      if (n < 0) return fail(E.BAD_CONTENT_LENGTH, fieldStart, n)
      contentLength = n
    }
  }
  return { out: pos, contentLength, end: at + 2, slots }
}

const names = [
  'Via',
  'v',
  'VIA',
  'From',
  'f',
  'To',
  't',
  'Call-ID',
  'call-id',
  'i',
  'CSeq',
  'Max-Forwards',
  'Route',
  'Record-Route',
  'Contact',
  'm',
  'Content-Length',
  'l',
  'Content-Type',
  'c',
  'Accept',
  'X-Via',
  'Vias',
  'Vi',
  'Route!',
  'k',
  'o',
  'Event',
  'Supported',
  'P-Asserted-Identity',
  'Authorization',
  'A',
  'x~y',
]
const lineChars = fc.constantFrom(
  'a',
  'V',
  ' ',
  '\t',
  ':',
  ',',
  '1',
  '\r',
  '\n',
  '\r\n',
  '\r\n ',
  '\x80',
  ';',
)
const field = fc.oneof(
  fc.tuple(
    fc.constantFrom(...names),
    fc.constantFrom(':', ': ', ' :', '\t: '),
    fc.string({ unit: lineChars, maxLength: 12 }),
  ),
  fc.tuple(
    fc.constantFrom('Content-Length', 'l', 'Via'),
    fc.constantFrom(': '),
    fc.constantFrom('0', '12', ' 7 ', 'x', '1,2', ''),
  ),
)
const section = fc
  .tuple(fc.array(field, { maxLength: 8 }), fc.constantFrom('\r\n', '', '\n', '\r'))
  .map(([fields, tail]) => `${fields.map(([n, c, v]) => `${n}${c}${v}\r\n`).join('')}${tail}`)

describe('scanFields', () => {
  test('agrees with the former scanner on generated header sections', () => {
    const lim: Limits = { ...defaultLimits, maxHeaderCount: 6, maxViaCount: 4, maxLineLength: 30 }
    fc.assert(
      fc.property(section, fc.boolean(), (text, strict) => {
        const src = `X\r\n${text}`
        const limits = strict ? lim : defaultLimits
        const want = oracle(src, 3, limits)
        const got = scanFields(src, 3, limits)
        assert.deepEqual(got, want.out)
        if (typeof got === 'number') {
          assert.equal(scanned.error, want.error)
          if (want.error === E.BAD_CONTENT_LENGTH) assert.equal(scanned.contentLength, want.contentLength)
          return
        }
        assert.equal(scanned.contentLength, want.contentLength)
        assert.equal(scanned.end, want.end)
        assert.deepEqual(scanned.slots.slice(0, SLOT_COUNT), want.slots)
        assert.equal(scanned.slots[FOLDED], /\r\n[ \t]/.test(text.slice(0, want.end! - 3)) ? 1 : 0)
      }),
      { numRuns },
    )
  })
})

describe('readFieldName', () => {
  const slotOfName = (name: string): number => {
    const end = readFieldName(`${name}:`, 0)
    assert.equal(end, name.length)
    return nameSlot
  }

  test('each slotted header, full and compact, in any case (§7.3.1, §7.3.3)', () => {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const key = slotKey(slot)
      assert.equal(slotOfName(key), slot)
      assert.equal(slotOfName(key.toUpperCase()), slot)
      const c = compactOf(key)
      if (c !== undefined) {
        assert.equal(slotOfName(c), slot)
        assert.equal(slotOfName(c.toUpperCase()), slot)
      }
    }
  })

  test('other tokens, prefixes and extensions of slotted names have no slot', () => {
    for (const name of [
      'Vi',
      'Viaa',
      'X-Via',
      'Contac',
      'Contacts',
      'Call-IDx',
      'Accept',
      'z',
      'Route-',
      'a~b',
    ]) {
      assert.equal(slotOfName(name), -1, name)
    }
  })

  test('stops at the first char that is not a token char, non-ASCII included', () => {
    assert.equal(readFieldName('Via : x', 0), 3)
    assert.equal(readFieldName('Vi\x80a:', 0), 2)
    assert.equal(readFieldName(':x', 0), 0)
    assert.equal(readFieldName('To\r\n', 0), 2)
  })

  test('any name: the token it reads and its slot match a char-by-char reading', () => {
    const unit = fc.constantFrom('v', 'I', 'a', '-', '!', '~', 'T', 'o', 'e', 'c', ' ', '\x80', '@', 'ÿ')
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (name) => {
        const s = `${name}\r\n`
        const end = readFieldName(s, 0)
        assert.equal(end, scan(s, 0, s.length, TOKEN))
        assert.equal(nameSlot, end === 0 ? -1 : slotOf(headerKey(s.slice(0, end))))
      }),
      { numRuns },
    )
  })
})
