/**
 * What the codec benchmarks share: the corpus of ./corpus (each message's octets, as on the wire)
 * and npm `sip` 0.0.6's parse, used the way its own stack uses it (`parse()`, then `parseUri()` of
 * a request's URI).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { do_not_optimize } from 'mitata'
// @ts-expect-error npm sip 0.0.6 ships no types
import * as npmSip from 'sip'

const corpusDir = new URL('./corpus/', import.meta.url)
export const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.sip'))
  .sort()
  .map((f) => ({ name: f.replace('.sip', ''), bytes: readFileSync(new URL(f, corpusDir)) }))

export interface NpmVia {
  version?: string
  protocol?: string
  host?: string
  port?: number
  params: Record<string, unknown>
}
export interface NpmMessage {
  method?: string
  uri?: string
  headers: {
    via: NpmVia[]
    route?: unknown[]
    'record-route'?: unknown[]
    'max-forwards'?: number
  }
}

export function npmParse(bytes: Buffer): NpmMessage {
  const m = npmSip.parse(bytes) as NpmMessage | undefined
  if (m === undefined) throw new Error('npm sip: no parse')
  if (m.method !== undefined) do_not_optimize(npmSip.parseUri(m.uri))
  return m
}

const operations = ['parse', 'parse-all-vias', 'forward'] as const

/**
 * The results table of the codec benchmarks: ops/s of each corpus message per operation, for
 * @junction/sip and npm `sip`, and the corpus ratio (the time to process every corpus message once
 * with npm `sip`, divided by the same with @junction/sip). `avg`: mean ns per call by row alias
 * (`<operation> <message> junction|npm-sip`).
 */
export function codecTable(avg: ReadonlyMap<string, number>, note = ''): string {
  const opsPerSecond = (ns: number): string => Math.round(1e9 / ns).toLocaleString('en-US')
  const lines: string[] = []
  const cpu = `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`
  lines.push(`node ${process.version}, ${cpu}, ${new Date().toISOString()}${note}`)
  lines.push('')
  lines.push('| operation | message | bytes | @junction/sip ops/s | npm sip ops/s | ratio |')
  lines.push('|---|---|---:|---:|---:|---:|')
  for (const op of operations) {
    let ours = 0
    let theirs = 0
    for (const { name, bytes } of corpus) {
      const a = avg.get(`${op} ${name} junction`)
      const b = avg.get(`${op} ${name} npm-sip`)
      if (a === undefined || b === undefined) throw new Error(`no result for ${op} ${name}`)
      ours += a
      theirs += b
      lines.push(
        `| ${op} | ${name} | ${bytes.length} | ${opsPerSecond(a)} | ${opsPerSecond(b)} | ${(b / a).toFixed(1)}× |`,
      )
    }
    const perMessage = (ns: number) => opsPerSecond(ns / corpus.length)
    lines.push(
      `| **${op}** | **corpus** | | **${perMessage(ours)}** | **${perMessage(theirs)}** | **${(theirs / ours).toFixed(1)}×** |`,
    )
  }
  return lines.join('\n')
}
