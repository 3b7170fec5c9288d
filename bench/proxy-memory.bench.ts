/**
 * @junction/proxy: memory held per call once it is over, while its transactions wait out their
 * timers (RFC 3261 §17 Timers J and K, RFC 6026 Timers L and M: 32 s over UDP). A call is the
 * SIPp basic call of bench/proxy/sipp (INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, 200)
 * through a record-routing stateful proxy on the in-memory transport, with the system clock, so
 * that the timers are the real ones. After N calls: gc, then (heap used + array buffers) / N.
 *
 *   ./junction pnpm --filter @junction/bench exec node --expose-gc --conditions=@junction/source proxy-memory.bench.ts [N] [--expire]
 *
 * --expire also waits for the timers (about 35 s) and checks that every transaction ended;
 * --snapshot writes a heap snapshot (to see what a call holds) after the N calls.
 */
import { cpus } from 'node:os'
import { writeHeapSnapshot } from 'node:v8'
import { parseMessage, type SipRequest } from '@junction/sip'
import { createBenchProxy, sdp, UAC, UAS, uacRequest, uasResponse } from './sipp-call.ts'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')
const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000)
const expire = process.argv.includes('--expire')

const { server, sent } = createBenchProxy()

function forwarded(): SipRequest {
  const m = sent.findLast((s) => s.kind === 'request')
  if (m === undefined) throw new Error('nothing forwarded')
  const p = parseMessage(m.bytes)
  if (!p.ok || p.message.kind !== 'request') throw new Error('forwarded request did not parse')
  return p.message
}

function call(i: number): void {
  server.inject(uacRequest('INVITE', i, 1, [], 'sip:service@127.0.0.1:5060', sdp), UAC)
  const invite = forwarded()
  server.inject(uasResponse(invite, 100, i), UAS)
  server.inject(uasResponse(invite, 180, i), UAS)
  server.inject(uasResponse(invite, 200, i, sdp), UAS)
  const rr = invite.headers.raw('record-route').map((v) => `Route: ${v}`)
  const contact = 'sip:127.0.0.1:5080;transport=UDP'
  server.inject(uacRequest('ACK', i, 1, rr, contact), UAC)
  server.inject(uacRequest('BYE', i, 2, rr, contact), UAC)
  server.inject(uasResponse(forwarded(), 200, i), UAS)
  sent.length = 0 // the memory transport keeps what it sent; a bench must not
}

const turn = () => new Promise((r) => setImmediate(r))

async function used(): Promise<number> {
  await turn() // let the sends' promise callbacks run
  gc!()
  gc!()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

await server.start()
// warm-up (its transactions linger too: counted in `before`)
for (let i = 0; i < 2000; i++) {
  call(1e9 + i)
  if (i % 100 === 99) await turn()
}
const before = await used()
const t0 = performance.now()
const cpu0 = process.cpuUsage()
for (let i = 0; i < N; i++) {
  call(i)
  if (i % 100 === 99) await turn()
}
const ms = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
const after = await used()
const live = server.stats.transactions
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}`,
)
console.log(
  `${N} calls in ${Math.round(ms)} ms; ${live} transactions live (${(live / (N + 2000)).toFixed(2)} per call)`,
)
console.log(
  `memory held per finished call (heap + array buffers): ${Math.round((after - before) / N)} octets`,
)
console.log(
  `CPU per call (the proxy and this bench's own UAC/UAS messages, all threads): ${Math.round((cpu.user + cpu.system) / N)} µs`,
)
if (process.argv.includes('--snapshot')) console.log(`heap snapshot: ${writeHeapSnapshot()}`)
if (expire) {
  await new Promise((r) => setTimeout(r, 34_000))
  const end = await used()
  console.log(
    `after 34 s: ${server.stats.transactions} transactions live, ${Math.round((end - before) / N)} octets per call left`,
  )
}
await server.stop()
