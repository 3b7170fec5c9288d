/**
 * Prometheus metrics of a flavor, fed only by `node:diagnostics_channel` events (DESIGN.md
 * "Observation is not extension"): the stack publishes, these subscribers count. Nothing here runs
 * on the hot path unless something subscribes, and label values come from fixed sets.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { CSeq, type SipResponse } from '@junction/sip'
import { InviteServerTransaction, NonInviteServerTransaction } from '@junction/transaction'
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import { faultCodes, OpsError } from './errors.ts'
import { createFastHistogram } from './fast-histogram.ts'

/** The channels the metrics subscribe to. A channel that nothing publishes on yet is fine. */
export const metricChannels = {
  messageIn: 'junction:transport:message-in',
  messageOut: 'junction:transport:message-out',
  drop: 'junction:transport:drop',
  sendError: 'junction:transport:send-error',
  connectionOpen: 'junction:transport:connection-open',
  connectionClose: 'junction:transport:connection-close',
  connectionReject: 'junction:transport:connection-reject',
  transactionCreate: 'junction:transaction:create',
  transactionEnd: 'junction:transaction:end',
  proxyForward: 'junction:proxy:forward',
  proxyResponse: 'junction:proxy:response',
  proxyNextHop: 'junction:proxy:next-hop',
  proxyFloodBlock: 'junction:proxy:flood-block',
  proxyOverload: 'junction:proxy:overload',
  registrarBinding: 'junction:registrar:binding',
  authFailure: 'junction:auth:failure',
  authBlock: 'junction:auth:block',
} as const

/** Most `next_hop` series of `junction_proxy_next_hop_up`. */
const maxNextHops = 256

/** Reasons of `junction_auth_failures_total` (those `@junction/auth`'s failure guard counts). */
const authFailureReasons = ['wrong', 'unknown-user', 'replay', 'malformed'] as const
const bindingEvents = ['added', 'refreshed', 'expired', 'removed'] as const

/**
 * Methods counted by name (RFC 3261 §27.4 and the extensions registered there); any other method
 * counts as `other`, so a peer cannot make the label set grow.
 */
export const sipMethods = [
  'ACK',
  'BYE',
  'CANCEL',
  'INFO', // RFC 6086
  'INVITE',
  'MESSAGE', // RFC 3428
  'NOTIFY', // RFC 6665
  'OPTIONS',
  'PRACK', // RFC 3262
  'PUBLISH', // RFC 3903
  'REFER', // RFC 3515
  'REGISTER',
  'SUBSCRIBE', // RFC 6665
  'UPDATE', // RFC 3311
] as const

export const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'] as const
/** The `status_class` label values by {@link statusClassIndex}: the classes, then `other`. */
const statusClassLabels: readonly string[] = [...statusClasses, 'other']
const transports = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const

/** Buckets of `junction_proxy_forward_seconds`: 5 ms to Timer B/F (64·T1 = 32 s). */
export const forwardBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 32]

/** At most this many distinct drop codes are labelled; more count as `other`. */
const maxDropCodes = 32
const dropCodePattern = /^[A-Za-z0-9_.-]{1,64}$/

export interface MetricsOptions {
  /** Where the metrics are registered. Default: a new registry (not prom-client's global one). */
  readonly registry?: Registry | undefined
  /**
   * Node.js and process metrics (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...).
   * Default true. Their event-loop delay histogram samples every `eventLoopMonitoringPrecision`
   * ms: a timer that wakes an idle process that often.
   */
  readonly defaultMetrics?: boolean | undefined
  /**
   * Milliseconds between two samples of `nodejs_eventloop_lag_*` (prom-client's default is 10:
   * a hundred wake-ups a second, ~1 % of a core on an idle 2-vCPU VM). Default 100.
   */
  readonly eventLoopMonitoringPrecision?: number | undefined
  /** Constant labels on every metric, e.g. `{ instance_role: 'pcscf' }`. */
  readonly labels?: Readonly<Record<string, string>> | undefined
}

export interface Metrics {
  readonly registry: Registry
  /** The `Content-Type` of {@link Metrics.metrics} (Prometheus text exposition 0.0.4). */
  readonly contentType: string
  /** The text exposition of every metric in the registry. */
  metrics(): Promise<string>
  /** Unsubscribes from every channel. The metrics stay in the registry with their last values. */
  close(): void
}

interface Child {
  inc(value?: number): void
  dec(value?: number): void
}

/**
 * One prom-client child per label value, made up front (each series shows from the first scrape,
 * at 0): counting is then a Map lookup and an add. For the rare events.
 */
function children<L extends string>(
  metric: Counter<L> | Gauge<L>,
  label: L,
  values: readonly string[],
): Map<string, Child> {
  const map = new Map<string, Child>()
  for (const v of values) {
    const child = metric.labels({ [label]: v } as Record<L, string>)
    child.inc(0)
    map.set(v, child as Child)
  }
  return map
}

/**
 * Counts of the per-message events, kept as plain numbers and handed to prom-client only when it
 * collects (a scrape): a prom-client `inc()` hashes its labels on every call, which is most of
 * the cost of counting at tens of thousands of messages per second.
 */
interface Tally {
  readonly counts: Float64Array
  /** Adds what was counted since the last flush to the prom-client children. */
  flush(): void
}

/** Plain counts, one per prom-client child, added to the children when prom-client collects. */
function tallyOf(kids: readonly Child[]): Tally {
  const counts = new Float64Array(kids.length)
  const flushed = new Float64Array(kids.length)
  return {
    counts,
    flush() {
      for (let i = 0; i < counts.length; i++) {
        const delta = counts[i]! - flushed[i]!
        if (delta > 0) kids[i]!.inc(delta)
        flushed[i] = counts[i]!
      }
    },
  }
}

function tally<L extends string>(metric: Counter<L>, label: L, values: readonly string[]): Tally {
  const map = children(metric, label, values)
  return tallyOf(values.map((v) => map.get(v) as Child))
}

/**
 * Counts by two labels (`a` × `b` values, index `i * b.length + j`), like {@link tally}; every
 * series exists at 0 from the first scrape, so that `increase()` sees its first count.
 */
function tally2<L extends string>(
  metric: Counter<L>,
  labels: readonly [L, L],
  a: readonly string[],
  b: readonly string[],
): Tally {
  const kids: Child[] = []
  for (const x of a) {
    for (const y of b) {
      const child = metric.labels({ [labels[0]]: x, [labels[1]]: y } as Record<L, string>) as Child
      child.inc(0)
      kids.push(child)
    }
  }
  return tallyOf(kids)
}

/** The index of `method` in {@link sipMethods}, or `sipMethods.length` (other). */
function methodIndex(method: unknown): number {
  const i = typeof method === 'string' ? (sipMethods as readonly string[]).indexOf(method) : -1
  return i < 0 ? sipMethods.length : i
}

/** The method of a response's CSeq (RFC 3261 §8.1.1.5: the request it answers) as a {@link methodIndex}. */
function responseMethodIndex(response: { headers?: unknown }): number {
  const headers = response.headers as SipResponse['headers'] | undefined
  if (typeof headers?.get !== 'function') return sipMethods.length
  try {
    return methodIndex(headers.get(CSeq)?.method)
  } catch {
    return sipMethods.length // not our headers: a subscriber never throws into the publisher
  }
}

/** 0..5 for 1xx..6xx, 6 for anything else (other). */
function statusClassIndex(status: unknown): number {
  if (typeof status !== 'number') return 6
  const c = Math.floor(status / 100)
  return c >= 1 && c <= 6 ? c - 1 : 6
}

function isServerTransaction(tx: unknown): boolean {
  return tx instanceof InviteServerTransaction || tx instanceof NonInviteServerTransaction
}

/**
 * Creates Junction's metrics in `registry` and subscribes to {@link metricChannels}:
 *
 * | metric | type | labels | from |
 * |---|---|---|---|
 * | `junction_sip_requests_total` | counter | `method` | requests received |
 * | `junction_sip_responses_total` | counter | `method` (CSeq), `status_class` | responses received |
 * | `junction_sip_messages_out_total` | counter | `kind` (`request`, `response`) | messages sent |
 * | `junction_transport_drops_total` | counter | `code` | inputs dropped |
 * | `junction_transport_send_errors_total` | counter | `transport` | messages that could not be sent |
 * | `junction_transport_connections` | gauge | `transport` | open connections |
 * | `junction_transport_connection_rejects_total` | counter | `reason` (`limit`, `handshake-timeout`) | inbound sockets closed before they became connections |
 * | `junction_transactions_live` | gauge | `kind` (`server`, `client`) | live transactions |
 * | `junction_transactions_total` | counter | `kind` | transactions created |
 * | `junction_proxy_forwards_total` | counter | — | requests forwarded by the proxy |
 * | `junction_proxy_forward_seconds` | histogram | `status_class` | forward to final response |
 * | `junction_proxy_next_hop_up` | gauge | `next_hop` | 1 while a probed next hop answers, 0 once probing found it down |
 * | `junction_proxy_flood_blocks_total` | counter | — | sources blocked by flood protection |
 * | `junction_proxy_event_loop_utilization` | gauge | — | the event loop's busy share in overload control's last window |
 * | `junction_proxy_overload_admit_ratio` | gauge | — | share of new requests admitted (1: not overloaded) |
 * | `junction_proxy_overload_rejects_total` | counter | — | new requests refused with 503 by overload control |
 * | `junction_registrar_bindings` | gauge | — | registered bindings (added − expired − removed) |
 * | `junction_registrar_binding_events_total` | counter | `event` | binding changes |
 * | `junction_auth_failures_total` | counter | `reason` | failed authentications that count |
 * | `junction_auth_blocks_total` | counter | — | sources blocked by the failed-auth guard |
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry()
  if (options.labels !== undefined) registry.setDefaultLabels({ ...options.labels })
  if (registry.getSingleMetric('junction_sip_requests_total') !== undefined) {
    throw new OpsError(faultCodes.METRICS_REGISTERED, 'this registry already holds the Junction metrics')
  }
  const registers = [registry]

  const requests = new Counter({
    name: 'junction_sip_requests_total',
    help: 'SIP requests received, by method (other: a method not in the fixed list)',
    labelNames: ['method'] as const,
    registers,
    collect: () => requestBy.flush(),
  })
  const responses = new Counter({
    name: 'junction_sip_responses_total',
    help: 'SIP responses received, by the method of their CSeq and status class',
    labelNames: ['method', 'status_class'] as const,
    registers,
    collect: () => responseBy.flush(),
  })
  const messagesOut = new Counter({
    name: 'junction_sip_messages_out_total',
    help: 'SIP messages sent, by kind (request, response)',
    labelNames: ['kind'] as const,
    registers,
    collect: () => outBy.flush(),
  })
  const drops = new Counter({
    name: 'junction_transport_drops_total',
    help: 'Inputs dropped by the transport (parse errors, limits, not-for-us, message timeouts, receive errors), by code',
    labelNames: ['code'] as const,
    registers,
  })
  const sendErrors = new Counter({
    name: 'junction_transport_send_errors_total',
    help: 'Messages that could not be sent (connection refused or lost, flow gone, socket errors), by transport',
    labelNames: ['transport'] as const,
    registers,
  })
  const connections = new Gauge({
    name: 'junction_transport_connections',
    help: 'Open connections (TCP, TLS, WS, WSS), by transport',
    labelNames: ['transport'] as const,
    registers,
  })
  const transactionsLive = new Gauge({
    name: 'junction_transactions_live',
    help: 'Live SIP transactions (RFC 3261 §17), by kind (server, client)',
    labelNames: ['kind'] as const,
    registers,
    collect: () => {
      txLive.get('server')?.set(live[0]!)
      txLive.get('client')?.set(live[1]!)
    },
  })
  const transactionsTotal = new Counter({
    name: 'junction_transactions_total',
    help: 'SIP transactions created, by kind (server, client)',
    labelNames: ['kind'] as const,
    registers,
    collect: () => txTotal.flush(),
  })
  const forwards = new Counter({
    name: 'junction_proxy_forwards_total',
    help: 'Requests the proxy forwarded (RFC 3261 §16.6)',
    registers,
    collect: () => {
      if (forwardCount > forwardsFlushed) forwards.inc(forwardCount - forwardsFlushed)
      forwardsFlushed = forwardCount
    },
  })
  // observed once per relayed final response: counted in plain arrays, rendered at scrape time
  const forwardSeconds = createFastHistogram({
    name: 'junction_proxy_forward_seconds',
    help: 'Time from receiving a request to sending its final response upstream (relayed or answered here), by status class',
    labelName: 'status_class',
    labelValues: statusClassLabels,
    buckets: forwardBuckets,
    registers,
  })
  const connectionRejects = new Counter({
    name: 'junction_transport_connection_rejects_total',
    help: 'Inbound sockets closed before they became connections: over a connection limit, or no handshake within handshakeTimeout',
    labelNames: ['reason'] as const,
    registers,
  })
  const nextHopUp = new Gauge({
    name: 'junction_proxy_next_hop_up',
    help: 'Probed next hops: 1 while one answers its OPTIONS, 0 once probing found it down',
    labelNames: ['next_hop'] as const,
    registers,
  })
  const floodBlocks = new Counter({
    name: 'junction_proxy_flood_blocks_total',
    help: 'Sources blocked by flood protection (too many requests in a window)',
    registers,
  })
  const loopUtilization = new Gauge({
    name: 'junction_proxy_event_loop_utilization',
    help: "The event loop's busy share (0 to 1) in overload control's last window",
    registers,
  })
  const admitRatio = new Gauge({
    name: 'junction_proxy_overload_admit_ratio',
    help: 'Share of new requests overload control admits (1: not overloaded)',
    registers,
  })
  const overloadRejects = new Counter({
    name: 'junction_proxy_overload_rejects_total',
    help: 'New requests refused with 503 by overload control (the event loop too busy)',
    registers,
  })
  const bindings = new Gauge({
    name: 'junction_registrar_bindings',
    help: 'Registered bindings (RFC 3261 §10): added minus expired and removed',
    registers,
  })
  const bindingEventsTotal = new Counter({
    name: 'junction_registrar_binding_events_total',
    help: 'Binding changes, by event (added, refreshed, expired, removed)',
    labelNames: ['event'] as const,
    registers,
  })
  const authFailures = new Counter({
    name: 'junction_auth_failures_total',
    help: 'Failed authentications that count towards a block, by reason',
    labelNames: ['reason'] as const,
    registers,
  })
  const authBlocks = new Counter({
    name: 'junction_auth_blocks_total',
    help: 'Source addresses blocked after too many failed authentications',
    registers,
  })
  bindings.set(0)
  authBlocks.inc(0)
  floodBlocks.inc(0)
  overloadRejects.inc(0)
  admitRatio.set(1)
  if (options.defaultMetrics !== false) {
    const eventLoopMonitoringPrecision = options.eventLoopMonitoringPrecision ?? 100
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision })
  }

  const methodLabels = [...sipMethods, 'other']
  const requestBy: Tally = tally(requests, 'method', methodLabels)
  const responseBy: Tally = tally2(responses, ['method', 'status_class'], methodLabels, statusClassLabels)
  const outBy: Tally = tally(messagesOut, 'kind', ['request', 'response'])
  const txLive = new Map(['server', 'client'].map((k) => [k, transactionsLive.labels({ kind: k })] as const))
  for (const gauge of txLive.values()) gauge.set(0)
  const txTotal: Tally = tally(transactionsTotal, 'kind', ['server', 'client'])
  /** Live transactions by kind: [server, client]. */
  const live = [0, 0]
  let forwardCount = 0
  let forwardsFlushed = 0
  const connectionsBy = children(connections, 'transport', transports)
  const sendErrorsBy = children(sendErrors, 'transport', transports)
  const bindingEventBy = children(bindingEventsTotal, 'event', bindingEvents)
  const authFailureBy = children(authFailures, 'reason', authFailureReasons)
  const dropBy = new Map<string, Child>()
  const nextHops = new Set<string>()
  const rejectBy = children(connectionRejects, 'reason', ['limit', 'handshake-timeout'])
  // what was counted as opened, so that a close seen without its open does not count
  const openFlows = new WeakSet<object>()

  const handlers: Record<keyof typeof metricChannels, (message: unknown) => void> = {
    messageIn(event) {
      const message = (
        event as { message?: { kind?: string; method?: string; status?: number; headers?: unknown } } | null
      )?.message
      if (message?.kind === 'request') requestBy.counts[methodIndex(message.method)]!++
      else if (message?.kind === 'response') {
        responseBy.counts[
          responseMethodIndex(message) * statusClassLabels.length + statusClassIndex(message.status)
        ]!++
      }
    },
    messageOut(event) {
      const kind = (event as { message?: { kind?: string } } | null)?.message?.kind
      if (kind === 'request') outBy.counts[0]!++
      else if (kind === 'response') outBy.counts[1]!++
    },
    drop(event) {
      const raw = (event as { code?: unknown } | null)?.code
      let code = typeof raw === 'string' && dropCodePattern.test(raw) ? raw : 'other'
      let child = dropBy.get(code)
      if (child === undefined) {
        if (dropBy.size >= maxDropCodes) code = 'other'
        child = dropBy.get(code) ?? (drops.labels({ code }) as Child)
        dropBy.set(code, child)
      }
      child.inc()
    },
    sendError(event) {
      sendErrorsBy.get((event as { transport?: string } | null)?.transport as string)?.inc()
    },
    connectionOpen(event) {
      const flow = (event as { flow?: { transport?: string } } | null)?.flow
      if (typeof flow !== 'object' || flow === null || openFlows.has(flow)) return
      const gauge = connectionsBy.get(flow.transport as string)
      if (gauge === undefined) return
      openFlows.add(flow)
      gauge.inc()
    },
    connectionClose(event) {
      const flow = (event as { flow?: { transport?: string } } | null)?.flow
      if (typeof flow !== 'object' || flow === null || !openFlows.delete(flow)) return
      connectionsBy.get(flow.transport as string)?.dec()
    },
    // The layer publishes each transaction's create and end once, so live = created - ended: no
    // table of live transactions here (a Set of ~10^5 entries costs cache misses at every event)
    transactionCreate(event) {
      const tx = (event as { transaction?: object } | null)?.transaction
      if (typeof tx !== 'object' || tx === null) return
      const kind = isServerTransaction(tx) ? 0 : 1
      live[kind]!++
      txTotal.counts[kind]!++
    },
    transactionEnd(event) {
      const tx = (event as { transaction?: object } | null)?.transaction
      if (typeof tx !== 'object' || tx === null) return
      const kind = isServerTransaction(tx) ? 0 : 1
      if (live[kind]! > 0) live[kind]!-- // an end without its create (metrics made later) does not go below zero
    },
    proxyForward() {
      forwardCount++
    },
    proxyResponse(event) {
      const e = event as { response?: { status?: number } | null; elapsedMs?: unknown } | null
      const elapsedMs = e?.elapsedMs
      if (typeof elapsedMs !== 'number' || !Number.isFinite(elapsedMs) || elapsedMs < 0) return
      forwardSeconds.observe(statusClassIndex(e?.response?.status), elapsedMs / 1000)
    },
    connectionReject(event) {
      const reason = (event as { reason?: unknown } | null)?.reason
      if (typeof reason === 'string') rejectBy.get(reason)?.inc()
    },
    proxyNextHop(event) {
      const e = event as { nextHop?: unknown; up?: unknown } | null
      if (typeof e?.nextHop !== 'string' || typeof e.up !== 'boolean') return
      // the hops are configuration, a few; a bound all the same (the channel is public)
      if (!nextHops.has(e.nextHop) && nextHops.size >= maxNextHops) return
      nextHops.add(e.nextHop)
      nextHopUp.labels({ next_hop: e.nextHop }).set(e.up ? 1 : 0)
    },
    proxyFloodBlock() {
      floodBlocks.inc()
    },
    proxyOverload(event) {
      const e = event as { utilization?: unknown; admitRatio?: unknown; refused?: unknown } | null
      if (typeof e?.utilization === 'number' && e.utilization >= 0 && e.utilization <= 1)
        loopUtilization.set(e.utilization)
      if (typeof e?.admitRatio === 'number' && e.admitRatio >= 0 && e.admitRatio <= 1)
        admitRatio.set(e.admitRatio)
      if (typeof e?.refused === 'number' && Number.isSafeInteger(e.refused) && e.refused > 0)
        overloadRejects.inc(e.refused)
    },
    registrarBinding(event) {
      const name = (event as { event?: unknown } | null)?.event
      const child = typeof name === 'string' ? bindingEventBy.get(name) : undefined
      if (child === undefined) return
      child.inc()
      if (name === 'added') bindings.inc()
      else if (name === 'expired' || name === 'removed') bindings.dec()
    },
    authFailure(event) {
      const reason = (event as { reason?: unknown } | null)?.reason
      if (typeof reason === 'string') authFailureBy.get(reason)?.inc()
    },
    authBlock() {
      authBlocks.inc()
    },
  }

  const names = Object.keys(metricChannels) as (keyof typeof metricChannels)[]
  for (const key of names) subscribe(metricChannels[key], handlers[key])
  let closed = false

  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    close() {
      if (closed) return
      closed = true
      for (const key of names) unsubscribe(metricChannels[key], handlers[key])
    },
  }
}
