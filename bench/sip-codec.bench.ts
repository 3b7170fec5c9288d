/**
 * @junction/sip against npm `sip` 0.0.6, side by side in one run, on the corpus in ./corpus:
 *
 * - parse: the message plus the headers a proxy reads: the Request-URI, the top Via, the To and
 *   From tags (`ToTag`/`FromTag`: a proxy leaves the components it does not use alone, RFC 3261
 *   §16.3), Call-ID, CSeq, every Route and Max-Forwards. npm `sip` parses all of these
 *   (and every Via, Contact, ...) eagerly in `parse()`; its Request-URI is parsed with `parseUri()`.
 *   The `parse-all-vias` rows read every Via value too, for loop detection (§16.3 step 4).
 * - forward: parse + the usual proxy edits + serialize. Requests: received/rport on the top Via,
 *   pop the top Route, decrement Max-Forwards, add Record-Route, push a Via; responses: pop the
 *   top Via.
 *
 * Timing by mitata (warm-up, then batches until the estimate is stable). Prints ops/s per message
 * and the corpus ratio: the time to process every corpus message once with npm `sip`, divided by
 * the same with @junction/sip.
 *
 *   ./junction pnpm --filter @junction/bench bench        (or ./junction pnpm bench)
 */
import { cpus } from 'node:os'
import {
  CallId,
  CSeq,
  FromTag,
  generateBranch,
  MaxForwards,
  parseMessage,
  RecordRoute,
  Route,
  type RouteValue,
  type SipMessage,
  serialize,
  sipUri,
  ToTag,
  Via,
  type ViaValue,
} from '@junction/sip'
import { bench, do_not_optimize, run } from 'mitata'
// @ts-expect-error npm sip 0.0.6 ships no types
import * as npmSip from 'sip'
import { corpus, npmParse } from './codec-corpus.ts'

// --- @junction/sip
function junctionParse(bytes: Uint8Array): SipMessage {
  const r = parseMessage(bytes)
  if (!r.ok) throw new Error(r.error.reason)
  const h = r.message.headers
  do_not_optimize(h.first(Via))
  do_not_optimize(h.get(ToTag))
  do_not_optimize(h.get(FromTag))
  do_not_optimize(h.get(CallId))
  do_not_optimize(h.get(CSeq))
  do_not_optimize(h.get(Route))
  do_not_optimize(h.get(MaxForwards))
  return r.message
}

const recordRoute: RouteValue = { uri: sipUri({ host: 'proxy.example.com', params: { lr: null } }) }
const ownVia = { transport: 'UDP', host: '192.0.2.1', port: 5060 } as const

function junctionForward(bytes: Uint8Array): Uint8Array {
  const m = junctionParse(bytes)
  const h = m.headers
  if (m.kind === 'response') {
    h.shift(Via)
    return serialize(m)
  }
  const top = h.first(Via)!
  h.replaceFirst(Via, { ...top, received: '192.0.2.99', rport: 5060 } satisfies ViaValue)
  if (h.has(Route)) h.shift(Route)
  h.set(MaxForwards, (h.get(MaxForwards) ?? 70) - 1)
  h.prepend(RecordRoute, recordRoute)
  h.prepend(Via, { ...ownVia, branch: generateBranch() })
  return serialize(m)
}

// --- npm sip 0.0.6
function npmForward(bytes: Buffer): Buffer {
  const m = npmParse(bytes)
  const h = m.headers
  if (m.method === undefined) {
    h.via.shift()
    return Buffer.from(npmSip.stringify(m), 'binary')
  }
  h.via[0]!.params['received'] = '192.0.2.99'
  h.via[0]!.params['rport'] = 5060
  h.route?.shift()
  h['max-forwards'] = (h['max-forwards'] ?? 70) - 1
  h['record-route'] ??= []
  h['record-route'].unshift({ uri: 'sip:proxy.example.com;lr', params: {} })
  h.via.unshift({
    version: '2.0',
    protocol: 'UDP',
    host: '192.0.2.1',
    port: 5060,
    params: { branch: generateBranch() },
  })
  return Buffer.from(npmSip.stringify(m), 'binary')
}

// sanity: both sides handle every corpus message, and our forward output parses again
for (const { name, bytes } of corpus) {
  npmForward(bytes)
  const out = junctionForward(bytes)
  if (!parseMessage(out).ok) throw new Error(`${name}: forwarded message does not parse`)
}

function junctionParseAllVias(bytes: Uint8Array): SipMessage {
  const m = junctionParse(bytes)
  do_not_optimize(m.headers.get(Via))
  return m
}

for (const { name, bytes } of corpus) {
  bench(`parse ${name} junction`, () => junctionParse(bytes))
  bench(`parse-all-vias ${name} junction`, () => junctionParseAllVias(bytes))
  bench(`parse-all-vias ${name} npm-sip`, () => npmParse(bytes))
  bench(`parse ${name} npm-sip`, () => npmParse(bytes))
  bench(`forward ${name} junction`, () => junctionForward(bytes))
  bench(`forward ${name} npm-sip`, () => npmForward(bytes))
}

const { benchmarks } = await run({ format: 'quiet' })
const avg = new Map<string, number>()
for (const b of benchmarks) avg.set(b.alias, b.runs[0]!.stats!.avg)

const opsPerSecond = (ns: number): string => Math.round(1e9 / ns).toLocaleString('en-US')
const lines: string[] = []
lines.push(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}`,
)
lines.push('')
lines.push('| operation | message | bytes | @junction/sip ops/s | npm sip ops/s | ratio |')
lines.push('|---|---|---:|---:|---:|---:|')
const totals = { parse: [0, 0], 'parse-all-vias': [0, 0], forward: [0, 0] }
for (const op of ['parse', 'parse-all-vias', 'forward'] as const) {
  for (const { name, bytes } of corpus) {
    const ours = avg.get(`${op} ${name} junction`)!
    const theirs = avg.get(`${op} ${name} npm-sip`)!
    totals[op][0]! += ours
    totals[op][1]! += theirs
    lines.push(
      `| ${op} | ${name} | ${bytes.length} | ${opsPerSecond(ours)} | ${opsPerSecond(theirs)} | ${(theirs / ours).toFixed(1)}× |`,
    )
  }
  const [ours, theirs] = totals[op]
  const perMessage = (ns: number) => opsPerSecond(ns / corpus.length)
  lines.push(
    `| **${op}** | **corpus** | | **${perMessage(ours!)}** | **${perMessage(theirs!)}** | **${(theirs! / ours!).toFixed(1)}×** |`,
  )
}
console.log(lines.join('\n'))
