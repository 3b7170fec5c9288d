/**
 * The Cx client (I-CSCF: UAR, LIR; S-CSCF: MAR, SAR) on a `DiameterNode`: typed inputs in, typed
 * answers out. An answer with an error result resolves like any other (look at `result`); the
 * promise rejects only when there is no answer at all (the node's `DiameterError`: timeout, too
 * many pending, connection lost). No peer for the realm resolves with 3002 from the node.
 */
import type { DiameterNode } from '@junction/diameter'
import { buildLir, type Lia, type LirInput, readLia } from './lir.ts'
import { buildMar, type Maa, type MarInput, readMaa } from './mar.ts'
import { buildSar, readSaa, type Saa, type SarInput } from './sar.ts'
import { buildUar, readUaa, type Uaa, type UarInput } from './uar.ts'

export interface CxClientOptions {
  /** Destination-Realm of every request (the HSS's realm), unless a request gives its own. */
  readonly destinationRealm: string
  /** Destination-Host of every request, unless a request gives its own. */
  readonly destinationHost?: string | undefined
  /** Answer timeout in ms; default: the node's. */
  readonly timeout?: number | undefined
}

export interface CxClient {
  /** TS 29.228 §6.1.1 */
  uar(input: UarInput): Promise<Uaa>
  /** TS 29.228 §6.1.2 */
  sar(input: SarInput): Promise<Saa>
  /** TS 29.228 §6.1.3 */
  lir(input: LirInput): Promise<Lia>
  /** TS 29.228 §6.3 */
  mar(input: MarInput): Promise<Maa>
}

export function createCxClient(node: DiameterNode, options: CxClientOptions): CxClient {
  const defaults = { destinationRealm: options.destinationRealm, destinationHost: options.destinationHost }
  const opts = options.timeout === undefined ? undefined : { timeout: options.timeout }
  return {
    uar: async (input) => readUaa(await node.request(buildUar(input, defaults), opts)),
    sar: async (input) => readSaa(await node.request(buildSar(input, defaults), opts)),
    lir: async (input) => readLia(await node.request(buildLir(input, defaults), opts)),
    mar: async (input) => readMaa(await node.request(buildMar(input, defaults), opts)),
  }
}
