/**
 * The key a limit counts a peer under (the failed-auth guard of `@junction/auth`, the connections
 * per peer of `@junction/transport`, flood protection): one host owns a whole IPv6 /64 (RFC 4291
 * §2.5.1, RFC 7421: interface identifiers are 64 bits; SLAAC and privacy addresses, RFC 8981, let
 * it take any of them at will), so an IPv6 address is keyed by its /64 prefix, else a peer would
 * change its address at each attempt and never reach a limit. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2, what a dual-stack socket reports for an IPv4 peer) is
 * keyed as the IPv4 address, so both spellings of one peer share one count. Brackets and a zone id
 * (`fe80::1%eth0`, RFC 4007 §11) are ignored. Any other text (not an IP address) is its own key.
 * Never throws.
 */
import { isIPv4, isIPv6 } from 'node:net'

export function sourceKeyOf(address: string): string {
  // the common case, per request: no colon, no bracket (an IPv4 address, or text): its own key
  if (address.indexOf(':') === -1 && address.charCodeAt(0) !== 91) return address
  let a = address
  if (a.length > 1 && a.charCodeAt(0) === 91 && a.charCodeAt(a.length - 1) === 93) a = a.slice(1, -1)
  const zone = a.indexOf('%')
  if (zone !== -1) a = a.slice(0, zone)
  if (isIPv4(a)) return a
  const g = ipv6Groups(a)
  if (g === undefined) return address
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff)
    return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`
  return `${prefix64(g)}/64`
}

/** The eight 16-bit groups of a valid IPv6 address (no brackets, no zone), else undefined. */
function ipv6Groups(a: string): number[] | undefined {
  if (!isIPv6(a) || a.includes('%')) return undefined
  const part = (s: string): number[] => {
    if (s === '') return []
    const out: number[] = []
    for (const p of s.split(':')) {
      if (p.includes('.')) {
        const o = p.split('.').map(Number)
        out.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!)
      } else out.push(Number.parseInt(p, 16))
    }
    return out
  }
  const dbl = a.indexOf('::')
  if (dbl === -1) return part(a)
  const head = part(a.slice(0, dbl))
  const tail = part(a.slice(dbl + 2))
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

/** The /64 prefix of `g` in RFC 5952 text: its first four groups, the rest `::`. */
function prefix64(g: readonly number[]): string {
  let n = 4
  while (n > 0 && g[n - 1] === 0) n-- // the zeros before the :: join it
  return `${g
    .slice(0, n)
    .map((x) => x.toString(16))
    .join(':')}::`
}
