/**
 * Finds the header fields of a message (RFC 3261 §7.3): where each field starts, where its name
 * ends, where it ends, and the slot of the headers read on nearly every message (see slots.ts).
 * Values are not looked at here, except Via (counted, against the limit) and Content-Length (which
 * frames the body).
 */
import { parseDigits } from './chars.ts'
import { parseErrorCodes as E, type ParseErrorCode } from './errors.ts'
import { nameSlot, readFieldName } from './field-names.ts'
import { nameSignature, STRIDE } from './headers.ts'
import type { Limits } from './limits.ts'
import { CONTENT_LENGTH_SLOT, FOLDED, SLOT_COUNT, VIA_SLOT } from './slots.ts'

/** What {@link scanFields} found besides its return value (the parser is synchronous). */
export const scanned = {
  /** Why it failed. */
  error: E.BAD_HEADER_LINE as ParseErrorCode,
  /** Content-Length (-1 when absent; -2 when repeated, with BAD_CONTENT_LENGTH). */
  contentLength: -1,
  /** Offset after the empty line. */
  end: 0,
  /** The fields read so far, when it fails on Content-Length. */
  pos: [] as number[],
  /**
   * Per slot: 0 when absent, field index + 1 when once, -(first index + 1) when more than once;
   * then the FOLDED flag.
   */
  slots: [] as number[],
}

/** A fresh slots array, all 0: an array literal is cheaper to make than a copy of one. */
function noSlots(): number[] {
  // biome-ignore format: one zero per slot, then FOLDED
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
}
if (noSlots().length !== SLOT_COUNT + 1) throw new Error('fields: noSlots() must have SLOT_COUNT + 1 entries')
// Offsets are written here first, then copied out at their final size in one allocation.
let scratch: number[] = new Array<number>(256 * STRIDE).fill(0)

export const scanReasons: Readonly<Record<string, string>> = {
  [E.TRUNCATED]: 'no empty line after the header fields',
  [E.BAD_LINE_ENDING]: 'bare CR or LF in a header field',
  [E.LINE_TOO_LONG]: 'header field too long',
  [E.TOO_MANY_HEADERS]: 'too many header fields',
  [E.BAD_HEADER_LINE]: 'header field without a token name and colon',
  [E.TOO_MANY_VIAS]: 'too many Via values',
}

/**
 * Finds every header field from `at` to the empty line: STRIDE numbers per field (see headers.ts).
 * Returns them, or the offset of a problem (its code in `scanned.error`). Checks the line endings
 * (CRLF only: no bare CR or LF anywhere, §7), the field names (tokens followed by HCOLON, §7.3.1),
 * the limits, the Via count and Content-Length (§20.14: one, a number).
 */
export function scanFields(src: string, at: number, lim: Limits): number[] | number {
  const slots = noSlots() // a small-integer array: cheaper to make than a typed array
  const maxFields = lim.maxHeaderCount * STRIDE
  const maxLine = lim.maxLineLength
  let out = scratch
  let p = 0
  let contentLength = -1
  let vias = 0
  let comma = 0
  for (;;) {
    const fieldStart = at
    let nl = src.indexOf('\n', at)
    if (nl === -1) return fail(E.TRUNCATED, src.length)
    // the line ends with CRLF, and no CR comes before that one
    if (src.charCodeAt(nl - 1) !== 13 || src.indexOf('\r', at) !== nl - 1) return fail(E.BAD_LINE_ENDING, at)
    if (nl === at + 1) break // the empty line
    // a line starting with SP/HTAB continues the field (LWS folding, §7.3.1)
    let c = src.charCodeAt(nl + 1)
    while (c === 32 || c === 9) {
      slots[FOLDED] = 1
      const next = nl + 1
      nl = src.indexOf('\n', next)
      if (nl === -1) return fail(E.TRUNCATED, src.length)
      if (src.charCodeAt(nl - 1) !== 13 || src.indexOf('\r', next) !== nl - 1)
        return fail(E.BAD_LINE_ENDING, next)
      c = src.charCodeAt(nl + 1)
    }
    at = nl + 1
    if (at - fieldStart > maxLine) return fail(E.LINE_TOO_LONG, fieldStart)
    if (p === maxFields) return fail(E.TOO_MANY_HEADERS, fieldStart)
    // field-name HCOLON: the name is a token; SP/HTAB may come before the colon
    const nameEnd = readFieldName(src, fieldStart)
    const slot = nameSlot
    let colon = nameEnd
    c = src.charCodeAt(colon)
    while (c === 32 || c === 9) c = src.charCodeAt(++colon)
    if (nameEnd === fieldStart || c !== 58) return fail(E.BAD_HEADER_LINE, fieldStart)
    if (p + STRIDE > out.length) {
      out = out.concat(out) // past 256 fields (a raised limit): grow the scratch array
      scratch = out
    }
    out[p] = fieldStart
    out[p + 1] = nameEnd
    out[p + 2] = at
    out[p + 3] = nameSignature(nameEnd - fieldStart, src.charCodeAt(fieldStart))
    const field = p / STRIDE
    p += STRIDE
    if (slot === -1) continue
    const seen = slots[slot]!
    slots[slot] = seen === 0 ? field + 1 : seen > 0 ? -seen : seen
    if (slot === VIA_SLOT) {
      // one value, plus one per comma; `comma` remembers the next comma in the message, so that no
      // search runs past one it already found
      vias++
      if (comma !== -1 && comma < colon) comma = src.indexOf(',', colon)
      while (comma !== -1 && comma < nl) {
        vias++
        comma = src.indexOf(',', comma + 1)
      }
      if (vias > lim.maxViaCount) return fail(E.TOO_MANY_VIAS, fieldStart)
    } else if (slot === CONTENT_LENGTH_SLOT) {
      // the value, LWS (folding included) trimmed
      let v = colon + 1
      while (v < nl && isLws(src.charCodeAt(v))) v++
      let e = nl - 1
      while (e > v && isLws(src.charCodeAt(e - 1))) e--
      const n = contentLength === -1 ? parseDigits(src, v, e, 0xffffffff) : -2
      if (n < 0) {
        scanned.contentLength = n
        scanned.pos = out.slice(0, p)
        return fail(E.BAD_CONTENT_LENGTH, fieldStart)
      }
      contentLength = n
    }
  }
  scanned.contentLength = contentLength
  scanned.end = at + 2
  scanned.slots = slots
  return out.slice(0, p)
}

function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10
}

function fail(code: ParseErrorCode, offset: number): number {
  scanned.error = code
  return offset
}
