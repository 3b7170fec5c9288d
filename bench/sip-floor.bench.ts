/**
 * How far `@junction/sip` is from a parser with no framework at all, against npm `sip` 0.0.6 in the
 * same run: the **parse** row of sip-codec.bench.ts (`parseMessage`, then the Request-URI, the top
 * Via, the To and From tags, Call-ID, CSeq, every Route and Max-Forwards), the bare pass of
 * packages/sip/bench/bare-pass.ts (the same value parsers on the same octets, none of the parser's
 * framework: a lower bound, not a parser) and npm `sip`'s `parse()` + `parseUri()`, each message of
 * ./corpus. A process of its own: what else a mitata process runs moves V8's young-generation
 * sizing, and with it these rows (see README.md).
 *
 *   ./junction pnpm --filter @junction/bench exec node --conditions=@junction/source sip-floor.bench.ts
 */
import { cpus } from 'node:os'
import { CallId, CSeq, FromTag, MaxForwards, parseMessage, Route, ToTag, Via } from '@junction/sip'
import { bench, run } from 'mitata'
import { barePass } from '../packages/sip/bench/bare-pass.ts'
import { corpus, npmParse } from './codec-corpus.ts'

/** The parse row of sip-codec.bench.ts, returning what it read. */
function parse(bytes: Buffer): unknown[] {
  const r = parseMessage(bytes)
  if (!r.ok) throw new Error(r.error.reason)
  const m = r.message
  const h = m.headers
  return [
    m.kind === 'request' ? m.uri : null,
    h.first(Via),
    h.get(ToTag),
    h.get(FromTag),
    h.get(CallId),
    h.get(CSeq),
    h.get(MaxForwards) ?? null,
    ...(h.get(Route) ?? []),
  ]
}

// the bare pass reads exactly what the parser reads
for (const { name, bytes } of corpus) {
  const a = JSON.stringify(barePass(bytes))
  const b = JSON.stringify(parse(bytes))
  if (a !== b) throw new Error(`${name}: the bare pass and parseMessage disagree:\n${a}\n${b}`)
  npmParse(bytes)
}

const rows = [
  ['parse', parse],
  ['bare', barePass],
  ['npm', npmParse],
] as const
for (const { name, bytes } of corpus) for (const [row, fn] of rows) bench(`${row} ${name}`, () => fn(bytes))

const { benchmarks } = await run({ format: 'quiet' })
const avg = new Map<string, number>()
for (const b of benchmarks) avg.set(b.alias, b.runs[0]!.stats!.avg)
const perSecond = (ns: number): string => Math.round(1e9 / ns).toLocaleString('en-US')
const lines = [
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}`,
  '',
  '| message | parseMessage + reads /s | bare pass /s | npm sip /s | parse ratio | bare ratio |',
  '|---|---:|---:|---:|---:|---:|',
]
const total = { parse: 0, bare: 0, npm: 0 }
for (const { name } of corpus) {
  const [p, b, n] = (['parse', 'bare', 'npm'] as const).map((row) => avg.get(`${row} ${name}`)!)
  total.parse += p!
  total.bare += b!
  total.npm += n!
  lines.push(
    `| ${name} | ${perSecond(p!)} | ${perSecond(b!)} | ${perSecond(n!)} | ${(n! / p!).toFixed(1)}× | ${(n! / b!).toFixed(1)}× |`,
  )
}
const k = corpus.length
lines.push(
  `| **corpus** | **${perSecond(total.parse / k)}** | **${perSecond(total.bare / k)}** | **${perSecond(total.npm / k)}** | **${(total.npm / total.parse).toFixed(1)}×** | **${(total.npm / total.bare).toFixed(1)}×** |`,
)
console.log(lines.join('\n'))
