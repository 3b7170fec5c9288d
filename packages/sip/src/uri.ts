/**
 * URIs in SIP messages: `sip:`/`sips:` (RFC 3261 §19.1), `tel:` (RFC 3966), and any other scheme
 * kept as an opaque absolute URI (RFC 3261 §25.1 absoluteURI; RFC 3986 §3.1 scheme).
 */
import { formatSipUri, hasSipScheme, parseSipUri, type SipUri } from './sip-uri.ts'
import { formatTelUri, parseTelUri, type TelUri } from './tel-uri.ts'

export interface AbsoluteUri {
  readonly kind: 'absolute'
  /** Scheme in lower case (`urn`, `mailto`, `soap.beep`). */
  readonly scheme: string
  /** Everything after the first `:`, as written. */
  readonly value: string
}

export type Uri = SipUri | TelUri | AbsoluteUri

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) — index of the ":" after it, or -1. */
function schemeEnd(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    const alpha = (c | 0x20) >= 97 && (c | 0x20) <= 122
    if (alpha) continue
    if (i === start) return -1
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) continue
    return c === 58 && i > start ? i : -1
  }
  return -1
}

// uric = reserved / unreserved / escaped, escaped = "%" HEXDIG HEXDIG (RFC 3261 §25.1)
const uricChars = /^(?:[A-Za-z0-9\-_.!~*'();/?:@&=+$,]|%[0-9A-Fa-f]{2})+$/

/** Parses a URI occupying exactly `[start, end)` of the wire string `s`; undefined when invalid. */
export function parseUriAt(s: string, start: number, end: number): Uri | undefined {
  if (hasSipScheme(s, start, end)) return parseSipUri(s, start, end)
  const colon = schemeEnd(s, start, end)
  if (colon === -1) return undefined
  const scheme = s.slice(start, colon).toLowerCase()
  if (scheme === 'tel') return parseTelUri(s, start, end)
  const value = s.slice(colon + 1, end)
  if (!uricChars.test(value)) return undefined
  return { kind: 'absolute', scheme, value }
}

/** Parses a URI (`sip:`, `sips:`, `tel:` or any absolute URI); undefined when it is not valid. */
export function parseUri(text: string): Uri | undefined {
  return parseUriAt(text, 0, text.length)
}

export function formatUri(uri: Uri): string {
  switch (uri.kind) {
    case 'sip':
      return formatSipUri(uri)
    case 'tel':
      return formatTelUri(uri)
    default:
      return `${uri.scheme}:${uri.value}`
  }
}
