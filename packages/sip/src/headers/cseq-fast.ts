/**
 * CSeq in the spelling nearly every message carries, read in one tight pass (RFC 3261 §20.16,
 * §25.1: `1*DIGIT LWS Method`): at most 10 digits, one SP, and INVITE, ACK, BYE, CANCEL, OPTIONS
 * or REGISTER to the end. It accepts only a strict subset of what the general parser (cseq.ts)
 * accepts and returns what that returns for it; for anything else it returns null and the
 * general parser decides.
 */
import { digitsRead, readDigits } from '../chars.ts'
import { methodAt } from '../methods.ts'
import type { CSeqValue } from './cseq.ts'

/** The methods this path takes (RFC 3261 §7.1); any other goes to the general parser. */
const usualMethods: ReadonlySet<string> = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER'])

/** The CSeq of `s[start, end)` when written the usual way (see above), else null. */
export function parseUsualCSeq(s: string, start: number, end: number): CSeqValue | null {
  const i = readDigits(s, start, end)
  const seq = digitsRead
  if (i === start || i - start > 10 || seq > 0xffffffff || i + 1 >= end || s.charCodeAt(i) !== 32) return null
  // a known method is its constant (no new string)
  const method = methodAt(s, i + 1, end)
  return usualMethods.has(method) ? { seq, method } : null
}
