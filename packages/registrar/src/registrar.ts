/**
 * The registrar: REGISTER processing per RFC 3261 §10.3, with Path (RFC 3327 §5.3), Outbound
 * (RFC 5626 §6) and GRUU (RFC 5627 §5), and the location service lookups a proxy makes (§16.5).
 * Plain async functions over a `LocationStore`: `register` takes a parsed REGISTER and what the
 * transport knows of it, and returns the response to send.
 */
import { randomBytes } from 'node:crypto'
import { channel } from 'node:diagnostics_channel'
import {
  CallId,
  Contact,
  type ContactAddress,
  CSeq,
  createResponse,
  Expires,
  formatUri,
  type Params,
  Path,
  parseUri,
  Require,
  type SipRequest,
  type SipResponse,
  type SipUri,
  Supported,
  To,
  type Uri,
  uriEquals,
  Via,
} from '@junction/sip'
import { aorOf } from './aor.ts'
import { type Clock, systemClock } from './clock.ts'
import { invalidConfig } from './errors.ts'
import { callIdHash, createGruuCodec, publicGruu } from './gruu.ts'
import type { Binding, LocationStore } from './store.ts'

/** `{ event: 'added' | 'refreshed' | 'expired' | 'removed', aor, binding }` for every binding change. */
export const bindingChannel = channel('junction:registrar:binding')

export type BindingEvent = 'added' | 'refreshed' | 'expired' | 'removed'

export interface BindingMessage {
  readonly event: BindingEvent
  readonly aor: string
  readonly binding: Binding
}

export interface RegistrarConfig {
  /** Domains this registrar serves (RFC 3261 §10.3 steps 1 and 5); hosts compare case-insensitively. */
  readonly domains: readonly string[]
  /**
   * Also served: a host for which this returns true (e.g. the server's own addresses, which UAs
   * configured with an IP address as their domain use). Default none.
   */
  readonly isServed?: ((uri: SipUri) => boolean) | undefined
  /** Shortest expiry accepted; shorter non-zero ones get 423 with Min-Expires (§10.3 step 7). Default 60. */
  readonly minExpires?: number | undefined
  /** Longest expiry granted; longer ones are shortened (§10.3 step 7). Default 3600. */
  readonly maxExpires?: number | undefined
  /** Expiry when the REGISTER gives none (§10.3 step 7). Default 3600. */
  readonly defaultExpires?: number | undefined
  /** Most bindings per AOR. Default 10. */
  readonly maxContacts?: number | undefined
  /**
   * When a REGISTER would take an AOR over `maxContacts`: `reject` it with 403 (default), or
   * `evict-oldest` bindings not named in the request (least recently written first).
   */
  readonly onMaxContacts?: 'reject' | 'evict-oldest' | undefined
  /** RFC 5627 GRUUs. Default false. */
  readonly gruu?: boolean | undefined
  /**
   * Key of the temporary GRUUs: instances sharing a store must share it. Default: random per
   * process (temporary GRUUs then die with the process).
   */
  readonly gruuSecret?: string | Uint8Array | undefined
  /** RFC 5626 outbound processing of `reg-id`; when false `reg-id` is ignored. Default false. */
  readonly outbound?: boolean | undefined
  /** Flow-Timer (seconds) sent in 200 responses with outbound processing (RFC 5626 §6). Default none. */
  readonly flowTimer?: number | undefined
  /**
   * Whether the authenticated `user` may change the bindings of `aor` (§10.3 step 4). Default: the
   * user is the AOR's user part.
   */
  readonly authorize?: ((user: string, aor: string) => boolean) | undefined
}

export interface RegistrarDeps {
  readonly store: LocationStore
  /** Wall clock (ms since the epoch). Default `systemClock`. */
  readonly clock?: Clock | undefined
}

/** What the transport (or the edge) knows of a REGISTER. */
export interface RegisterContext {
  /** The flow the request arrived on (RFC 5626 §3.3), opaque; needed for outbound when the UA is adjacent. */
  readonly flowId?: string | undefined
  readonly source: {
    readonly address: string
    readonly port: number
    /** `udp`, `tcp`, `tls`, `ws`, `wss`. */
    readonly transport: string
  }
  /** The user authenticated for this request (RFC 3261 §10.3 step 3), when the route did. */
  readonly user?: string | undefined
}

/** A contact to try for an AOR or GRUU (RFC 3261 §16.5). */
export interface Target {
  /** The Contact URI: the new Request-URI. */
  readonly uri: string
  readonly aor: string
  readonly q: number
  /** Path values to push as Route, topmost first (RFC 3327 §5.3). */
  readonly path: readonly string[]
  readonly flowId?: string | undefined
  readonly instanceId?: string | undefined
  readonly regId?: number | undefined
  readonly received?: string | undefined
  readonly expiresAt: number
}

export interface Registrar {
  /** Processes a REGISTER (RFC 3261 §10.3) and returns the response to send. Never throws for input. */
  register(request: SipRequest, context: RegisterContext): Promise<SipResponse>
  /**
   * The contacts for a Request-URI: the bindings of its AOR, or those of one instance for a public
   * or temporary GRUU (RFC 5627 §6), best first (q, then the most recently refreshed). Empty when
   * there are none (answer 480, §16.5 / RFC 5627).
   */
  lookup(uri: Uri | string): Promise<Target[]>
  /** The current (unexpired) bindings of an AOR. */
  bindings(aor: string): Promise<readonly Binding[]>
  /** A flow failed (RFC 5626 §5.2, §6): removes the bindings that use it; returns how many. */
  flowFailed(flowId: string): Promise<number>
  /** Stops listening to the store's expirations. The store is the caller's to close. */
  close(): void
}

const CAS_ATTEMPTS = 8

function nonNegativeInteger(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback
  if (!Number.isSafeInteger(v) || v < 0) throw invalidConfig(`${name} must be a non-negative integer`)
  return v
}

function formatOtherParams(params: Params | undefined): string {
  if (params === undefined) return ''
  let out = ''
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`
  return out
}

/**
 * The Date header value of a time (RFC 3261 §20.17: rfc1123-date, one-second resolution), formatted
 * once per second rather than at every 200.
 */
function createDateFormatter(): (now: number) => string {
  let second = Number.NaN
  let text = ''
  return (now) => {
    const s = Math.floor(now / 1000)
    if (s !== second) {
      second = s
      text = new Date(now).toUTCString()
    }
    return text
  }
}

function publish(event: BindingEvent, aor: string, binding: Binding): void {
  if (bindingChannel.hasSubscribers) bindingChannel.publish({ event, aor, binding } satisfies BindingMessage)
}

/** A contact of the request, with what was worked out for it. */
interface Wanted {
  readonly address: ContactAddress
  /** The Contact URI as text, as a binding keeps it. */
  readonly contact: string
  /** Seconds granted; 0 removes. */
  readonly expires: number
  /** Keyed by instance and reg-id (RFC 5626 §6) rather than by URI. */
  readonly outbound: boolean
}

type Outcome =
  | {
      readonly ok: true
      readonly after: readonly Binding[]
      /** Bindings written by this request: `added` or `refreshed`, and the Contact URI it named. */
      readonly written: ReadonlyMap<Binding, { readonly event: 'added' | 'refreshed'; readonly uri: Uri }>
      readonly removed: readonly Binding[]
      readonly expired: readonly Binding[]
    }
  | { readonly ok: false; readonly status: number; readonly reason?: string }

export function createRegistrar(config: RegistrarConfig, deps: RegistrarDeps): Registrar {
  const domains = new Set(config.domains.map((d) => d.toLowerCase()))
  if (domains.size === 0) throw invalidConfig('domains must list at least one domain')
  const minExpires = nonNegativeInteger('minExpires', config.minExpires, 60)
  const maxExpires = nonNegativeInteger('maxExpires', config.maxExpires, 3600)
  const defaultExpires = nonNegativeInteger('defaultExpires', config.defaultExpires, 3600)
  const maxContacts = nonNegativeInteger('maxContacts', config.maxContacts, 10)
  if (maxContacts < 1) throw invalidConfig('maxContacts must be at least 1')
  if (minExpires > maxExpires) throw invalidConfig('minExpires must not exceed maxExpires')
  const flowTimer =
    config.flowTimer === undefined ? undefined : nonNegativeInteger('flowTimer', config.flowTimer, 0)
  const evict = config.onMaxContacts === 'evict-oldest'
  const gruu = config.gruu === true
  const outbound = config.outbound === true
  const codec = gruu ? createGruuCodec(config.gruuSecret ?? randomBytes(32)) : undefined
  const authorize =
    config.authorize ?? ((user: string, aor: string) => (parseUri(aor) as SipUri | undefined)?.user === user)
  const { store } = deps
  const clock = deps.clock ?? systemClock
  const supportedTags = new Set(['path', ...(outbound ? ['outbound'] : []), ...(gruu ? ['gruu'] : [])])
  const supportedValue = [...supportedTags].join(', ')
  const dateOf = createDateFormatter()

  const unsubscribe = store.onExpire(({ aor, binding }) => publish('expired', aor, binding))

  const isServed = config.isServed
  const isOurs = (uri: Uri): uri is SipUri =>
    uri.kind === 'sip' && (domains.has(uri.host.toLowerCase()) || isServed?.(uri) === true)

  /** The binding `w` names among `list` (§10.3 step 7; RFC 5626 §6 for outbound ones), or -1. */
  function find(list: readonly Binding[], w: Wanted): number {
    const a = w.address
    if (w.outbound) return list.findIndex((b) => b.regId === a.regId && b.instanceId === a.instance)
    return list.findIndex((b) => {
      if (b.regId !== undefined) return false
      if (b.contact === w.contact) return true // the same text: the same URI
      const uri = parseUri(b.contact)
      return uri !== undefined && uriEquals(uri, a.uri)
    })
  }

  /** The contacts of a request, each binding named once: a later Contact for the same binding wins. */
  function distinct(wanted: readonly Wanted[]): Wanted[] {
    const out: Wanted[] = []
    for (const w of wanted) {
      const i = out.findIndex((o) =>
        w.outbound || o.outbound
          ? w.outbound === o.outbound &&
            o.address.regId === w.address.regId &&
            o.address.instance === w.address.instance
          : uriEquals(o.address.uri, w.address.uri),
      )
      if (i === -1) out.push(w)
      else out[i] = w
    }
    return out
  }

  function newBinding(
    aor: string,
    w: Wanted,
    request: { callId: string; cseq: number; path: readonly string[]; userAgent: string | undefined },
    context: RegisterContext,
    now: number,
  ): Binding {
    const a = w.address
    const instanceId = a.instance
    const { address, port, transport } = context.source
    const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address
    return {
      aor,
      contact: w.contact,
      params: formatOtherParams(a.params),
      callId: request.callId,
      cseq: request.cseq,
      expiresAt: now + w.expires * 1000,
      q: a.q ?? 1,
      path: request.path,
      instanceId,
      regId: w.outbound ? a.regId : undefined,
      flowId: context.flowId,
      received: `sip:${host}:${port};transport=${transport.toLowerCase()}`,
      userAgent: request.userAgent,
      pubGruu: gruu && instanceId !== undefined ? publicGruu(aor, instanceId) : undefined,
      updatedAt: now,
    }
  }

  /** §10.3 steps 6 and 7 on one read of the AOR: the bindings to write, or the failure. */
  function apply(
    aor: string,
    current: readonly Binding[],
    now: number,
    wanted: readonly Wanted[] | '*',
    request: { callId: string; cseq: number; path: readonly string[]; userAgent: string | undefined },
    context: RegisterContext,
  ): Outcome {
    const live: Binding[] = []
    const expired: Binding[] = []
    for (const b of current) (b.expiresAt > now ? live : expired).push(b)
    const outOfOrder = (b: Binding): boolean => b.callId === request.callId && request.cseq <= b.cseq
    if (wanted === '*') {
      // step 6: remove every binding, unless one is from this Call-ID with a CSeq not lower
      if (live.some(outOfOrder)) return { ok: false, status: 500, reason: 'Out of Order CSeq' }
      return { ok: true, after: [], written: new Map(), removed: live, expired }
    }
    const after = live.slice()
    const written = new Map<Binding, { event: 'added' | 'refreshed'; uri: Uri }>()
    const removed: Binding[] = []
    // (`wanted` names each binding at most once: see `distinct`)
    for (const w of wanted) {
      const i = find(after, w)
      if (i === -1) {
        if (w.expires === 0) continue
        const b = newBinding(aor, w, request, context, now)
        after.push(b)
        written.set(b, { event: 'added', uri: w.address.uri })
        continue
      }
      const existing = after[i]!
      // step 7: same Call-ID needs a higher CSeq, else the whole update is aborted
      if (outOfOrder(existing)) return { ok: false, status: 500, reason: 'Out of Order CSeq' }
      if (w.expires === 0) {
        after.splice(i, 1)
        removed.push(existing)
        continue
      }
      const b = newBinding(aor, w, request, context, now)
      after[i] = b
      written.set(b, { event: 'refreshed', uri: w.address.uri })
    }
    if (after.length > maxContacts && after.length > live.length) {
      if (!evict) return { ok: false, status: 403, reason: 'Too Many Contacts' }
      const victims = after
        .filter((b) => !written.has(b))
        .sort((x, y) => x.updatedAt - y.updatedAt)
        .slice(0, after.length - maxContacts)
      if (after.length - victims.length > maxContacts)
        return { ok: false, status: 403, reason: 'Too Many Contacts' }
      for (const v of victims) {
        after.splice(after.indexOf(v), 1)
        removed.push(v)
      }
    }
    return { ok: true, after, written, removed, expired }
  }

  function reply(request: SipRequest, status: number, reason?: string, headers?: Array<[string, string]>) {
    return createResponse(request, status, reason, headers === undefined ? {} : { headers })
  }

  async function register(request: SipRequest, context: RegisterContext): Promise<SipResponse> {
    if (request.method !== 'REGISTER') return reply(request, 405, undefined, [['Allow', 'REGISTER']])
    const h = request.headers

    // step 1: a domain this registrar serves
    if (!isOurs(request.uri)) return reply(request, 404, 'Domain Not Served')

    // step 2: extensions the UA requires (§8.2.2.3)
    const require = h.get(Require)
    if (require === undefined) return reply(request, 400, 'Bad Require')
    const unsupported = require.filter((tag) => !supportedTags.has(tag.toLowerCase()))
    if (unsupported.length > 0)
      return reply(request, 420, undefined, [['Unsupported', unsupported.join(', ')]])

    // step 5: the AOR, from To; a domain of ours
    const to = h.get(To)
    if (to === undefined) return reply(request, 400, 'Bad To')
    if (!isOurs(to.uri)) return reply(request, 404, 'Not Found')
    const aor = aorOf(to.uri) as string

    // step 4: the authenticated user may change this AOR
    if (context.user !== undefined && !authorize(context.user, aor)) return reply(request, 403, 'Forbidden')

    const callId = h.get(CallId)
    const cseq = h.get(CSeq)
    if (callId === undefined || cseq === undefined) return reply(request, 400, 'Bad Call-ID or CSeq')
    const contacts = h.get(Contact)
    if (contacts === undefined) return reply(request, 400, 'Bad Contact')
    const expiresHeader = h.get(Expires)
    if (expiresHeader === undefined && h.has(Expires)) return reply(request, 400, 'Bad Expires')
    const paths = h.get(Path)
    if (paths === undefined) return reply(request, 400, 'Bad Path')
    const supported = new Set((h.get(Supported) ?? []).map((t) => t.toLowerCase()))

    // step 6: "*" only alone and with Expires: 0
    let wanted: Wanted[] | '*'
    let outboundUsed = false
    if (contacts.includes('*')) {
      if (contacts.length !== 1 || expiresHeader !== 0) return reply(request, 400, 'Invalid Wildcard Contact')
      wanted = '*'
    } else {
      const addresses = contacts as readonly ContactAddress[]
      wanted = []
      const tooBrief: number[] = []
      const withRegId = addresses.filter((c) => c.regId !== undefined && c.instance !== undefined)
      if (outbound && withRegId.length > 0) {
        // RFC 5626 §6: reg-id only with a single Contact
        if (addresses.length > 1) return reply(request, 400, 'Multiple Contacts With reg-id')
        // RFC 5626 §6: the first hop must keep the flow: the registrar itself (one Via, a flow
        // from the transport) or an edge proxy that put "ob" in its Path
        const vias = h.get(Via)?.length ?? 0
        const top = paths[0]?.uri
        const edgeOk =
          vias > 1
            ? top !== undefined && top.kind === 'sip' && top.params.has('ob')
            : context.flowId !== undefined
        if (!edgeOk) return reply(request, 439)
        outboundUsed = true
      }
      for (const c of addresses) {
        // RFC 5627 §5.1: a GRUU of ours is never a contact
        if (gruu && c.uri.kind === 'sip' && c.uri.params.has('gr') && isOurs(c.uri))
          return reply(request, 403, 'Contact Is a GRUU')
        const requested = c.expires ?? expiresHeader ?? defaultExpires
        if (requested > 0 && requested < minExpires) tooBrief.push(requested)
        wanted.push({
          address: c,
          contact: formatUri(c.uri),
          expires: Math.min(requested, maxExpires),
          outbound: outboundUsed && c.regId !== undefined && c.instance !== undefined,
        })
      }
      // step 7: 423 with Min-Expires when an expiry is too brief
      if (tooBrief.length > 0) return reply(request, 423, undefined, [['Min-Expires', String(minExpires)]])
      wanted = distinct(wanted)
    }

    const info = {
      callId,
      cseq: cseq.seq,
      path: paths.map((p) => Path.format(p)),
      userAgent: h.raw('User-Agent')[0],
    }
    const isQuery = wanted !== '*' && wanted.length === 0

    let outcome: Outcome | undefined
    let now = clock.now()
    try {
      for (let attempt = 0; attempt < CAS_ATTEMPTS && outcome === undefined; attempt++) {
        const record = await store.get(aor)
        now = clock.now()
        const result = apply(aor, record.bindings, now, wanted, info, context)
        if (!result.ok || (isQuery && result.expired.length === 0)) {
          outcome = result
          break
        }
        const cas = await store.compareAndSet(aor, record.version, result.after)
        if (cas.ok) outcome = result
        else if (cas.reason === 'full') outcome = { ok: false, status: 503, reason: 'Location Store Full' }
      }
    } catch {
      // §10.3 step 7: a failed commit fails the request with 500, nothing tentative kept
      return reply(request, 500, 'Location Store Failure')
    }
    if (outcome === undefined) return reply(request, 500, 'Location Store Busy')
    if (!outcome.ok) {
      const headers: Array<[string, string]> = outcome.status === 503 ? [['Retry-After', '60']] : []
      return reply(request, outcome.status, outcome.reason, headers)
    }

    for (const b of outcome.expired) publish('expired', aor, b)
    for (const b of outcome.removed) publish('removed', aor, b)
    for (const [b, w] of outcome.written) publish(w.event, aor, b)

    // step 8: 200 listing every binding with its expires, and Date
    const headers: Array<[string, string]> = []
    const mintTemp = codec !== undefined && supported.has('gruu')
    const listed = outcome.after.map((b) => {
      const address: ContactAddress = {
        // a binding this request wrote: the URI it named (its contact is that URI's text)
        uri: outcome.written.get(b)?.uri ?? (parseUri(b.contact) as Uri),
        expires: Math.max(0, Math.ceil((b.expiresAt - now) / 1000)),
        q: b.q,
        instance: b.instanceId,
        regId: b.regId,
        pubGruu:
          mintTemp && b.instanceId !== undefined ? (b.pubGruu ?? publicGruu(aor, b.instanceId)) : undefined,
        tempGruu:
          mintTemp && b.instanceId !== undefined ? codec.temporary(aor, b.instanceId, b.callId) : undefined,
      }
      return Contact.format(address) + b.params
    })
    if (listed.length > 0) headers.push(['Contact', listed.join(', ')])
    headers.push(['Date', dateOf(now)])
    if (supported.has('path')) for (const p of h.raw(Path)) headers.push(['Path', p])
    if (outboundUsed) {
      headers.push(['Require', 'outbound'])
      if (flowTimer !== undefined) headers.push(['Flow-Timer', String(flowTimer)])
    }
    headers.push(['Supported', supportedValue])
    return reply(request, 200, undefined, headers)
  }

  function targetOf(b: Binding): Target {
    return {
      uri: b.contact,
      aor: b.aor,
      q: b.q,
      path: b.path,
      flowId: b.flowId,
      instanceId: b.instanceId,
      regId: b.regId,
      received: b.received,
      expiresAt: b.expiresAt,
    }
  }

  async function current(aor: string): Promise<readonly Binding[]> {
    const record = await store.get(aor)
    const now = clock.now()
    return record.bindings.filter((b) => b.expiresAt > now)
  }

  async function lookup(uri: Uri | string): Promise<Target[]> {
    const u = typeof uri === 'string' ? parseUri(uri) : uri
    if (u === undefined || u.kind !== 'sip') return []
    let aor = aorOf(u) as string
    let keep: (b: Binding) => boolean = () => true
    const named = codec?.open(u)
    if (named === null) return []
    if (named !== undefined) {
      aor = named.aor
      keep =
        named.kind === 'public'
          ? (b) => b.instanceId === named.instanceId
          : (b) => b.instanceId === named.instanceId && callIdHash(b.callId) === named.callIdHash
    }
    const list = (await current(aor)).filter(keep)
    list.sort((a, b) => b.q - a.q || b.updatedAt - a.updatedAt)
    return list.map(targetOf)
  }

  async function flowFailed(flowId: string): Promise<number> {
    let removed = 0
    for (const aor of await store.aorsOnFlow(flowId)) {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const record = await store.get(aor)
        const gone = record.bindings.filter((b) => b.flowId === flowId)
        if (gone.length === 0) break
        const cas = await store.compareAndSet(
          aor,
          record.version,
          record.bindings.filter((b) => b.flowId !== flowId),
        )
        if (cas.ok) {
          removed += gone.length
          for (const b of gone) publish('removed', aor, b)
          break
        }
      }
    }
    return removed
  }

  return {
    register,
    lookup,
    bindings: current,
    flowFailed,
    close: unsubscribe,
  }
}
