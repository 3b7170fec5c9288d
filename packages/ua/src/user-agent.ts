/**
 * The user agent (RFC 3261 §8): a UAC that builds requests (§8.1.1: Call-ID, From tag, CSeq, Via
 * branch, Max-Forwards, Contact, the outbound proxy as a pre-loaded Route §8.1.2) and a UAS that
 * answers them (§8.2: method inspection 405, Require 420, dialog matching 481, OPTIONS §11.2,
 * MESSAGE RFC 3428 §7), over the transactions of `@junction/transaction` and a transport.
 */
import {
  CallId,
  createRequest,
  createResponse,
  From,
  generateCallId,
  parseUri,
  Require,
  type RouteValue,
  type SipRequest,
  ToTag,
  type Uri,
} from '@junction/sip'
import {
  type Clock,
  createTransactionLayer,
  InviteServerTransaction,
  type ServerTransaction,
  systemClock,
  type TimerSettings,
} from '@junction/transaction'
import {
  createResolver,
  type Resolver,
  type Transport,
  type TransportDeps,
  type TransportName,
} from '@junction/transport'
import {
  type CallContext,
  type IncomingCall,
  IncomingInvite,
  type InviteOptions,
  type OutgoingCall,
  startCall,
} from './call.ts'
import { createCore, type LocalAddress, type Outcome } from './core.ts'
import { type CredentialsProvider, createAuthState } from './credentials.ts'
import { dialogKeyOfRequest, dialogKeyOfResponse } from './dialog.ts'
import { invalidArgument } from './errors.ts'
import { type RegisterOptions, type Registration, startRegistration } from './registration.ts'
import type { Body, Session } from './session.ts'
import {
  type SubscribeOptions,
  type Subscription,
  SubscriptionImpl,
  subscriptionKey,
} from './subscription.ts'

export interface Identity {
  /** The AOR, e.g. `sip:alice@example.com`: From of our requests, To of our REGISTERs. */
  readonly uri: string | Uri
  readonly displayName?: string | undefined
}

export interface UserAgentHandlers {
  /** A new INVITE (§13.3). Without a handler it is answered 480. */
  onInvite?(call: IncomingCall): void
  /** A MESSAGE (RFC 3428 §7): returns the status to answer (anything but a number: 200). */
  onMessage?(request: SipRequest): unknown
  /** Any other request outside a dialog that we allow: returns the status (anything but a number: 200). */
  onRequest?(request: SipRequest): unknown
}

export interface UserAgentOptions {
  readonly identity: Identity
  /** Answers 401/407 (`createDigestProvider`, or an AKA provider). */
  readonly credentials?: CredentialsProvider | undefined
  /** Outbound proxy (§8.1.2): put first in Route of every request outside a dialog. */
  readonly outboundProxy?: string | Uri | undefined
  /** Transports to resolve next hops to, in order (default `['udp']`). */
  readonly transports?: readonly TransportName[] | undefined
  /** User-Agent header value (default `junction-ua`; empty string: none). */
  readonly userAgent?: string | undefined
  /** T1, T2, T4 (default 500 ms, 4 s, 5 s). */
  readonly timers?: Partial<TimerSettings> | undefined
  readonly handlers?: UserAgentHandlers | undefined
  /** Header fields added to every request outside a dialog (P-Visited-Network-ID, P-Access-Network-Info, ...). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

export interface UserAgentDeps {
  /** Makes the transport the UA receives from (e.g. `(deps) => createTransport(options, deps)`). */
  readonly transport: (deps: TransportDeps) => Transport
  readonly clock?: Clock | undefined
  /** RFC 3263 resolution of next hops (default `createResolver()`). */
  readonly resolver?: Pick<Resolver, 'resolve'> | undefined
}

export interface RequestOptions {
  readonly to?: string | Uri | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: Uint8Array | string | undefined
  readonly contentType?: string | undefined
}

export interface UserAgent {
  readonly transport: Transport
  readonly aor: Uri
  start(): Promise<void>
  /** Ends pending requests (503 `JUNCTION_ERR_UA_STOPPED`), sessions and timers; stops the transport. */
  stop(): Promise<void>
  /** A request outside a dialog (OPTIONS, MESSAGE, ...); resolves with its final response. */
  request(method: string, uri: string | Uri, options?: RequestOptions): Promise<Outcome>
  /** MESSAGE (RFC 3428 §4): text/plain unless told. */
  message(to: string | Uri, text: string | Uint8Array, contentType?: string): Promise<Outcome>
  /** INVITE (§13.2) with an offer. */
  invite(uri: string | Uri, options?: InviteOptions & RequestOptions): OutgoingCall
  /** REGISTER (§10.2), refreshed until `unregister()` or `stop()`. */
  register(options?: RegisterOptions): Registration
  /** SUBSCRIBE (RFC 6665 §4.1): NOTIFYs reported, refreshed until `unsubscribe()` or `stop()`. */
  subscribe(uri: string | Uri, options: SubscribeOptions & RequestOptions): Subscription
  /** Live sessions. */
  readonly sessions: ReadonlySet<Session>
}

/** Methods we answer (Allow, §20.5). */
const allowed = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE', 'INFO', 'UPDATE', 'NOTIFY']
const defaultTimers: TimerSettings = { t1: 500, t2: 4000, t4: 5000, d: 32000 }

function toUri(value: string | Uri, what: string): Uri {
  if (typeof value !== 'string') return value
  return (
    parseUri(value) ??
    (() => {
      throw invalidArgument(`${what} is not a URI: ${value}`)
    })()
  )
}

export function createUserAgent(options: UserAgentOptions, deps: UserAgentDeps): UserAgent {
  const aor = toUri(options.identity.uri, 'identity.uri')
  const displayName = options.identity.displayName
  const proxy =
    options.outboundProxy === undefined ? undefined : toUri(options.outboundProxy, 'outboundProxy')
  const route: RouteValue[] =
    proxy === undefined
      ? []
      : [
          {
            uri:
              proxy.kind === 'sip' && !proxy.params.has('lr')
                ? { ...proxy, params: new Map([...proxy.params, ['lr', null]]) }
                : proxy,
          },
        ]
  const userAgent = options.userAgent === '' ? undefined : (options.userAgent ?? 'junction-ua')
  const timers: TimerSettings = { ...defaultTimers, ...options.timers }
  const clock = deps.clock ?? systemClock
  const handlers = options.handlers ?? {}
  const sessions = new Map<string, Session>()
  const live = new Set<Session>()
  const incoming = new Map<ServerTransaction, IncomingInvite>()
  const subscriptions = new Map<string, SubscriptionImpl>()
  const pending = new Set<{ end(): void }>()
  let stopped = false

  const transport = deps.transport({ receive: (message, flow) => layer.receive(message, flow) })
  const layer = createTransactionLayer(
    {
      transport,
      user: {
        onRequest: receiveRequest,
        onAck(ack) {
          const key = dialogKeyOfRequest(ack)
          if (key !== undefined) sessions.get(key)?.receiveAck(ack)
        },
        onStrayResponse(response) {
          // a 2xx retransmission after the INVITE transaction ended: ACK it again (§13.2.2.4)
          const key = dialogKeyOfResponse(response)
          if (response.status >= 200 && response.status < 300 && key !== undefined)
            sessions.get(key)?.receive2xx(response)
        },
      },
    },
    { clock, timers },
  )
  const core = createCore({
    clock,
    timers,
    transport,
    layer,
    resolver: deps.resolver ?? createResolver({ transports: ['udp', 'tcp', 'tls', 'ws', 'wss'] }),
    transports: options.transports ?? ['udp'],
    credentials: options.credentials,
    auth: createAuthState(),
    contactUser: aor.kind === 'sip' ? aor.user : undefined,
    isStopped: () => stopped,
    pending,
  })
  const contact = (local: LocalAddress) => ({ uri: core.contactUri(local) })
  const callContext: CallContext = {
    core,
    contact,
    adopt(session) {
      sessions.set(session.dialog.key, session)
      live.add(session)
    },
    forget(session) {
      if (sessions.get(session.dialog.key) === session) sessions.delete(session.dialog.key)
      live.delete(session)
    },
  }

  function respond(
    tx: ServerTransaction,
    status: number,
    reason?: string,
    headers?: Record<string, string>,
  ): undefined {
    tx.respond(createResponse(tx.request, status, reason, headers === undefined ? {} : { headers }))
    return undefined
  }

  /** §8.2: a request from the network. */
  function receiveRequest(tx: ServerTransaction): undefined {
    const request = tx.request
    const method = request.method
    // §8.2.1: a method we do not know
    if (!allowed.includes(method)) return respond(tx, 405, undefined, { Allow: allowed.join(', ') })
    if (method === 'CANCEL') {
      // §9.2: 200 to the CANCEL, 487 to the INVITE when not answered yet; 481 when it matches none
      const invite = tx.cancels === undefined ? undefined : incoming.get(tx.cancels)
      if (tx.cancels === undefined) return respond(tx, 481)
      respond(tx, 200)
      invite?.cancelled()
      return
    }
    // §8.2.2.3: we support no extension, so any Require is unsupported
    const required = request.headers.get(Require) ?? []
    if (required.length > 0) return respond(tx, 420, undefined, { Unsupported: required.join(', ') })
    // §12.2.2: a To tag means a request within a dialog
    const key = dialogKeyOfRequest(request)
    if (key !== undefined) {
      const session = sessions.get(key)
      if (session !== undefined) {
        session.receive(tx)
        return
      }
      // RFC 6665 §4.1.3: a NOTIFY of one of our subscriptions (its dialog may not exist yet)
      const callId = request.headers.get(CallId)
      const toTag = request.headers.get(ToTag)
      const sub =
        method === 'NOTIFY' && callId !== undefined && toTag !== undefined
          ? subscriptions.get(subscriptionKey(callId, toTag))
          : undefined
      if (sub === undefined) return respond(tx, 481)
      sub.receiveNotify(tx)
      return
    }
    if (request.headers.get(CallId) === undefined || request.headers.get(From)?.tag === undefined)
      return respond(tx, 400, 'Missing Call-ID or From tag')
    switch (method) {
      case 'INVITE': {
        if (!(tx instanceof InviteServerTransaction)) return
        if (handlers.onInvite === undefined) return respond(tx, 480)
        const call = new IncomingInvite(tx, callContext, () => incoming.delete(tx))
        incoming.set(tx, call)
        handlers.onInvite(call)
        return
      }
      case 'OPTIONS':
        // §11.2: what we would answer an INVITE, with our capabilities
        return respond(tx, 200, undefined, {
          Allow: allowed.join(', '),
          Accept: 'application/sdp, text/plain',
          Supported: '',
        })
      case 'MESSAGE': {
        const status = handlers.onMessage?.(request)
        return respond(tx, typeof status === 'number' ? status : 200)
      }
      case 'BYE':
        return respond(tx, 481)
      default: {
        const status = handlers.onRequest?.(request)
        return respond(tx, typeof status === 'number' ? status : 200)
      }
    }
  }

  function newRequest(method: string, uri: Uri, opts: RequestOptions): SipRequest {
    return createRequest({
      method,
      uri,
      from: { uri: aor, displayName },
      to: { uri: opts.to === undefined ? uri : toUri(opts.to, 'to') },
      callId: generateCallId(),
      cseq: 1,
      via: { transport: 'UDP', host: '0.0.0.0' },
      route,
      headers: {
        ...(userAgent === undefined ? {} : { 'User-Agent': userAgent }),
        ...options.headers,
        ...opts.headers,
      },
      ...(opts.body === undefined ? {} : { body: opts.body }),
      ...(opts.contentType === undefined ? {} : { contentType: opts.contentType }),
    })
  }

  const ua: UserAgent = {
    transport,
    aor,
    sessions: live,
    async start() {
      await transport.start()
    },
    async stop() {
      if (stopped) return
      stopped = true
      for (const p of [...pending]) p.end()
      for (const s of [...live]) s.abandon('the user agent stopped')
      for (const s of [...subscriptions.values()]) s.abandon()
      layer.close()
      await transport.stop()
    },
    request(method, uri, opts = {}) {
      if (method === 'INVITE' || method === 'ACK' || method === 'CANCEL')
        throw invalidArgument(`use invite() or a session for ${method}`)
      return core.send(newRequest(method, toUri(uri, 'uri'), opts))
    },
    message(to, text, contentType = 'text/plain;charset=UTF-8') {
      return ua.request('MESSAGE', to, { body: text, contentType })
    },
    invite(uri, opts = {}) {
      const offer: Body | undefined = opts.offer
      const request = newRequest('INVITE', toUri(uri, 'uri'), {
        ...opts,
        headers: { Allow: allowed.join(', '), ...opts.headers },
        ...(offer === undefined ? {} : { body: offer.body, contentType: offer.contentType }),
      })
      const call = startCall(callContext, request, opts)
      return call
    },
    subscribe(uri, opts) {
      const { event, expires, accept, refresh, onNotify, ...request } = opts
      const req = newRequest('SUBSCRIBE', toUri(uri, 'uri'), {
        ...request,
        headers: {
          Event: event,
          Expires: String(expires ?? 3600),
          ...(accept === undefined ? {} : { Accept: accept }),
          ...request.headers,
        },
      })
      return new SubscriptionImpl(
        {
          core,
          contact,
          adopt: (k, s) => subscriptions.set(k, s),
          forget: (k) => subscriptions.delete(k),
        },
        req,
        { event, expires, accept, refresh, onNotify },
      )
    },
    register(opts = {}) {
      return startRegistration(
        { core, aor, displayName, route, userAgent },
        options.headers === undefined ? opts : { ...opts, headers: { ...options.headers, ...opts.headers } },
      )
    },
  }
  return ua
}
