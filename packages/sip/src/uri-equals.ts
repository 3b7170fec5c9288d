/**
 * URI equivalence: RFC 3261 §19.1.4 for SIP/SIPS URIs, RFC 3966 §4 for tel URIs, and
 * case-insensitive scheme with exact value for other absolute URIs.
 *
 * One deviation from §19.1.4's letter: components are compared decoded, so an escaped reserved
 * char equals the char itself (`sip:%2B1212@h` equals `sip:+1212@h`, `sip:a%3Bb@h` equals
 * `sip:a;b@h`), where §19.1.4 makes only non-reserved chars equal to their escapes. Decoded
 * components are what everything else needs: the registrar's AOR (§10.3 step 5: "escaped
 * characters MUST be converted to their unescaped form"), a digest username or a dial-plan pattern
 * held against a user part, a GRUU's instance, a `maddr`.
 */
import { comparableHost } from './host.ts'
import type { SipUri } from './sip-uri.ts'
import { type TelUri, telDigits } from './tel-uri.ts'
import type { Uri } from './uri.ts'

/** Parameters that, present in only one of two SIP URIs, make them differ (§19.1.4). */
const mustMatchIfPresentInOne = ['user', 'ttl', 'method', 'maddr', 'transport']

function lower(v: string | null | undefined): string | null | undefined {
  return typeof v === 'string' ? v.toLowerCase() : v
}

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false
  // userinfo is case-sensitive; host, port, params and headers are not
  if (a.user !== b.user || a.password !== b.password) return false
  if (comparableHost(a.host) !== comparableHost(b.host)) return false
  if (a.port !== b.port) return false
  for (const name of mustMatchIfPresentInOne) {
    if (a.params.has(name) !== b.params.has(name)) return false
  }
  for (const [name, value] of a.params) {
    if (b.params.has(name) && lower(b.params.get(name)) !== lower(value)) return false
  }
  // "URI header components are never ignored": same set, same values
  if (a.headers.length !== b.headers.length) return false
  const rest = b.headers.map(([n, v]) => `${n.toLowerCase()}=${v}`)
  for (const [n, v] of a.headers) {
    const k = rest.indexOf(`${n.toLowerCase()}=${v}`)
    if (k === -1) return false
    rest.splice(k, 1)
  }
  return true
}

/**
 * RFC 3966 §4: `ext` and a `phone-context` that is global-number-digits compare digit by digit,
 * visual separators removed (`+1-914-555` = `+1914555`); other values case-insensitively.
 */
function telParamValue(name: string, value: string | null | undefined): string | null | undefined {
  if (typeof value !== 'string') return value
  if (name === 'ext' || (name === 'phone-context' && value.charCodeAt(0) === 43)) return telDigits(value)
  return value.toLowerCase()
}

function telUriEquals(a: TelUri, b: TelUri): boolean {
  if (a.global !== b.global || telDigits(a.number) !== telDigits(b.number)) return false
  if (a.params.size !== b.params.size) return false
  for (const [name, value] of a.params) {
    if (!b.params.has(name) || telParamValue(name, b.params.get(name)) !== telParamValue(name, value))
      return false
  }
  return true
}

/** True when two URIs are equivalent by the comparison rules of their scheme. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip') return b.kind === 'sip' && sipUriEquals(a, b)
  if (a.kind === 'tel') return b.kind === 'tel' && telUriEquals(a, b)
  return b.kind === 'absolute' && a.scheme === b.scheme && a.value === b.value
}
