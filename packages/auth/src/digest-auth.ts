/**
 * HTTP Digest authentication of SIP requests (RFC 3261 §22, with RFC 7616 and RFC 8760):
 * challenges for 401/407 responses, and the check of the credentials that answer them, with
 * stateless HMAC nonces (instances sharing the secret accept each other's nonces), `stale` for
 * expired nonces, and nonce-count tracking against replays.
 */
import { Buffer } from 'node:buffer'
import { computeHA1, type DigestCredentials, parseCredentials, verifyCredentials } from '@junction/digest'
import {
  Authorization,
  type AuthValue,
  ProxyAuthenticate,
  ProxyAuthorization,
  type SipRequest,
  WwwAuthenticate,
} from '@junction/sip'
import { createChallengeWriter } from './challenge.ts'
import { type AuthAlgorithm, authAlgorithms, type CredentialStore, type UserSecret } from './credentials.ts'
import { AuthError, authFaultCodes } from './errors.ts'
import { createNonceIssuer, type NonceIssuer } from './nonce.ts'
import { createNonceCounts } from './nonce-counts.ts'

export interface DigestAuthConfig {
  /** The protection space (RFC 3261 §22.1), usually the domain: `example.com`. */
  readonly realm: string
  /** Key of the nonces, at least 16 octets; every instance that should accept the others' nonces shares it. */
  readonly secret: string | Uint8Array
  /**
   * The algorithms offered, one challenge each, in this order. Default `['MD5', 'SHA-256',
   * 'SHA-512-256']`. Clients differ in which challenge they take: JsSIP 3.13 and SIP.js 0.21 keep only
   * the last one (and need MD5), baresip 1.0 refuses a 401 holding any non-MD5 challenge; the
   * flavors' config slice (`authConfig`) therefore defaults to MD5 alone.
   */
  readonly algorithms?: readonly AuthAlgorithm[] | undefined
  /** qop-options offered (RFC 7616 §3.3). Default `['auth']`; `auth-int` also covers the body. */
  readonly qop?: readonly ('auth' | 'auth-int')[] | undefined
  /** Seconds a nonce stays fresh; an older one answers `stale`. Default 300. */
  readonly nonceLifetimeSec?: number | undefined
  /** Nonces whose highest nonce-count is remembered (LRU). Default 100 000. */
  readonly maxNcEntries?: number | undefined
}

export interface DigestAuthDeps {
  readonly credentials: CredentialStore
  /** Wall clock, milliseconds since the epoch (nonces carry it). Default `Date.now`. */
  readonly clock?: { now(): number } | undefined
  /** Replaces the HMAC nonces (tests with fixed nonces, e.g. RFC examples). */
  readonly nonces?: NonceIssuer | undefined
}

export type VerifyFailure =
  | 'missing'
  | 'stale'
  | 'bad-nonce'
  | 'replay'
  | 'wrong'
  | 'unknown-user'
  | 'malformed'

export type VerifyResult =
  | { readonly ok: true; readonly user: string; readonly realm: string }
  | { readonly ok: false; readonly reason: VerifyFailure; readonly stale?: boolean }

export interface ChallengeOptions {
  /**
   * The credentials were right but the nonce expired or was not ours: the client retries without
   * asking its user (RFC 7616 §3.3).
   */
  readonly stale?: boolean | undefined
  /** A proxy challenges with Proxy-Authenticate (407), a registrar or UAS with WWW-Authenticate (401). */
  readonly proxy: boolean
}

export interface DigestAuth {
  readonly realm: string
  /**
   * The header fields to add to a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate): one per
   * algorithm, in the configured order, sharing one fresh nonce. Ready for `createResponse`'s
   * `headers` option.
   */
  challenge(request: SipRequest, options: ChallengeOptions): Array<[name: string, value: string]>
  /**
   * Checks the Authorization (or, for a proxy, Proxy-Authorization) credentials for this realm.
   * Credentials for other realms are left alone (`missing` when there are none for this one).
   */
  verify(request: SipRequest, options: { readonly proxy: boolean }): Promise<VerifyResult>
}

/**
 * Whether a request can be challenged. ACK and CANCEL never are (RFC 3261 §22.1): no response to
 * an ACK can be sent, and a CANCEL cannot be resubmitted with credentials; a CANCEL is accepted
 * when it matches a transaction (whose INVITE was authenticated), an ACK for a 2xx is part of the
 * INVITE's dialog.
 */
export function needsAuth(request: SipRequest): boolean {
  return request.method !== 'ACK' && request.method !== 'CANCEL'
}

function invalidConfig(message: string): AuthError {
  return new AuthError(authFaultCodes.INVALID_CONFIG, message)
}

export function createDigestAuth(config: DigestAuthConfig, deps: DigestAuthDeps): DigestAuth {
  const { realm } = config
  if (typeof realm !== 'string' || realm === '' || realm.includes('"'))
    throw invalidConfig('realm must be a non-empty string without double quotes')
  const secretLength =
    typeof config.secret === 'string' ? Buffer.byteLength(config.secret) : config.secret?.length
  if (secretLength === undefined || secretLength < 16)
    throw invalidConfig('secret must be at least 16 octets')
  const algorithms = config.algorithms ?? authAlgorithms
  if (algorithms.length === 0 || algorithms.some((a) => !authAlgorithms.includes(a)))
    throw invalidConfig(`algorithms must be some of ${authAlgorithms.join(', ')}`)
  const qop = config.qop ?? ['auth']
  if (qop.length === 0 || qop.some((q) => q !== 'auth' && q !== 'auth-int'))
    throw invalidConfig('qop must list auth and/or auth-int')
  const lifetime = config.nonceLifetimeSec ?? 300
  if (!Number.isFinite(lifetime) || lifetime <= 0) throw invalidConfig('nonceLifetimeSec must be positive')
  const maxNc = config.maxNcEntries ?? 100_000
  if (!Number.isSafeInteger(maxNc) || maxNc < 1)
    throw invalidConfig('maxNcEntries must be a positive integer')

  const now = deps.clock === undefined ? Date.now : () => deps.clock!.now()
  const nonces =
    deps.nonces ?? createNonceIssuer({ secret: config.secret, realm, lifetimeSec: lifetime, now })
  const counts = createNonceCounts<number>(maxNc)
  const { credentials } = deps

  /**
   * HA1 computed once per user that has a password (RFC 7616 §3.4.2): H(username ":" realm ":"
   * password) depends only on the secret, the user name and our one realm, so each user's is
   * kept beside its secret object (weakly: a reloaded users file lets the old ones go).
   */
  const ha1Cache = new WeakMap<
    UserSecret,
    { readonly user: string; readonly ha1: Partial<Record<AuthAlgorithm, string>> }
  >()

  function ha1Of(secret: UserSecret, user: string, algorithm: AuthAlgorithm): string | undefined {
    if (!('password' in secret)) return secret.ha1[algorithm]
    let cached = ha1Cache.get(secret)
    if (cached === undefined || cached.user !== user) {
      cached = { user, ha1: {} }
      ha1Cache.set(secret, cached)
    }
    let ha1 = cached.ha1[algorithm]
    if (ha1 === undefined) {
      ha1 = computeHA1({ algorithm, username: user, realm, password: secret.password })
      cached.ha1[algorithm] = ha1
    }
    return ha1
  }

  const write = createChallengeWriter({ realm, algorithms, qop })

  function challenge(_request: SipRequest, options: ChallengeOptions): Array<[string, string]> {
    const name = options.proxy ? ProxyAuthenticate.name : WwwAuthenticate.name
    return write(nonces.issue(), options.stale === true).map((value) => [name, value])
  }

  /** The credentials for this realm: the first Digest ones that name it. */
  function credentialsFor(request: SipRequest, proxy: boolean): AuthValue | 'malformed' | undefined {
    const header = proxy ? ProxyAuthorization : Authorization
    if (!request.headers.has(header)) return undefined
    const all = request.headers.get(header)
    if (all === undefined) return 'malformed'
    return all.find((v) => v.scheme.toLowerCase() === 'digest' && v.params.get('realm') === realm)
  }

  async function verify(request: SipRequest, options: { readonly proxy: boolean }): Promise<VerifyResult> {
    const found = credentialsFor(request, options.proxy)
    if (found === undefined) return { ok: false, reason: 'missing' }
    if (found === 'malformed') return { ok: false, reason: 'malformed' }
    const parsed = parseCredentials(found.params)
    if (!parsed.ok) return { ok: false, reason: 'malformed' }
    const cred: DigestCredentials = parsed.value
    const algorithm = cred.algorithm ?? 'MD5'
    // only what was offered: a listed algorithm, a listed qop (so always an nc to track), no userhash
    if (!(algorithms as readonly string[]).includes(algorithm)) return { ok: false, reason: 'malformed' }
    if (cred.qop === undefined || !qop.includes(cred.qop) || cred.nc === undefined)
      return { ok: false, reason: 'malformed' }
    if (cred.userhash === true) return { ok: false, reason: 'malformed' }

    const nonce = nonces.check(cred.nonce)

    // The request-digest is checked whatever the nonce, over the client's own nonce, cnonce, nc
    // and qop: a right one on a nonce that is not ours (another secret: a restart with a random
    // one, another node of a cluster; or from the future) or no longer fresh gets stale=true, "the
    // previous request from the client was rejected because the nonce value was stale" and the
    // client "may wish to simply retry the request with a new encrypted response, without
    // reprompting the user" (RFC 7616 §3.3; RFC 2617 §3.2.1). A wrong one is `wrong` wherever the
    // nonce came from: checked against the password, it is a guess like any other (failure-guard.ts).
    const secret = await credentials.lookup(cred.username, realm)
    if (secret === undefined) return { ok: false, reason: 'unknown-user' }
    const ha1 = ha1Of(secret, cred.username, algorithm as AuthAlgorithm)
    const body = cred.qop === 'auth-int' ? request.body : undefined
    const right = ha1 !== undefined && verifyCredentials(cred, { method: request.method, body, ha1 })
    if (!right) return { ok: false, reason: 'wrong' }

    // right credentials on a nonce we did not issue: a new one, with stale=true
    if (!nonce.ok) return { ok: false, reason: 'bad-nonce', stale: true }
    // right credentials on an old nonce: ask for a new one with stale=true (RFC 7616 §3.3)
    if (nonce.expired) return { ok: false, reason: 'stale', stale: true }
    // by the nonce's id, not its text: a cheaper key, and no slice of the request kept alive
    const verdict = counts.use(nonce.id, nonce.issuedAt, Number.parseInt(cred.nc, 16))
    if (verdict === 'replay') return { ok: false, reason: 'replay' }
    if (verdict === 'forgotten') return { ok: false, reason: 'stale', stale: true }
    return { ok: true, user: cred.username, realm }
  }

  return { realm, challenge, verify }
}
