/**
 * From and To, RFC 3261 §20.20 and §20.39:
 *
 *   ( name-addr / addr-spec ) *( SEMI ( tag-param / generic-param ) )
 */
import { isToken } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatNameAddr, type NameAddr, nameAddr, startAddress } from '../name-addr.ts'
import { formatParam, formatParams, type Params, params } from '../params.ts'

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
      if (p.value === null || !isToken(p.value)) return undefined
      tag = p.value
    } else p.keep()
  }
  if (params.failed) return undefined
  return { displayName, uri, tag, params: params.others }
}

export function formatFromTo(v: FromToValue): string {
  return formatNameAddr(v) + formatParam('tag', v.tag) + formatParams(v.params)
}

/** From (compact `f`): the initiator of the request (§20.20). */
export const From = defineHeader({ name: 'From', kind: 'single', parse: parseFromTo, format: formatFromTo })

/** To (compact `t`): the logical recipient (§20.39). */
export const To = defineHeader({ name: 'To', kind: 'single', parse: parseFromTo, format: formatFromTo })
