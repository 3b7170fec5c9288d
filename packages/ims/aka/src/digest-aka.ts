/**
 * HTTP Digest AKA: AKAv1-MD5 (RFC 3310) and AKAv2-MD5 (RFC 4169), on @junction/digest.
 *
 *   nonce    = base64(RAND ‖ AUTN ‖ server data)           RFC 3310 §3.1
 *   password = RES, as raw octets                          AKAv1-MD5, RFC 3310 §3.1
 *   password = base64(HMAC-MD5(RES ‖ IK ‖ CK, "http-digest-akav2-password"))   AKAv2-MD5, RFC 4169 §3
 *
 * Failures from the UE (RFC 3310 §3.3, §3.4; TS 24.229 §5.1.1.5.3): a network it could not
 * authenticate gives an empty `response` and no `auts`; a sequence number out of range gives
 * `auts` = base64(AUTS), with the response computed with an empty password.
 */
import { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import {
  createChallenge,
  createCredentials,
  type DigestChallenge,
  type DigestCredentials,
  type DigestProblem,
  type DigestQop,
  digestErrorCodes,
  verifyCredentials,
} from '@junction/digest'
import { type AkaErrorCode, akaErrorCodes, invalidArgument } from './errors.ts'
import { checkLength } from './milenage.ts'
import type { UsimSqn } from './sqn.ts'
import { type SubscriberKeys, verifyAutn } from './vector.ts'

/** The Digest AKA algorithms. */
export type AkaAlgorithm = 'AKAv1-MD5' | 'AKAv2-MD5'

const AKAV2_PRF_DATA = 'http-digest-akav2-password'

/** RFC 3310 §3.1: nonce = base64(RAND ‖ AUTN ‖ server data). */
export function createAkaNonce(input: {
  readonly rand: Uint8Array
  readonly autn: Uint8Array
  /** Octets of the server's own (integrity, freshness), opaque to the UE. */
  readonly serverData?: Uint8Array | undefined
}): string {
  checkLength('RAND', input.rand, 16)
  checkLength('AUTN', input.autn, 16)
  return Buffer.concat([input.rand, input.autn, input.serverData ?? new Uint8Array(0)]).toString('base64')
}

/** The parts of an AKA nonce. */
export interface AkaNonce {
  readonly rand: Uint8Array
  readonly autn: Uint8Array
  readonly serverData: Uint8Array
}

export type AkaNonceResult =
  | { readonly ok: true; readonly value: AkaNonce }
  | { readonly ok: false; readonly error: { readonly code: AkaErrorCode; readonly reason: string } }

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The RAND, AUTN and server data of a nonce; `JUNCTION_ERR_AKA_BAD_NONCE` when it is not one. */
export function parseAkaNonce(nonce: string): AkaNonceResult {
  if (nonce.length > 4096 || !BASE64.test(nonce)) {
    return { ok: false, error: { code: akaErrorCodes.BAD_NONCE, reason: 'the nonce is not base64' } }
  }
  const bytes = Buffer.from(nonce, 'base64')
  if (bytes.length < 32) {
    return {
      ok: false,
      error: { code: akaErrorCodes.BAD_NONCE, reason: 'the nonce is shorter than RAND ‖ AUTN' },
    }
  }
  return {
    ok: true,
    value: { rand: bytes.subarray(0, 16), autn: bytes.subarray(16, 32), serverData: bytes.subarray(32) },
  }
}

/**
 * The Digest password of an AKA run: RES itself for AKAv1-MD5 (RFC 3310 §3.1), and for
 * AKAv2-MD5 base64(PRF(RES ‖ IK ‖ CK, "http-digest-akav2-password")) with PRF = HMAC-MD5 keyed
 * with RES ‖ IK ‖ CK (RFC 4169 §3). The network uses XRES in place of RES.
 */
export function akaPassword(
  algorithm: AkaAlgorithm,
  input: {
    readonly res: Uint8Array
    readonly ik?: Uint8Array | undefined
    readonly ck?: Uint8Array | undefined
  },
): Uint8Array | string {
  if (!(input.res instanceof Uint8Array) || input.res.length < 4 || input.res.length > 16) {
    throw invalidArgument('RES must be 4 to 16 octets')
  }
  if (algorithm === 'AKAv1-MD5') return input.res
  if (algorithm !== 'AKAv2-MD5') throw invalidArgument(`not an AKA algorithm: ${String(algorithm)}`)
  if (input.ik === undefined || input.ck === undefined) throw invalidArgument('AKAv2-MD5 needs IK and CK')
  checkLength('IK', input.ik, 16)
  checkLength('CK', input.ck, 16)
  const key = Buffer.concat([input.res, input.ik, input.ck])
  return createHmac('md5', key).update(AKAV2_PRF_DATA).digest('base64')
}

export interface CreateAkaChallengeOptions {
  readonly realm: string
  /** The vector's RAND and AUTN (XRES, CK, IK stay at the server). */
  readonly vector: { readonly rand: Uint8Array; readonly autn: Uint8Array }
  /** Default `AKAv1-MD5`. */
  readonly algorithm?: AkaAlgorithm | undefined
  /** qop-options; default `['auth']` (TS 24.229 §5.4.1.2.1 allows `auth` and `auth-int`). */
  readonly qop?: readonly DigestQop[] | undefined
  readonly opaque?: string | undefined
  readonly serverData?: Uint8Array | undefined
  readonly stale?: boolean | undefined
}

/** The server's WWW-Authenticate challenge for one vector (RFC 3310 §3.1). */
export function createAkaChallenge(options: CreateAkaChallengeOptions): DigestChallenge {
  return createChallenge({
    realm: options.realm,
    nonce: createAkaNonce({ ...options.vector, serverData: options.serverData }),
    algorithm: options.algorithm ?? 'AKAv1-MD5',
    qop: options.qop ?? ['auth'],
    opaque: options.opaque,
    stale: options.stale,
  })
}

/** What the server makes of AKA credentials. */
export type AkaVerdict =
  /** The response matches XRES: the UE is authenticated (RFC 3310 §3.2). */
  | { readonly outcome: 'authenticated' }
  /** The UE sent AUTS: fetch a fresh vector with RAND ‖ AUTS (MAR, TS 29.228 §6.3.3), challenge again. */
  | { readonly outcome: 'resync'; readonly rand: Uint8Array; readonly auts: Uint8Array }
  /** Empty response, no auts: the UE could not authenticate the network (RFC 3310 §3.3; 403). */
  | { readonly outcome: 'network-authentication-failure' }
  /** The response does not match, or the credentials name another algorithm. */
  | { readonly outcome: 'wrong-response' }
  /** An `auts` directive that is not base64 of 14 octets. */
  | { readonly outcome: 'bad-auts' }

export interface VerifyAkaCredentialsOptions {
  readonly method: string
  readonly body?: string | Uint8Array | undefined
  /** The vector sent in the challenge this answers (found by its nonce). */
  readonly vector: {
    readonly rand: Uint8Array
    readonly xres: Uint8Array
    readonly ck?: Uint8Array | undefined
    readonly ik?: Uint8Array | undefined
  }
  /** The algorithm of the challenge; default `AKAv1-MD5`. */
  readonly algorithm?: AkaAlgorithm | undefined
}

/** AUTS from an `auts` directive: base64 of 14 octets (RFC 3310 §3.4), or undefined. */
export function decodeAuts(auts: string): Uint8Array | undefined {
  if (auts.length > 64 || !BASE64.test(auts)) return undefined
  const bytes = Buffer.from(auts, 'base64')
  return bytes.length === 14 ? bytes : undefined
}

/** The `auts` directive: base64(AUTS) (RFC 3310 §3.4). */
export function encodeAuts(auts: Uint8Array): string {
  checkLength('AUTS', auts, 14)
  return Buffer.from(auts.buffer, auts.byteOffset, auts.length).toString('base64')
}

/**
 * The server's check of AKA credentials (RFC 3310 §3.2–§3.4) against the vector of the nonce
 * they answer; the response is compared in constant time. Finding the vector by nonce, single use
 * of the nonce and comparing realm and uri are the caller's.
 */
export function verifyAkaCredentials(
  credentials: DigestCredentials,
  options: VerifyAkaCredentialsOptions,
): AkaVerdict {
  const algorithm = options.algorithm ?? 'AKAv1-MD5'
  if (credentials.auts !== undefined) {
    const auts = decodeAuts(credentials.auts)
    return auts === undefined
      ? { outcome: 'bad-auts' }
      : { outcome: 'resync', rand: options.vector.rand, auts }
  }
  if (credentials.response === '') return { outcome: 'network-authentication-failure' }
  if (credentials.algorithm !== undefined && credentials.algorithm !== algorithm)
    return { outcome: 'wrong-response' }
  const password = akaPassword(algorithm, {
    res: options.vector.xres,
    ik: options.vector.ik,
    ck: options.vector.ck,
  })
  const ok = verifyCredentials(
    { ...credentials, algorithm },
    { method: options.method, body: options.body, password },
  )
  return ok ? { outcome: 'authenticated' } : { outcome: 'wrong-response' }
}

export type AnswerAkaChallengeOptions = SubscriberKeys & {
  readonly challenge: DigestChallenge
  /** The IMPI (TS 33.203 §6.1). */
  readonly username: string
  readonly method: string
  readonly uri: string
  readonly body?: string | Uint8Array | undefined
  /** nonce-count; default 1. */
  readonly nc?: number | undefined
  readonly cnonce?: string | undefined
  /** The USIM's SQN state; without it every SQN is accepted. */
  readonly usim?: UsimSqn | undefined
}

/** What a UE sends back for an AKA challenge. */
export type AkaAnswer =
  /** A genuine network: credentials with the response, and the session keys. Secret. */
  | {
      readonly outcome: 'authenticated'
      readonly credentials: DigestCredentials
      readonly res: Uint8Array
      readonly ck: Uint8Array
      readonly ik: Uint8Array
    }
  /** SQN out of range: credentials carrying `auts`, response with an empty password (RFC 3310 §3.4). */
  | { readonly outcome: 'sync-failure'; readonly credentials: DigestCredentials; readonly auts: Uint8Array }
  /** MAC-A wrong: credentials with an empty response (RFC 3310 §3.3). */
  | { readonly outcome: 'mac-failure'; readonly credentials: DigestCredentials }
  /** Not an AKA challenge this UE can answer (bad nonce, other algorithm, no usable qop). */
  | {
      readonly outcome: 'invalid'
      readonly error: DigestProblem | { readonly code: AkaErrorCode; readonly reason: string }
    }

/** The UE side of RFC 3310 / RFC 4169: run AKA on the nonce and answer the challenge. */
export function answerAkaChallenge(options: AnswerAkaChallengeOptions): AkaAnswer {
  const { challenge } = options
  const algorithm = challenge.algorithm
  if (algorithm !== 'AKAv1-MD5' && algorithm !== 'AKAv2-MD5') {
    return {
      outcome: 'invalid',
      error: {
        code: digestErrorCodes.UNSUPPORTED_ALGORITHM,
        reason: `algorithm ${algorithm ?? 'MD5'} is not Digest AKA`,
      },
    }
  }
  const nonce = parseAkaNonce(challenge.nonce)
  if (!nonce.ok) return { outcome: 'invalid', error: nonce.error }
  const { rand, autn } = nonce.value
  const keys: SubscriberKeys =
    'milenage' in options
      ? { milenage: options.milenage }
      : options.opc !== undefined
        ? { k: options.k, opc: options.opc }
        : { k: options.k, op: options.op as Uint8Array }
  const checked = verifyAutn({ ...keys, rand, autn, usim: options.usim })
  const common = {
    challenge,
    username: options.username,
    method: options.method,
    uri: options.uri,
    body: options.body,
    nc: options.nc,
    cnonce: options.cnonce,
  }
  if (checked.ok) {
    const password = akaPassword(algorithm, checked)
    const built = createCredentials({ ...common, password })
    if (!built.ok) return { outcome: 'invalid', error: built.error }
    return {
      outcome: 'authenticated',
      credentials: built.value,
      res: checked.res,
      ck: checked.ck,
      ik: checked.ik,
    }
  }
  if (checked.error.code === akaErrorCodes.SYNC_FAILURE) {
    const { auts } = checked.error
    const built = createCredentials({ ...common, password: '', auts: encodeAuts(auts) })
    if (!built.ok) return { outcome: 'invalid', error: built.error }
    return { outcome: 'sync-failure', credentials: built.value, auts }
  }
  const built = createCredentials({ ...common, password: '' })
  if (!built.ok) return { outcome: 'invalid', error: built.error }
  return { outcome: 'mac-failure', credentials: { ...built.value, response: '' } }
}
