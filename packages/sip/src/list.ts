/**
 * Comma-separated header values (RFC 3261 §7.3.1): a comma separates values only outside quoted
 * strings and outside `<...>`.
 */
import { scanQuoted, skipWs, trimEnd } from './chars.ts'

/**
 * Index of the comma (or `end`) that ends the value starting at `i`; -1 when a quoted-string or an
 * angle bracket is unbalanced.
 */
export function valueEnd(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c === 44) return i
    if (c === 34) {
      i = scanQuoted(s, i, end)
      if (i === -1) return -1
      continue
    }
    if (c === 60) {
      const close = s.indexOf('>', i + 1)
      if (close === -1 || close >= end) return -1
      i = close + 1
      continue
    }
    i++
  }
  return end
}

/**
 * The elements of the list value `s[start, end)`, as trimmed ranges: `[start0, end0, start1, ...]`.
 * An empty element (`a,,b`, a leading or trailing comma) or an unbalanced quote makes the list
 * invalid: undefined. An empty value gives [].
 */
export function splitList(s: string, start: number, end: number): number[] | undefined {
  let i = skipWs(s, start, end)
  if (i === end) return []
  const out: number[] = []
  for (;;) {
    const stop = s.indexOf(',', i) // a comma-free rest needs no char-by-char scan
    const elementEnd = stop === -1 || stop >= end ? end : valueEnd(s, i, end)
    if (elementEnd === -1) return undefined
    const last = trimEnd(s, i, elementEnd)
    if (last === i) return undefined
    out.push(i, last)
    if (elementEnd === end) return out
    i = skipWs(s, elementEnd + 1, end)
    if (i === end) return undefined
  }
}

/** End of the first element of the list value `s[start, end)` (trimmed), or -1 when empty/unbalanced. */
export function firstElementEnd(s: string, start: number, end: number): number {
  const comma = s.indexOf(',', start)
  const stop = comma === -1 || comma >= end ? end : valueEnd(s, start, end)
  if (stop === -1) return -1
  const last = trimEnd(s, start, stop)
  return last === start ? -1 : last
}
