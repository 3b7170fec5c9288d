/**
 * name-addr / addr-spec (RFC 3261 §25.1, §20.10):
 *
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * In the addr-spec form (no angle brackets) the URI ends at the first ";": what follows are header
 * parameters, not URI parameters, and a URI holding ",", "?" or ";" must be bracketed (§20.10).
 */
import {
  charAt,
  is,
  quote,
  scan,
  scanQuoted,
  skipWs,
  TOKEN,
  trimEnd,
  unquoteAt,
  wireToText,
} from './chars.ts'
import { params } from './params.ts'
import { formatUri, parseUriAt, type Uri } from './uri.ts'

export interface NameAddr {
  /** Display name as text (quotes and escapes removed); undefined when there is none. */
  readonly displayName?: string | undefined
  readonly uri: Uri
}

/** The name-addr read by the last successful {@link readNameAddr} (see `param` in params.ts). */
export const nameAddr = {
  displayName: undefined as string | undefined,
  uri: undefined as unknown as Uri,
  end: 0,
}

/**
 * Reads a name-addr (or, when `allowAddrSpec`, an addr-spec) at `i`; on success the result is in
 * {@link nameAddr} and `nameAddr.end` is where header parameters may start.
 */
export function readNameAddr(s: string, i: number, end: number, allowAddrSpec: boolean): boolean {
  i = skipWs(s, i, end)
  let displayName: string | undefined
  if (charAt(s, i, end) === 34) {
    const q = scanQuoted(s, i, end)
    if (q === -1) return false
    // an empty quoted-string is no display name (it formats back as none)
    if (q - i > 2) displayName = wireToText(unquoteAt(s, i, q))
    i = skipWs(s, q, end)
    if (charAt(s, i, end) !== 60) return false
  } else {
    // *(token LWS) up to "<"; anything else means there is no display name
    let j = i
    while (j < end) {
      const c = s.charCodeAt(j)
      if (c === 32 || c === 9 || is(c, TOKEN)) j++
      else break
    }
    if (j < end && s.charCodeAt(j) === 60) {
      const last = trimEnd(s, i, j)
      if (last > i) displayName = s.slice(i, last)
      i = j
    } else if (!allowAddrSpec) {
      return false
    }
  }

  if (charAt(s, i, end) === 60) {
    const close = s.indexOf('>', i + 1)
    if (close === -1 || close >= end) return false
    const uri = parseUriAt(s, i + 1, close)
    if (uri === undefined) return false
    nameAddr.displayName = displayName
    nameAddr.uri = uri
    nameAddr.end = close + 1
    return true
  }

  // addr-spec: the URI runs to the first ";" (or the end) and may not hold "?" or ","
  let stop = s.indexOf(';', i)
  if (stop === -1 || stop > end) stop = end
  const last = trimEnd(s, i, stop)
  for (let k = i; k < last; k++) {
    const c = s.charCodeAt(k)
    if (c === 63 || c === 44 || c === 32 || c === 9) return false
  }
  const uri = parseUriAt(s, i, last)
  if (uri === undefined) return false
  nameAddr.displayName = undefined
  nameAddr.uri = uri
  nameAddr.end = last
  return true
}

/** Formats `["display name"] <uri>`; the URI is always bracketed, so its parameters stay its own. */
export function formatNameAddr(value: NameAddr): string {
  const uri = `<${formatUri(value.uri)}>`
  const name = value.displayName
  if (name === undefined || name === '') return uri
  return `${displayNameText(name)} ${uri}`
}

function displayNameText(name: string): string {
  // a run of tokens separated by single spaces may stay bare; everything else is quoted
  if (/^[^\s"]+( [^\s"]+)*$/.test(name)) {
    let bare = true
    for (const part of name.split(' ')) if (scan(part, 0, part.length, TOKEN) !== part.length) bare = false
    if (bare) return name
  }
  return quote(name)
}

/**
 * Reads the name-addr (or addr-spec) at the start of `s[start, end)` into {@link nameAddr} and starts the
 * shared `params` cursor on the header parameters after it; false when there is no address.
 */
export function startAddress(s: string, start: number, end: number, allowAddrSpec: boolean): boolean {
  if (!readNameAddr(s, start, end, allowAddrSpec)) return false
  params.start(s, nameAddr.end, end)
  return true
}
