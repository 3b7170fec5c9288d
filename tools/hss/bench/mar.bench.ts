/**
 * MAR/s answered by junction-hss (a real process, started here) from a local @junction/diameter-cx
 * client over TCP on 127.0.0.1: N requests kept in flight for a fixed time, one AKA vector per MAR
 * (and a row with 5), RAND from the CSPRNG, the state file written (fsync'd, grouped) before every
 * answer as in production. Client and server share the machine's cores.
 *
 *   pnpm --filter @junction/hss bench        (or: node --conditions=@junction/source bench/mar.bench.ts)
 *
 * Environment: BENCH_SECONDS (default 5 per row), BENCH_STATE_DIR (default: the OS temp dir).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDiameterNode } from '@junction/diameter'
import { createCxClient } from '@junction/diameter-cx'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5)
const bin = fileURLToPath(new URL('../bin/junction-hss.js', import.meta.url))
const dir = mkdtempSync(join(process.env['BENCH_STATE_DIR'] ?? tmpdir(), 'junction-hss-bench-'))

async function startHss(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      bin,
      '-l',
      '127.0.0.1:0',
      '--state-file',
      join(dir, 'state.json'),
      '--rand',
      'random',
      '--log-level',
      'info',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`junction-hss exited (${code})`)))
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /"listen":"127\.0\.0\.1:(\d+)"/.exec(out)
      if (m) resolve(Number(m[1]))
    })
  })
  child.stdout!.resume()
  return { child, port }
}

const hss = await startHss()
const node = createDiameterNode({
  originHost: 'bench.ims.test',
  originRealm: 'ims.test',
  peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
  maxPending: 8192,
  requestTimeout: 30_000,
})
await node.start()
while (!node.peer('hss.ims.test')?.available) await new Promise((r) => setTimeout(r, 20))
const cx = createCxClient(node, { destinationRealm: 'ims.test' })
const request = (items: number) => ({
  impi: 'alice@ims.test',
  impu: 'sip:alice@ims.test',
  serverName: 'sip:scscf.ims.test:6060',
  items,
})

async function run(concurrency: number, items: number, seconds: number) {
  const latencies: number[] = []
  let done = 0
  let failed = 0
  const end = performance.now() + seconds * 1000
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      const maa = await cx.mar(request(items))
      if (maa.result.success && maa.items.length === items) {
        done++
        latencies.push(performance.now() - t0)
      } else failed++
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
  return { rate: done / elapsed, p50: q(0.5), p99: q(0.99), failed }
}

console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores; ${SECONDS} s per row`,
)
console.log('| in flight | vectors per MAR | MAR/s | p50 ms | p99 ms |')
console.log('|---:|---:|---:|---:|---:|')
await run(16, 1, 1) // warm-up (JIT, connection)
for (const [concurrency, items] of [
  [1, 1],
  [16, 1],
  [64, 1],
  [256, 1],
  [64, 5],
] as const) {
  const r = await run(concurrency, items, SECONDS)
  console.log(
    `| ${concurrency} | ${items} | ${Math.round(r.rate).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |${r.failed > 0 ? ` ${r.failed} failed` : ''}`,
  )
}
await node.stop()
hss.child.kill('SIGTERM')
await once(hss.child, 'exit')
rmSync(dir, { recursive: true, force: true })
