/**
 * tel URIs, RFC 3966 §3:
 *
 *   telephone-uri = "tel:" telephone-subscriber
 *   global-number = global-number-digits *par      ("+" *phonedigit DIGIT *phonedigit)
 *   local-number  = local-number-digits *par context *par
 *   context       = ";phone-context=" descriptor
 */
import { DIGIT, escapeRun, HEX, is, PARAM, unescapeRun } from './chars.ts'
import { isIPv4, scanHostname } from './host.ts'
import { emptyParams } from './sip-uri.ts'

export interface TelUri {
  readonly kind: 'tel'
  readonly scheme: 'tel'
  /** The number as written, visual separators included: `+1-201-555-0123`, `7042`. */
  readonly number: string
  /** True for a global number (`+` E.164); local numbers carry a `phone-context` parameter. */
  readonly global: boolean
  /** Parameters (`phone-context`, `ext`, `isub`, others): names in lower case, values decoded. */
  readonly params: ReadonlyMap<string, string | null>
}

function isVisualSeparator(c: number): boolean {
  return c === 45 || c === 46 || c === 40 || c === 41 // - . ( )
}

function isNumberChars(s: string, start: number, end: number, global: boolean): boolean {
  let digits = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (is(c, DIGIT)) digits++
    else if (!global && (is(c, HEX) || c === 42 || c === 35))
      digits++ // HEXDIG "*" "#"
    else if (!isVisualSeparator(c)) return false
  }
  return digits > 0
}

// pname = 1*( alphanum / "-" )
const pname = /^[A-Za-z0-9-]+$/

/** context = ";phone-context=" descriptor; descriptor = domainname / global-number-digits (RFC 3966 §3). */
function isDescriptor(v: string | null | undefined): boolean {
  if (typeof v !== 'string') return false
  if (v.charCodeAt(0) === 43) return isNumberChars(v, 1, v.length, true)
  return scanHostname(v, 0, v.length) === v.length && !isIPv4(v)
}

/** Parses a tel URI occupying exactly `[start, end)` of the wire string `s`. */
export function parseTelUri(s: string, start = 0, end = s.length): TelUri | undefined {
  if (end - start < 5 || s.slice(start, start + 4).toLowerCase() !== 'tel:') return undefined
  let i = start + 4
  let numberEnd = s.indexOf(';', i)
  if (numberEnd === -1 || numberEnd > end) numberEnd = end
  const global = s.charCodeAt(i) === 43
  if (!isNumberChars(s, global ? i + 1 : i, numberEnd, global)) return undefined
  const number = s.slice(i, numberEnd)
  i = numberEnd
  let params = emptyParams
  if (i < end) {
    const map = new Map<string, string | null>()
    while (i < end) {
      // i is at ";"
      let next = s.indexOf(';', i + 1)
      if (next === -1 || next > end) next = end
      const eq = s.indexOf('=', i + 1)
      const nameEnd = eq !== -1 && eq < next ? eq : next
      const name = s.slice(i + 1, nameEnd).toLowerCase()
      if (!pname.test(name)) return undefined
      let value: string | null = null
      if (nameEnd < next) {
        const v = unescapeRun(s, nameEnd + 1, next, PARAM)
        if (v === undefined || v === '') return undefined
        value = v
      }
      if (map.has(name)) return undefined // RFC 3966 §3: each parameter at most once
      map.set(name, value)
      i = next
    }
    params = map
  }
  if (!global && !isDescriptor(params.get('phone-context'))) return undefined // RFC 3966 §5.1.5
  return { kind: 'tel', scheme: 'tel', number, global, params }
}

export function formatTelUri(uri: TelUri): string {
  let out = `tel:${uri.number}`
  for (const [name, value] of uri.params) {
    out += `;${name}`
    if (value !== null) out += `=${escapeRun(value, PARAM)}`
  }
  return out
}

/** The digits of a tel number without visual separators, upper case (RFC 3966 §4 comparison). */
export function telDigits(number: string): string {
  return number.replace(/[-.()]/g, '').toUpperCase()
}
