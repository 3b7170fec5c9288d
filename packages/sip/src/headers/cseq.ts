/** CSeq, RFC 3261 §20.16: `1*DIGIT LWS Method`. */
import { DIGIT, parseDigits, scan, skipWs, TOKEN } from '../chars.ts'
import { defineHeader } from '../header.ts'

export interface CSeqValue {
  /** Sequence number, a 32-bit unsigned integer (§8.1.1.5). */
  readonly seq: number
  readonly method: string
}

export function parseCSeq(s: string, start: number, end: number): CSeqValue | undefined {
  const digitsEnd = scan(s, start, end, DIGIT)
  const seq = parseDigits(s, start, digitsEnd, 0xffffffff)
  if (seq < 0) return undefined
  const m = skipWs(s, digitsEnd, end)
  if (m === digitsEnd) return undefined
  if (scan(s, m, end, TOKEN) !== end || m === end) return undefined
  return { seq, method: s.slice(m, end) }
}

/** CSeq: orders transactions within a dialog and names the method (§20.16). */
export const CSeq = defineHeader({
  name: 'CSeq',
  kind: 'single',
  parse: parseCSeq,
  format: (v: CSeqValue) => `${v.seq} ${v.method}`,
})
