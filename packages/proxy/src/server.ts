/**
 * createSipServer: the composition root of one SIP server — transport, transaction layer, RFC 3263
 * resolver and the proxy core around one Route. It is the transaction user of RFC 3261 §17: new
 * requests, ACKs for 2xx, stray responses and CANCELs arrive here and go to the proxy core.
 */
import { CallId, createResponse, type SipMessage, type SipRequest, type SipResponse } from '@junction/sip'
import {
  type Clock,
  createTransactionLayer,
  type InviteServerTransaction,
  type ServerTransaction,
  systemClock,
  type TimerSettings,
  type TransactionUser,
} from '@junction/transaction'
import {
  createMemoryTransport,
  createResolver,
  createTransport,
  type Flow,
  type MemorySource,
  type MemoryTransport,
  type Resolver,
  type ResolverOptions,
  type Transport,
  type TransportDeps,
  type TransportName,
  type TransportOptions,
} from '@junction/transport'
import { base36 } from './branch.ts'
import { proxyDrop, proxyResponse } from './channels.ts'
import { type Core, type Log, type ProxyStats, sendableTransports } from './core.ts'
import { faultCodes, ProxyError } from './errors.ts'
import { createLocality } from './locality.ts'
import { originate } from './originate.ts'
import {
  createOverloadControl,
  type OverloadControl,
  type OverloadControlDeps,
  type OverloadControlOptions,
} from './overload.ts'
import {
  createOverloadClient,
  type OverloadClient,
  type OverloadClientDeps,
  type OverloadClientOptions,
} from './overload-client.ts'
import { preprocess } from './preprocess.ts'
import { ProxyTransaction } from './proxy-transaction.ts'
import { RequestContext, type Route, type ServerInfo } from './route.ts'
import { forwardResponseStateless, forwardStateless } from './stateless.ts'
import { isThenable } from './thenable.ts'
import { Verdict } from './verdict.ts'

export interface SipServerOptions {
  /** The policy: decides every request (see Route). */
  readonly route: Route
  /**
   * Listeners (`udp:0.0.0.0:5060`, `tls:[::]:5061`, ...). Omitted: an in-memory transport that only
   * `inject()` feeds — the real stack without sockets, for tests.
   */
  readonly listen?: TransportOptions['listen'] | undefined
  readonly limits?: TransportOptions['limits'] | undefined
  readonly tlsClient?: TransportOptions['tlsClient'] | undefined
  /** Domains this server is responsible for (`ctx.server.isLocal`). */
  readonly domains?: readonly string[] | undefined
  /** Other names of this server (`host` or `host:port`) that Route and Request-URIs may use. */
  readonly aliases?: readonly string[] | undefined
  /** Option tags accepted in Proxy-Require (§16.3 step 5); others get 420. Default none. */
  readonly supported?: readonly string[] | undefined
  /** T1, T2, T4, Timer D (RFC 3261 §17). */
  readonly timers?: Partial<TimerSettings> | undefined
  /** Timer C (§16.6 step 11), ms. Default 180 000 (more than 3 minutes is what §16.6 asks; 3 is common). */
  readonly timerC?: number | undefined
  /**
   * Most live transactions; past it new requests get 503 with Retry-After (§21.5.4), counted in
   * `stats.overloaded`. Default: the V8 heap limit / 4 KiB (`defaultMaxTransactions()` of
   * @junction/transaction).
   */
  readonly maxTransactions?: number | undefined
  /**
   * Most transactions still holding their request (not answered yet); past it new requests get
   * 503 too. Default: the V8 heap limit / 32 KiB (see @junction/transaction `maxUnanswered`).
   */
  readonly maxUnanswered?: number | undefined
  /**
   * Overload control: refuse a share of new requests with 503 while the event loop is busy past
   * `utilization` (see createOverloadControl). Omitted: off.
   */
  readonly overload?: OverloadControlOptions | undefined
  /**
   * RFC 7339 client role: ask next hops for overload feedback (`oc` in our Via) and shed the share
   * of new requests a next hop asks for while its answer holds (see createOverloadClient). Omitted:
   * off. (The server role needs no option: with `overload`, a client that asks gets answers.)
   */
  readonly overloadClient?: OverloadClientOptions | undefined
  /** Most branches for one request. Default 32. */
  readonly maxBranches?: number | undefined
  /** RFC 3263 resolver settings (when no resolver is given in the dependencies). */
  readonly resolver?: ResolverOptions | undefined
}

export interface SipServerDeps {
  readonly clock?: Clock | undefined
  readonly resolver?: Resolver | undefined
  readonly log?: Log | undefined
  /**
   * The transport: a factory, or `'memory'` for the in-memory transport on the `listen` listeners
   * (for tests that need several). Default: sockets for `listen`, the in-memory transport without.
   */
  readonly transport?: 'memory' | ((deps: TransportDeps) => Transport) | undefined
  /**
   * A connection closed and its flow is gone (RFC 5626 §5.2 flow failure): a registrar removes the
   * bindings that were reachable only over it.
   */
  readonly onFlowClosed?: ((flow: Flow) => void) | undefined
  /** The utilization sampler of overload control (tests). */
  readonly overload?: OverloadControlDeps | undefined
  /** The wall clock of the RFC 7339 client role (tests). */
  readonly overloadClient?: OverloadClientDeps | undefined
}

export interface SipServer {
  start(): Promise<void>
  /**
   * Stops: new requests get 503 while the requests in progress get their final response (for at
   * most `drainMs`, default 0), then every transaction ends and the listeners close.
   */
  stop(options?: { drainMs?: number }): Promise<void>
  /**
   * Feeds a message (octets, text or a SipMessage) into the stack as if it came from `from` over the
   * in-memory transport; what the server sends is in `network.sent`. Only without `listen`.
   */
  inject(input: Uint8Array | string | SipMessage, from?: MemorySource): Flow
  /**
   * Sends a request of this server's own as a UAC (RFC 3261 §8.1), e.g. an OPTIONS probe: build it
   * with `createRequest` (no Via: ours is added). It goes to its top Route or Request-URI (RFC
   * 3263), the next destination tried after a timeout, a transport error or a 503. Resolves with
   * the final response, or a 408 (timeout) or 503 (transport error, no destination) made here
   * (§8.1.3.1); never rejects.
   */
  request(request: SipRequest): Promise<SipResponse>
  /** The in-memory transport (without `listen`): what was sent, and a way to wait for the next message. */
  readonly network: MemoryTransport | undefined
  readonly transport: Transport
  /** Overload control, when `overload` is configured: its state for an admin API. */
  readonly overload: OverloadControl | undefined
  /** The RFC 7339 client role, when `overloadClient` is configured: the next hops throttled now. */
  readonly overloadClient: OverloadClient | undefined
  readonly info: ServerInfo
  readonly stats: Readonly<ProxyStats> & {
    readonly transactions: number
    readonly pending: number
    /**
     * New requests answered 503 because `maxTransactions` were live, `maxUnanswered` unanswered,
     * or overload control refused them.
     */
    readonly overloaded: number
  }
}

/** The proxy transaction of an INVITE server transaction (kept in its `userData`), for CANCEL (§16.10). */
function contextOf(tx: ServerTransaction): ProxyTransaction | undefined {
  return tx.userData instanceof ProxyTransaction ? tx.userData : undefined
}

export function createSipServer(options: SipServerOptions, deps: SipServerDeps = {}): SipServer {
  const clock = deps.clock ?? systemClock
  let draining = false
  let suffix = 0
  let transports: readonly TransportName[] | undefined

  const pending = { count: 0 }
  const stats: ProxyStats = {
    requests: 0,
    replies: 0,
    branches: 0,
    stateless: 0,
    strayResponses: 0,
    dropped: 0,
    routeErrors: 0,
  }

  const transportDeps: TransportDeps = {
    receive: (message, flow) => layer.receive(message, flow),
    flowClosed: (flow) => deps.onFlowClosed?.(flow),
  }
  let network: MemoryTransport | undefined
  let transport: Transport
  if (typeof deps.transport === 'function') transport = deps.transport(transportDeps)
  else if (options.listen === undefined || deps.transport === 'memory') {
    network = createMemoryTransport({ listen: options.listen }, transportDeps)
    transport = network
  } else {
    transport = createTransport(
      { listen: options.listen, limits: options.limits, tlsClient: options.tlsClient },
      transportDeps,
    )
  }

  const resolver = deps.resolver ?? createResolver(options.resolver)
  const locality = createLocality(() => transport.listeners, options.domains ?? [], options.aliases ?? [])
  const server: ServerInfo = { domains: locality.domains, isLocal: (uri) => locality.isLocal(uri) }

  const user: TransactionUser = {
    onRequest(tx) {
      stats.requests++
      const req = tx.request
      if (req.method === 'CANCEL' && tx.cancels !== undefined) {
        cancelMatched(tx, tx.cancels)
        return
      }
      if (draining) {
        stats.replies++
        tx.respond(createResponse(req, 503, undefined, { headers: { 'Retry-After': '5' } }))
        return
      }
      const pre = preprocess(core, req)
      if (!pre.ok) {
        stats.replies++
        const response = createResponse(req, pre.status, pre.reason, { headers: pre.headers })
        tx.respond(response)
        if (proxyResponse.hasSubscribers) proxyResponse.publish({ request: req, response, elapsedMs: 0 })
        return
      }
      const pt = new ProxyTransaction(core, tx, pre.receivedUri, pre.poppedRoutes)
      if (req.method === 'INVITE') tx.userData = pt
      pt.run()
    },

    onAck(ack, flow) {
      // an ACK for a 2xx (or one no transaction knows): end to end, statelessly (§16.7, §16.11)
      stats.requests++
      const pre = preprocess(core, ack)
      if (!pre.ok) {
        drop(ack, 'invalid')
        return
      }
      let verdict: Verdict | Promise<Verdict>
      try {
        verdict = route.onRequest(new RequestContext(ack, flow, server, pre.poppedRoutes))
      } catch (error) {
        ackRouteFailed(ack, error)
        return
      }
      // a verdict given at once is carried out at once: the ACK keeps its place before the
      // requests that follow it in the dialog (a BYE right behind it)
      if (isThenable(verdict))
        verdict.then(
          (v) => forwardAck(ack, flow, v),
          (error: unknown) => ackRouteFailed(ack, error),
        )
      else forwardAck(ack, flow, verdict)
    },

    onStrayResponse(response) {
      forwardResponseStateless(core, response).then(
        (sent) => {
          if (!sent) stats.dropped++
        },
        (error: unknown) => {
          stats.dropped++
          log?.debug(
            { err: error, status: response.status, callId: response.headers.get(CallId) },
            'stray response not forwarded',
          )
        },
      )
    },

    onServerFailure(tx) {
      contextOf(tx)?.serverFailed()
    },
  }

  const overload =
    options.overload === undefined
      ? undefined
      : createOverloadControl(options.overload, { backlog: () => transport.udpBacklog?.(), ...deps.overload })
  const layer = createTransactionLayer(
    { transport, user },
    {
      clock,
      admit: overload?.admit,
      overloadFeedback: overload?.feedback,
      timers: options.timers,
      maxTransactions: options.maxTransactions,
      maxUnanswered: options.maxUnanswered,
      // 100 Trying is sent by the proxy core once it forwards (or after 200 ms of an async route)
      tryingDelay: -1,
    },
  )
  const log = deps.log
  const route = options.route
  const overloadClient =
    options.overloadClient === undefined
      ? undefined
      : createOverloadClient(options.overloadClient, deps.overloadClient)
  const t1 = options.timers?.t1 ?? 500

  const core: Core = {
    layer,
    transport,
    resolver,
    route,
    locality,
    server,
    clock,
    log,
    overloadClient,
    settings: {
      timerC: options.timerC ?? 181_000, // §16.6 step 11: larger than 3 minutes
      maxBranches: options.maxBranches ?? 32,
      supported: options.supported ?? [],
      cancelWait: 64 * t1,
    },
    stats,
    pending,
    nextSuffix() {
      // an increment and a compare: `%` by MAX_SAFE_INTEGER is a floating-point fmod, slow
      suffix = suffix >= Number.MAX_SAFE_INTEGER ? 1 : suffix + 1
      return base36(suffix)
    },
    destinations(uri) {
      transports ??= sendableTransports(transport)
      const now = resolver.resolveNow?.(uri, { transports })
      if (now !== undefined) return now.targets
      return resolver.resolve(uri, { transports }).then((r) => r.targets)
    },
  }

  function drop(request: { readonly method: string }, reason: string): void {
    stats.dropped++
    if (proxyDrop.hasSubscribers) proxyDrop.publish({ request, reason })
  }

  function forwardAck(ack: SipRequest, flow: Flow, verdict: Verdict): void {
    const action = Verdict.actionOf(verdict)
    if (action.kind !== 'forward' && action.kind !== 'forward-in-dialog') {
      drop(ack, action.kind)
      return
    }
    const target = action.kind === 'forward' ? action.targets?.[0] : undefined
    forwardStateless(core, ack, target, action.options, flow).then(
      (sent) => {
        if (!sent) drop(ack, 'no destination')
      },
      (error: unknown) => {
        drop(ack, 'transport')
        log?.debug({ err: error, callId: ack.headers.get(CallId) }, 'ACK not forwarded')
      },
    )
  }

  function ackRouteFailed(ack: SipRequest, error: unknown): void {
    stats.routeErrors++
    log?.error(
      { err: error, code: faultCodes.ROUTE_FAILED, callId: ack.headers.get(CallId) },
      'route failed on an ACK: dropped',
    )
  }

  /** §16.10: a CANCEL for an INVITE we have: 200 for the CANCEL, then cancel the branches. */
  function cancelMatched(tx: ServerTransaction, invite: InviteServerTransaction): void {
    stats.replies++
    tx.respond(createResponse(tx.request, 200))
    const pt = contextOf(invite)
    if (pt !== undefined) pt.cancel()
    else if (invite.state === 'proceeding') invite.respond(createResponse(invite.request, 487))
  }

  return {
    async start() {
      await transport.start()
      transports = sendableTransports(transport)
      overload?.start()
    },
    async stop(opts = {}) {
      draining = true
      const until = clock.now() + (opts.drainMs ?? 0)
      // requests still waiting for a final response get it (or time out) first; the
      // transactions that only wait for retransmissions (Timers J, K, D) need not
      while (pending.count > 0 && clock.now() < until) await new Promise((r) => setTimeout(r, 20))
      overload?.stop()
      layer.close()
      await transport.stop()
    },
    request: (request) => originate(core, request),
    inject(input, from) {
      if (network === undefined) {
        throw new ProxyError(
          faultCodes.NO_MEMORY_TRANSPORT,
          'inject() needs the in-memory transport (no `listen`)',
        )
      }
      return network.receive(input, from)
    },
    network,
    transport,
    overload,
    overloadClient,
    info: server,
    get stats() {
      return { ...stats, transactions: layer.size, pending: pending.count, overloaded: layer.overloaded }
    },
  }
}
