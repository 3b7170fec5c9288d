/**
 * What "this proxy" means when a URI or a Via is compared with it: the advertised (and bound)
 * addresses of its listeners, the domains it serves and configured aliases (RFC 3261 §16.4: "the
 * first value in the Route header field indicates this proxy"; §16.3 step 4: "a sent-by value that
 * equals a value placed into previous requests by the proxy").
 */
import type { Uri, ViaValue } from '@junction/sip'
import type { BoundListener } from '@junction/transport'

export interface Locality {
  /** A URI naming this proxy: one of our addresses or aliases, with one of our ports (default 5060/5061). */
  isOurUri(uri: Uri): boolean
  /** A Via whose sent-by we put there (§16.3 step 4, §16.7 step 3). */
  isOurSentBy(via: ViaValue): boolean
  /** A URI for one of our domains, addresses or aliases, on any port: we are responsible for it. */
  isLocal(uri: Uri): boolean
  readonly domains: readonly string[]
}

/**
 * A host as it is compared with ours: one text per host, so that no spelling of our own name or
 * address passes for a stranger's (a From of one of our domains is challenged, our Route values
 * are removed). Case-insensitive (RFC 3261 §19.1.4); without IPv6 brackets; a domain name without
 * its trailing root dot (`example.com.` is the same FQDN, RFC 1034 §3.1); an IPv6 address in its
 * RFC 5952 §4 form (`0:0:0:0:0:0:0:1` is `::1`, RFC 5118 §4.1), an IPv4-mapped IPv6 address as its
 * IPv4 address; an IPv4 address without leading zeros (`127.000.000.001`: RFC 3261's IPv4address
 * is decimal, RFC 3986 §7.4). Text that is none of these is only lower-cased and unbracketed.
 */
export function canonicalHost(host: string): string {
  let h = host.toLowerCase()
  if (h.charCodeAt(0) === 91 /* [ */) h = h.slice(1, -1)
  if (h.includes(':')) return canonicalIpv6(h)
  if (h.length > 1 && h.charCodeAt(h.length - 1) === 46 /* . */) h = h.slice(0, -1)
  if (hasLeadingZero(h) && dottedQuad.test(h)) {
    return h
      .split('.')
      .map((part) => String(Number.parseInt(part, 10)))
      .join('.')
  }
  return h
}

const dottedQuad = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

/** A 0 followed by a digit at the start of a dot-separated part: one scan, no regular expression. */
function hasLeadingZero(h: string): boolean {
  for (let i = 0; i < h.length - 1; i++) {
    if (h.charCodeAt(i) !== 48 || (i > 0 && h.charCodeAt(i - 1) !== 46)) continue
    const next = h.charCodeAt(i + 1)
    if (next >= 48 && next <= 57) return true
  }
  return false
}

function canonicalIpv6(h: string): string {
  if (h.startsWith('::ffff:') && h.includes('.')) return canonicalHost(h.slice(7))
  if (!URL.canParse(`http://[${h}]/`)) return h // not an address (a zone id, say): compared as text
  const c = new URL(`http://[${h}]/`).hostname.slice(1, -1)
  // the WHATWG form of a mapped address is hexadecimal (::ffff:7f00:1)
  if (c.startsWith('::ffff:')) {
    const groups = c.slice(7).split(':')
    if (groups.length === 2) {
      const a = Number.parseInt(groups[0]!, 16)
      const b = Number.parseInt(groups[1]!, 16)
      return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`
    }
  }
  return c
}

/**
 * @param listeners the bound listeners (read at every call: ports bound to 0 are known after start)
 * @param domains the domains we serve (registrar, local routing)
 * @param aliases other names or addresses of this proxy (`host` or `host:port`), e.g. a DNS name
 *   that points at it or an address a load balancer exposes
 */
export function createLocality(
  listeners: () => readonly BoundListener[],
  domains: readonly string[],
  aliases: readonly string[] = [],
): Locality {
  const domainSet = new Set(domains.map(canonicalHost))
  const aliasHosts = new Set<string>()
  const aliasHostPorts: Array<[string, number]> = []
  for (const a of aliases) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(a.trim())
    if (m === null) continue
    if (m[2] === undefined) aliasHosts.add(canonicalHost(m[1]!))
    else aliasHostPorts.push([canonicalHost(m[1]!), Number(m[2])])
  }
  let cachedFor: readonly BoundListener[] | undefined
  let cachedLength = -1
  /** host → its ports: a lookup of the host as read from the message, no `host:port` string built. */
  let hostPorts = new Map<string, Set<number>>()
  let hosts = new Set<string>()
  let ports = new Set<number>()

  function addHostPort(host: string, port: number): void {
    let set = hostPorts.get(host)
    if (set === undefined) {
      set = new Set()
      hostPorts.set(host, set)
    }
    set.add(port)
  }

  function refresh(): void {
    // the transport fills its listener array in place when it starts (and empties it at stop)
    const ls = listeners()
    if (ls === cachedFor && ls.length === cachedLength) return
    cachedFor = ls
    cachedLength = ls.length
    hostPorts = new Map()
    for (const [host, port] of aliasHostPorts) addHostPort(host, port)
    hosts = new Set(aliasHosts)
    ports = new Set()
    for (const l of ls) {
      for (const [host, port] of [
        [l.advertise.host, l.advertise.port],
        [l.host, l.port],
      ] as const) {
        if (host === '0.0.0.0' || host === '::') continue
        addHostPort(canonicalHost(host), port)
        hosts.add(canonicalHost(host))
      }
      ports.add(l.advertise.port)
      ports.add(l.port)
    }
  }

  function matches(host: string, port: number | undefined, secure: boolean): boolean {
    refresh()
    const h = canonicalHost(host)
    const p = port ?? (secure ? 5061 : 5060)
    if (hostPorts.get(h)?.has(p) === true || aliasHosts.has(h)) return true
    return domainSet.has(h) && (port === undefined || ports.has(port))
  }

  return {
    domains,
    isOurUri(uri) {
      if (uri.kind !== 'sip') return false
      const secure = uri.scheme === 'sips' || uri.params.get('transport')?.toLowerCase() === 'tls'
      return matches(uri.host, uri.port, secure)
    },
    isOurSentBy(via) {
      const t = via.transport.toUpperCase()
      return matches(via.host, via.port, t === 'TLS' || t === 'WSS')
    },
    isLocal(uri) {
      if (uri.kind !== 'sip') return false
      refresh()
      const h = canonicalHost(uri.host)
      return domainSet.has(h) || hosts.has(h)
    },
  }
}
