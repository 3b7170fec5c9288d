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

function bare(host: string): string {
  const h = host.toLowerCase()
  return h.startsWith('[') ? h.slice(1, -1) : h
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
  const domainSet = new Set(domains.map(bare))
  const aliasHosts = new Set<string>()
  const aliasHostPorts: Array<[string, number]> = []
  for (const a of aliases) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(a.trim())
    if (m === null) continue
    if (m[2] === undefined) aliasHosts.add(bare(m[1]!))
    else aliasHostPorts.push([bare(m[1]!), Number(m[2])])
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
        addHostPort(bare(host), port)
        hosts.add(bare(host))
      }
      ports.add(l.advertise.port)
      ports.add(l.port)
    }
  }

  function matches(host: string, port: number | undefined, secure: boolean): boolean {
    refresh()
    const h = bare(host)
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
      const h = bare(uri.host)
      return domainSet.has(h) || hosts.has(h)
    },
  }
}
