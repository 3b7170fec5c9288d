/**
 * IP address helpers: the forms sockets report (IPv4-mapped IPv6 on dual-stack sockets) and
 * comparison of textual IPv6 addresses.
 */
import { isIP } from 'node:net'

/**
 * `isIP` of node:net (0, 4 or 6), with the dotted-quad IPv4 form answered by a scan of its
 * characters: node:net runs a regular expression per call, and the UDP path asks per datagram.
 */
export function ipVersion(address: string): number {
  return isDottedQuad(address) ? 4 : isIP(address)
}

/** IPv4address as node:net accepts it: four decimal parts 0–255 without leading zeros. */
function isDottedQuad(s: string): boolean {
  const n = s.length
  if (n < 7 || n > 15) return false
  let parts = 0
  let value = 0
  let digits = 0
  let first = 0
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || value > 255 || (digits > 1 && first === 48)) return false
      parts++
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c
      if (++digits > 3) return false
      value = value * 10 + c - 48
    } else return false
  }
  return parts === 4
}

/** The address as Via and flows show it: `::ffff:192.0.2.1` from a dual-stack socket becomes `192.0.2.1`. */
export function plainAddress(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7)
  return address
}

/** The canonical text of an IP address (IPv6 compressed, lower case); other text unchanged. */
export function canonicalIp(address: string): string {
  if (isIP(address) !== 6) return address
  return new URL(`http://[${address}]/`).hostname.slice(1, -1)
}

/** True when two texts name the same IP address. */
export function sameIp(a: string, b: string): boolean {
  return a === b || canonicalIp(plainAddress(a)) === canonicalIp(plainAddress(b))
}

/**
 * The key a peer's inbound connections are counted by (`maxConnectionsPerIp`): an IPv4 address as
 * is; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2, what a dual-stack socket
 * reports) as its IPv4 address; any other IPv6 address by its /64 prefix (`2001:db8:0:1::/64`), as
 * one host or site is given a whole /64 (RFC 4291 §2.5.1, RFC 6177), from which it may take any
 * number of addresses. A zone id stays on the key (`fe80::/64%eth1`): each link is its own network.
 * Text that is not an IP address is returned unchanged. Never throws.
 */
export function connectionKeyOf(ip: string): string {
  const zoneAt = ip.indexOf('%')
  const address = zoneAt === -1 ? ip : ip.slice(0, zoneAt)
  if (isIP(address) !== 6) return ip
  const groups = ipv6Groups(address)
  if (groups === undefined) return ip
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`
  }
  const prefix = `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`
  return zoneAt === -1 ? prefix : `${prefix}${ip.slice(zoneAt)}`
}

/** The eight 16-bit groups of an IPv6 address (no zone id) that node:net accepts, else undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.', lastColon)) {
    // an IPv4 address in the last 32 bits (RFC 4291 §2.2, form 3): as two groups
    const [a = 0, b = 0, c = 0, d = 0] = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number)
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const hex = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)))
  const gap = text.indexOf('::')
  const head = hex(gap === -1 ? text : text.slice(0, gap))
  const rest = gap === -1 ? [] : hex(text.slice(gap + 2))
  const zeros = 8 - head.length - rest.length
  if (zeros < 0 || (gap === -1 && zeros !== 0)) return undefined
  const groups = [...head, ...new Array<number>(zeros).fill(0), ...rest]
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}
