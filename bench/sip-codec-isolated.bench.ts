/**
 * sip-codec.bench.ts with each operation of each library in a process of its own (six processes,
 * @junction/sip and npm `sip` alternating), so that neither library's garbage, heap sizing or
 * inline caches weigh on the other's rows (bench/README.md: the same parse row reads 5.7–6.0× in
 * the shared process and 6.7–7.2× in sip-floor.bench.ts's). Same rows, same table.
 *
 *   ./junction pnpm --filter @junction/bench exec node --conditions=@junction/source sip-codec-isolated.bench.ts
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { codecTable } from './codec-corpus.ts'

const script = fileURLToPath(new URL('./sip-codec.bench.ts', import.meta.url))
const avg = new Map<string, number>()
for (const op of ['parse', 'parse-all-vias', 'forward']) {
  for (const lib of ['junction', 'npm-sip']) {
    const out = execFileSync(process.execPath, [...process.execArgv, script], {
      env: { ...process.env, CODEC_BENCH_ONLY: `${op} ${lib}` },
      encoding: 'utf8',
    })
    const rows = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>
    for (const [alias, ns] of Object.entries(rows)) avg.set(alias, ns)
  }
}
console.log(codecTable(avg, '; each operation and library in its own process'))
