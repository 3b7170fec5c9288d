/**
 * P-Visited-Network-ID, RFC 7315 §4.3:
 *
 *   vnetwork-spec = (token / quoted-string) *(SEMI vnetwork-param)
 */
import { scan, scanQuoted, TOKEN, tokenOrQuoted, unquoteAt, wireToText } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatParams, type Params, readParams } from '../params.ts'

export interface VisitedNetworkValue {
  /** The network identifier, unquoted: `Visited network number 1`, `other.net`. */
  readonly network: string
  readonly params?: Params | undefined
}

export function parseVisitedNetwork(s: string, start: number, end: number): VisitedNetworkValue | undefined {
  let stop: number
  let network: string
  if (s.charCodeAt(start) === 34) {
    stop = scanQuoted(s, start, end)
    if (stop === -1) return undefined
    network = wireToText(unquoteAt(s, start, stop))
  } else {
    stop = scan(s, start, end, TOKEN)
    if (stop === start) return undefined
    network = s.slice(start, stop)
  }
  const params = readParams(s, stop, end)
  return params === undefined ? undefined : { network, params }
}

/** P-Visited-Network-ID: the network a roaming UA is visiting, added by the P-CSCF (RFC 7315). */
export const PVisitedNetworkId = defineHeader({
  name: 'P-Visited-Network-ID',
  kind: 'list',
  parse: parseVisitedNetwork,
  format: (v: VisitedNetworkValue) => tokenOrQuoted(v.network) + formatParams(v.params),
})
