/**
 * The config slice of a SIP server (DESIGN.md "Config"): listeners, domains, timers and limits, as
 * a strict zod schema a flavor composes into its own, and the mapping to createSipServer options.
 */
import { defaultMaxTransactions, defaultMaxUnanswered, defaultTimers } from '@junction/transaction'
import { defaultTransportLimits as limit, parseListenerSpec } from '@junction/transport'
import { z } from 'zod'
import type { SipServerOptions } from './server.ts'

const port = z.number().int().min(0).max(65535)

const tlsFiles = z.strictObject({
  cert: z.string().min(1).describe('PEM certificate chain file'),
  key: z.string().min(1).describe('PEM private key file'),
  ca: z.string().min(1).optional().describe('CA bundle to verify client certificates'),
  requestCert: z.boolean().optional().describe('Ask for and verify client certificates'),
  reloadInterval: z.number().int().min(100).optional().describe('ms between checks for changed files'),
  sni: z
    .array(z.strictObject({ servername: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) }))
    .optional()
    .describe('More certificates, chosen by the server name the client asks for (SNI)'),
})

const listenerObject = z
  .strictObject({
    transport: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']),
    host: z.string().min(1).describe('Address to bind: 0.0.0.0, ::, 127.0.0.1, ...'),
    port,
    advertise: z
      .string()
      .min(1)
      .optional()
      .describe('host[:port] for Via and Record-Route (NAT, containers)'),
    tls: tlsFiles.optional(),
    path: z.string().startsWith('/').optional().describe('WS/WSS: the HTTP path that upgrades'),
  })
  .refine((l) => (l.transport !== 'tls' && l.transport !== 'wss') || l.tls !== undefined, {
    message: 'a tls or wss listener needs tls: { cert, key }',
  })

const listenerSpec = z
  .string()
  .refine((s) => parseListenerSpec(s) !== undefined, {
    message: 'expected transport:address:port, e.g. udp:0.0.0.0:5060 or tcp:[::1]:5060',
  })
  .refine(
    (s) => {
      const t = parseListenerSpec(s)?.transport
      return t !== 'tls' && t !== 'wss'
    },
    {
      message: 'a tls or wss listener needs a certificate: write it as an object with tls: { cert, key }',
    },
  )

export const sipServerConfig = z
  .strictObject({
    listen: z
      .array(z.union([listenerSpec, listenerObject]))
      .min(1)
      .default(['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'])
      .describe('Listeners; strings (udp:127.0.0.1:5060) or objects with advertise/tls'),
    domains: z
      .array(z.string().min(1))
      .default(['localhost'])
      .describe('Domains this server is responsible for'),
    aliases: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Other names or addresses (host or host:port) that mean this server in Route and Request-URIs',
      ),
    supported: z.array(z.string().min(1)).default([]).describe('Option tags accepted in Proxy-Require'),
    timers: z
      .strictObject({
        t1: z.number().int().min(1).default(defaultTimers.t1),
        t2: z.number().int().min(1).default(defaultTimers.t2),
        t4: z.number().int().min(1).default(defaultTimers.t4),
        d: z.number().int().min(0).default(defaultTimers.d),
      })
      .prefault({})
      .describe('RFC 3261 §17 timers in ms (defaults T1 500, T2 4000, T4 5000, D 32000)'),
    timerC: z
      .number()
      .int()
      .min(1000)
      .default(181_000)
      .describe('Timer C in ms (§16.6 step 11: larger than 3 minutes)'),
    maxTransactions: z
      .number()
      .int()
      .min(1)
      .default(defaultMaxTransactions)
      .describe('Past it, new requests get 503 (default: the V8 heap limit / 4 KiB, about 1 million)'),
    maxUnanswered: z
      .number()
      .int()
      .min(1)
      .default(defaultMaxUnanswered)
      .describe(
        'Past this many transactions not answered yet, new requests get 503 (default: the V8 heap limit / 32 KiB)',
      ),
    maxBranches: z.number().int().min(1).max(1000).default(32).describe('Branches per request at most'),
    overload: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Refuse a share of new requests with 503 and Retry-After while the event loop is busy past utilization, so that accepted calls still finish (in-dialog requests, CANCEL, ACK and emergency calls are never refused); a client that supports RFC 7339 (oc in its Via) is told in its Via of every response what share to shed before sending',
          ),
        utilization: z
          .number()
          .min(0.5)
          .max(1)
          .default(0.95)
          .describe('Event-loop utilization (0.5 to 1, smoothed over about 0.6 s) that counts as overload'),
        minAdmit: z
          .number()
          .min(0)
          .max(1)
          .default(0.05)
          .describe('The least share of new requests still admitted while overloaded'),
        client: z
          .boolean()
          .default(false)
          .describe(
            'RFC 7339 client role: put oc;oc-algo="loss" in our Via on forwarded requests and shed the share of new requests a next hop asks for in its responses while its answer holds (in-dialog requests, CANCEL, ACK and emergency calls are never shed; a shed request moves on to the next destination). Off by default: every response then carries a Via the fast parser does not take. (The server role needs no switch: while enabled, a client whose Via has oc gets oc, oc-algo, oc-validity and oc-seq back.)',
          ),
      })
      .prefault({})
      .describe('Overload control (RFC 3261 §21.5.4, RFC 7339)'),
    limits: z
      .strictObject({
        maxConnections: z.number().int().min(1).default(limit.maxConnections),
        maxConnectionsPerIp: z.number().int().min(1).default(limit.maxConnectionsPerIp),
        idleTimeout: z.number().int().min(1000).default(limit.idleTimeout),
        maxWriteBuffer: z.number().int().min(4096).default(limit.maxWriteBuffer),
        maxMessageSize: z
          .number()
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(limit.maxMessageSize),
        maxDatagramSize: z.number().int().min(1024).max(65535).default(limit.maxDatagramSize),
        connectTimeout: z.number().int().min(100).default(limit.connectTimeout),
        messageTimeout: z.number().int().min(1000).default(limit.messageTimeout),
        handshakeTimeout: z.number().int().min(100).default(limit.handshakeTimeout),
        udpBufferSize: z
          .number()
          .int()
          .min(65536)
          .max(256 * 1024 * 1024)
          .default(limit.udpBufferSize),
      })
      .prefault({})
      .describe('Transport limits (see @junction/transport)'),
    tlsClient: z
      .strictObject({ ca: z.string().min(1).optional() })
      .default({})
      .describe('Outgoing TLS: CA bundle to trust (default: the system store)'),
  })
  .prefault({})

export type SipServerConfig = z.output<typeof sipServerConfig>

/** The createSipServer options of a validated config slice (the route comes from the flavor). */
/** The object without its undefined properties (zod's optional keys, for exactOptionalPropertyTypes). */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never
}

export function serverOptions(config: SipServerConfig): Omit<SipServerOptions, 'route'> {
  return {
    listen: config.listen,
    domains: config.domains,
    aliases: config.aliases,
    supported: config.supported,
    timers: defined(config.timers),
    timerC: config.timerC,
    maxTransactions: config.maxTransactions,
    maxUnanswered: config.maxUnanswered,
    maxBranches: config.maxBranches,
    ...(config.overload.enabled
      ? { overload: { utilization: config.overload.utilization, minAdmit: config.overload.minAdmit } }
      : {}),
    ...(config.overload.client ? { overloadClient: {} } : {}),
    limits: defined(config.limits),
    tlsClient: config.tlsClient,
  }
}
