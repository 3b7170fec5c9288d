/**
 * CSeq in the spelling nearly every message carries, read in one tight pass (RFC 3261 §20.16,
 * §25.1: `1*DIGIT LWS Method`): at most 10 digits, one SP, and INVITE, ACK, BYE, CANCEL, OPTIONS
 * or REGISTER to the end. It accepts only a strict subset of what the general parser (cseq.ts)
 * accepts and returns what that returns for it; for anything else it returns null and the
 * general parser decides.
 */
import type { CSeqValue } from './cseq.ts'

/** True when `s[at, at + word.length)` is `word`, from its second char on. */
function restIs(s: string, at: number, word: string): boolean {
  for (let k = 1; k < word.length; k++) if (s.charCodeAt(at + k) !== word.charCodeAt(k)) return false
  return true
}

/** The method at `s[m, end)` when it is one of the six of RFC 3261 §7.1, else ''. */
function coreMethod(s: string, m: number, end: number): string {
  const n = end - m
  switch (s.charCodeAt(m)) {
    case 73: // I
      return n === 6 && restIs(s, m, 'INVITE') ? 'INVITE' : ''
    case 65: // A
      return n === 3 && restIs(s, m, 'ACK') ? 'ACK' : ''
    case 66: // B
      return n === 3 && restIs(s, m, 'BYE') ? 'BYE' : ''
    case 67: // C
      return n === 6 && restIs(s, m, 'CANCEL') ? 'CANCEL' : ''
    case 79: // O
      return n === 7 && restIs(s, m, 'OPTIONS') ? 'OPTIONS' : ''
    case 82: // R
      return n === 8 && restIs(s, m, 'REGISTER') ? 'REGISTER' : ''
    default:
      return ''
  }
}

/** The CSeq of `s[start, end)` when written the usual way (see above), else null. */
export function parseUsualCSeq(s: string, start: number, end: number): CSeqValue | null {
  let i = start
  let seq = 0
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    seq = seq * 10 + d
  }
  if (i === start || i - start > 10 || seq > 0xffffffff || i + 1 >= end || s.charCodeAt(i) !== 32) return null
  const method = coreMethod(s, i + 1, end)
  return method === '' ? null : { seq, method }
}
