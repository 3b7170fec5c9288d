/**
 * IP address helpers: the forms sockets report (IPv4-mapped IPv6 on dual-stack sockets) and
 * comparison of textual IPv6 addresses.
 */
import { isIP } from 'node:net'

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
