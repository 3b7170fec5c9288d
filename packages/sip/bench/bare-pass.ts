/**
 * The bare pass of bench/sip-floor.bench.ts: the codec bench's parse-row work done with the same
 * value parsers on the same octets and nothing around them. The same line searches and CRLF checks and the same field-name automaton as
 * `parseMessage`, offsets kept in locals, the Request-URI, the top Via, the To and From tags,
 * Call-ID, CSeq, Max-Forwards and every Route parsed at once. It leaves out what `parseMessage`
 * must do besides: the limits, LWS folding, Content-Length and the Via count, the checks of the
 * start line, `Headers` with its lookups, laziness and parse caches, the message objects. A lower
 * bound for a parser built on these value parsers, not a parser.
 */
import type { Buffer } from 'node:buffer'
import { nameSlot, readFieldName } from '../src/field-names.ts'
import { CallId } from '../src/headers/call-id.ts'
import { CSeq } from '../src/headers/cseq.ts'
import { FromTag, ToTag } from '../src/headers/from-to.ts'
import { MaxForwards } from '../src/headers/numbers.ts'
import { Route } from '../src/headers/route.ts'
import { Via } from '../src/headers/via.ts'
import { firstElementEnd, splitList } from '../src/list.ts'
import { slotOf } from '../src/slots.ts'
import { parseUriAt } from '../src/uri.ts'

/** The slots (slots.ts) that readFieldName reports for the seven headers. */
const [VIA, FROM, TO, CALL_ID, CSEQ, MAX_FORWARDS, ROUTE] = [
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'route',
].map(slotOf)

/** Where the value of the field whose name ends at `nameEnd` starts (after ":" and SP). */
function valueStart(s: string, nameEnd: number): number {
  let i = s.indexOf(':', nameEnd) + 1
  while (s.charCodeAt(i) === 32) i++
  return i
}

/** Parses the value of field `f` of `at` (its start, name end, and end after the CRLF). */
function parseAt<T>(s: string, at: Int32Array, f: number, parse: (s: string, a: number, b: number) => T): T {
  return parse(s, valueStart(s, at[f + 1]!), at[f + 2]! - 2)
}

const fields = new Int32Array(3 * 1024)

/** Node's Buffer reads latin1 text without the argument handling of `toString()` (as parse.ts does). */
interface Latin1Readable {
  latin1Slice(start: number, end: number): string
}

/** The bare pass: the values in an array, or undefined where the octets are not a message. */
export function barePass(bytes: Buffer): unknown[] | undefined {
  const s = (bytes as unknown as Latin1Readable).latin1Slice(0, bytes.length)
  const lf = s.indexOf('\n')
  if (lf < 1 || s.charCodeAt(lf - 1) !== 13) return undefined
  // a request line ends with " SIP/2.0": the Request-URI lies between the first SP and that
  const uri = s.startsWith('SIP/2.0 ') ? null : parseUriAt(s, s.indexOf(' ') + 1, lf - 9)
  let via = -1
  let from = -1
  let to = -1
  let callId = -1
  let cseq = -1
  let maxForwards = -1
  const routes: number[] = []
  let n = 0
  for (let at = lf + 1; ; ) {
    const nl = s.indexOf('\n', at)
    if (nl === -1 || s.charCodeAt(nl - 1) !== 13 || s.indexOf('\r', at) !== nl - 1) return undefined
    if (nl === at + 1) break
    if (n + 3 > fields.length) return undefined
    const nameEnd = readFieldName(s, at)
    fields[n] = at
    fields[n + 1] = nameEnd
    fields[n + 2] = nl + 1
    if (nameSlot === VIA && via === -1) via = n
    else if (nameSlot === FROM) from = n
    else if (nameSlot === TO) to = n
    else if (nameSlot === CALL_ID) callId = n
    else if (nameSlot === CSEQ) cseq = n
    else if (nameSlot === MAX_FORWARDS) maxForwards = n
    else if (nameSlot === ROUTE) routes.push(n)
    n += 3
    at = nl + 1
  }
  if (via === -1 || from === -1 || to === -1 || callId === -1 || cseq === -1) return undefined
  const viaStart = valueStart(s, fields[via + 1]!)
  const out: unknown[] = [
    uri,
    Via.parse(s, viaStart, firstElementEnd(s, viaStart, fields[via + 2]! - 2)),
    parseAt(s, fields, to, ToTag.parse),
    parseAt(s, fields, from, FromTag.parse),
    parseAt(s, fields, callId, CallId.parse),
    parseAt(s, fields, cseq, CSeq.parse),
    maxForwards === -1 ? null : parseAt(s, fields, maxForwards, MaxForwards.parse),
  ]
  for (const r of routes) {
    const ranges = splitList(s, valueStart(s, fields[r + 1]!), fields[r + 2]! - 2) ?? []
    for (let k = 0; k < ranges.length; k += 2) out.push(Route.parse(s, ranges[k]!, ranges[k + 1]!))
  }
  return out
}
