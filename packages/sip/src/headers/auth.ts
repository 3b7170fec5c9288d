/**
 * Authentication headers, RFC 3261 §20.7, §20.27, §20.28, §20.44 and §25.1 (digest per RFC 2617,
 * RFC 7616, RFC 8760; AKA per RFC 3310):
 *
 *   challenge   = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *   credentials = ("Digest" LWS digest-response *(COMMA dig-resp)) / other-response
 *   auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *
 * Each field holds one challenge or one set of credentials: these headers are never combined at
 * commas (§7.3.1), so several challenges come as several fields.
 */
import {
  charAt,
  groupByLength,
  isToken,
  nameIs,
  quote,
  scan,
  scanQuoted,
  skipWs,
  TOKEN,
  unquoteAt,
  wireToText,
} from '../chars.ts'
import { defineHeader } from '../header.ts'

export interface AuthValue {
  /** Authentication scheme as written: `Digest`. */
  readonly scheme: string
  /** auth-params: names in lower case, values without quotes (`realm`, `nonce`, `qop`, ...). */
  readonly params: ReadonlyMap<string, string>
}

/** A WWW-Authenticate or Proxy-Authenticate challenge. */
export type Challenge = AuthValue
/** An Authorization or Proxy-Authorization header's credentials. */
export type Credentials = AuthValue

/**
 * The directive names of digest (RFC 7616 §3.3, §3.4; RFC 8760) and AKA (RFC 3310) by length:
 * a name read from a message is answered with one of these constants when it is one of them,
 * so the parameter map's keys need no new string (and compare by identity).
 */
const knownNamesByLength = groupByLength([
  'username',
  'realm',
  'nonce',
  'uri',
  'response',
  'algorithm',
  'cnonce',
  'opaque',
  'qop',
  'nc',
  'userhash',
  'stale',
  'domain',
  'charset',
  'username*',
  'auts',
])

/** The directive name at `s[start, end)` in lower case: a constant for a known one. */
function directiveName(s: string, start: number, end: number): string {
  const candidates = knownNamesByLength[end - start]
  if (candidates !== undefined) for (const name of candidates) if (nameIs(s, start, name)) return name
  return s.slice(start, end).toLowerCase()
}

export function parseAuth(s: string, start: number, end: number): AuthValue | undefined {
  const schemeEnd = scan(s, start, end, TOKEN)
  if (schemeEnd === start) return undefined
  const scheme = s.slice(start, schemeEnd)
  const params = new Map<string, string>()
  let i = skipWs(s, schemeEnd, end)
  if (i === end) return { scheme, params }
  if (i === schemeEnd) return undefined // LWS after the scheme
  for (;;) {
    const nameEnd = scan(s, i, end, TOKEN)
    if (nameEnd === i) return undefined
    const name = directiveName(s, i, nameEnd)
    i = skipWs(s, nameEnd, end)
    if (charAt(s, i, end) !== 61) return undefined
    i = skipWs(s, i + 1, end)
    let value: string
    if (charAt(s, i, end) === 34) {
      const q = scanQuoted(s, i, end)
      if (q === -1) return undefined
      value = wireToText(unquoteAt(s, i, q))
      i = q
    } else {
      const v = scan(s, i, end, TOKEN)
      if (v === i) return undefined
      value = s.slice(i, v)
      i = v
    }
    if (params.has(name)) return undefined // each directive at most once (RFC 7616 §3.3)
    params.set(name, value)
    i = skipWs(s, i, end)
    if (i === end) return { scheme, params }
    if (charAt(s, i, end) !== 44) return undefined
    i = skipWs(s, i + 1, end)
    if (i === end) return undefined
  }
}

/**
 * Directives written as tokens; every other value is a quoted-string (RFC 7616 §3.3, §3.4).
 * `username*` is an RFC 5987 ext-value, which may not be quoted (RFC 7616 §3.4.4).
 */
const challengeTokens = new Set(['algorithm', 'stale'])
const credentialTokens = new Set(['algorithm', 'nc', 'qop', 'username*'])

function formatAuth(v: AuthValue, tokens: ReadonlySet<string>): string {
  const parts: string[] = []
  for (const [name, value] of v.params) {
    parts.push(tokens.has(name) && isToken(value) ? `${name}=${value}` : `${name}=${quote(value)}`)
  }
  return parts.length === 0 ? v.scheme : `${v.scheme} ${parts.join(', ')}`
}

const formatChallenge = (v: AuthValue): string => formatAuth(v, challengeTokens)
const formatCredentials = (v: AuthValue): string => formatAuth(v, credentialTokens)

/** WWW-Authenticate: a UAS or registrar's challenge, sent with 401 (§20.44). */
export const WwwAuthenticate = defineHeader({
  name: 'WWW-Authenticate',
  kind: 'lines',
  parse: parseAuth,
  format: formatChallenge,
})

/** Proxy-Authenticate: a proxy's challenge, sent with 407 (§20.27). */
export const ProxyAuthenticate = defineHeader({
  name: 'Proxy-Authenticate',
  kind: 'lines',
  parse: parseAuth,
  format: formatChallenge,
})

/** Authorization: credentials for a UAS or registrar (§20.7). */
export const Authorization = defineHeader({
  name: 'Authorization',
  kind: 'lines',
  parse: parseAuth,
  format: formatCredentials,
})

/** Proxy-Authorization: credentials for a proxy (§20.28). */
export const ProxyAuthorization = defineHeader({
  name: 'Proxy-Authorization',
  kind: 'lines',
  parse: parseAuth,
  format: formatCredentials,
})
