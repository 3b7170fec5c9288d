/**
 * P-Access-Network-Info, RFC 7315 §4.4 (access types updated by RFC 7913):
 *
 *   access-net-spec = (access-type / access-class) *(SEMI access-info)
 *   access-info     = cgi-3gpp / utran-cell-id-3gpp / dsl-location / ... / extension-access-info
 */
import { scan, TOKEN } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatParams, type Params, readParams } from '../params.ts'

export interface AccessNetworkInfoValue {
  /** access-type or access-class as written: `3GPP-E-UTRAN-FDD`, `IEEE-802.11`, `3GPP-NR`. */
  readonly accessType: string
  /** access-info: `utran-cell-id-3gpp`, `cgi-3gpp`, `network-provided`, ... (values as written, as text: see params.ts). */
  readonly params?: Params | undefined
}

export function parseAccessNetworkInfo(
  s: string,
  start: number,
  end: number,
): AccessNetworkInfoValue | undefined {
  const stop = scan(s, start, end, TOKEN)
  if (stop === start) return undefined
  const accessType = s.slice(start, stop)
  const params = readParams(s, stop, end)
  return params === undefined ? undefined : { accessType, params }
}

/** P-Access-Network-Info: the access network a UA uses, and where (RFC 7315 §4.4). */
export const PAccessNetworkInfo = defineHeader({
  name: 'P-Access-Network-Info',
  kind: 'list',
  parse: parseAccessNetworkInfo,
  format: (v: AccessNetworkInfoValue) => v.accessType + formatParams(v.params),
})
