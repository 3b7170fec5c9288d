/**
 * Digest algorithms: RFC 7616 §3.4.2 and §6.1 (the IANA registry), RFC 8760 §2 for SIP, RFC 3310
 * §3.1 (AKAv1-MD5) and RFC 4169 §3 (AKAv2-MD5).
 */
import { Buffer } from 'node:buffer'
import { createHash, hash } from 'node:crypto'
import { invalidArgument } from './errors.ts'

/**
 * The `algorithm` directive values this package computes. `AKAv1-MD5` and `AKAv2-MD5` are MD5
 * digests whose password is derived from the AKA run by the caller (RES for v1, RFC 3310 §3.1; the
 * base64 PRF output for v2, RFC 4169 §3); `@junction/aka` derives it.
 */
export type DigestAlgorithm =
  | 'MD5'
  | 'MD5-sess'
  | 'SHA-256'
  | 'SHA-256-sess'
  | 'SHA-512-256'
  | 'SHA-512-256-sess'
  | 'AKAv1-MD5'
  | 'AKAv2-MD5'

/** Every algorithm, in the order of RFC 7616 §6.1, then the AKA ones. */
export const digestAlgorithms: readonly DigestAlgorithm[] = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
  'SHA-512-256',
  'SHA-512-256-sess',
  'AKAv1-MD5',
  'AKAv2-MD5',
]

interface AlgorithmInfo {
  /** node:crypto hash name. SHA-512-256 is SHA-512/256 (FIPS 180-4 §6.7), not a truncated SHA-512. */
  readonly hash: 'md5' | 'sha256' | 'sha512-256'
  /** A "-sess" variant: HA1 is keyed with nonce and cnonce (RFC 7616 §3.4.2). */
  readonly session: boolean
  /** Length of every H() output in hex digits. */
  readonly hexLength: number
}

const info: Readonly<Record<DigestAlgorithm, AlgorithmInfo>> = {
  MD5: { hash: 'md5', session: false, hexLength: 32 },
  'MD5-sess': { hash: 'md5', session: true, hexLength: 32 },
  'SHA-256': { hash: 'sha256', session: false, hexLength: 64 },
  'SHA-256-sess': { hash: 'sha256', session: true, hexLength: 64 },
  'SHA-512-256': { hash: 'sha512-256', session: false, hexLength: 64 },
  'SHA-512-256-sess': { hash: 'sha512-256', session: true, hexLength: 64 },
  'AKAv1-MD5': { hash: 'md5', session: false, hexLength: 32 },
  'AKAv2-MD5': { hash: 'md5', session: false, hexLength: 32 },
}

const byLowerName = new Map<string, DigestAlgorithm>(digestAlgorithms.map((a) => [a.toLowerCase(), a]))

/**
 * The algorithm named by an `algorithm` directive, matched without regard to case, or `undefined`
 * for one this package does not implement. An absent directive means `MD5` (RFC 7616 §3.3).
 */
export function parseAlgorithm(token: string): DigestAlgorithm | undefined {
  return byLowerName.get(token.toLowerCase())
}

/** Whether `algorithm` is a "-sess" variant (RFC 7616 §3.4.2). */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithmInfo(algorithm).session
}

/** Whether `algorithm` is one of the AKA algorithms (RFC 3310, RFC 4169). */
export function isAkaAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm === 'AKAv1-MD5' || algorithm === 'AKAv2-MD5'
}

/** Length of a response, HA1 or HA2 of `algorithm` in hex digits (32 or 64). */
export function digestLength(algorithm: DigestAlgorithm): number {
  return algorithmInfo(algorithm).hexLength
}

export function algorithmInfo(algorithm: DigestAlgorithm): AlgorithmInfo {
  const found = info[algorithm]
  if (found === undefined) throw invalidArgument(`unknown digest algorithm ${JSON.stringify(algorithm)}`)
  return found
}

const COLON = Buffer.from(':')

/**
 * H(parts joined with ":") as lower-case hex (RFC 7616 §3.4.1). Strings are hashed as UTF-8;
 * octets (an AKA RES) are hashed as they are, never as their text.
 */
export function h(algorithm: DigestAlgorithm, ...parts: readonly (string | Uint8Array)[]): string {
  const name = algorithmInfo(algorithm).hash
  let text = ''
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    if (typeof part !== 'string') return hashParts(name, parts)
    text = i === 0 ? part : `${text}:${part}`
  }
  // one-shot: a fraction of the cost of createHash().update().digest() for the short inputs here
  return hash(name, text, 'hex')
}

/** H() over parts some of which are octets: fed one by one, never turned into text. */
function hashParts(name: AlgorithmInfo['hash'], parts: readonly (string | Uint8Array)[]): string {
  const digest = createHash(name)
  parts.forEach((part, i) => {
    if (i > 0) digest.update(COLON)
    if (typeof part === 'string') digest.update(part, 'utf8')
    else digest.update(part)
  })
  return digest.digest('hex')
}
