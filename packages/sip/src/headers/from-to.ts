/**
 * From and To, RFC 3261 §20.20 and §20.39:
 *
 *   ( name-addr / addr-spec ) *( SEMI ( tag-param / generic-param ) )
 */
import { charAt, nameIs, scan, scanQuoted, scanToken, skipWs, TOKEN } from '../chars.ts'
import { faultCodes, SipCodecError } from '../errors.ts'
import { defineHeader } from '../header.ts'
import { formatNameAddr, type NameAddr, nameAddr, startAddress } from '../name-addr.ts'
import { formatParam, formatParams, type Params, params, scanValue } from '../params.ts'

export interface FromToValue extends NameAddr {
  /** The tag that identifies the dialog party (§19.3); undefined before the UAS adds it to To. */
  readonly tag?: string | undefined
  readonly params?: Params | undefined
}

export function parseFromTo(s: string, start: number, end: number): FromToValue | undefined {
  if (!startAddress(s, start, end, true)) return undefined
  const { displayName, uri } = nameAddr
  let tag: string | undefined
  for (const p = params; p.next(); ) {
    if (tag === undefined && p.is('tag')) {
      tag = p.token()
      if (tag === undefined) return undefined
    } else p.keep()
  }
  if (params.failed) return undefined
  return { displayName, uri, tag, params: params.others }
}

export function formatFromTo(v: FromToValue): string {
  return formatNameAddr(v) + formatParam('tag', v.tag) + formatParams(v.params)
}

/**
 * The tag alone, for readers that need nothing else (a proxy matching dialogs and transactions:
 * RFC 3261 §16.3 asks it to leave the components it does not use alone). Skips the display name
 * and the URI without parsing them; `''` when there is no tag, undefined when the parameters are
 * malformed.
 */
export function parseTagOnly(s: string, start: number, end: number): string | undefined {
  let i = skipWs(s, start, end)
  if (charAt(s, i, end) === 34) {
    i = scanQuoted(s, i, end)
    if (i === -1) return undefined
  }
  // name-addr when a "<" comes before any ";": parameters follow the ">"; addr-spec: they start
  // at the first ";"
  let j = i
  while (j < end) {
    const c = s.charCodeAt(j)
    if (c === 60 || c === 59) break
    j++
  }
  if (j < end && s.charCodeAt(j) === 60) {
    const close = s.indexOf('>', j)
    if (close === -1 || close >= end) return undefined
    i = close + 1
  } else i = j
  // the usual rest, `;tag=` and a token to the end, read at once
  if (i + 5 < end && s.charCodeAt(i) === 59 && nameIs(s, i + 1, 'tag=') && scanToken(s, i + 5, end) === end)
    return s.slice(i + 5, end)
  // *( SEMI generic-param ), every one well-formed; the first tag must be a token
  let tag = ''
  for (;;) {
    i = skipWs(s, i, end)
    if (i >= end) return tag
    if (s.charCodeAt(i) !== 59) return undefined
    i = skipWs(s, i + 1, end)
    const nameStart = i
    i = scanToken(s, i, end)
    const nameEnd = i
    if (nameEnd === nameStart) return undefined
    i = skipWs(s, i, end)
    let vs = -1
    if (i < end && s.charCodeAt(i) === 61) {
      vs = skipWs(s, i + 1, end)
      i = scanValue(s, vs, end)
      if (i <= vs) return undefined
    }
    if (tag === '' && nameEnd - nameStart === 3 && nameIs(s, nameStart, 'tag')) {
      if (vs === -1 || scan(s, vs, i, TOKEN) !== i) return undefined
      tag = s.slice(vs, i)
    }
  }
}

/** From (compact `f`): the initiator of the request (§20.20). */
export const From = defineHeader({ name: 'From', kind: 'single', parse: parseFromTo, format: formatFromTo })

/** To (compact `t`): the logical recipient (§20.39). */
export const To = defineHeader({ name: 'To', kind: 'single', parse: parseFromTo, format: formatFromTo })

function formatTag(): never {
  throw new SipCodecError(faultCodes.INVALID_ARGUMENT, 'FromTag/ToTag only read: write From or To')
}

/** The From tag alone: `headers.get(FromTag)` is `''` when From has no tag (see parseTagOnly). */
export const FromTag = defineHeader({ name: 'From', kind: 'single', parse: parseTagOnly, format: formatTag })

/** The To tag alone: `''` before the UAS adds one — an initial request (§12.1.1). */
export const ToTag = defineHeader({ name: 'To', kind: 'single', parse: parseTagOnly, format: formatTag })
