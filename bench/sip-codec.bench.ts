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
import { codecTable, corpus, npmParse } from './codec-corpus.ts'

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

// CODEC_BENCH_ONLY="<operation> <library>" (e.g. "parse npm-sip"): only those rows, printed as JSON
// (sip-codec-isolated.bench.ts runs each group in its own process)
const only = process.env['CODEC_BENCH_ONLY']
const [onlyOp, onlyLib] = (only ?? '').split(' ')
const benchRow = (alias: string, fn: () => unknown): void => {
  if (only === undefined || (alias.startsWith(`${onlyOp} `) && alias.endsWith(` ${onlyLib}`)))
    bench(alias, fn)
}
for (const { name, bytes } of corpus) {
  benchRow(`parse ${name} junction`, () => junctionParse(bytes))
  benchRow(`parse-all-vias ${name} junction`, () => junctionParseAllVias(bytes))
  benchRow(`parse-all-vias ${name} npm-sip`, () => npmParse(bytes))
  benchRow(`parse ${name} npm-sip`, () => npmParse(bytes))
  benchRow(`forward ${name} junction`, () => junctionForward(bytes))
  benchRow(`forward ${name} npm-sip`, () => npmForward(bytes))
}

const { benchmarks } = await run({ format: 'quiet' })
const avg = new Map<string, number>()
for (const b of benchmarks) avg.set(b.alias, b.runs[0]!.stats!.avg)

if (only === undefined) console.log(codecTable(avg))
else console.log(JSON.stringify(Object.fromEntries(avg)))
