/** CSeq, RFC 3261 §20.16: `1*DIGIT LWS Method`. */
import { digitsRead, readDigits, skipWs, tokenChar } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { methodAt } from '../methods.ts'
import { parseUsualCSeq } from './cseq-fast.ts'

export interface CSeqValue {
  /** Sequence number, a 32-bit unsigned integer (§8.1.1.5). */
  readonly seq: number
  readonly method: string
}

/** CSeq: the usual spelling by {@link parseUsualCSeq}, anything else by {@link parseAnyCSeq}. */
export function parseCSeq(s: string, start: number, end: number): CSeqValue | undefined {
  const usual = parseUsualCSeq(s, start, end)
  return usual !== null ? usual : parseAnyCSeq(s, start, end)
}

/** @internal CSeq by the general grammar (exported for the tests of parseUsualCSeq). */
export function parseAnyCSeq(s: string, start: number, end: number): CSeqValue | undefined {
  // the number, read as it is scanned
  let i = readDigits(s, start, end)
  if (i === start || digitsRead > 0xffffffff) return undefined
  const seq = digitsRead
  const m = skipWs(s, i, end)
  if (m === i || m === end) return undefined
  for (i = m; i < end; i++) if (tokenChar[s.charCodeAt(i)] !== 1) return undefined
  return { seq, method: methodAt(s, m, end) }
}

/** CSeq: orders transactions within a dialog and names the method (§20.16). */
export const CSeq = defineHeader({
  name: 'CSeq',
  kind: 'single',
  parse: parseCSeq,
  format: (v: CSeqValue) => `${v.seq} ${v.method}`,
})
