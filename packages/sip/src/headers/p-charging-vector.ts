/**
 * P-Charging-Vector, RFC 7315 §4.6:
 *
 *   P-Charging-Vector = "P-Charging-Vector" HCOLON icid-value *(SEMI charge-params)
 *   icid-value        = "icid-value" EQUAL gen-value
 *   charge-params     = icid-gen-addr / orig-ioi / term-ioi / transit-ioi / related-icid / ...
 */
import { tokenOrQuoted } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatParams, type Params, params, paramText } from '../params.ts'

export interface ChargingVectorValue {
  /** IMS Charging Identity, unquoted. */
  readonly icidValue: string
  /** `icid-generated-at`, `orig-ioi`, `term-ioi`, `transit-ioi`, ... (values as written, as text: see params.ts). */
  readonly params?: Params | undefined
}

export function parseChargingVector(s: string, start: number, end: number): ChargingVectorValue | undefined {
  // icid-value comes first; the cursor reads it as a parameter once a ";" is put before it
  let icidValue: string | undefined
  for (const p = params.start(`;${s.slice(start, end)}`, 0, end - start + 1); p.next(); ) {
    if (icidValue === undefined && p.is('icid-value')) icidValue = paramText(p.value)
    else if (icidValue === undefined) return undefined
    else p.keep()
  }
  if (params.failed || icidValue === undefined) return undefined
  return { icidValue, params: params.others }
}

/** P-Charging-Vector: charging correlation across IMS nodes (RFC 7315 §4.6). */
export const PChargingVector = defineHeader({
  name: 'P-Charging-Vector',
  kind: 'single',
  parse: parseChargingVector,
  format: (v: ChargingVectorValue) => `icid-value=${tokenOrQuoted(v.icidValue)}${formatParams(v.params)}`,
})
