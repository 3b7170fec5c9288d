/**
 * Contact, RFC 3261 §20.10, with the parameters of Outbound (RFC 5626 §4.1: `+sip.instance`,
 * `reg-id`) and GRUU (RFC 5627 §3.3: `pub-gruu`, `temp-gruu`):
 *
 *   Contact = ( "Contact" / "m" ) HCOLON ( STAR / (contact-param *(COMMA contact-param)))
 *   contact-param = (name-addr / addr-spec) *(SEMI contact-params)
 */
import { quote, unquote } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatNameAddr, type NameAddr, nameAddr, startAddress } from '../name-addr.ts'
import { formatParam, formatParams, type Params, params } from '../params.ts'

export interface ContactAddress extends NameAddr {
  /** `expires` parameter in seconds (§10.2.1.1). */
  readonly expires?: number | undefined
  /** `q` preference, 0 to 1 (§20.10). */
  readonly q?: number | undefined
  /** `+sip.instance`, unquoted: `<urn:uuid:...>` (RFC 5626 §4.1). */
  readonly instance?: string | undefined
  /** `reg-id` (RFC 5626 §4.2). */
  readonly regId?: number | undefined
  /** `pub-gruu` / `temp-gruu` URIs, unquoted (RFC 5627 §3.3). */
  readonly pubGruu?: string | undefined
  readonly tempGruu?: string | undefined
  /** Other parameters (names in lower case, values as written, as text: see params.ts). */
  readonly params?: Params | undefined
}

/** A Contact value: an address, or `*` (remove every binding, §10.2.2). */
export type ContactValue = ContactAddress | '*'

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
const qvalue = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

/** The text inside a quoted-string parameter value; undefined when it is not one. */
function quotedText(v: string | null): string | undefined {
  return v !== null && v.length >= 2 && v.charCodeAt(0) === 34 ? unquote(v) : undefined
}

export function parseContact(s: string, start: number, end: number): ContactValue | undefined {
  if (end - start === 1 && s.charCodeAt(start) === 42) return '*'
  if (!startAddress(s, start, end, true)) return undefined
  const { displayName, uri } = nameAddr
  let expires: number | undefined
  let q: number | undefined
  let instance: string | undefined
  let regId: number | undefined
  let pubGruu: string | undefined
  let tempGruu: string | undefined
  for (const p = params; p.next(); ) {
    if (p.is('expires')) {
      const n = p.number(0xffffffff)
      if (n < 0) return undefined
      expires = n
    } else if (p.is('q')) {
      const v = p.value
      if (v === null || !qvalue.test(v)) return undefined
      q = Number(v)
    } else if (p.is('+sip.instance')) {
      instance = quotedText(p.value)
      if (instance === undefined) return undefined
    } else if (p.is('reg-id')) {
      // reg-id = 1*DIGIT, 1 to 2^31-1 (RFC 5626 §4.2)
      const n = p.number(0x7fffffff)
      if (n < 1) return undefined
      regId = n
    } else if (p.is('pub-gruu')) {
      pubGruu = quotedText(p.value)
      if (pubGruu === undefined) return undefined
    } else if (p.is('temp-gruu')) {
      tempGruu = quotedText(p.value)
      if (tempGruu === undefined) return undefined
    } else p.keep()
  }
  if (params.failed) return undefined
  return { displayName, uri, expires, q, instance, regId, pubGruu, tempGruu, params: params.others }
}

function quotedParam(name: string, v: string | undefined): string {
  return v === undefined ? '' : `;${name}=${quote(v)}`
}

export function formatContact(v: ContactValue): string {
  if (v === '*') return '*'
  let out = formatNameAddr(v)
  out += formatParam('expires', v.expires)
  if (v.q !== undefined)
    out += `;q=${Number.isInteger(v.q) ? v.q.toFixed(1) : String(Number(v.q.toFixed(3)))}`
  out += quotedParam('+sip.instance', v.instance)
  out += formatParam('reg-id', v.regId)
  out += quotedParam('pub-gruu', v.pubGruu)
  out += quotedParam('temp-gruu', v.tempGruu)
  return out + formatParams(v.params)
}

/** Contact (compact `m`): where the sender can be reached (§20.10). */
export const Contact = defineHeader({
  name: 'Contact',
  kind: 'list',
  parse: parseContact,
  format: formatContact,
  // §20.10, §25.1: Contact = STAR / (contact-param *(COMMA contact-param)): `*` stands alone
  together: (values) => values.length === 1 || !values.includes('*'),
})
