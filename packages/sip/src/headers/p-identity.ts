/**
 * P-Asserted-Identity and P-Preferred-Identity, RFC 3325 §9.1:
 *
 *   PAssertedID-value = name-addr / addr-spec        (comma-separated; no parameters)
 */
import { skipWs } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatNameAddr, type NameAddr, nameAddr, readNameAddr } from '../name-addr.ts'

export function parseIdentity(s: string, start: number, end: number): NameAddr | undefined {
  if (!readNameAddr(s, start, end, true) || skipWs(s, nameAddr.end, end) !== end) return undefined
  return { displayName: nameAddr.displayName, uri: nameAddr.uri }
}

/** P-Asserted-Identity: the identity a trusted network asserts for the sender (RFC 3325). */
export const PAssertedIdentity = defineHeader({
  name: 'P-Asserted-Identity',
  kind: 'list',
  parse: parseIdentity,
  format: formatNameAddr,
})

/** P-Preferred-Identity: the identity the UA would like asserted (RFC 3325). */
export const PPreferredIdentity = defineHeader({
  name: 'P-Preferred-Identity',
  kind: 'list',
  parse: parseIdentity,
  format: formatNameAddr,
})
