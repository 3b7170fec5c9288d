/**
 * The management endpoint of junction-ietf as composed by main.ts (JSON-RPC 2.0 on the admin
 * port): the methods the issue names answer with the flavor's own figures and configuration.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createLogger } from '@junction/ops'
import { composeIetf, type Ietf } from '../src/compose.ts'
import { parseConfig } from '../src/config.ts'

let ietf: Ietf
const log = createLogger({ name: 'admin-test', level: 'warn' })

before(async () => {
  const config = parseConfig({
    sip: { listen: ['udp:127.0.0.1:0'], domains: ['example.com'], overload: { client: true } },
    routing: {
      routes: [{ domain: 'example.com', user: '^[0-9]+$', to: ['sip:192.0.2.51', 'sip:192.0.2.52'] }],
    },
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: 'warn' },
  })
  assert.ok(config.ok)
  ietf = composeIetf(config.config, { log })
  for (const s of ietf.services) await s.start?.()
})

after(async () => {
  for (const s of [...ietf.services].reverse()) await s.stop?.()
})

async function rpc(
  method: string,
  params?: unknown,
): Promise<{ result?: unknown; error?: { code: number } }> {
  const r = await fetch(`http://127.0.0.1:${ietf.adminAddress()!.port}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }),
  })
  return (await r.json()) as { result?: unknown; error?: { code: number } }
}

test('core.stats, core.uptime, routes.list and log.level.set answer with the flavor itself', async () => {
  const stats = (await rpc('core.stats')).result as Record<string, unknown>
  assert.equal(typeof stats, 'object')
  assert.ok(JSON.stringify(stats).includes('"sip"'), 'the SIP counters are in core.stats')

  const uptime = (await rpc('core.uptime')).result as Record<string, unknown>
  assert.ok(
    Object.values(uptime).some((v) => typeof v === 'number'),
    JSON.stringify(uptime),
  )

  const routes = (await rpc('routes.list')).result as Array<{ domain: string; to: unknown }>
  assert.deepEqual(
    routes.map((r) => [r.domain, r.to]),
    [['example.com', ['sip:192.0.2.51', 'sip:192.0.2.52']]],
  )

  assert.equal(log.level, 'warn')
  assert.equal((await rpc('log.level.set', { level: 'debug' })).error, undefined)
  assert.equal(log.level, 'debug', 'the root logger of the flavor changed level')
  assert.equal((await rpc('log.level.set', { level: 'loud' })).error?.code, -32602)
  assert.equal(log.level, 'debug')
})

test('sip.listeners lists each listener as transport, host, port and advertised address only', async () => {
  const port = ietf.sip.transport.listeners[0]!.port
  assert.deepEqual((await rpc('sip.listeners')).result, [
    { transport: 'udp', host: '127.0.0.1', port, advertise: { host: '127.0.0.1', port } },
  ])
  assert.deepEqual((await rpc('sip.domains')).result, ['example.com'])
})

test('overload control runs by default: overload.stats and the /metrics series show its last window', async () => {
  await new Promise((r) => setTimeout(r, 250)) // a couple of 100 ms windows
  const s = (await rpc('overload.stats')).result as {
    admitRatio: number
    refused: number
    utilization: number
    client: unknown
  }
  assert.equal(s.admitRatio, 1, 'an idle server admits everything')
  assert.deepEqual(s.client, { peers: [], refused: 0 }, 'RFC 7339 client role: no next hop asks us to shed')
  assert.equal(s.refused, 0)
  assert.ok(s.utilization >= 0 && s.utilization <= 1, JSON.stringify(s)) // a busy test machine reads busy
  const metrics = await (await fetch(`http://127.0.0.1:${ietf.adminAddress()!.port}/metrics`)).text()
  assert.match(metrics, /^junction_proxy_overload_admit_ratio 1$/m)
  assert.match(metrics, /^junction_proxy_overload_rejects_total 0$/m)
  assert.match(metrics, /^junction_proxy_event_loop_utilization (0(\.\d+(e-\d+)?)?|1)$/m)
})

test('the process metrics (and their event-loop timer) only where the admin server serves /metrics', async () => {
  const metrics = await (await fetch(`http://127.0.0.1:${ietf.adminAddress()!.port}/metrics`)).text()
  assert.match(metrics, /^process_cpu_seconds_total /m)
  assert.match(metrics, /^nodejs_eventloop_lag_p99_seconds /m)
  const off = parseConfig({ sip: { listen: ['udp:127.0.0.1:0'] }, admin: { enabled: false } })
  assert.ok(off.ok)
  const quiet = composeIetf(off.config, { log })
  const text = await quiet.metrics.metrics()
  quiet.metrics.close() // its channel subscriptions (nothing else of it was started)
  assert.match(text, /^junction_sip_requests_total/m, 'the SIP counters still count (core.stats, tests)')
  assert.doesNotMatch(text, /^process_cpu_seconds_total /m)
  assert.doesNotMatch(text, /^nodejs_eventloop_lag/m)
})
