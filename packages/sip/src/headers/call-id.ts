/** Call-ID, RFC 3261 §20.8: `callid = word [ "@" word ]`. */
import { wordChar } from '../chars.ts'
import { defineHeader } from '../header.ts'

/** Index of the first char at or after `i` that is no word char (or `end`). */
function wordEnd(s: string, i: number, end: number): number {
  while (i < end && wordChar[s.charCodeAt(i)] === 1) i++
  return i
}

export function parseCallId(s: string, start: number, end: number): string | undefined {
  const a = wordEnd(s, start, end)
  if (a === start) return undefined
  if (a !== end) {
    if (s.charCodeAt(a) !== 64) return undefined
    const b = wordEnd(s, a + 1, end)
    if (b !== end || b === a + 1) return undefined
  }
  return s.slice(start, end)
}

/** Call-ID (compact `i`): groups the messages of a dialog or registration (§20.8). */
export const CallId = defineHeader({
  name: 'Call-ID',
  kind: 'single',
  parse: parseCallId,
  format: (v: string) => v,
})
