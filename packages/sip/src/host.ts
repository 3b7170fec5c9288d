/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1, IPv6 per RFC 5118 / RFC 4291 §2.2).
 */
import { HEX, is } from './chars.ts'

function isAlpha(c: number): boolean {
  return (c | 0x20) >= 97 && (c | 0x20) <= 122
}

/** True when the hostname read by the last {@link scanHostname} holds an upper-case letter. */
export let hostnameHasUpper = false

/**
 * Index after a hostname or IPv4 address starting at `i`, or -1 when there is none (RFC 3261
 * §25.1), in one pass:
 *
 *   hostname = *( domainlabel "." ) toplabel [ "." ]     labels do not start or end with "-";
 *   toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum the top label starts with a letter,
 *   IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT   which tells the two apart.
 */
export function scanHostname(s: string, i: number, end: number): number {
  const start = i
  let labelStart = i
  let topStart = i
  let dots = 0
  let digitsOnly = true
  let octetsOk = true
  let octet = 0
  let upper = false
  for (; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 97 && c <= 122) {
      digitsOnly = false
    } else if (c === 46) {
      if (i === labelStart || s.charCodeAt(i - 1) === 45) return -1
      if (octet > 255 || i - labelStart > 3) octetsOk = false
      octet = 0
      dots++
      topStart = labelStart
      labelStart = i + 1
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + c - 48
    } else if (c === 45) {
      if (i === labelStart) return -1
      digitsOnly = false
    } else if (c >= 65 && c <= 90) {
      digitsOnly = false
      upper = true
    } else break
  }
  hostnameHasUpper = upper
  if (i === start) return -1
  if (i === labelStart) {
    // a trailing "." (fully qualified name): the top label is the one before it
    return !digitsOnly && isAlpha(s.charCodeAt(topStart)) ? i : -1
  }
  if (s.charCodeAt(i - 1) === 45) return -1
  if (digitsOnly) return dots === 3 && octetsOk && octet <= 255 && i - labelStart <= 3 ? i : -1
  return isAlpha(s.charCodeAt(labelStart)) ? i : -1
}

/** True when `[start, end)` is exactly an IPv4 address: four numbers 0–255, 1–3 digits each. */
export function isIPv4(s: string, start = 0, end = s.length): boolean {
  return ipv4End(s, start, end) === end
}

/**
 * Index after the IPv4 address starting at `s[i]`, read up to the first char that is neither a digit
 * nor a "."; -1 when what was read is no IPv4 address (or goes on with a digit or "." past one).
 */
export function ipv4End(s: string, i: number, end: number): number {
  let parts = 0
  let digits = 0
  let n = 0
  for (; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++parts === 4) return -1
      digits = 0
      n = 0
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return -1
      n = n * 10 + c - 48
      if (n > 255) return -1
    } else break
  }
  return parts === 3 && digits > 0 ? i : -1
}

/**
 * Parses an IPv6 address (no brackets) into 8 16-bit groups, or undefined. RFC 4291 §2.2; the
 * three-colon form before an embedded IPv4 address that RFC 3261's ABNF allowed (`::` + `:`,
 * corrected by RFC 5954) is tolerated as `::`, as RFC 5118 §4.10 asks of robust parsers.
 */
export function parseIPv6(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 46) return undefined
  const triple = text.indexOf(':::')
  if (triple !== -1) {
    if (text.indexOf('.', triple) === -1) return undefined
    text = text.slice(0, triple) + text.slice(triple + 1)
  }
  const dbl = text.indexOf('::')
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) return undefined
  const head = dbl === -1 ? text : text.slice(0, dbl)
  const tail = dbl === -1 ? '' : text.slice(dbl + 2)
  const a = groups(head, dbl === -1)
  const b = dbl === -1 ? [] : groups(tail, true)
  if (a === undefined || b === undefined) return undefined
  if (dbl === -1) return a.length === 8 ? a : undefined
  if (a.length + b.length > 7) return undefined
  return [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b]
}

function groups(part: string, mayEndWithIPv4: boolean): number[] | undefined {
  if (part === '') return []
  const out: number[] = []
  const pieces = part.split(':')
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!
    if (k === pieces.length - 1 && mayEndWithIPv4 && p.indexOf('.') !== -1) {
      if (!isIPv4(p)) return undefined
      const o = p.split('.').map(Number)
      out.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!)
      continue
    }
    if (p.length === 0 || p.length > 4) return undefined
    for (let i = 0; i < p.length; i++) if (!is(p.charCodeAt(i), HEX)) return undefined
    out.push(Number.parseInt(p, 16))
  }
  return out
}

export function isIPv6(text: string): boolean {
  return parseIPv6(text) !== undefined
}

/** RFC 5952 canonical text of an IPv6 address (lower case, longest zero run as "::"). */
export function canonicalIPv6(text: string): string | undefined {
  const g = parseIPv6(text)
  if (g === undefined) return undefined
  // RFC 5952 §5: an IPv4-mapped address (::ffff:0:0/96, RFC 4291 §2.5.5.2) in mixed notation
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`
  }
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = g.map((n) => n.toString(16))
  if (bestStart === -1) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/**
 * Index after a host starting at `i`: an IPv6 reference `[...]` or a hostname / IPv4 address;
 * -1 when invalid.
 */
export function scanHost(s: string, i: number, end: number): number {
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i)
    if (close === -1 || close >= end) return -1
    return isIPv6(s.slice(i + 1, close)) ? close + 1 : -1
  }
  return scanHostname(s, i, end)
}

/**
 * The host just read by {@link scanHost} at `s[start, end)`, in lower case (RFC 3261 §19.1.4:
 * hosts compare case-insensitively), without a second string when it has no upper-case letter.
 */
export function lowerHost(s: string, start: number, end: number): string {
  const host = s.slice(start, end)
  return hostnameHasUpper || s.charCodeAt(start) === 91 ? host.toLowerCase() : host
}

/**
 * The form of a host used for comparison (RFC 3261 §19.1.4: case-insensitive; RFC 5118 §4.3: IPv6
 * references compare by address, not by text).
 */
export function comparableHost(host: string): string {
  if (host.charCodeAt(0) === 91) return `[${canonicalIPv6(host.slice(1, -1)) ?? host}]`
  return host.toLowerCase()
}
