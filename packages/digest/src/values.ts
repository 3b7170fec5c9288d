/**
 * Typed challenge and credentials values (RFC 7616 §3.3, §3.4; RFC 3310 §3.1, §3.4 for `auts`),
 * and their conversion from and to directive maps. The header syntax itself (quoting, commas) is
 * the SIP or HTTP layer's: a directive map holds names in lower case and values without quotes,
 * as `@junction/sip`'s `AuthValue.params` does.
 */
import { type DigestAlgorithm, parseAlgorithm } from './algorithm.ts'
import type { DigestQop } from './compute.ts'
import { type DigestResult, digestErrorCodes, failure } from './errors.ts'

/** A `WWW-Authenticate` / `Proxy-Authenticate` Digest challenge (RFC 7616 §3.3). */
export interface DigestChallenge {
  readonly realm: string
  readonly nonce: string
  readonly opaque?: string | undefined
  /** Absent means `MD5`. */
  readonly algorithm?: DigestAlgorithm | undefined
  /**
   * qop-options as offered, in lower case. Tokens this package does not know are kept (a client
   * ignores them). Absent: the RFC 2069 compatible exchange without qop.
   */
  readonly qop?: readonly string[] | undefined
  readonly stale?: boolean | undefined
  /** The protection space: URIs separated by spaces in the directive (RFC 7616 §3.3). */
  readonly domain?: readonly string[] | undefined
  /** The server accepts a hashed username (RFC 7616 §3.4.4). */
  readonly userhash?: boolean | undefined
  /** Only `UTF-8` is defined (RFC 7616 §4). */
  readonly charset?: string | undefined
}

/** An `Authorization` / `Proxy-Authorization` Digest response (RFC 7616 §3.4). */
export interface DigestCredentials {
  /** The username, or its userhash when `userhash` is true. */
  readonly username: string
  readonly realm: string
  readonly nonce: string
  /** The digest-uri. */
  readonly uri: string
  /** Hex digest; empty when an AKA client could not authenticate the network (RFC 3310 §3.3). */
  readonly response: string
  readonly algorithm?: DigestAlgorithm | undefined
  readonly cnonce?: string | undefined
  readonly opaque?: string | undefined
  readonly qop?: DigestQop | undefined
  /** nonce-count: 8 hex digits, as sent. */
  readonly nc?: string | undefined
  readonly userhash?: boolean | undefined
  /** base64(AUTS): an AKA synchronisation failure (RFC 3310 §3.4). */
  readonly auts?: string | undefined
}

/** Directive names in lower case, values without quotes. */
export type DirectiveMap = ReadonlyMap<string, string> | Readonly<Record<string, string>>

function getter(params: DirectiveMap): (name: string) => string | undefined {
  if (params instanceof Map) return (name) => params.get(name)
  const record = params as Readonly<Record<string, string>>
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined)
}

function parseBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  return value.toLowerCase() === 'true'
}

function splitList(value: string, separator: RegExp): string[] {
  return value.split(separator).filter((s) => s.length > 0)
}

/**
 * A challenge from its directives. Fails with `JUNCTION_ERR_DIGEST_MISSING_DIRECTIVE` without realm
 * or nonce, and `JUNCTION_ERR_DIGEST_UNSUPPORTED_ALGORITHM` for an algorithm not implemented here
 * (RFC 7616 §3.3: the client then ignores this challenge).
 */
export function parseChallenge(params: DirectiveMap): DigestResult<DigestChallenge> {
  const get = getter(params)
  const realm = get('realm')
  const nonce = get('nonce')
  if (realm === undefined) return failure(digestErrorCodes.MISSING_DIRECTIVE, 'the challenge has no realm')
  if (nonce === undefined) return failure(digestErrorCodes.MISSING_DIRECTIVE, 'the challenge has no nonce')
  let algorithm: DigestAlgorithm | undefined
  const algorithmToken = get('algorithm')
  if (algorithmToken !== undefined) {
    algorithm = parseAlgorithm(algorithmToken)
    if (algorithm === undefined) {
      return failure(digestErrorCodes.UNSUPPORTED_ALGORITHM, `algorithm ${algorithmToken} is not supported`)
    }
  }
  const qop = get('qop')
  const domain = get('domain')
  const value: DigestChallenge = {
    realm,
    nonce,
    opaque: get('opaque'),
    algorithm,
    qop: qop === undefined ? undefined : splitList(qop.toLowerCase(), /\s*,\s*|\s+/),
    stale: parseBoolean(get('stale')),
    domain: domain === undefined ? undefined : splitList(domain, /\s+/),
    userhash: parseBoolean(get('userhash')),
    charset: get('charset'),
  }
  return { ok: true, value: withoutUndefined(value) }
}

/** RFC 5987 §3.2 ext-value for `username*` (RFC 7616 §3.4.4): only the UTF-8 charset. */
function decodeExtValue(value: string): string | undefined {
  const m = /^utf-8'[^']*'(.*)$/i.exec(value)
  if (m === null) return undefined
  const encoded = m[1] ?? ''
  if (!/^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-Fa-f]{2})*$/.test(encoded)) return undefined
  try {
    return decodeURIComponent(encoded)
  } catch {
    return undefined
  }
}

/**
 * Credentials from their directives. Fails with `JUNCTION_ERR_DIGEST_MISSING_DIRECTIVE` without
 * username (or `username*`), realm, nonce, uri or response, or with qop but no nc or cnonce;
 * `JUNCTION_ERR_DIGEST_BAD_DIRECTIVE` for a qop other than auth/auth-int, an nc that is not 8 hex
 * digits, both username and `username*`, or a `username*` that does not decode;
 * `JUNCTION_ERR_DIGEST_UNSUPPORTED_ALGORITHM` for an unknown algorithm.
 */
export function parseCredentials(params: DirectiveMap): DigestResult<DigestCredentials> {
  const get = getter(params)
  const plainUsername = get('username')
  const extUsername = get('username*')
  let username = plainUsername
  if (extUsername !== undefined) {
    if (plainUsername !== undefined) {
      return failure(digestErrorCodes.BAD_DIRECTIVE, 'username and username* are both present')
    }
    username = decodeExtValue(extUsername)
    if (username === undefined) return failure(digestErrorCodes.BAD_DIRECTIVE, 'username* does not decode')
  }
  const realm = get('realm')
  const nonce = get('nonce')
  const uri = get('uri')
  const response = get('response')
  const missing =
    username === undefined
      ? 'username'
      : realm === undefined
        ? 'realm'
        : nonce === undefined
          ? 'nonce'
          : uri === undefined
            ? 'uri'
            : response === undefined
              ? 'response'
              : undefined
  if (missing !== undefined) {
    return failure(digestErrorCodes.MISSING_DIRECTIVE, `the credentials have no ${missing}`)
  }
  let algorithm: DigestAlgorithm | undefined
  const algorithmToken = get('algorithm')
  if (algorithmToken !== undefined) {
    algorithm = parseAlgorithm(algorithmToken)
    if (algorithm === undefined) {
      return failure(digestErrorCodes.UNSUPPORTED_ALGORITHM, `algorithm ${algorithmToken} is not supported`)
    }
  }
  let qop: DigestQop | undefined
  const qopToken = get('qop')
  const nc = get('nc')
  const cnonce = get('cnonce')
  if (qopToken !== undefined) {
    const lower = qopToken.toLowerCase()
    if (lower !== 'auth' && lower !== 'auth-int') {
      return failure(digestErrorCodes.BAD_DIRECTIVE, `qop ${qopToken} is neither auth nor auth-int`)
    }
    qop = lower
    if (nc === undefined) return failure(digestErrorCodes.MISSING_DIRECTIVE, 'qop without nc')
    if (cnonce === undefined) return failure(digestErrorCodes.MISSING_DIRECTIVE, 'qop without cnonce')
  }
  if (nc !== undefined && !/^[0-9a-fA-F]{8}$/.test(nc)) {
    return failure(digestErrorCodes.BAD_DIRECTIVE, 'nc is not 8 hex digits')
  }
  // only the directives present (values compare with deepEqual), in the order of RFC 7616 §3.4
  const value: { -readonly [K in keyof DigestCredentials]: DigestCredentials[K] } = {
    username: username as string,
    realm: realm as string,
    nonce: nonce as string,
    uri: uri as string,
    response: response as string,
  }
  if (algorithm !== undefined) value.algorithm = algorithm
  if (cnonce !== undefined) value.cnonce = cnonce
  const opaque = get('opaque')
  if (opaque !== undefined) value.opaque = opaque
  if (qop !== undefined) value.qop = qop
  if (nc !== undefined) value.nc = nc
  const userhash = parseBoolean(get('userhash'))
  if (userhash !== undefined) value.userhash = userhash
  const auts = get('auts')
  if (auts !== undefined) value.auts = auts
  return { ok: true, value }
}

/**
 * The directives of a challenge, in the order of RFC 7616 §3.3, values unquoted (the header
 * writer quotes them). qop-options are joined with ",".
 */
export function challengeDirectives(challenge: DigestChallenge): Map<string, string> {
  const out = new Map<string, string>([
    ['realm', challenge.realm],
    ['nonce', challenge.nonce],
  ])
  if (challenge.opaque !== undefined) out.set('opaque', challenge.opaque)
  if (challenge.algorithm !== undefined) out.set('algorithm', challenge.algorithm)
  if (challenge.qop !== undefined) out.set('qop', challenge.qop.join(','))
  if (challenge.stale !== undefined) out.set('stale', challenge.stale ? 'true' : 'false')
  if (challenge.domain !== undefined) out.set('domain', challenge.domain.join(' '))
  if (challenge.userhash !== undefined) out.set('userhash', challenge.userhash ? 'true' : 'false')
  if (challenge.charset !== undefined) out.set('charset', challenge.charset)
  return out
}

/** The directives of credentials, in the order of RFC 7616 §3.4, values unquoted. */
export function credentialsDirectives(credentials: DigestCredentials): Map<string, string> {
  const out = new Map<string, string>([
    ['username', credentials.username],
    ['realm', credentials.realm],
    ['nonce', credentials.nonce],
    ['uri', credentials.uri],
    ['response', credentials.response],
  ])
  if (credentials.algorithm !== undefined) out.set('algorithm', credentials.algorithm)
  if (credentials.cnonce !== undefined) out.set('cnonce', credentials.cnonce)
  if (credentials.opaque !== undefined) out.set('opaque', credentials.opaque)
  if (credentials.qop !== undefined) out.set('qop', credentials.qop)
  if (credentials.nc !== undefined) out.set('nc', credentials.nc)
  if (credentials.userhash !== undefined) out.set('userhash', credentials.userhash ? 'true' : 'false')
  if (credentials.auts !== undefined) out.set('auts', credentials.auts)
  return out
}

/** Drops the keys whose value is undefined, so that values compare with deepEqual. */
export function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {}
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue
    const v = value[k]
    if (v !== undefined) out[k] = v
  }
  return out as T
}
