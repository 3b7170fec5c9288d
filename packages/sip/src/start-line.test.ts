import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { DIGIT, scan, TOKEN } from './chars.ts'
import { parseErrorCodes as E, type ParseErrorCode } from './errors.ts'
import { defaultLimits } from './limits.ts'
import { parseMessage } from './parse.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

type Former =
  | { readonly code: ParseErrorCode; readonly offset: number }
  | { readonly code: undefined; readonly method: string; readonly version: string }

function isVersion(s: string, start: number, end: number): boolean {
  const v = s.slice(start, end)
  const dot = v.indexOf('.', 4)
  return (
    /^sip\//i.test(v) &&
    dot > 4 &&
    dot < v.length - 1 &&
    scan(v, 4, dot, DIGIT) === dot &&
    scan(v, dot + 1, v.length, DIGIT) === v.length
  )
}

/**
 * The start line as the parser read it before it looked for the first LF (three searches for the
 * line end, `lastIndexOf` for the SP before the version): the oracle for the line-ending errors, the
 * method and the version. The input starts with the start line (no CRLF before it).
 */
function former(src: string, end: number): Former {
  const lineEnd = src.indexOf('\r\n')
  if (lineEnd === -1) {
    const lf = src.indexOf('\n')
    return lf !== -1 ? { code: E.BAD_LINE_ENDING, offset: lf } : { code: E.TRUNCATED, offset: end }
  }
  if (lineEnd > defaultLimits.maxLineLength) return { code: E.LINE_TOO_LONG, offset: 0 }
  if (src.indexOf('\n') !== lineEnd + 1 || src.indexOf('\r') !== lineEnd) {
    return { code: E.BAD_LINE_ENDING, offset: 0 }
  }
  const sp = src.indexOf(' ')
  if (sp === -1 || sp > lineEnd) return { code: E.BAD_START_LINE, offset: 0 }
  if (isVersion(src, 0, sp)) return { code: undefined, method: '', version: src.slice(0, sp) }
  if (scan(src, 0, sp, TOKEN) !== sp) return { code: E.BAD_START_LINE, offset: 0 }
  let last = lineEnd
  while (last > sp && src.charCodeAt(last - 1) === 32) last--
  const vsp = src.lastIndexOf(' ', last - 1)
  if (vsp <= sp || !isVersion(src, vsp + 1, last)) return { code: E.BAD_START_LINE, offset: vsp + 1 }
  return { code: undefined, method: src.slice(0, sp), version: src.slice(vsp + 1, last) }
}

describe('start line: line end, method and version against the former reading', () => {
  test('arbitrary start lines (CR, LF, SP and version spellings anywhere)', () => {
    const unit = fc.constantFrom(
      'INVITE',
      'SIP/2.0',
      'sip/2.0',
      'SIP/2.00',
      'SIP/20',
      ' ',
      'sip:a@b.example',
      '200 OK',
      '\r',
      '\n',
      '\r\n',
      'x',
      'S',
    )
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (parts) => {
        const text = `${parts.join('')}\r\n\r\n`
        if (text.startsWith('\r\n')) return // CRLFs before the start line are skipped
        const want = former(text, text.length)
        const r = parseMessage(Buffer.from(text, 'latin1'))
        if (want.code !== undefined) {
          assert.ok(!r.ok)
          assert.equal(r.error.code, want.code)
          assert.equal(r.error.offset, want.offset)
          return
        }
        if (!r.ok) return // a later problem: the Request-URI, the header fields
        assert.equal(r.message.version, want.version)
        if (r.message.kind === 'request') assert.equal(r.message.method, want.method)
      }),
      { numRuns },
    )
  })

  test('a start line longer than the limit, and one without CRLF', () => {
    const long = `INVITE sip:${'a'.repeat(9000)}@b SIP/2.0\r\n\r\n`
    for (const text of [long, 'INVITE sip:a@b SIP/2.0', 'INVITE sip:a@b SIP/2.0\n\r\n', '\nX\r\n\r\n']) {
      const r = parseMessage(Buffer.from(text, 'latin1'))
      const want = former(text, text.length)
      assert.ok(!r.ok)
      assert.equal(r.error.code, want.code)
      assert.equal(r.error.offset, (want as { offset: number }).offset)
    }
  })
})
