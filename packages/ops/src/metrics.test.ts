import assert from 'node:assert/strict'
import { channel } from 'node:diagnostics_channel'
import { describe, test } from 'node:test'
import { createRequest, createResponse, parseMessage } from '@junction/sip'
import {
  createManualClock,
  createTransactionLayer,
  InviteClientTransaction,
  InviteServerTransaction,
  NonInviteServerTransaction,
  type TransactionLayer,
} from '@junction/transaction'
import { Registry } from 'prom-client'
import { samples } from '../test/exposition.ts'
import { faultCodes, OpsError } from './errors.ts'
import { createMetrics, type Metrics, metricChannels } from './metrics.ts'

async function scrape(metrics: Metrics): Promise<Map<string, number>> {
  return samples(await metrics.metrics())
}

function publish(name: keyof typeof metricChannels, message: unknown): void {
  channel(metricChannels[name]).publish(message)
}

const flow = {
  id: 'tcp:1',
  transport: 'tcp',
  reliable: true,
  secure: false,
  local: { address: '127.0.0.1', port: 5060 },
  remote: { address: '127.0.0.1', port: 40000 },
}

const request = (method: string) =>
  createRequest({
    method,
    uri: 'sip:bob@example.com',
    from: 'sip:alice@example.com',
    to: 'sip:bob@example.com',
  })

function withMetrics(fn: (m: Metrics) => Promise<void>): () => Promise<void> {
  return async () => {
    const m = createMetrics({ defaultMetrics: false })
    try {
      await fn(m)
    } finally {
      m.close()
    }
  }
}

describe('createMetrics', () => {
  test(
    'requests by method, responses by CSeq method and status class, from junction:transport:message-in',
    withMetrics(async (m) => {
      const invite = request('INVITE')
      publish('messageIn', { flow, size: 400, message: invite })
      publish('messageIn', { flow, size: 400, message: invite })
      publish('messageIn', { flow, size: 300, message: request('OPTIONS') })
      publish('messageIn', { flow, size: 300, message: request('FOO') })
      publish('messageIn', { flow, size: 300, message: request('invite') })
      publish('messageIn', { flow, size: 200, message: createResponse(invite, 180) })
      publish('messageIn', { flow, size: 200, message: createResponse(invite, 486) })
      publish('messageIn', { flow, size: 200, message: createResponse(invite, 603) })
      publish('messageIn', { flow, size: 200, message: createResponse(request('OPTIONS'), 200) })
      publish('messageIn', { flow, size: 200, message: createResponse(request('FOO'), 501) })
      const noCSeq = parseMessage(
        new TextEncoder().encode('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nCSeq: x\r\n\r\n'),
      )
      assert.ok(noCSeq.ok)
      publish('messageIn', { flow, size: 200, message: noCSeq.message })
      const s = await scrape(m)
      assert.equal(s.get('junction_sip_requests_total{method="INVITE"}'), 2)
      assert.equal(s.get('junction_sip_requests_total{method="OPTIONS"}'), 1)
      assert.equal(s.get('junction_sip_requests_total{method="other"}'), 2, 'unknown and lower case')
      assert.equal(s.get('junction_sip_requests_total{method="BYE"}'), 0, 'every series from the start')
      assert.equal(s.has('junction_sip_requests_total{method="FOO"}'), false)
      assert.equal(s.get('junction_sip_responses_total{method="INVITE",status_class="1xx"}'), 1)
      assert.equal(s.get('junction_sip_responses_total{method="INVITE",status_class="4xx"}'), 1)
      assert.equal(s.get('junction_sip_responses_total{method="INVITE",status_class="6xx"}'), 1)
      assert.equal(s.get('junction_sip_responses_total{method="OPTIONS",status_class="2xx"}'), 1)
      assert.equal(
        s.get('junction_sip_responses_total{method="other",status_class="5xx"}'),
        1,
        'unknown method',
      )
      assert.equal(
        s.get('junction_sip_responses_total{method="other",status_class="2xx"}'),
        1,
        'unreadable CSeq',
      )
      assert.equal(
        s.get('junction_sip_responses_total{method="INVITE",status_class="2xx"}'),
        0,
        'from the start',
      )
      const series = [...s.keys()].filter((k) => k.startsWith('junction_sip_responses_total'))
      assert.equal(series.length, 15 * 7, 'methods and other × classes and other')
    }),
  )

  test(
    'messages out by kind, drops by code (bounded), connections by transport',
    withMetrics(async (m) => {
      const invite = request('INVITE')
      publish('messageOut', { flow, size: 400, message: invite })
      publish('messageOut', { flow, size: 200, message: createResponse(invite, 200) })
      publish('messageOut', { flow, size: 200, message: createResponse(invite, 100) })
      publish('drop', { flow, code: 'JUNCTION_ERR_SIP_TRUNCATED', reason: 'no empty line' })
      publish('drop', { flow, code: 'JUNCTION_ERR_SIP_TRUNCATED', reason: 'no empty line' })
      publish('drop', { flow, code: 'not-for-us', reason: 'Via' })
      publish('drop', { flow, code: 'bad code with spaces {}', reason: 'x' })
      for (let i = 0; i < 100; i++) publish('drop', { flow, code: `CODE_${i}`, reason: 'x' })
      const other = { ...flow, id: 'tcp:2' }
      const ws = { ...flow, id: 'ws:1', transport: 'ws' }
      publish('connectionOpen', { flow })
      publish('connectionOpen', { flow: other })
      publish('connectionOpen', { flow: ws })
      publish('connectionOpen', { flow: ws }) // twice: counted once
      publish('connectionClose', { flow: other, error: new Error('reset') })
      publish('connectionClose', { flow: other }) // twice: counted once
      publish('connectionClose', { flow: { ...flow, id: 'never-opened' } })
      const s = await scrape(m)
      assert.equal(s.get('junction_sip_messages_out_total{kind="request"}'), 1)
      assert.equal(s.get('junction_sip_messages_out_total{kind="response"}'), 2)
      assert.equal(s.get('junction_transport_drops_total{code="JUNCTION_ERR_SIP_TRUNCATED"}'), 2)
      assert.equal(s.get('junction_transport_drops_total{code="not-for-us"}'), 1)
      const dropSeries = [...s.keys()].filter((k) => k.startsWith('junction_transport_drops_total'))
      assert.ok(dropSeries.length <= 33, `label set bounded: ${dropSeries.length}`)
      const total = dropSeries.reduce((sum, k) => sum + s.get(k)!, 0)
      assert.equal(total, 104, 'every drop counted')
      assert.equal(s.get('junction_transport_connections{transport="tcp"}'), 1)
      assert.equal(s.get('junction_transport_connections{transport="ws"}'), 1)
      assert.equal(s.get('junction_transport_connections{transport="tls"}'), 0)
    }),
  )

  test(
    'send errors by transport (a fixed label set)',
    withMetrics(async (m) => {
      publish('sendError', { transport: 'tcp', kind: 'request', code: 'ECONNREFUSED' })
      publish('sendError', { transport: 'tcp', kind: 'response', code: 'JUNCTION_ERR_TRANSPORT_FLOW_GONE' })
      publish('sendError', { transport: 'udp', kind: 'request', code: 'EPERM' })
      publish('sendError', { transport: 'carrier-pigeon', kind: 'request', code: 'x' })
      const s = await scrape(m)
      assert.equal(s.get('junction_transport_send_errors_total{transport="tcp"}'), 2)
      assert.equal(s.get('junction_transport_send_errors_total{transport="udp"}'), 1)
      assert.equal(s.get('junction_transport_send_errors_total{transport="wss"}'), 0)
      assert.equal(
        [...s.keys()].filter((k) => k.startsWith('junction_transport_send_errors_total')).length,
        5,
      )
    }),
  )

  test(
    'live transactions by kind from junction:transaction:create/end',
    withMetrics(async (m) => {
      const ist = Object.create(InviteServerTransaction.prototype) as object
      const nist = Object.create(NonInviteServerTransaction.prototype) as object
      const ict = Object.create(InviteClientTransaction.prototype) as object
      publish('transactionCreate', { transaction: ist })
      publish('transactionCreate', { transaction: nist })
      publish('transactionCreate', { transaction: ict })
      let s = await scrape(m)
      assert.equal(s.get('junction_transactions_live{kind="server"}'), 2)
      assert.equal(s.get('junction_transactions_live{kind="client"}'), 1)
      publish('transactionEnd', { transaction: ist })
      publish('transactionEnd', { transaction: ict })
      // an end whose create came before the metrics existed
      publish('transactionEnd', { transaction: Object.create(InviteClientTransaction.prototype) })
      s = await scrape(m)
      assert.equal(s.get('junction_transactions_live{kind="server"}'), 1)
      assert.equal(s.get('junction_transactions_live{kind="client"}'), 0, 'never below zero')
      assert.equal(s.get('junction_transactions_total{kind="server"}'), 2)
      assert.equal(s.get('junction_transactions_total{kind="client"}'), 1)
    }),
  )

  test(
    'the real transaction layer feeds the live gauge (create, then end after Timer J)',
    withMetrics(async (m) => {
      const clock = createManualClock()
      const layer: TransactionLayer = createTransactionLayer(
        {
          transport: { sendRequest: async () => {}, sendResponse: async () => {} },
          user: { onRequest: (tx) => tx.respond(createResponse(tx.request, 200)) },
        },
        { clock },
      )
      const bytes = new TextEncoder().encode(
        'OPTIONS sip:bob@example.com SIP/2.0\r\n' +
          'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKops1\r\n' +
          'Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n' +
          'Call-ID: ops-metrics-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      )
      const parsed = parseMessage(bytes)
      assert.ok(parsed.ok)
      const udp = { ...flow, id: 'udp:1', transport: 'udp', reliable: false }
      layer.receive(parsed.message, udp as Parameters<TransactionLayer['receive']>[1])
      assert.equal((await scrape(m)).get('junction_transactions_live{kind="server"}'), 1)
      clock.advance(64 * 500) // Timer J
      assert.equal(layer.size, 0)
      assert.equal((await scrape(m)).get('junction_transactions_live{kind="server"}'), 0)
      layer.close()
    }),
  )

  test(
    'proxy forwards and forwarding latency (junction:proxy:forward, junction:proxy:response)',
    withMetrics(async (m) => {
      const invite = request('INVITE')
      publish('proxyForward', { request: invite, branches: 2 })
      publish('proxyResponse', { response: createResponse(invite, 200), elapsedMs: 20 })
      publish('proxyResponse', { response: createResponse(invite, 486), elapsedMs: 3000 })
      publish('proxyResponse', { response: createResponse(invite, 200), elapsedMs: -1 }) // ignored
      publish('proxyResponse', { response: createResponse(invite, 200), elapsedMs: Number.NaN }) // ignored
      const s = await scrape(m)
      assert.equal(s.get('junction_proxy_forwards_total'), 1)
      assert.equal(s.get('junction_proxy_forward_seconds_count{status_class="2xx"}'), 1)
      assert.equal(s.get('junction_proxy_forward_seconds_sum{status_class="2xx"}'), 0.02)
      assert.equal(s.get('junction_proxy_forward_seconds_bucket{le="0.025",status_class="2xx"}'), 1)
      assert.equal(s.get('junction_proxy_forward_seconds_bucket{le="0.01",status_class="2xx"}'), 0)
      assert.equal(s.get('junction_proxy_forward_seconds_count{status_class="4xx"}'), 1)
      assert.equal(s.get('junction_proxy_forward_seconds_bucket{le="2.5",status_class="4xx"}'), 0)
      assert.equal(s.get('junction_proxy_forward_seconds_bucket{le="5",status_class="4xx"}'), 1)
    }),
  )

  test(
    'probed next hops (junction:proxy:next-hop): 1 up, 0 down; malformed events ignored; flood blocks; connection rejects',
    withMetrics(async (m) => {
      publish('proxyNextHop', { nextHop: 'sip:gw1.example.com', up: true })
      publish('proxyNextHop', { nextHop: 'sip:gw2.example.com', up: true })
      publish('proxyNextHop', { nextHop: 'sip:gw2.example.com', up: false, status: 408 })
      publish('proxyNextHop', { nextHop: 42, up: false })
      publish('proxyNextHop', { nextHop: 'sip:gw3.example.com' })
      const s = await scrape(m)
      assert.equal(s.get('junction_proxy_next_hop_up{next_hop="sip:gw1.example.com"}'), 1)
      assert.equal(s.get('junction_proxy_next_hop_up{next_hop="sip:gw2.example.com"}'), 0)
      assert.equal(s.get('junction_proxy_next_hop_up{next_hop="sip:gw3.example.com"}'), undefined)
      assert.equal(s.get('junction_proxy_flood_blocks_total'), 0)
      assert.equal(s.get('junction_transport_connection_rejects_total{reason="limit"}'), 0)
      publish('connectionReject', {
        transport: 'tls',
        remote: { address: '192.0.2.9', port: 1 },
        reason: 'limit',
      })
      publish('connectionReject', {
        transport: 'ws',
        remote: { address: '192.0.2.9', port: 2 },
        reason: 'handshake-timeout',
      })
      publish('connectionReject', { reason: 'bogus' })
      const after = await scrape(m)
      assert.equal(after.get('junction_transport_connection_rejects_total{reason="limit"}'), 1)
      assert.equal(after.get('junction_transport_connection_rejects_total{reason="handshake-timeout"}'), 1)
      publish('proxyFloodBlock', { address: '192.0.2.9', source: '192.0.2.9', untilMs: 1 })
      assert.equal((await scrape(m)).get('junction_proxy_flood_blocks_total'), 1)
    }),
  )

  test(
    'overload control (junction:proxy:overload): utilization and admit ratio gauges, refusals counted; malformed values ignored',
    withMetrics(async (m) => {
      const before = await scrape(m)
      assert.equal(before.get('junction_proxy_overload_admit_ratio'), 1)
      assert.equal(before.get('junction_proxy_overload_rejects_total'), 0)
      publish('proxyOverload', { utilization: 0.97, admitRatio: 0.64, refused: 12 })
      publish('proxyOverload', { utilization: 0.95, admitRatio: 0.51, refused: 30 })
      publish('proxyOverload', { utilization: 7, admitRatio: -1, refused: 1.5 })
      publish('proxyOverload', null)
      const s = await scrape(m)
      assert.equal(s.get('junction_proxy_event_loop_utilization'), 0.95)
      assert.equal(s.get('junction_proxy_overload_admit_ratio'), 0.51)
      assert.equal(s.get('junction_proxy_overload_rejects_total'), 42)
    }),
  )

  test(
    'registrar bindings and failed authentications (junction:registrar:binding, junction:auth:*)',
    withMetrics(async (m) => {
      const binding = { contact: 'sip:alice@192.0.2.4' }
      for (const event of ['added', 'added', 'refreshed', 'expired', 'added', 'removed', 'bogus']) {
        publish('registrarBinding', { event, aor: 'sip:alice@example.com', binding })
      }
      for (const reason of ['wrong', 'wrong', 'replay', 'no-such-reason']) {
        publish('authFailure', { address: '192.0.2.9', reason })
      }
      publish('authBlock', { address: '192.0.2.9', failures: 10, untilMs: 0 })
      const s = await scrape(m)
      assert.equal(s.get('junction_registrar_bindings'), 1)
      assert.equal(s.get('junction_registrar_binding_events_total{event="added"}'), 3)
      assert.equal(s.get('junction_registrar_binding_events_total{event="refreshed"}'), 1)
      assert.equal(s.get('junction_registrar_binding_events_total{event="expired"}'), 1)
      assert.equal(s.get('junction_registrar_binding_events_total{event="removed"}'), 1)
      assert.equal(s.get('junction_auth_failures_total{reason="wrong"}'), 2)
      assert.equal(s.get('junction_auth_failures_total{reason="replay"}'), 1)
      assert.equal(s.get('junction_auth_failures_total{reason="unknown-user"}'), 0)
      assert.equal(s.get('junction_auth_blocks_total'), 1)
    }),
  )

  test('malformed events are ignored, never thrown', async () => {
    const m = createMetrics({ defaultMetrics: false })
    try {
      for (const name of Object.keys(metricChannels) as (keyof typeof metricChannels)[]) {
        publish(name, {})
        publish(name, null)
        publish(name, { flow: null, message: 42, transaction: null, code: 7 })
      }
      const throwing = {
        get() {
          throw new Error('not our headers')
        },
      }
      publish('messageIn', { flow, size: 1, message: { kind: 'response', status: 200, headers: throwing } })
      const s = await scrape(m)
      assert.equal(s.get('junction_transport_drops_total{code="other"}'), 3)
      assert.equal(s.get('junction_sip_responses_total{method="other",status_class="2xx"}'), 1)
    } finally {
      m.close()
    }
  })

  test('close() unsubscribes: later events are not counted', async () => {
    const m = createMetrics({ defaultMetrics: false })
    m.close()
    m.close()
    publish('messageIn', { flow, size: 1, message: request('INVITE') })
    assert.equal((await scrape(m)).get('junction_sip_requests_total{method="INVITE"}'), 0)
  })

  test('default process metrics, constant labels, a registry of the caller; twice is a fault', async () => {
    const registry = new Registry()
    const m = createMetrics({ registry, labels: { role: 'proxy' } })
    try {
      assert.equal(m.registry, registry)
      assert.match(m.contentType, /^text\/plain; version=0\.0\.4/)
      const text = await m.metrics()
      assert.match(text, /^process_cpu_seconds_total\{role="proxy"\} /m)
      assert.match(text, /^nodejs_heap_size_used_bytes\{role="proxy"\} /m)
      assert.match(text, /^junction_sip_requests_total\{method="INVITE",role="proxy"\} 0$/m)
      assert.throws(
        () => createMetrics({ registry }),
        (e: unknown) => e instanceof OpsError && e.code === faultCodes.METRICS_REGISTERED,
      )
    } finally {
      m.close()
    }
  })
})
