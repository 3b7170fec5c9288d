/**
 * The server side: challenges and the check of credentials (RFC 7616 §3.3, §3.4; RFC 3261 §22.4).
 * Nonce lifetime, replay (nc) and stale handling belong to the caller (`@junction/auth`).
 */
import { randomBytes } from 'node:crypto'
import type { DigestAlgorithm } from './algorithm.ts'
import { type DigestSecret, verifyResponse } from './compute.ts'
import { invalidArgument } from './errors.ts'
import { type DigestChallenge, type DigestCredentials, withoutUndefined } from './values.ts'

/** A nonce: 24 octets from the CSPRNG in base64url (RFC 7616 §3.3: unpredictable, opaque). */
export function generateNonce(): string {
  return randomBytes(24).toString('base64url')
}

export interface CreateChallengeOptions {
  readonly realm: string
  /** Default: `generateNonce()`. */
  readonly nonce?: string | undefined
  readonly algorithm?: DigestAlgorithm | undefined
  /** qop-options; default `['auth']`. An empty list sends no qop (RFC 2069 compatibility). */
  readonly qop?: readonly ('auth' | 'auth-int')[] | undefined
  readonly opaque?: string | undefined
  readonly stale?: boolean | undefined
  readonly domain?: readonly string[] | undefined
  readonly userhash?: boolean | undefined
  readonly charset?: 'UTF-8' | undefined
}

/** A challenge to send (RFC 7616 §3.3), with a fresh nonce unless one is given. */
export function createChallenge(options: CreateChallengeOptions): DigestChallenge {
  const nonce = options.nonce ?? generateNonce()
  for (const [name, v] of [
    ['realm', options.realm],
    ['nonce', nonce],
    ['opaque', options.opaque],
  ] as const) {
    if (v?.includes('"')) throw invalidArgument(`${name} cannot hold a double quote`)
  }
  const qop = options.qop ?? ['auth']
  return withoutUndefined({
    realm: options.realm,
    nonce,
    opaque: options.opaque,
    algorithm: options.algorithm,
    qop: qop.length === 0 ? undefined : qop,
    stale: options.stale,
    domain: options.domain,
    userhash: options.userhash,
    charset: options.charset,
  })
}

export type VerifyCredentialsOptions = DigestSecret & {
  readonly method: string
  /** The body, for `auth-int`. */
  readonly body?: string | Uint8Array | undefined
  /**
   * The user's name, needed with a password when the credentials carry a userhash (the server
   * found the user by that hash, RFC 7616 §3.4.4). Default: `credentials.username`.
   */
  readonly username?: string | undefined
}

/**
 * Whether `credentials` hold the right response for this secret, in constant time. Only the
 * digest is checked: that the nonce is one the server issued, not stale, and that nc grows, is the
 * caller's; so is comparing `uri` with the Request-URI (RFC 7616 §3.4.6).
 */
export function verifyCredentials(
  credentials: DigestCredentials,
  options: VerifyCredentialsOptions,
): boolean {
  if (credentials.userhash === true && options.password !== undefined && options.username === undefined) {
    throw invalidArgument('credentials with a userhash need the username the server found for it')
  }
  const secret: DigestSecret =
    options.ha1 !== undefined ? { ha1: options.ha1 } : { password: options.password as string | Uint8Array }
  return verifyResponse({
    ...secret,
    algorithm: credentials.algorithm,
    username: options.username ?? credentials.username,
    realm: credentials.realm,
    nonce: credentials.nonce,
    cnonce: credentials.cnonce,
    nc: credentials.nc,
    qop: credentials.qop,
    method: options.method,
    uri: credentials.uri,
    body: options.body,
    response: credentials.response,
  })
}
