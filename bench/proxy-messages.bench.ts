/**
 * @junction/proxy: the CPU of each message of a call through a stateful proxy, in process. The
 * SIPp basic call of bench/proxy/sipp (see sipp-call.ts) through a record-routing proxy on the
 * in-memory transport: batches of B calls, one kind of message at a time (B INVITEs, then their
 * 100s, 180s, 200s, ACKs, BYEs, the BYEs' 200s). Only the proxy's work is timed (process CPU,
 * all threads, from injecting the batch to the end of the event-loop turn it queued); the
 * messages are written and the forwarded ones read between the timed parts. No sockets: this is
 * the JavaScript of a call without `dgram` and the kernel (bench/proxy has those).
 *
 *   ./junction pnpm --filter @junction/bench exec node --conditions=@junction/source proxy-messages.bench.ts [rounds]
 */
import { cpus } from 'node:os'
import { parseMessage, type SipRequest } from '@junction/sip'
import { createBenchProxy, sdp, UAC, UAS, uacRequest, uasResponse } from './sipp-call.ts'

const { server, sent } = createBenchProxy()
const B = 200
const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100)
const encoder = new TextEncoder()
const turn = () => new Promise((r) => setImmediate(r))
const kinds = ['INVITE', '100', '180', '200 INVITE', 'ACK', 'BYE', '200 BYE'] as const
const cost = new Map<string, number>(kinds.map((k) => [k, 0]))

/** The requests the proxy forwarded since the last call, parsed (the UAS reads them). */
function forwarded(): SipRequest[] {
  const out: SipRequest[] = []
  for (const m of sent) {
    if (m.kind !== 'request') continue
    const p = parseMessage(m.bytes)
    if (p.ok && p.message.kind === 'request') out.push(p.message)
  }
  sent.length = 0 // the memory transport keeps what it sent; a bench must not
  return out
}

async function timed(kind: (typeof kinds)[number], texts: string[], from: typeof UAC | typeof UAS) {
  const datagrams = texts.map((t) => encoder.encode(t))
  const before = process.cpuUsage()
  for (const d of datagrams) server.inject(d, from)
  await turn()
  const used = process.cpuUsage(before)
  cost.set(kind, cost.get(kind)! + used.user + used.system)
}

async function batch(first: number): Promise<void> {
  const ids = Array.from({ length: B }, (_, k) => first + k)
  await timed(
    'INVITE',
    ids.map((i) => uacRequest('INVITE', i, 1, [], 'sip:service@127.0.0.1:5060', sdp)),
    UAC,
  )
  const invites = forwarded()
  if (invites.length !== B) throw new Error(`${invites.length} of ${B} INVITEs forwarded`)
  await timed(
    '100',
    invites.map((r, k) => uasResponse(r, 100, ids[k]!)),
    UAS,
  )
  await timed(
    '180',
    invites.map((r, k) => uasResponse(r, 180, ids[k]!)),
    UAS,
  )
  await timed(
    '200 INVITE',
    invites.map((r, k) => uasResponse(r, 200, ids[k]!, sdp)),
    UAS,
  )
  sent.length = 0
  const routes = invites.map((r) => r.headers.raw('record-route').map((v) => `Route: ${v}`))
  const contact = 'sip:127.0.0.1:5080;transport=UDP'
  await timed(
    'ACK',
    ids.map((i, k) => uacRequest('ACK', i, 1, routes[k]!, contact)),
    UAC,
  )
  sent.length = 0
  await timed(
    'BYE',
    ids.map((i, k) => uacRequest('BYE', i, 2, routes[k]!, contact)),
    UAC,
  )
  const byes = forwarded()
  if (byes.length !== B) throw new Error(`${byes.length} of ${B} BYEs forwarded`)
  await timed(
    '200 BYE',
    byes.map((r, k) => uasResponse(r, 200, ids[k]!)),
    UAS,
  )
  sent.length = 0
}

await server.start()
for (let r = 0; r < 20; r++) await batch(1e9 + r * B) // warm-up
for (const k of kinds) cost.set(k, 0)
for (let r = 0; r < rounds; r++) await batch(r * B)
const calls = rounds * B
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}, ${calls} calls`,
)
let total = 0
for (const [kind, us] of cost) {
  total += us
  console.log(`${kind.padEnd(11)} ${(us / calls).toFixed(2).padStart(6)} µs`)
}
console.log(`${'a call'.padEnd(11)} ${(total / calls).toFixed(2).padStart(6)} µs`)
await server.stop()
