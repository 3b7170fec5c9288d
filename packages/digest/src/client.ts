/**
 * The client side: credentials that answer a challenge (RFC 7616 §3.4; RFC 8760 §2 for SIP).
 */
import { randomBytes } from 'node:crypto'
import { algorithmInfo } from './algorithm.ts'
import {
  computeResponse,
  computeUserhash,
  type DigestQop,
  type DigestSecret,
  formatNonceCount,
} from './compute.ts'
import { type DigestResult, digestErrorCodes, failure, invalidArgument } from './errors.ts'
import { type DigestChallenge, type DigestCredentials, withoutUndefined } from './values.ts'

export type CreateCredentialsOptions = DigestSecret & {
  readonly challenge: DigestChallenge
  /** The user's name; sent as its userhash when the challenge asks for one. */
  readonly username: string
  readonly method: string
  /** The digest-uri: the Request-URI in SIP (RFC 3261 §22.4). */
  readonly uri: string
  /** The body, for `auth-int`. */
  readonly body?: string | Uint8Array | undefined
  /** nonce-count, 1 for the first request with this nonce (see `createNonceCounter`). Default 1. */
  readonly nc?: number | undefined
  /** Default: 16 random octets in hex. */
  readonly cnonce?: string | undefined
  /** The qop wanted when the challenge offers both; default `auth`. */
  readonly qop?: DigestQop | undefined
  /** base64(AUTS) for an AKA synchronisation failure (RFC 3310 §3.4). */
  readonly auts?: string | undefined
}

/** A client nonce: 16 octets from the CSPRNG, in hex (RFC 7616 §3.4: at least 64 bits). */
export function generateCnonce(): string {
  return randomBytes(16).toString('hex')
}

/** The qop to answer with: the preferred one when offered, else `auth`, else `auth-int`. */
function chooseQop(offered: readonly string[], preferred: DigestQop | undefined): DigestQop | undefined {
  if (preferred !== undefined && offered.includes(preferred)) return preferred
  if (offered.includes('auth')) return 'auth'
  if (offered.includes('auth-int')) return 'auth-int'
  return undefined
}

/**
 * Credentials answering `challenge` (RFC 7616 §3.4): qop `auth` when offered (or `auth-int`
 * when it is the only one, or preferred), a fresh cnonce, the nonce-count given, the userhash when
 * the challenge sets `userhash=true` (§3.4.4), and the challenge's opaque and algorithm echoed.
 * Without qop-options it answers in the RFC 2069 compatible form (no qop, nc or cnonce, except the
 * cnonce a "-sess" algorithm needs). Fails with `JUNCTION_ERR_DIGEST_UNSUPPORTED_QOP` when qop
 * values are offered but neither `auth` nor `auth-int` is among them.
 */
export function createCredentials(options: CreateCredentialsOptions): DigestResult<DigestCredentials> {
  const { challenge } = options
  const algorithm = challenge.algorithm ?? 'MD5'
  let qop: DigestQop | undefined
  if (challenge.qop !== undefined) {
    qop = chooseQop(challenge.qop, options.qop)
    if (qop === undefined) {
      return failure(digestErrorCodes.UNSUPPORTED_QOP, `no supported qop in ${challenge.qop.join(',')}`)
    }
  }
  const needsCnonce = qop !== undefined || algorithmInfo(algorithm).session
  const cnonce = needsCnonce ? (options.cnonce ?? generateCnonce()) : undefined
  if (cnonce?.includes('"')) throw invalidArgument('a cnonce cannot hold a double quote')
  const nc = qop === undefined ? undefined : formatNonceCount(options.nc ?? 1)
  const secret: DigestSecret =
    options.ha1 !== undefined ? { ha1: options.ha1 } : { password: options.password as string | Uint8Array }
  const response = computeResponse({
    ...secret,
    algorithm,
    username: options.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    cnonce,
    method: options.method,
    uri: options.uri,
    qop,
    nc,
    body: options.body,
  })
  const userhash = challenge.userhash === true
  const credentials: DigestCredentials = {
    username: userhash
      ? computeUserhash({ algorithm, username: options.username, realm: challenge.realm })
      : options.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: options.uri,
    response,
    algorithm: challenge.algorithm,
    cnonce,
    opaque: challenge.opaque,
    qop,
    nc,
    userhash: userhash ? true : undefined,
    auts: options.auts,
  }
  return { ok: true, value: withoutUndefined(credentials) }
}

/** Counts the requests a client sends with each nonce (RFC 7616 §3.4: nc). */
export interface NonceCounter {
  /** The nonce-count for the next request with `nonce`: 1, then 2, ... */
  next(nonce: string): number
  /** Forget a nonce (the server sent a new challenge). */
  forget(nonce: string): void
  /** How many nonces are tracked. */
  readonly size: number
}

/**
 * A nonce counter that tracks at most `max` nonces (default 64), forgetting the least recently
 * used: a client never grows without bound.
 */
export function createNonceCounter(options: { readonly max?: number } = {}): NonceCounter {
  const max = options.max ?? 64
  if (!Number.isInteger(max) || max < 1) throw invalidArgument('max must be a positive integer')
  const counts = new Map<string, number>()
  return {
    next(nonce) {
      const n = (counts.get(nonce) ?? 0) + 1
      counts.delete(nonce)
      counts.set(nonce, n > 0xffffffff ? 1 : n)
      if (counts.size > max) {
        const oldest = counts.keys().next().value
        if (oldest !== undefined) counts.delete(oldest)
      }
      return n > 0xffffffff ? 1 : n
    },
    forget(nonce) {
      counts.delete(nonce)
    },
    get size() {
      return counts.size
    },
  }
}
