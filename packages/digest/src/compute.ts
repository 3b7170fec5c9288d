/**
 * The digest computations: RFC 2617 §3.2.2, RFC 7616 §3.4.1–§3.4.4 (RFC 8760 §2 applies them to
 * SIP), with the AKA passwords of RFC 3310 §3.1 and RFC 4169 §3 supplied by the caller.
 *
 *   HA1      = H(username ":" realm ":" password)                      (RFC 7616 §3.4.2)
 *   HA1-sess = H(H(username ":" realm ":" password) ":" nonce ":" cnonce)
 *   HA2      = H(method ":" uri)                                       (qop auth, or none)
 *   HA2      = H(method ":" uri ":" H(entity-body))                    (qop auth-int, §3.4.3)
 *   response = KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" HA2)        (qop present)
 *   response = KD(HA1, nonce ":" HA2)                                  (no qop, RFC 2617 §3.2.2.1)
 *   KD(secret, data) = H(secret ":" data)
 */
import { Buffer } from 'node:buffer'
import { timingSafeEqual } from 'node:crypto'
import { algorithmInfo, type DigestAlgorithm, h } from './algorithm.ts'
import { invalidArgument } from './errors.ts'

/** Quality of protection (RFC 7616 §3.3, §3.4). */
export type DigestQop = 'auth' | 'auth-int'

/** The shared secret: the password, or HA1 = H(username ":" realm ":" password) as stored. */
export type DigestSecret =
  | {
      /**
       * The password: text (hashed as UTF-8, RFC 7616 §4) or octets (hashed raw: RES for
       * AKAv1-MD5, RFC 3310 §3.1).
       */
      readonly password: string | Uint8Array
      readonly ha1?: undefined
    }
  | {
      /** H(username ":" realm ":" password) in hex, as a server stores it (RFC 7616 §5.13). */
      readonly ha1: string
      readonly password?: undefined
    }

export type HA1Input = DigestSecret & {
  /** Absent means `MD5` (RFC 7616 §3.3). */
  readonly algorithm?: DigestAlgorithm | undefined
  /** The user's name (never the userhash, RFC 7616 §3.4.4). */
  readonly username: string
  readonly realm: string
  /** Required by the "-sess" algorithms. */
  readonly nonce?: string | undefined
  /** Required by the "-sess" algorithms. */
  readonly cnonce?: string | undefined
}

export interface HA2Input {
  readonly algorithm?: DigestAlgorithm | undefined
  /** The request method (`REGISTER`, `INVITE`, `GET`, ...). */
  readonly method: string
  /** The `uri` directive as sent, i.e. the digest-uri (RFC 7616 §3.4.6). */
  readonly uri: string
  readonly qop?: DigestQop | undefined
  /** The message body for `auth-int` (RFC 7616 §3.4.3); absent means empty. */
  readonly body?: string | Uint8Array | undefined
}

export type ResponseInput = HA1Input &
  HA2Input & {
    readonly nonce: string
    /** nonce-count: a number, or 8 hex digits as on the wire. Required with `qop`. */
    readonly nc?: string | number | undefined
  }

/** RFC 7616 §3.4.2: HA1, for the plain and for the "-sess" algorithms. */
export function computeHA1(input: HA1Input): string {
  const algorithm = input.algorithm ?? 'MD5'
  const { session, hexLength } = algorithmInfo(algorithm)
  let ha1: string
  if (input.ha1 !== undefined) {
    ha1 = input.ha1.toLowerCase()
    if (ha1.length !== hexLength || !/^[0-9a-f]*$/.test(ha1)) {
      throw invalidArgument(`ha1 for ${algorithm} must be ${hexLength} hex digits`)
    }
  } else if (input.password !== undefined) {
    ha1 = h(algorithm, input.username, input.realm, input.password)
  } else {
    throw invalidArgument('computeHA1 needs a password or an ha1')
  }
  if (!session) return ha1
  if (input.nonce === undefined || input.cnonce === undefined) {
    throw invalidArgument(`${algorithm} needs the nonce and the cnonce`)
  }
  return h(algorithm, ha1, input.nonce, input.cnonce)
}

/**
 * The last HA2 without a body: it depends on the algorithm, the method and the digest-uri only,
 * which a UA repeats in every REGISTER (`REGISTER:sip:example.com`), so a server verifying many
 * of them hashes it once. (An HA2 is no secret.)
 */
let lastHA2 = { algorithm: '', method: '', uri: '', value: '' }

/** RFC 7616 §3.4.3: HA2; with `auth-int` it covers the hash of the body. */
export function computeHA2(input: HA2Input): string {
  const algorithm = input.algorithm ?? 'MD5'
  if (input.qop === 'auth-int') {
    return h(algorithm, input.method, input.uri, h(algorithm, input.body ?? ''))
  }
  if (input.qop !== undefined && input.qop !== 'auth') {
    throw invalidArgument(`unknown qop ${JSON.stringify(input.qop)}`)
  }
  const last = lastHA2
  if (last.uri === input.uri && last.method === input.method && last.algorithm === algorithm)
    return last.value
  const value = h(algorithm, input.method, input.uri)
  lastHA2 = { algorithm, method: input.method, uri: input.uri, value }
  return value
}

/** nonce-count as on the wire: exactly 8 hex digits (RFC 7616 §3.4). */
export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) {
    throw invalidArgument(`nonce-count must be an integer from 1 to 0xffffffff, got ${nc}`)
  }
  return nc.toString(16).padStart(8, '0')
}

const NC = /^[0-9a-fA-F]{8}$/

/**
 * Why the directives that came from the network cannot give a response, or `undefined`. Shared by
 * `computeResponse` (which throws) and `verifyResponse` (which answers false).
 */
function networkProblem(input: ResponseInput): string | undefined {
  const algorithm = input.algorithm ?? 'MD5'
  if (input.qop !== undefined) {
    if (input.qop !== 'auth' && input.qop !== 'auth-int') return `unknown qop ${JSON.stringify(input.qop)}`
    if (input.nc === undefined) return 'qop needs nc'
    if (typeof input.nc === 'string' && !NC.test(input.nc)) return 'nc must be 8 hex digits'
    if (input.cnonce === undefined) return 'qop needs cnonce'
  }
  if (algorithmInfo(algorithm).session && input.cnonce === undefined) return `${algorithm} needs a cnonce`
  return undefined
}

/**
 * The `response` directive (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 when there is no qop). Throws
 * `JUNCTION_ERR_DIGEST_INVALID_ARGUMENT` when qop comes without nc or cnonce, or a "-sess"
 * algorithm without cnonce.
 */
export function computeResponse(input: ResponseInput): string {
  const problem = networkProblem(input)
  if (problem !== undefined) throw invalidArgument(problem)
  return responseOf(input)
}

function responseOf(input: ResponseInput): string {
  const algorithm = input.algorithm ?? 'MD5'
  const ha1 = computeHA1(input)
  const ha2 = computeHA2(input)
  if (input.qop === undefined) return h(algorithm, ha1, input.nonce, ha2)
  const nc = typeof input.nc === 'number' ? formatNonceCount(input.nc) : (input.nc ?? '')
  return h(algorithm, ha1, input.nonce, nc, input.cnonce ?? '', input.qop, ha2)
}

/**
 * Whether `response` is the right answer to the given directives. The comparison takes a time that
 * does not depend on where the strings differ (`timingSafeEqual` over hex of equal length); hex
 * case is ignored. Directives from the network that cannot give a response (qop without nc, an nc
 * that is not 8 hex digits, ...) make it false; it throws only for a bad secret (an ha1 of the
 * wrong length), a programming error.
 */
export function verifyResponse(input: ResponseInput & { readonly response: string }): boolean {
  if (networkProblem(input) !== undefined) return false
  return safeEqualHex(responseOf(input), input.response)
}

/** Constant-time comparison of an expected hex digest with a received one (any case). */
export function safeEqualHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1')
  const b = Buffer.from(received.toLowerCase(), 'latin1')
  if (a.length !== b.length) {
    // Spend the same time as a comparison of equal length, then fail.
    timingSafeEqual(a, a)
    return false
  }
  return timingSafeEqual(a, b)
}

/** RFC 7616 §3.4.4: userhash = H(username ":" realm), sent in place of the username. */
export function computeUserhash(input: {
  readonly algorithm?: DigestAlgorithm | undefined
  readonly username: string
  readonly realm: string
}): string {
  return h(input.algorithm ?? 'MD5', input.username, input.realm)
}
