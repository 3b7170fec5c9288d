/**
 * Locating SIP servers, RFC 3263 §4: from a SIP or SIPS URI to the targets (transport, address,
 * port) to try, in order. NAPTR (RFC 3403) → SRV (RFC 2782) → A/AAAA, with the WebSocket services
 * of RFC 7118, a TTL-honouring cache and a blocklist of failed targets that the layers above feed.
 *
 * The resolver orders; it does not send. The transaction user sees a timeout or a 503 and moves to
 * the next target (RFC 3263 §4.3, RFC 3261 §16.7), then calls `markFailed()` so that the next
 * `resolve()` tries that target last.
 */
import { Resolver as NodeDnsResolver } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { SipUri, Uri } from '@junction/sip'
import { parseUri } from '@junction/sip'
import { ipVersion } from './address.ts'
import type { ResolveErrorCode } from './errors.ts'
import { resolveErrorCodes } from './errors.ts'
import type { Target, TransportName } from './flow.ts'

/** A NAPTR record (RFC 3403 §4.1), as `node:dns` reports it. */
export interface DnsNaptrRecord {
  readonly flags: string
  readonly service: string
  readonly regexp: string
  readonly replacement: string
  readonly order: number
  readonly preference: number
}

/** An SRV record (RFC 2782), as `node:dns` reports it; `name` is the target host. */
export interface DnsSrvRecord {
  readonly priority: number
  readonly weight: number
  readonly port: number
  readonly name: string
}

/** An A or AAAA record with its TTL in seconds. */
export interface DnsAddressRecord {
  readonly address: string
  readonly ttl: number
}

/**
 * The DNS the resolver asks (a port). Shaped like `node:dns/promises` `Resolver`, so that
 * `new Resolver()` (after `setServers()`) fits as is; unit tests pass a fake. A failed query
 * rejects with an error whose `code` is one of `node:dns`'s: `ENOTFOUND` (NXDOMAIN) and `ENODATA`
 * (no record of that type) are answers and are cached as such; any other code (`ETIMEOUT`,
 * `ESERVFAIL`, `ECONNREFUSED`, `EREFUSED`, ...) is a failure and is not cached.
 */
export interface Dns {
  resolveNaptr(name: string): Promise<readonly DnsNaptrRecord[]>
  resolveSrv(name: string): Promise<readonly DnsSrvRecord[]>
  resolve4(name: string, options: { ttl: true }): Promise<readonly DnsAddressRecord[]>
  resolve6(name: string, options: { ttl: true }): Promise<readonly DnsAddressRecord[]>
}

/**
 * Which address families to use and which first (RFC 3263 §4.2 leaves the order of A and AAAA
 * results to the client): both, IPv4 first (default) or IPv6 first; or one family only.
 */
export type IpFamily = 'ipv4-first' | 'ipv6-first' | 'ipv4' | 'ipv6'

export interface ResolverOptions {
  /**
   * The transports this client can use, in its order of preference (RFC 3263 §4.1). Default
   * `['udp', 'tcp', 'tls']`; add `'ws'`, `'wss'` to follow the RFC 7118 NAPTR services. NAPTR order
   * wins over this order; it decides among SRV queries when the domain has no usable NAPTR.
   */
  readonly transports?: readonly TransportName[]
  /** Default `'ipv4-first'`. */
  readonly ipFamily?: IpFamily
  /** Milliseconds before one DNS query counts as failed (`ETIMEOUT`). Default 5000. */
  readonly timeout?: number
  /** DNS servers of the default `Dns` (`node:dns` `setServers()` syntax). Default: the system's. */
  readonly servers?: readonly string[]
  /** Most DNS answers (one per name and type) kept in the cache, least recently used out first. Default 4096; 0 disables it. */
  readonly cacheSize?: number
  /**
   * Milliseconds a NAPTR or SRV answer is cached. `node:dns` does not report the TTL of these
   * records, so this stands in for it. Default 60 000. A and AAAA answers use their own TTL.
   */
  readonly recordTtl?: number
  /** Upper bound, in milliseconds, on how long any answer is cached, whatever its TTL. Default 3 600 000. */
  readonly maxTtl?: number
  /** Milliseconds an NXDOMAIN or NODATA answer is cached (RFC 2308 negative caching). Default 30 000. */
  readonly negativeTtl?: number
  /** Default milliseconds of `markFailed()`. Default 60 000. */
  readonly blockTime?: number
  /** Most targets on the blocklist; past it, the one blocked longest ago is forgotten. Default 4096. */
  readonly maxBlocked?: number
  /**
   * Most targets one `resolve()` returns, and most records of one SRV set it follows: DNS answers
   * are untrusted input. Default 16.
   */
  readonly maxTargets?: number
}

export interface ResolverDeps {
  /** Default: a `node:dns/promises` `Resolver` with `options.servers`. */
  readonly dns?: Dns
  /** Milliseconds, monotonic. Default `performance.now()`. `ResolvedTarget.expires` is on this clock. */
  readonly now?: () => number
  /** A number in [0, 1), for the SRV weighted selection. Default `Math.random`. */
  readonly random?: () => number
}

export interface ResolveOptions {
  /** Restricts the transports for this call (e.g. to those that have a listener). Default: the resolver's. */
  readonly transports?: readonly TransportName[]
}

/** A target found by RFC 3263 resolution. */
export interface ResolvedTarget extends Target {
  /**
   * When the DNS data this target rests on goes stale: the smallest expiry of the NAPTR, SRV and
   * A/AAAA answers it came from, on the `now` clock; `Infinity` for a numeric host (no DNS).
   */
  readonly expires: number
}

export interface ResolveError {
  readonly code: ResolveErrorCode
  readonly reason: string
}

/**
 * The outcome of `resolve()`. On success `targets` holds at least one target, in the order to try
 * them. On failure `targets` is empty, so that callers that only need the list can read
 * `(await resolver.resolve(uri)).targets`.
 */
export type Resolution =
  | { readonly ok: true; readonly targets: readonly ResolvedTarget[] }
  | { readonly ok: false; readonly targets: readonly []; readonly error: ResolveError }

/** What identifies a target on the blocklist. */
export type TargetKey = Pick<Target, 'transport' | 'address' | 'port'>

export interface Resolver {
  /**
   * The targets for `uri`, in the order to try them (RFC 3263 §4). Never rejects: bad input, a
   * scheme DNS cannot resolve (tel: gives `JUNCTION_ERR_TRANSPORT_UNSUPPORTED_SCHEME`) and DNS
   * failures are `{ ok: false }` results. Blocked targets are moved to the end, not dropped.
   */
  resolve(uri: Uri | string, options?: ResolveOptions): Promise<Resolution>
  /**
   * The result of `resolve()` when it needs no DNS (a numeric host, a URI that cannot be
   * resolved), at once; undefined when DNS must be asked. Lets a proxy forward to an address
   * without waiting a turn of the event loop.
   */
  resolveNow?(uri: Uri | string, options?: ResolveOptions): Resolution | undefined
  /**
   * Puts a target on the blocklist for `ms` (default `options.blockTime`); 0 lifts it. Call it when
   * a request to the target timed out, failed in the transport, or got a 503 (RFC 3263 §4.3).
   */
  markFailed(target: TargetKey, ms?: number): void
  /** True while `target` is on the blocklist. */
  isBlocked(target: TargetKey): boolean
}

/** NAPTR services (RFC 3263 §4.1, RFC 7118 §10.3; compared case-insensitively) → transport. */
const naptrServices: ReadonlyMap<string, TransportName> = new Map([
  ['SIP+D2U', 'udp'],
  ['SIP+D2T', 'tcp'],
  ['SIPS+D2T', 'tls'],
  ['SIP+D2W', 'ws'],
  ['SIPS+D2W', 'wss'],
])

/**
 * The SRV service and protocol labels of a transport (RFC 3263 §4.1, §4.2): `_sips` for TLS, also
 * for a SIP URI. RFC 7118 registers NAPTR services for WebSocket but no SRV labels; `_sip._ws` and
 * `_sips._ws` follow the same pattern and are only asked when WS or WSS is enabled.
 */
const srvLabels: Readonly<Record<TransportName, string>> = {
  udp: '_sip._udp',
  tcp: '_sip._tcp',
  tls: '_sips._tcp',
  ws: '_sip._ws',
  wss: '_sips._ws',
}

/** Most numeric hosts whose resolution is kept (see numericTarget). */
const MAX_NUMERIC = 1024

/**
 * Default ports (RFC 3263 §4.2: 5060, and 5061 for TLS). RFC 7118 defines none for WebSocket; WS
 * and WSS use the WebSocket ones (RFC 6455 §3: 80 and 443).
 */
const defaultPorts: Readonly<Record<TransportName, number>> = {
  udp: 5060,
  tcp: 5060,
  tls: 5061,
  ws: 80,
  wss: 443,
}

function isSecure(transport: TransportName): boolean {
  return transport === 'tls' || transport === 'wss'
}

/**
 * The transport a `transport` URI parameter asks for (RFC 3261 §19.1.1; RFC 7118 §5.2 for `ws`):
 * over SIPS, `tcp` means TLS and `ws` means WSS (RFC 3263 §4.1); `udp` in a SIPS URI is unusable.
 */
function transportParam(value: string, secure: boolean): TransportName | undefined {
  switch (value.toLowerCase()) {
    case 'udp':
      return secure ? undefined : 'udp'
    case 'tcp':
      return secure ? 'tls' : 'tcp'
    case 'tls':
      return 'tls'
    case 'ws':
      return secure ? 'wss' : 'ws'
    case 'wss':
      return 'wss'
    default:
      return undefined
  }
}

/**
 * The transport when the URI names none and DNS gives none (RFC 3263 §4.1, §4.2): UDP for a SIP
 * URI and TLS for a SIPS URI; when that one is not enabled, the next one that is.
 */
function defaultTransport(secure: boolean, enabled: readonly TransportName[]): TransportName | undefined {
  const order: readonly TransportName[] = secure ? ['tls', 'wss'] : ['udp', 'tcp', 'tls', 'ws', 'wss']
  return order.find((t) => enabled.includes(t))
}

/** A host or maddr without IPv6 brackets, without a trailing dot, in lower case. */
function bare(host: string): string {
  let h = host.toLowerCase()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  if (h.endsWith('.') && h.length > 1) h = h.slice(0, -1)
  return h
}

/**
 * RFC 2782 ordering of one SRV set: by priority, lowest first; within a priority, a weighted random
 * choice repeated until none is left — records of weight 0 first, a random integer from 0 to the
 * sum of the weights inclusive, and the first record whose running sum reaches it is next.
 */
export function orderSrv<R extends DnsSrvRecord>(records: readonly R[], random: () => number): R[] {
  const byPriority = new Map<number, R[]>()
  for (const r of records) {
    const group = byPriority.get(r.priority)
    if (group === undefined) byPriority.set(r.priority, [r])
    else group.push(r)
  }
  const out: R[] = []
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = byPriority.get(priority)!
    const remaining = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)]
    while (remaining.length > 1) {
      let sum = 0
      for (const r of remaining) sum += r.weight
      const pick = Math.min(sum, Math.floor(random() * (sum + 1)))
      let running = 0
      let index = remaining.length - 1
      for (let i = 0; i < remaining.length; i++) {
        running += remaining[i]!.weight
        if (running >= pick) {
          index = i
          break
        }
      }
      out.push(remaining[index]!)
      remaining.splice(index, 1)
    }
    out.push(...remaining)
  }
  return out
}

interface Answer<T> {
  readonly records: readonly T[]
  /** On the `now` clock. */
  readonly expires: number
  /** The DNS error code of a failure (never cached); undefined for an answer, positive or negative. */
  readonly failure?: string | undefined
}

/** Targets from SRV, and whether any SRV record was there at all. */
interface Found {
  readonly targets: readonly ResolvedTarget[]
  readonly found: boolean
}

/** The failures seen during one `resolve()`, to tell "no such name" from "DNS did not answer". */
interface Run {
  readonly failures: Set<string>
}

function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : 'EUNKNOWN'
}

function timeoutError(): Error {
  return Object.assign(new Error('DNS query timed out'), { code: 'ETIMEOUT' })
}

function failure(code: ResolveErrorCode, reason: string): Resolution {
  return { ok: false, targets: [], error: { code, reason } }
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s
}

/** A resolver (RFC 3263 §4) with a cache and a blocklist. See `ResolverOptions` for the defaults. */
export function createResolver(options: ResolverOptions = {}, deps: ResolverDeps = {}): Resolver {
  const transports = options.transports ?? ['udp', 'tcp', 'tls']
  const ipFamily = options.ipFamily ?? 'ipv4-first'
  const timeout = options.timeout ?? 5000
  const cacheSize = options.cacheSize ?? 4096
  const recordTtl = options.recordTtl ?? 60_000
  const maxTtl = options.maxTtl ?? 3_600_000
  const negativeTtl = options.negativeTtl ?? 30_000
  const blockTime = options.blockTime ?? 60_000
  const maxBlocked = options.maxBlocked ?? 4096
  const maxTargets = options.maxTargets ?? 16
  const now = deps.now ?? (() => performance.now())
  const random = deps.random ?? Math.random
  const dns = deps.dns ?? nodeDns(options)

  const cache = new Map<string, Answer<unknown>>()
  const inflight = new Map<string, Promise<Answer<unknown>>>()
  const blocked = new Map<string, number>()
  /** Numeric hosts' resolutions (see numericTarget); emptied when MAX_NUMERIC are held. */
  const numeric = new Map<string, Extract<Resolution, { ok: true }>>()
  // One iterator per map for its life, oldest first from where it stopped: a fresh `keys()` per
  // eviction steps over every slot deleted since the map's last rehash (V8: 10-40 µs once 100 000
  // entries turned over). Every entry behind an iterator was deleted (or deleted and set again, so
  // it is ahead), and they are asked while their map holds entries; one that ended (an empty map)
  // is made again.
  let cacheOldest = cache.keys()
  let blockedOldest = blocked.keys()
  let lastSweep = Number.NEGATIVE_INFINITY

  function store(key: string, answer: Answer<unknown>): void {
    if (cacheSize <= 0) return
    cache.delete(key)
    while (cache.size >= cacheSize) {
      let oldest = cacheOldest.next().value
      if (oldest === undefined) {
        cacheOldest = cache.keys()
        oldest = cacheOldest.next().value
      }
      if (oldest === undefined) break
      cache.delete(oldest)
    }
    cache.set(key, answer)
  }

  async function ask<T>(run: () => Promise<readonly T[]>): Promise<readonly T[]> {
    if (!(timeout > 0 && Number.isFinite(timeout))) return run()
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError()), timeout)
      timer.unref?.()
    })
    try {
      return await Promise.race([run(), expired])
    } finally {
      clearTimeout(timer)
    }
  }

  /** One DNS query through the cache; concurrent identical queries share one request. */
  function query<T>(
    type: string,
    name: string,
    run: () => Promise<readonly T[]>,
    ttl: (records: readonly T[]) => number,
  ): Promise<Answer<T>> {
    const key = `${type} ${name}`
    const hit = cache.get(key) as Answer<T> | undefined
    if (hit !== undefined) {
      cache.delete(key)
      if (hit.expires > now()) {
        cache.set(key, hit)
        return Promise.resolve(hit)
      }
    }
    const pending = inflight.get(key) as Promise<Answer<T>> | undefined
    if (pending !== undefined) return pending
    const lookup = (async (): Promise<Answer<T>> => {
      try {
        const records = await ask(run)
        const at = now()
        const answer: Answer<T> =
          records.length === 0
            ? { records: [], expires: at + negativeTtl }
            : { records, expires: at + Math.max(0, Math.min(ttl(records), maxTtl)) }
        store(key, answer)
        return answer
      } catch (err) {
        const code = errorCode(err)
        if (code === 'ENOTFOUND' || code === 'ENODATA') {
          const answer: Answer<T> = { records: [], expires: now() + negativeTtl }
          store(key, answer)
          return answer
        }
        return { records: [], expires: now(), failure: code }
      } finally {
        inflight.delete(key)
      }
    })()
    inflight.set(key, lookup)
    return lookup
  }

  function noted<T>(r: Run, answer: Answer<T>): Answer<T> {
    if (answer.failure !== undefined) r.failures.add(answer.failure)
    return answer
  }

  const addressTtl = (records: readonly DnsAddressRecord[]): number =>
    Math.min(...records.map((r) => r.ttl)) * 1000

  function make(
    transport: TransportName,
    address: string,
    port: number,
    expires: number,
    serverName: string | undefined,
  ): ResolvedTarget {
    return isSecure(transport) && serverName !== undefined
      ? { transport, address, port, serverName, expires }
      : { transport, address, port, expires }
  }

  /** RFC 3263 §4.2: the A/AAAA records of `host`, each a target on `port`. */
  async function addresses(
    r: Run,
    host: string,
    transport: TransportName,
    port: number,
    upstream: number,
    serverName: string | undefined,
  ): Promise<ResolvedTarget[]> {
    if (isIP(host) !== 0) return [make(transport, host, port, upstream, serverName)]
    const none = Promise.resolve<Answer<DnsAddressRecord>>({ records: [], expires: Infinity })
    const [a, aaaa] = await Promise.all([
      ipFamily === 'ipv6'
        ? none
        : query('A', host, () => dns.resolve4(host, { ttl: true }), addressTtl).then((x) => noted(r, x)),
      ipFamily === 'ipv4'
        ? none
        : query('AAAA', host, () => dns.resolve6(host, { ttl: true }), addressTtl).then((x) => noted(r, x)),
    ])
    const answers = ipFamily === 'ipv6-first' ? [aaaa, a] : [a, aaaa]
    const out: ResolvedTarget[] = []
    for (const answer of answers) {
      const expires = Math.min(upstream, answer.expires)
      for (const record of answer.records.slice(0, maxTargets)) {
        out.push(make(transport, record.address, port, expires, serverName))
      }
    }
    return out
  }

  /**
   * RFC 3263 §4.2 and RFC 2782: the SRV records of `name`, ordered, each followed to its addresses.
   * `found` tells whether the name has SRV records at all (even "." or hosts without addresses):
   * only when it has none does §4.2 fall back to the A/AAAA records of the domain.
   */
  async function srvTargets(
    r: Run,
    name: string,
    transport: TransportName,
    upstream: number,
    serverName: string | undefined,
  ): Promise<Found> {
    if (name === '' || name === '.') return { targets: [], found: false }
    const srv = noted(
      r,
      await query(
        'SRV',
        name,
        () => dns.resolveSrv(name),
        () => recordTtl,
      ),
    )
    // RFC 2782: a target of "." means the service is decidedly not available at this domain.
    const usable = srv.records.filter((rec) => bare(rec.name) !== '' && bare(rec.name) !== '.')
    const ordered = orderSrv(usable, random).slice(0, maxTargets)
    const expires = Math.min(upstream, srv.expires)
    const lists = await Promise.all(
      ordered.map((rec) => addresses(r, bare(rec.name), transport, rec.port, expires, serverName)),
    )
    return { targets: lists.flat(), found: srv.records.length > 0 }
  }

  /** Several SRV names, their targets in the order given. */
  async function srvAll(
    r: Run,
    queries: readonly { name: string; transport: TransportName; upstream: number }[],
    serverName: string | undefined,
  ): Promise<Found> {
    const all = await Promise.all(
      queries.map((q) => srvTargets(r, q.name, q.transport, q.upstream, serverName)),
    )
    return { targets: all.flatMap((f) => f.targets), found: all.some((f) => f.found) }
  }

  /**
   * RFC 3263 §4.1: the NAPTR records of `target` this client can use, in order (RFC 3403 §4.1:
   * lowest order, then lowest preference), as the SRV queries to make.
   */
  async function naptrRecords(
    r: Run,
    target: string,
    secure: boolean,
    enabled: readonly TransportName[],
  ): Promise<{ name: string; transport: TransportName; upstream: number }[]> {
    const naptr = noted(
      r,
      await query(
        'NAPTR',
        target,
        () => dns.resolveNaptr(target),
        () => recordTtl,
      ),
    )
    const usable: { transport: TransportName; replacement: string; order: number; preference: number }[] = []
    for (const rec of naptr.records) {
      // RFC 3263 §4.1: the SIP services use the "S" flag (the replacement is an SRV name); a SIPS URI
      // keeps only SIPS services; services of transports this client does not use are discarded.
      if (rec.flags.toUpperCase() !== 'S') continue
      const service = rec.service.toUpperCase()
      const transport = naptrServices.get(service)
      if (transport === undefined || !enabled.includes(transport)) continue
      if (secure && !service.startsWith('SIPS+')) continue
      const replacement = bare(rec.replacement)
      if (replacement === '' || replacement === '.') continue
      usable.push({ transport, replacement, order: rec.order, preference: rec.preference })
    }
    // A stable sort keeps the DNS order on ties.
    usable.sort((x, y) => x.order - y.order || x.preference - y.preference)
    return usable
      .slice(0, maxTargets)
      .map((n) => ({ name: n.replacement, transport: n.transport, upstream: naptr.expires }))
  }

  function keyOf(t: TargetKey): string {
    return `${t.transport} ${bare(t.address)} ${t.port}`
  }

  function isBlocked(t: TargetKey): boolean {
    const key = keyOf(t)
    const until = blocked.get(key)
    if (until === undefined) return false
    if (until > now()) return true
    blocked.delete(key)
    return false
  }

  function markFailed(t: TargetKey, ms: number = blockTime): void {
    const key = keyOf(t)
    blocked.delete(key)
    if (!(ms > 0)) return
    const at = now()
    if (blocked.size >= maxBlocked && at - lastSweep >= 1000) {
      // expired blocks go first; at most one sweep a second, so that a full list under a storm of
      // failures costs one eviction per failure, not a walk of the whole list
      lastSweep = at
      for (const [k, until] of blocked) if (until <= at) blocked.delete(k)
    }
    while (blocked.size >= maxBlocked) {
      let oldest = blockedOldest.next().value
      if (oldest === undefined) {
        blockedOldest = blocked.keys()
        oldest = blockedOldest.next().value
      }
      if (oldest === undefined) break
      blocked.delete(oldest)
    }
    blocked.set(key, at + ms)
  }

  function finish(r: Run, found: readonly ResolvedTarget[], target: string): Resolution {
    const seen = new Set<string>()
    const unique: ResolvedTarget[] = []
    for (const t of found) {
      const key = keyOf(t)
      if (seen.has(key)) continue
      seen.add(key)
      unique.push(t)
      if (unique.length >= maxTargets) break
    }
    if (unique.length === 0) {
      if (r.failures.size > 0) {
        return failure(
          resolveErrorCodes.DNS_FAILURE,
          `DNS did not answer for ${target} (${[...r.failures].sort().join(', ')})`,
        )
      }
      return failure(resolveErrorCodes.DNS_NOT_FOUND, `no SIP server found for ${target} in DNS`)
    }
    const ok = unique.filter((t) => !isBlocked(t))
    const failed = unique.filter((t) => isBlocked(t))
    return { ok: true, targets: [...ok, ...failed] }
  }

  interface Lookup {
    readonly uri: SipUri
    readonly target: string
    readonly secure: boolean
    readonly enabled: readonly TransportName[]
    readonly explicit: TransportName | undefined
    readonly fallback: TransportName
    readonly serverName: string | undefined
  }

  /**
   * The resolution of a numeric host: one frozen result per host, port, transport and TLS server
   * name, shared by every request to it. A proxy sends most requests to a few such next hops, and
   * each client transaction keeps its target for up to 32 s (Timers D, K, M): one target object
   * per next hop, not one per request for the garbage collector to mark.
   */
  function numericTarget(
    transport: TransportName,
    address: string,
    port: number,
    serverName: string | undefined,
  ): Resolution {
    const hit = numeric.get(address)
    const t = hit?.targets[0]
    if (t !== undefined && t.transport === transport && t.port === port && t.serverName === serverName)
      return hit!
    if (numeric.size >= MAX_NUMERIC) numeric.clear()
    // a copy of its own: the host may be cut from the text of the message it came in
    const own = JSON.parse(JSON.stringify(address)) as string
    const resolution = Object.freeze({
      ok: true as const,
      targets: Object.freeze([Object.freeze(make(transport, own, port, Infinity, serverName))]),
    })
    numeric.set(own, resolution)
    return resolution
  }

  /** What resolve() decides without DNS: a result (a bad URI, a numeric host...), or what to look up. */
  function decide(input: Uri | string, resolveOptions: ResolveOptions): Resolution | Lookup {
    const uri = typeof input === 'string' ? parseUri(input) : input
    if (uri === undefined) return failure(resolveErrorCodes.BAD_URI, `not a URI: ${shorten(String(input))}`)
    if (uri.kind !== 'sip') {
      return failure(
        resolveErrorCodes.UNSUPPORTED_SCHEME,
        `a ${uri.scheme}: URI has no host to resolve (RFC 3263 resolves sip: and sips:)`,
      )
    }
    const enabled = resolveOptions.transports ?? transports
    const secure = uri.scheme === 'sips'
    // RFC 3263 §4: TARGET is the maddr parameter when present, else the host. The TLS server name is
    // the domain of the URI itself (RFC 5922 §4); a numeric host has none.
    const maddr = uri.params.get('maddr')
    const target = bare(typeof maddr === 'string' && maddr !== '' ? maddr : uri.host)
    const host = bare(uri.host)
    const serverName = ipVersion(host) === 0 ? host : undefined

    let explicit: TransportName | undefined
    const param = uri.params.get('transport')
    if (param !== undefined) {
      explicit = param === null ? undefined : transportParam(param, secure)
      if (explicit === undefined || !enabled.includes(explicit)) {
        return failure(
          resolveErrorCodes.UNSUPPORTED_TRANSPORT,
          `transport=${shorten(String(param))} in a ${uri.scheme}: URI is not among ${enabled.join(', ') || 'no transports'}`,
        )
      }
    }
    const fallback = explicit ?? defaultTransport(secure, enabled)
    if (fallback === undefined) {
      return failure(
        resolveErrorCodes.UNSUPPORTED_TRANSPORT,
        `no transport enabled for a ${uri.scheme}: URI (${enabled.join(', ') || 'none'})`,
      )
    }

    // RFC 3263 §4.1, §4.2: a numeric TARGET needs no DNS.
    if (ipVersion(target) !== 0)
      return numericTarget(fallback, target, uri.port ?? defaultPorts[fallback], serverName)
    // RFC 6761 §6.4: names under .invalid never resolve.
    if (target === 'invalid' || target.endsWith('.invalid')) {
      return failure(resolveErrorCodes.DNS_NOT_FOUND, `${target} is under .invalid (RFC 6761)`)
    }
    return { uri, target, secure, enabled, explicit, fallback, serverName }
  }

  async function resolve(input: Uri | string, resolveOptions: ResolveOptions = {}): Promise<Resolution> {
    const d = decide(input, resolveOptions)
    if ('ok' in d) return d
    const { uri, target, secure, enabled, explicit, fallback, serverName } = d
    const r: Run = { failures: new Set() }
    // RFC 3263 §4.2: an explicit port means A/AAAA only, no NAPTR or SRV.
    if (uri.port !== undefined) {
      return finish(r, await addresses(r, target, fallback, uri.port, Infinity, serverName), target)
    }
    // §4.2: an explicit transport skips NAPTR; SRV for that transport, else A/AAAA on its default port.
    if (explicit !== undefined) {
      const srv = await srvTargets(r, `${srvLabels[explicit]}.${target}`, explicit, Infinity, serverName)
      if (srv.found) return finish(r, srv.targets, target)
      return finish(
        r,
        await addresses(r, target, explicit, defaultPorts[explicit], Infinity, serverName),
        target,
      )
    }
    // §4.1: NAPTR, each usable record followed to its SRV set. When the domain has no usable NAPTR
    // record: SRV for each transport this client supports (the `_sip` services for a SIP URI,
    // `_sips` for a SIPS URI). §4.2: when no SRV record exists at all, A/AAAA on the default port of
    // the transport chosen (the first NAPTR's, else UDP for SIP and TLS for SIPS).
    const naptr = await naptrRecords(r, target, secure, enabled)
    const srvQueries =
      naptr.length > 0
        ? naptr
        : enabled
            .filter((t) => isSecure(t) === secure)
            .map((t) => ({ name: `${srvLabels[t]}.${target}`, transport: t, upstream: Infinity }))
    const srv = await srvAll(r, srvQueries, serverName)
    if (srv.found) return finish(r, srv.targets, target)
    const transport = naptr[0]?.transport ?? fallback
    const upstream = naptr[0]?.upstream ?? Infinity
    return finish(
      r,
      await addresses(r, target, transport, defaultPorts[transport], upstream, serverName),
      target,
    )
  }

  function resolveNow(input: Uri | string, resolveOptions: ResolveOptions = {}): Resolution | undefined {
    const d = decide(input, resolveOptions)
    return 'ok' in d ? d : undefined
  }

  return { resolve, resolveNow, markFailed, isBlocked }
}

function nodeDns(options: ResolverOptions): Dns {
  const timeout = options.timeout ?? 5000
  // Two tries within the resolver's own timeout, which bounds the whole query.
  const resolver = new NodeDnsResolver({ timeout: Math.max(1, Math.ceil(timeout / 2)), tries: 2 })
  if (options.servers !== undefined) resolver.setServers([...options.servers])
  return resolver
}
