import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { hasNonAscii, isToken, textToWire, wireToText } from './chars.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
// the former checks: a regex for non-ASCII, the token class of RFC 3261 §25.1
// biome-ignore lint/suspicious/noControlCharactersInRegex: octets >= 0x80 are what it looks for
const nonAscii = /[^\x00-\x7f]/
const token = /^[A-Za-z0-9.!%*_+`'~-]+$/

// ASCII with a little of everything else: latin1, BMP, astral chars and lone surrogates
const mixed = fc.string({
  unit: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xffff }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.constantFrom('😀', '\ud800', '\udfff', '\xff', '\x80') },
  ),
  maxLength: 80,
})

describe('chars', () => {
  test('hasNonAscii agrees with the former regex, short strings and long (fast-check)', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        assert.equal(hasNonAscii(s), nonAscii.test(s))
      }),
      { numRuns },
    )
    assert.equal(hasNonAscii(`${'a'.repeat(300)}é`), true)
    assert.equal(hasNonAscii('a'.repeat(300)), false)
  })

  test('textToWire and wireToText are inverses on text (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const wire = textToWire(s)
        assert.equal(hasNonAscii(wire), hasNonAscii(s))
        assert.equal(wireToText(wire), s)
      }),
      { numRuns },
    )
  })

  test('textToWire gives the UTF-8 octets of any text, short or long, flat or concatenated (fast-check)', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)),
      maxLength: 80,
    })
    const any = fc.string({ unit: 'binary', maxLength: 3 })
    fc.assert(
      fc.property(ascii, any, ascii, (a, b, c) => {
        const text = `${a}${b}${c}` // a fresh concatenation, as a formatter makes
        assert.equal(textToWire(text), Buffer.from(text, 'utf8').toString('latin1'))
      }),
      { numRuns },
    )
  })

  test('isToken agrees with the token class (fast-check)', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        assert.equal(isToken(s), token.test(s))
      }),
      { numRuns },
    )
  })
})
