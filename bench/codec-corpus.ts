/**
 * What the codec benchmarks share: the corpus of ./corpus (each message's octets, as on the wire)
 * and npm `sip` 0.0.6's parse, used the way its own stack uses it (`parse()`, then `parseUri()` of
 * a request's URI).
 */
import { readdirSync, readFileSync } from 'node:fs'
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
