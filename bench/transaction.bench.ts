/**
 * @junction/transaction: server transaction create → match (a retransmission) → complete
 * throughput, client transaction create → response → complete throughput, and memory per live
 * transaction. No network: a transport that records nothing, a manual clock.
 *
 *   ./junction pnpm --filter @junction/bench exec node --expose-gc --conditions=@junction/source transaction.bench.ts
 */
import { cpus } from 'node:os'
import { createRequest, createResponse, parseMessage, type SipRequest, serialize } from '@junction/sip'
import { createManualClock, createTransactionLayer, type TransactionTransport } from '@junction/transaction'
import type { Flow, Target } from '@junction/transport'

const flow: Flow = {
  id: 'tcp:1',
  transport: 'tcp',
  reliable: true,
  secure: false,
  local: { address: '127.0.0.1', port: 5060 },
  remote: { address: '127.0.0.1', port: 40000 },
}
const udpFlow: Flow = { ...flow, id: 'udp:1', transport: 'udp', reliable: false }
const target: Target = { transport: 'tcp', address: '127.0.0.1', port: 5060 }
const transport: TransactionTransport = { sendRequest: async () => {}, sendResponse: async () => {} }

function request(method: string, i: number): SipRequest {
  return createRequest({
    method,
    uri: 'sip:bob@example.com',
    from: 'sip:alice@example.com',
    to: 'sip:bob@example.com',
    callId: `call-${i}@bench`,
    via: { transport: 'TCP', host: '192.0.2.1', port: 5060, branch: `z9hG4bK-bench-${i}` },
  })
}

/** Parsed requests, as the layer sees them from a transport. */
function corpus(method: string, n: number): SipRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const r = parseMessage(serialize(request(method, i)))
    if (!r.ok || r.message.kind !== 'request') throw new Error('corpus')
    return r.message
  })
}

const W = 20_000 // warm-up: items N..N+W of each corpus, so that the measured ones are all new

function rate(label: string, n: number, fn: (i: number) => void): string {
  for (let i = n; i < n + W; i++) fn(i)
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn(i)
  const ns = Number(process.hrtime.bigint() - t0)
  return `| ${label} | ${Math.round((n * 1e9) / ns).toLocaleString('en-US')} |`
}

const N = 200_000
const lines: string[] = []
lines.push(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}`,
)
lines.push('')
lines.push('| operation | per second |')
lines.push('|---|---:|')

{
  // non-INVITE server over UDP: the request (create; the TU answers 200: Completed) and its
  // retransmission (match; the 200 is resent). Timer J (32 s) ends them after the run.
  const reqs = corpus('OPTIONS', N + W)
  const served = createTransactionLayer(
    { transport, user: { onRequest: (tx) => tx.respond(createResponse(tx.request, 200)) } },
    { maxTransactions: 2 * (N + W) },
  )
  lines.push(
    rate('non-INVITE server transaction: create, TU answers 200, match a retransmission', N, (i) => {
      const r = reqs[i]!
      served.receive(r, udpFlow)
      served.receive(r, udpFlow)
    }),
  )
  served.close()
}

{
  const reqs = corpus('OPTIONS', N + W)
  const clock = createManualClock()
  const layer = createTransactionLayer({ transport, user: { onRequest: () => {} } }, { clock })
  const responses = reqs.map((r) => {
    const p = parseMessage(serialize(createResponse(r, 200)))
    if (!p.ok || p.message.kind !== 'response') throw new Error('corpus')
    return p.message
  })
  lines.push(
    rate(
      'non-INVITE client transaction: create, send, match the 200, complete (TCP: Timer K is 0)',
      N,
      (k) => {
        layer.request(reqs[k]!, target, { onResponse: () => {} })
        layer.receive(responses[k]!, flow)
      },
    ),
  )
}

// memory per live transaction: INVITE server transactions left in Proceeding (UDP: timers armed)
{
  const gc = (globalThis as { gc?: () => void }).gc
  const M = 100_000
  const reqs = corpus('INVITE', M)
  const layer = createTransactionLayer(
    { transport, user: { onRequest: (tx) => tx.respond(createResponse(tx.request, 180)) } },
    { clock: createManualClock(), maxTransactions: M + 1 },
  )
  gc?.()
  const before = process.memoryUsage().heapUsed
  for (const r of reqs) layer.receive(r, udpFlow)
  gc?.()
  const after = process.memoryUsage().heapUsed
  lines.push('')
  lines.push(
    `memory per live INVITE server transaction (Proceeding, 180 sent, request held): ${Math.round((after - before) / M)} octets` +
      `${gc === undefined ? ' (run with --expose-gc for a stable figure)' : ''}; ${layer.size.toLocaleString('en-US')} live`,
  )
  lines.push('(the parsed request it holds is most of it: its octets and header index)')
}

console.log(lines.join('\n'))
