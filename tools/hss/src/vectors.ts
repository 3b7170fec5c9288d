/**
 * Authentication vectors for the MAA (TS 33.102 §6.3.2 via @junction/aka), with the test modes
 * tools need: `random` (the CSPRNG), `fixed` (one configured RAND: deterministic nonces, and a
 * RAND a test can precompute an AUTS for), and `no-zero-res` (re-draw RAND until RES has no 0x00
 * octet: SIPp 3.6.1 truncates the AKA password at the first zero octet, ims.md §5(a) caveat 4).
 */
import { randomBytes } from 'node:crypto'
import { type AuthenticationVector, generateVector, type Milenage } from '@junction/aka'

export type RandMode = 'random' | 'no-zero-res' | 'fixed'

export interface VectorOptions {
  readonly rand: RandMode
  readonly fixedRand?: Uint8Array | undefined
  /** Default: the CSPRNG. */
  readonly random?: (() => Uint8Array) | undefined
}

/** RAND draws at most per vector in no-zero-res mode (each succeeds with p ≈ 0.969). */
const MAX_DRAWS = 64

export type VectorFactory = (milenage: Milenage, sqn: bigint, amf: Uint8Array) => AuthenticationVector

export function createVectorFactory(options: VectorOptions): VectorFactory {
  const draw = options.random ?? (() => randomBytes(16))
  if (options.rand === 'fixed') {
    const rand = options.fixedRand
    if (rand?.length !== 16) throw new RangeError('fixed RAND needs 16 octets')
    return (milenage, sqn, amf) => generateVector({ milenage, sqn, amf, rand })
  }
  if (options.rand === 'random')
    return (milenage, sqn, amf) => generateVector({ milenage, sqn, amf, rand: draw() })
  return (milenage, sqn, amf) => {
    let v = generateVector({ milenage, sqn, amf, rand: draw() })
    for (let i = 1; i < MAX_DRAWS && v.xres.includes(0); i++)
      v = generateVector({ milenage, sqn, amf, rand: draw() })
    return v
  }
}
