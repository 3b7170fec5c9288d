/** Call-ID, RFC 3261 §20.8: `callid = word [ "@" word ]`. */
import { scan, WORD } from '../chars.ts'
import { defineHeader } from '../header.ts'

export function parseCallId(s: string, start: number, end: number): string | undefined {
  const a = scan(s, start, end, WORD)
  if (a === start) return undefined
  if (a !== end) {
    if (s.charCodeAt(a) !== 64) return undefined
    const b = scan(s, a + 1, end, WORD)
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
