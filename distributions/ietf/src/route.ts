/**
 * The policy of junction-ietf, top to bottom like a Kamailio request_route:
 *
 * 0. a source blocked by the failed-auth guard is ignored; from a source that is not a trusted
 *    peer, P-Asserted-Identity, P-Preferred-Identity and Remote-Party-ID are removed (RFC 3325 §5);
 * 1. in-dialog requests follow their route set (RFC 3261 §16.12) when it names us (else 404) with
 *    a token we signed (else 403: a forged dialog must not make us a relay): to an Outbound UA
 *    over the flow its Record-Route token names (RFC 5626 §5.3, 430 when it is gone), to a NATed
 *    UA through its Contact alias, else to the Request-URI;
 * 2. OPTIONS to the server itself are answered 200 (keep-alives, monitoring);
 * 3. REGISTER for our domains: authenticate (401, §22.2), then the registrar (§10.3); a Path
 *    (RFC 3327) is kept only from a trusted peer (an edge proxy);
 * 4. requests from our own users (From in our domains) authenticate (407, §22.3) as that user —
 *    trusted peers (gateways, trunks, by source address) are not challenged;
 * 5. a static route that matches sends the request to its next hop — when authentication is on,
 *    for our authenticated users and trusted peers only (407 for others), unless the route says
 *    `auth: none`;
 * 6. requests for our domains go to the registered contacts (location lookup, §16.5), 480 when
 *    there are none, 404 when no registrar runs;
 * 7. requests for other domains are relayed by DNS only when `relay.dns` is on and the caller
 *    authenticated or is trusted — never an open relay: 403.
 */
import { randomBytes } from 'node:crypto'
import type { BlockList } from 'node:net'
import { authorize, type DigestAuth, type FailureGuard, needsAuth } from '@junction/auth'
import type {
  FloodGuard,
  ForwardOptions,
  ForwardTarget,
  NextHopProber,
  RequestContext,
  Route,
  Verdict,
} from '@junction/proxy'
import type { Target as Binding, Registrar } from '@junction/registrar'
import {
  CallId,
  Contact,
  From,
  ProxyAuthorization,
  parseUri,
  type SipRequest,
  type SipUri,
  To,
  type Uri,
} from '@junction/sip'
import type { Target, TransportName } from '@junction/transport'
import type { RoutingConfig } from './config.ts'
import { createDialogTokens, type DialogTokens } from './dialog-token.ts'
import { createFlowTokens, type FlowTokens } from './flow-token.ts'
import { addContactAlias, fromAdjacentUa, resolveAlias, sourceOf } from './nat.ts'

/** Methods that create a dialog: Record-Route makes us stay in it (§16.6 step 4). */
const dialogCreating: ReadonlySet<string> = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

/**
 * A challenge to a request without credentials, or with stale ones, is sent as a stateless UAS
 * sends it (RFC 3261 §8.2.7): no transaction waits 32 s to resend the 401; a retransmitted request
 * is challenged again with a fresh nonce. Refusals of wrong credentials keep their transaction, so
 * a retransmission is not counted twice by the failed-auth guard. (An INVITE keeps its
 * transaction either way: its ACK needs it.)
 */
function challengeOptions(reason: string): { readonly stateless: boolean } {
  return reason === 'missing' || reason === 'stale' ? challengeOnce : challengeKept
}
const challengeOnce = { stateless: true } as const
const challengeKept = { stateless: false } as const

export interface IetfRouteDeps {
  /** Absent: no registrar (REGISTER and requests for our users are not served). */
  readonly registrar?: Registrar | undefined
  /** Absent: authentication is off. The realm of requests whose domain has none in `realms`. */
  readonly auth?: DigestAuth | undefined
  /**
   * One realm per served domain (auth.realmPerDomain), by the domain in lower case: a REGISTER is
   * challenged in its To domain's realm, another request in its From domain's (§22.1).
   */
  readonly realms?: ReadonlyMap<string, DigestAuth> | undefined
  readonly guard?: FailureGuard | undefined
  /** Source addresses that are not challenged and may be relayed for (routing.trusted). */
  readonly trusted?: BlockList | undefined
  /** Flow tokens for Record-Route (RFC 5626 §5.3). Default: made with a random key. */
  readonly flowTokens?: FlowTokens | undefined
  /** Dialog tokens for Record-Route. Default: keyed by `routing.dialog.secret`, else a random key. */
  readonly dialogTokens?: DialogTokens | undefined
  /** Flood protection (routing.flood): requests of a blocked source are dropped. */
  readonly flood?: Pick<FloodGuard, 'admit'> | undefined
  /** Next-hop probing (routing.probe): a static route skips the hops it found down. */
  readonly nextHops?: Pick<NextHopProber, 'isUp'> | undefined
}

/** The UA supports Outbound (RFC 5626 §5.3): its Contact carries `ob`. */
function contactHasOb(req: SipRequest): boolean {
  const first = req.headers.get(Contact)?.[0]
  return first !== undefined && first !== '*' && first.uri.kind === 'sip' && first.uri.params.has('ob')
}

interface CompiledRoute {
  readonly domain: string | undefined
  readonly user: RegExp | undefined
  /** Next hops, tried one after another (serial forking, §16.6) when one fails. */
  readonly to: readonly SipUri[]
  /** The next hops as configured (the keys of next-hop probing). */
  readonly toText: readonly string[]
  /** Only for authenticated users and trusted peers (when authentication is on). */
  readonly vouchedOnly: boolean
}

/** The next hops of the static routes, each once, in order: what routing.probe probes. */
export function staticNextHops(routing: RoutingConfig): readonly string[] {
  return [...new Set(routing.routes.flatMap((r) => (Array.isArray(r.to) ? r.to : [r.to])))]
}

function compile(routing: RoutingConfig): readonly CompiledRoute[] {
  return routing.routes.map((r) => {
    const toText = Array.isArray(r.to) ? r.to : [r.to]
    return {
      domain: r.domain === '*' ? undefined : r.domain.toLowerCase(),
      user: r.user === undefined ? undefined : new RegExp(r.user),
      to: toText.map((t) => parseUri(t) as SipUri), // validated by the schema
      toText,
      vouchedOnly: r.auth === 'required',
    }
  })
}

function matches(route: CompiledRoute, uri: Uri): boolean {
  if (uri.kind !== 'sip') return route.domain === undefined && route.user === undefined
  if (route.domain !== undefined && uri.host !== route.domain) return false
  return route.user === undefined || route.user.test(uri.user ?? '')
}

/**
 * A registered contact as a branch target: through its Path (RFC 3327 §5.3) when it registered
 * through other proxies, else over the flow or to the source address it registered from (NAT).
 * `token`, when given, names the flow of an Outbound binding (RFC 5626 §5.3) in our Record-Route
 * value facing it: the caller's in-dialog requests then bring the token back and go over that
 * flow (430 when it is gone).
 */
function bindingTarget(b: Binding, token?: (flow: Target) => string | undefined): ForwardTarget | undefined {
  const uri = parseUri(b.uri)
  if (uri === undefined) return undefined
  if (b.path.length > 0) {
    const route = b.path.map((p) => parseUri(p)).filter((p): p is SipUri => p?.kind === 'sip')
    return { uri, q: b.q, route }
  }
  const received = b.received === undefined ? undefined : parseUri(b.received)
  if (received?.kind !== 'sip') return { uri, q: b.q }
  const host = received.host.startsWith('[') ? received.host.slice(1, -1) : received.host
  const transport = (received.params.get('transport') ?? 'udp') as TransportName
  const outbound = b.instanceId !== undefined && b.regId !== undefined
  const destination: Target = {
    transport,
    address: host,
    port: received.port ?? 5060,
    flowId: b.flowId,
    // RFC 5626 §5.3: a UA that registered with Outbound is reached over its flow only (430 when
    // the connection is gone, never a new connection to an address behind its NAT)
    flowOnly: outbound && transport !== 'udp',
  }
  return { uri, q: b.q, destination, recordRouteUser: outbound ? token?.(destination) : undefined }
}

/**
 * RFC 5626 §7: at most one target per UA instance at a time; its other bindings (other flows)
 * follow as alternates, tried in turn when one fails with 430 or 408. Bindings come best first.
 */
function targetSet(
  bindings: readonly Binding[],
  token?: (flow: Target) => string | undefined,
): ForwardTarget[] {
  const targets: ForwardTarget[] = []
  const byInstance = new Map<string, { index: number; alternates: ForwardTarget[] }>()
  for (const b of bindings) {
    const t = bindingTarget(b, token)
    if (t === undefined) continue
    if (b.instanceId === undefined) {
      targets.push(t)
      continue
    }
    const instance = `${b.aor}\n${b.instanceId}`
    const seen = byInstance.get(instance)
    if (seen === undefined) {
      byInstance.set(instance, { index: targets.length, alternates: [] })
      targets.push(t)
    } else seen.alternates.push(t)
  }
  for (const { index, alternates } of byInstance.values()) {
    if (alternates.length > 0) targets[index] = { ...targets[index]!, alternates }
  }
  return targets
}

/** Matches a Proxy-Authorization value whose realm is one of `realms`. */
function realmPattern(realms: readonly string[]): RegExp {
  const escaped = realms.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
  return new RegExp(`realm\\s*=\\s*"?(?:${escaped})"?(?:\\s*[,;]|\\s*$)`, 'i')
}

/** Identities a UA or an untrusted peer may not assert (RFC 3325 §5, §9.1; Remote-Party-ID: the draft before it). */
const assertedIdentities = ['P-Asserted-Identity', 'P-Preferred-Identity', 'Remote-Party-ID'] as const

/**
 * RFC 3325 §5: a proxy MUST remove P-Asserted-Identity from requests it receives from outside its
 * trust domain (here: sources not in `routing.trusted`), else a caller asserts whom it likes to
 * the gateways and trunks that trust us; P-Preferred-Identity is a UA's hint for a proxy that
 * would replace it, which this one does not.
 */
function dropAssertedIdentity(req: SipRequest): void {
  const h = req.headers
  for (const name of assertedIdentities) if (h.has(name)) h.remove(name)
}

/** Removes our own Proxy-Authorization credentials before forwarding (§22.3: they were for us). */
function consumeCredentials(ctx: RequestContext, ours: RegExp): void {
  const h = ctx.request.headers
  const values = h.raw(ProxyAuthorization)
  if (values.length === 0) return
  const kept = values.filter((v) => !ours.test(v))
  if (kept.length === values.length) return
  h.remove(ProxyAuthorization)
  for (const v of kept) h.appendRaw('Proxy-Authorization', v)
}

export function createIetfRoute(routing: RoutingConfig, deps: IetfRouteDeps = {}): Route {
  const routes = compile(routing)
  const stateless = routing.stateless
  const { registrar, auth, guard, trusted, realms, nextHops, flood } = deps
  const flowTokens = deps.flowTokens ?? createFlowTokens(randomBytes(32))
  const dialogTokens = deps.dialogTokens ?? createDialogTokens(routing.dialog.secret ?? randomBytes(32))
  /** Proxy-Authorization values for any of our realms: §22.3, they were for us, none goes on. */
  const ourRealms =
    auth === undefined
      ? undefined
      : realmPattern([auth.realm, ...[...(realms?.values() ?? [])].map((r) => r.realm)])

  /** A static route's targets: its next hops in order, those probing found down left out (unless all are). */
  function staticTargets(r: CompiledRoute, uri: Uri): ForwardTarget[] {
    let hops = r.to
    if (nextHops !== undefined) {
      const up = r.to.filter((_, i) => nextHops.isUp(r.toText[i]!))
      if (up.length > 0) hops = up
    }
    return hops.map((nextHop) => ({ uri, nextHop }))
  }

  /** The realm a request of `uri`'s domain is challenged in (`auth` unless realmPerDomain names one). */
  function authOf(da: DigestAuth, uri: Uri | undefined): DigestAuth {
    if (realms === undefined || uri?.kind !== 'sip') return da
    return realms.get(uri.host.toLowerCase()) ?? da
  }

  /** A refusal: an ACK is never answered (§17.1.1.3 has no response to it), anything else `status`. */
  function refuse(ctx: RequestContext, status: number, reason: string): Verdict {
    return ctx.request.method === 'ACK' ? ctx.drop() : ctx.reply(status, reason)
  }

  /** The source is a trusted peer (routing.trusted). */
  function isTrusted(ctx: RequestContext): boolean {
    if (trusted === undefined) return false
    const a = ctx.flow.remote.address
    return trusted.check(a, a.includes(':') ? 'ipv6' : 'ipv4')
  }

  /** The flow named by a flow token in our Route values that the request did not come over. */
  function otherFlow(ctx: RequestContext, callId: string): Target | undefined {
    for (const popped of ctx.poppedRoutes) {
      const flow = popped.user === undefined ? undefined : flowTokens.decode(popped.user, callId)
      if (flow !== undefined && flow.flowId !== ctx.flow.id) return flow
    }
    return undefined
  }

  /** One of our Route values carries a token we signed for this dialog: a flow token or a dialog token. */
  function recordedByUs(ctx: RequestContext, callId: string): boolean {
    for (const popped of ctx.poppedRoutes) {
      const user = popped.user
      if (user === undefined) continue
      if (dialogTokens.verify(callId, user) || flowTokens.decode(user, callId) !== undefined) return true
    }
    return false
  }

  /** In-dialog (§16.12): along the route set we recorded, to a NATed UA through its alias. */
  function inDialog(ctx: RequestContext): Verdict {
    const req = ctx.request
    if (!ctx.looseRouted) return refuse(ctx, 404, 'Not Here')
    const callId = req.headers.get(CallId) ?? ''
    if (!recordedByUs(ctx, callId)) return refuse(ctx, 403, 'Unknown Dialog')
    // RFC 5626 §5.3: our Record-Route named the flow of an Outbound UA (one value per side when
    // both are): a request goes over the flow named that is not the one it came over (430 Flow
    // Failed when it is gone)
    const flow = otherFlow(ctx, callId)
    if (flow !== undefined) return ctx.forward({ uri: req.uri, destination: flow }, { stateless })
    const uri = req.uri
    if (uri.kind === 'sip' && !req.headers.has('Route') && uri.params.has('alias')) {
      const aliased = resolveAlias(uri)
      if (aliased !== undefined) return ctx.forward({ uri: aliased.uri, destination: aliased.destination })
    }
    return ctx.forwardInDialog({ stateless })
  }

  async function register(ctx: RequestContext, reg: Registrar, trustedPeer: boolean): Promise<Verdict> {
    const req = ctx.request
    // RFC 3327: Path values are added by the proxies between a UA and us, and we route calls
    // through them; from anyone but a trusted peer (an edge proxy listed in routing.trusted) a
    // Path would let a UA point us at any host: the binding is reached where it came from instead
    if (!trustedPeer && req.headers.has('Path')) req.headers.remove('Path')
    let user: string | undefined
    if (auth !== undefined && !trustedPeer) {
      const a = await authorize(req, authOf(auth, req.headers.get(To)?.uri))
      guard?.record(ctx.flow.remote.address, a.ok ? 'ok' : a.reason)
      if (!a.ok) return ctx.respond(a.response, challengeOptions(a.reason))
      user = a.user
    }
    return ctx.respond(await reg.register(req, { flowId: ctx.flow.id, source: sourceOf(ctx.flow), user }))
  }

  /** §22.3: a request from one of our users proves who sent it; the From it claims must be theirs. */
  async function authenticated(ctx: RequestContext, base: DigestAuth, from: Uri): Promise<Verdict> {
    const da = authOf(base, from)
    const a = await authorize(ctx.request, da, { proxy: true })
    guard?.record(ctx.flow.remote.address, a.ok ? 'ok' : a.reason)
    if (!a.ok) return ctx.respond(a.response, challengeOptions(a.reason))
    if (from.kind === 'sip' && a.user !== undefined && from.user !== a.user) {
      return ctx.reply(403, 'From Does Not Match Credentials')
    }
    if (ourRealms !== undefined) consumeCredentials(ctx, ourRealms)
    return route(ctx, true)
  }

  /** Steps 5–7: static routes, location, relay. `vouched`: the caller authenticated or is trusted. */
  function route(ctx: RequestContext, vouched: boolean): Verdict | Promise<Verdict> {
    const req = ctx.request
    const uri = req.uri
    // with routing.recordRoute off, the proxy core still record-routes a dialog whose hop changes
    // its security (§16.6 step 4): every dialog-creating request gets its tokens either way
    const dialog = dialogCreating.has(req.method)
    const recordRoute = routing.recordRoute && dialog
    const callId = dialog ? (req.headers.get(CallId) ?? '') : ''
    let recordRouteUser: string | undefined
    if (dialog && fromAdjacentUa(req)) {
      // a UA that talks to us directly: with Outbound, our Record-Route names its flow (RFC 5626
      // §5.3); else, behind NAT, its Contact gets its source as alias
      if (contactHasOb(req)) recordRouteUser = flowTokens.encode(ctx.flow, callId)
      else addContactAlias(req, sourceOf(ctx.flow))
    }
    // else our Record-Route carries the dialog's token, which in-dialog requests bring back
    if (dialog) recordRouteUser ??= dialogTokens.sign(callId)
    const options: ForwardOptions = { recordRoute, recordRouteUser, stateless }

    for (const r of routes) {
      if (!matches(r, uri)) continue
      if (r.vouchedOnly && auth !== undefined && !vouched) {
        // a route to a gateway or trunk is for our users: no toll-free relay for anyone else
        const from = req.headers.get(From)?.uri
        if (from === undefined || !needsAuth(req)) return refuse(ctx, 403, 'Relaying Denied')
        return authenticated(ctx, auth, from)
      }
      return ctx.forward(staticTargets(r, uri), { ...options, failover: true })
    }
    if (ctx.server.isLocal(uri)) {
      if (registrar === undefined) return ctx.reply(404, 'Not Found')
      return registrar.lookup(uri).then((bindings) => {
        const token = dialog ? (t: Target) => flowTokens.encodeTarget(t, callId) : undefined
        const targets = targetSet(bindings, token)
        if (targets.length > 0) return ctx.forward(targets, options)
        return refuse(ctx, 480, 'Temporarily Unavailable')
      })
    }
    if (routing.relay.dns && (auth === undefined || vouched)) return ctx.forward(undefined, options)
    return refuse(ctx, 403, 'Relaying Denied')
  }

  return {
    onRequest(ctx) {
      const req = ctx.request
      const uri = req.uri
      const trustedPeer = isTrusted(ctx)
      if (flood !== undefined && !trustedPeer && !flood.admit(ctx.flow.remote.address)) return ctx.drop()
      if (guard?.isBlocked(ctx.flow.remote.address)) return ctx.drop()
      if (!trustedPeer) dropAssertedIdentity(req)

      if (ctx.inDialog) return inDialog(ctx)

      const local = ctx.server.isLocal(uri)
      if (req.method === 'OPTIONS' && uri.kind === 'sip' && uri.user === undefined && local) {
        return ctx.reply(200, undefined, {
          headers: {
            Allow:
              'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, REFER, INFO, UPDATE, PRACK',
            Accept: 'application/sdp',
          },
        })
      }

      if (req.method === 'REGISTER' && registrar !== undefined && local) {
        return register(ctx, registrar, trustedPeer)
      }
      if (auth !== undefined && !trustedPeer && needsAuth(req)) {
        const from = req.headers.get(From)?.uri
        if (from !== undefined && ctx.server.isLocal(from)) return authenticated(ctx, auth, from)
      }
      return route(ctx, trustedPeer)
    },

    // onResponse reads the request's method alone: a 2xx retransmitted after the INVITE's
    // transaction finished (RFC 6026 §7.2) needs no copy of the request's fields, kept per call
    retransmittedRequest: 'line',

    onResponse(ctx) {
      // the callee answered from behind NAT: its Contact (our next remote target) gets its source
      const status = ctx.response.status
      const dest = ctx.target?.destination
      if (dest === undefined || status < 101 || status >= 300) return
      if (!dialogCreating.has(ctx.request.method)) return
      addContactAlias(ctx.response, { address: dest.address, port: dest.port, transport: dest.transport })
    },
  }
}
