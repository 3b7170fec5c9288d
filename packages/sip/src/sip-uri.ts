/**
 * SIP and SIPS URIs, RFC 3261 §19.1 and §25.1, with IPv6 references per RFC 5118.
 *
 *   SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 *
 * Components are stored decoded (`%HH` escapes resolved): comparison treats an escaped char and the
 * char itself as equal anyway (§19.1.4), and formatting escapes what the grammar requires.
 */
import { DIGIT, escapeRun, HNV, is, PARAM, PASSWORD, parseDigits, scan, USER, unescapeRun } from './chars.ts'
import { lowerHost, scanHost } from './host.ts'

export interface SipUri {
  readonly kind: 'sip'
  readonly scheme: 'sip' | 'sips'
  /** The user part, decoded; undefined when the URI has no userinfo. */
  readonly user?: string | undefined
  readonly password?: string | undefined
  /** Host in lower case; an IPv6 reference keeps its brackets: `[2001:db8::1]`. */
  readonly host: string
  readonly port?: number | undefined
  /** uri-parameters: names in lower case, values decoded, `null` for a parameter without value (`lr`). */
  readonly params: ReadonlyMap<string, string | null>
  /** The `?hname=hvalue&...` headers component, decoded, in order. */
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>
}

export const emptyParams: ReadonlyMap<string, string | null> = new Map()
const emptyHeaders: ReadonlyArray<readonly [string, string]> = []

function schemeAt(s: string, start: number, end: number): 'sip' | 'sips' | undefined {
  // "sip:" / "sips:", case-insensitive
  if (end - start < 4) return undefined
  const c0 = s.charCodeAt(start) | 0x20
  const c1 = s.charCodeAt(start + 1) | 0x20
  const c2 = s.charCodeAt(start + 2) | 0x20
  if (c0 !== 0x73 || c1 !== 0x69 || c2 !== 0x70) return undefined
  const c3 = s.charCodeAt(start + 3)
  if (c3 === 58) return 'sip'
  if ((c3 | 0x20) === 0x73 && s.charCodeAt(start + 4) === 58) return 'sips'
  return undefined
}

/** True when `[start, end)` starts with `sip:` or `sips:` (any case). */
export function hasSipScheme(s: string, start = 0, end = s.length): boolean {
  return schemeAt(s, start, end) !== undefined
}

/** Parses a SIP/SIPS URI occupying exactly `[start, end)` of the wire string `s`. */
export function parseSipUri(s: string, start = 0, end = s.length): SipUri | undefined {
  const scheme = schemeAt(s, start, end)
  if (scheme === undefined) return undefined
  let i = start + scheme.length + 1

  let user: string | undefined
  let password: string | undefined
  const at = s.indexOf('@', i)
  if (at !== -1 && at < end) {
    let colon = s.indexOf(':', i)
    if (colon > at || colon === -1) colon = at
    user = unescapeRun(s, i, colon, USER)
    if (user === undefined || user === '') return undefined
    if (colon < at) {
      password = unescapeRun(s, colon + 1, at, PASSWORD)
      if (password === undefined) return undefined
    }
    i = at + 1
  }

  const hostEnd = scanHost(s, i, end)
  if (hostEnd === -1) return undefined
  const host = lowerHost(s, i, hostEnd)
  i = hostEnd

  let port: number | undefined
  if (i < end && s.charCodeAt(i) === 58) {
    const portEnd = scan(s, i + 1, end, DIGIT)
    const n = parseDigits(s, i + 1, portEnd, 65535)
    if (n < 0) return undefined
    port = n
    i = portEnd
  }

  let params = emptyParams
  if (i < end && s.charCodeAt(i) === 59) {
    const map = new Map<string, string | null>()
    while (i < end && s.charCodeAt(i) === 59) {
      const nameEnd = scanEscaped(s, i + 1, end, PARAM)
      const name = unescapeRun(s, i + 1, nameEnd, PARAM)
      if (name === undefined || name === '') return undefined
      i = nameEnd
      let value: string | null = null
      if (i < end && s.charCodeAt(i) === 61) {
        const valueEnd = scanEscaped(s, i + 1, end, PARAM)
        const v = unescapeRun(s, i + 1, valueEnd, PARAM)
        if (v === undefined || v === '') return undefined
        value = v
        i = valueEnd
      }
      const key = name.toLowerCase()
      if (!map.has(key)) map.set(key, value)
    }
    params = map
  }

  let headers = emptyHeaders
  if (i < end && s.charCodeAt(i) === 63) {
    const list: Array<readonly [string, string]> = []
    do {
      const nameEnd = scanEscaped(s, i + 1, end, HNV)
      const name = unescapeRun(s, i + 1, nameEnd, HNV)
      if (name === undefined || name === '' || s.charCodeAt(nameEnd) !== 61 || nameEnd >= end)
        return undefined
      const valueEnd = scanEscaped(s, nameEnd + 1, end, HNV)
      const value = unescapeRun(s, nameEnd + 1, valueEnd, HNV)
      if (value === undefined) return undefined
      list.push([name, value])
      i = valueEnd
    } while (i < end && s.charCodeAt(i) === 38)
    headers = list
  }

  if (i !== end) return undefined
  return { kind: 'sip', scheme, user, password, host, port, params, headers }
}

/** Index of the first char at or after `i` that is neither in `bits` nor `%`. */
function scanEscaped(s: string, i: number, end: number, bits: number): number {
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c !== 37 && !is(c, bits)) return i
    i++
  }
  return end
}

/** Formats a SIP/SIPS URI, escaping each component as its grammar requires. */
export function formatSipUri(uri: SipUri): string {
  let out = `${uri.scheme}:`
  if (uri.user !== undefined) {
    out += escapeRun(uri.user, USER)
    if (uri.password !== undefined) out += `:${escapeRun(uri.password, PASSWORD)}`
    out += '@'
  }
  out += uri.host
  if (uri.port !== undefined) out += `:${uri.port}`
  for (const [name, value] of uri.params) {
    out += `;${escapeRun(name, PARAM)}`
    if (value !== null) out += `=${escapeRun(value, PARAM)}`
  }
  let sep = '?'
  for (const [name, value] of uri.headers) {
    out += `${sep}${escapeRun(name, HNV)}=${escapeRun(value, HNV)}`
    sep = '&'
  }
  return out
}

/** Builds a SipUri from parts; `params` may be a plain object (`{ lr: null, transport: 'tcp' }`). */
export function sipUri(parts: {
  scheme?: 'sip' | 'sips'
  user?: string | undefined
  password?: string | undefined
  host: string
  port?: number | undefined
  params?: ReadonlyMap<string, string | null> | Readonly<Record<string, string | null>>
  headers?: ReadonlyArray<readonly [string, string]>
}): SipUri {
  const p = parts.params
  // uri-parameter names are case-insensitive and kept in lower case, whatever the input form
  const params =
    p === undefined
      ? emptyParams
      : p instanceof Map && [...p.keys()].every((k) => k === k.toLowerCase())
        ? p
        : new Map(
            (p instanceof Map ? [...p] : Object.entries(p as Record<string, string | null>)).map(
              ([k, v]) => [k.toLowerCase(), v] as const,
            ),
          )
  return {
    kind: 'sip',
    scheme: parts.scheme ?? 'sip',
    user: parts.user,
    password: parts.password,
    host: parts.host.toLowerCase(),
    port: parts.port,
    params,
    headers: parts.headers ?? emptyHeaders,
  }
}
