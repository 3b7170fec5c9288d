/**
 * Character classes of the RFC 3261 §25.1 ABNF, as a bit table over ASCII, and the small scanners
 * that every header grammar shares (tokens, LWS, quoted strings, escapes).
 *
 * All scanners work on "wire strings": header text decoded as latin1, so one char is one octet.
 * Octets >= 0x80 (UTF8-NONASCII) are only legal inside quoted strings, comments and free text.
 */
import { Buffer } from 'node:buffer'

export const TOKEN = 1 // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
export const WORD = 2 // word (Call-ID): token chars and ( ) < > : \ DQUOTE / [ ] ? { }
export const UNRESERVED = 4 // unreserved: alphanum / mark
export const USER = 8 // user: unreserved / user-unreserved ( & = + $ , ; ? / )
export const PASSWORD = 16 // password: unreserved / & = + $ ,
export const PARAM = 32 // paramchar: unreserved / param-unreserved ( [ ] / : & + $ )
export const HNV = 64 // hname / hvalue: unreserved / hnv-unreserved ( [ ] / ? : + $ )
export const DIGIT = 256
export const HEX = 512

// Indexed by char code 0-255 (wire strings are latin1); codes above read as undefined: no class.
const table = new Uint16Array(256)

function mark(chars: string, bits: number): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= bits
}

const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const digits = '0123456789'
const alnum = alpha + digits
const markChars = "-_.!~*'()"

mark(alnum, TOKEN | WORD | UNRESERVED | USER | PASSWORD | PARAM | HNV)
mark(digits, DIGIT | HEX)
mark('abcdefABCDEF', HEX)
mark("-.!%*_+`'~", TOKEN | WORD)
mark('()<>:\\"/[]?{}', WORD)
mark(markChars, UNRESERVED | USER | PASSWORD | PARAM | HNV)
mark('&=+$,;?/', USER)
mark('&=+$,', PASSWORD)
mark('[]/:&+$', PARAM)
mark('[]/?:+$', HNV)

/**
 * The char code at `i`, or -1 at or past `end`. Parsers read through this (or check `i < end`
 * first): they work on ranges of a larger string and must never look outside their range — and a
 * read past the end of a string makes V8 fall back to slow code.
 */
export function charAt(s: string, i: number, end: number): number {
  return i < end ? s.charCodeAt(i) : -1
}

/** 1 for the token chars (RFC 3261 §25.1 token), by char code; for the tightest loops. */
export const tokenChar: Uint8Array = new Uint8Array(256)
for (let c = 0; c < 256; c++) if ((table[c]! & TOKEN) !== 0) tokenChar[c] = 1

/** The number read by the last {@link readDigits} (more than 2^53 when longer than 16 digits). */
export let digitsRead = 0

/**
 * Reads 1*DIGIT at `i` into {@link digitsRead} in the same pass (no scan first, as
 * {@link parseDigits} needs); returns the index after the digits (`i` when there are none).
 */
export function readDigits(s: string, i: number, end: number): number {
  const start = i
  let n = 0
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    n = n * 10 + d
  }
  digitsRead = i - start > 16 ? Number.POSITIVE_INFINITY : n // (more digits cannot be exact)
  return i
}

/** Index of the first char at or after `i` that is no token char, or `end`: `scan(…, TOKEN)` by table. */
export function scanToken(s: string, i: number, end: number): number {
  while (i < end && tokenChar[s.charCodeAt(i)] === 1) i++
  return i
}

/** 1 for the word chars (RFC 3261 §25.1 word, Call-ID), by char code. */
export const wordChar: Uint8Array = new Uint8Array(256)
for (let c = 0; c < 256; c++) if ((table[c]! & WORD) !== 0) wordChar[c] = 1

/** True when `s[start, start + name.length)` is `name` (given in lower case), in any case. */
export function nameIs(s: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    let c = s.charCodeAt(start + k)
    if (c >= 65 && c <= 90) c += 32
    if (c !== name.charCodeAt(k)) return false
  }
  return true
}

/** True when the char code belongs to every class in `bits`. */
export function is(code: number, bits: number): boolean {
  return (table[code]! & bits) === bits
}

/** Index of the first char at or after `i` that is not in `bits` (or `end`). */
export function scan(s: string, i: number, end: number, bits: number): number {
  while (i < end) {
    if ((table[s.charCodeAt(i)]! & bits) === 0) return i
    i++
  }
  return end
}

/** True when the whole of `s` is one non-empty run of `bits` chars. */
export function isRun(s: string, bits: number): boolean {
  return s.length > 0 && scan(s, 0, s.length, bits) === s.length
}

export function isToken(s: string): boolean {
  const n = s.length
  if (n === 0) return false
  for (let i = 0; i < n; i++) if (tokenChar[s.charCodeAt(i)] !== 1) return false
  return true
}

/** Skips SP / HTAB (and CRLF-folding, already unfolded by the reader). */
export function skipWs(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9) return i
    i++
  }
  return end
}

/** Index after trailing SP / HTAB are removed from `[start, end)`. */
export function trimEnd(s: string, start: number, end: number): number {
  while (end > start) {
    const c = s.charCodeAt(end - 1)
    if (c !== 32 && c !== 9) break
    end--
  }
  return end
}

/**
 * Scans a quoted-string starting at the DQUOTE at `i` (RFC 3261 §25.1: qdtext / quoted-pair).
 * Returns the index after the closing DQUOTE, or -1 when it is unterminated or holds a bare CR/LF.
 */
export function scanQuoted(s: string, i: number, end: number): number {
  i++ // opening DQUOTE
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c === 34) return i + 1
    if (c === 92) {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (i + 1 >= end) return -1
      const n = s.charCodeAt(i + 1)
      if (n === 10 || n === 13 || n > 127) return -1
      i += 2
      continue
    }
    if (c === 13 || c === 10 || (c < 32 && c !== 9) || c === 127) return -1
    i++
  }
  return -1
}

/** The content of a quoted-string `"..."` with quoted-pairs resolved. */
export function unquote(quoted: string): string {
  return unquoteAt(quoted, 0, quoted.length)
}

/** The content of the quoted-string at `[start, end)` (quotes included) with quoted-pairs resolved. */
export function unquoteAt(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1)
  return inner.indexOf('\\') === -1 ? inner : inner.replace(/\\([\s\S])/g, '$1')
}

// What qdtext cannot hold but quoted-pair can: DQUOTE, backslash and the controls but HTAB, CR and
// LF (RFC 3261 §25.1), so that a parsed value formats back to a valid quoted-string.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control chars are what it escapes
const quotedPairChars = /["\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g

/** A quoted-string for `text`, with quoted-pairs where qdtext cannot hold a char (§25.1). */
export function quote(text: string): string {
  return `"${text.replace(quotedPairChars, '\\$&')}"`
}

/** A param/value that is a token is written bare, anything else as a quoted-string. */
export function tokenOrQuoted(text: string): string {
  return isToken(text) ? text : quote(text)
}

const hexDigits = '0123456789ABCDEF'

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

/**
 * Checks that `[start, end)` is a run of `bits` chars and `%HH` escapes (RFC 3261 §25.1 escaped),
 * and returns it with the escapes resolved (octets decoded as UTF-8), or undefined when invalid.
 */
export function unescapeRun(s: string, start: number, end: number, bits: number): string | undefined {
  let hasEscape = false
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 37) {
      if (i + 2 >= end) return undefined
      if (hexValue(s.charCodeAt(i + 1)) < 0 || hexValue(s.charCodeAt(i + 2)) < 0) return undefined
      hasEscape = true
      i += 2
      continue
    }
    if ((table[c]! & bits) === 0) return undefined
  }
  const raw = s.slice(start, end)
  if (!hasEscape) return raw
  const bytes: number[] = []
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 37) {
      bytes.push(hexValue(raw.charCodeAt(i + 1)) * 16 + hexValue(raw.charCodeAt(i + 2)))
      i += 2
    } else bytes.push(c)
  }
  return utf8Decode(Uint8Array.from(bytes))
}

const encoder = new TextEncoder()

/** Escapes every char of `text` that is not in `bits` as `%HH` of its UTF-8 octets. */
export function escapeRun(text: string, bits: number): string {
  let ok = true
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((table[c]! & bits) === 0) {
      ok = false
      break
    }
  }
  if (ok) return text
  let out = ''
  for (const byte of encoder.encode(text)) {
    if ((table[byte]! & bits) !== 0) out += String.fromCharCode(byte)
    else out += `%${hexDigits[byte >> 4]}${hexDigits[byte & 15]}`
  }
  return out
}

// ignoreBOM keeps a leading U+FEFF: text is reported as sent (RFC 4475 §3.1.1.2)
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}

/**
 * Turns a wire string (latin1: one char per octet) into text: octets >= 0x80 are decoded as UTF-8.
 * ASCII input is returned as is.
 */
export function wireToText(wire: string): string {
  if (!hasNonAscii(wire)) return wire
  const bytes = new Uint8Array(wire.length)
  for (let i = 0; i < wire.length; i++) bytes[i] = wire.charCodeAt(i)
  return decoder.decode(bytes)
}

/** The inverse of {@link wireToText}: text to a wire string of its UTF-8 octets. */
export function textToWire(text: string): string {
  if (isAscii(text)) return text
  let out = ''
  for (const byte of encoder.encode(text)) out += String.fromCharCode(byte)
  return out
}

/**
 * True when `text` is ASCII only. Runs on every value written, which is usually a fresh
 * concatenation (a formatted Via, Record-Route): V8 must flatten such a string before reading a char
 * of it, and then reads each char through the cons string; Node's native UTF-8 length flattens and
 * counts in one call, 2-3 times faster from about two dozen chars up. Shorter ones: the JS loop.
 */
function isAscii(text: string): boolean {
  return text.length > 24 ? Buffer.byteLength(text, 'utf8') === text.length : !hasNonAscii(text)
}

/**
 * True when `s` holds a char above U+007F: four chars per test, no call into native code (for the
 * slices of a parsed message, which need no flattening).
 */
export function hasNonAscii(s: string): boolean {
  const n = s.length
  let i = 0
  for (; i + 3 < n; i += 4) {
    if ((s.charCodeAt(i) | s.charCodeAt(i + 1) | s.charCodeAt(i + 2) | s.charCodeAt(i + 3)) > 127) return true
  }
  for (; i < n; i++) if (s.charCodeAt(i) > 127) return true
  return false
}

/** Parses 1*DIGIT in `[start, end)` as an integer no larger than `max`; -1 when invalid. */
export function parseDigits(s: string, start: number, end: number, max: number): number {
  if (start >= end || end - start > 16) return -1
  let n = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n <= max ? n : -1
}

/** Case-insensitive ASCII equality (header names, schemes, params). */
export function equalsIgnoreCase(a: string, b: string): boolean {
  return a.length === b.length && (a === b || a.toLowerCase() === b.toLowerCase())
}

/**
 * `words` grouped by length (index: the length), for reading a token as one of a few constants:
 * only the words of the token's length are compared (see `methodAt`, digest directive names).
 */
export function groupByLength(words: readonly string[]): (readonly string[] | undefined)[] {
  const out: string[][] = []
  for (const w of words) {
    const same = out[w.length]
    if (same === undefined) out[w.length] = [w]
    else same.push(w)
  }
  return out
}
