/**
 * The methods of RFC 3261 and its extensions, read from a message as the very string constants
 * below: no new string per request line or CSeq, and a comparison with a literal is one pointer
 * compare. Method names are case-sensitive (§7.1), so only these exact spellings match.
 */
import { groupByLength } from './chars.ts'

const known = [
  'ACK', // RFC 3261
  'BYE',
  'CANCEL',
  'INVITE',
  'OPTIONS',
  'REGISTER',
  'INFO', // RFC 6086
  'PRACK', // RFC 3262
  'UPDATE', // RFC 3311
  'SUBSCRIBE', // RFC 6665
  'NOTIFY',
  'REFER', // RFC 3515
  'MESSAGE', // RFC 3428
  'PUBLISH', // RFC 3903
]

/** Known methods by length. */
const byLength = groupByLength(known)

/** The method token at `s[start, end)`: a known method's constant, else a new string. */
export function methodAt(s: string, start: number, end: number): string {
  const candidates = byLength[end - start]
  if (candidates !== undefined) {
    const c = s.charCodeAt(start)
    for (const m of candidates) if (m.charCodeAt(0) === c && s.startsWith(m, start)) return m
  }
  return s.slice(start, end)
}
