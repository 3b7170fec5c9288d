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
