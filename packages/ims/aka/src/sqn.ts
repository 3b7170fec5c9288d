/**
 * Sequence numbers, 3GPP TS 33.102 §6.3.2 and Annex C: SQN is 48 bits, SQN = SEQ ‖ IND with IND
 * the 5 least significant bits (Annex C.1.1, C.3.2) and SEQ the other 43.
 *
 * Network side (HE/AuC): each new vector takes the next SEQ (Annex C.1.1.1); resynchronisation
 * moves SEQ past the UE's SQN_MS (§6.3.5). UE side (USIM): an array SEQ_MS(i), one entry per IND
 * value, accepts a SEQ only above the entry for its IND (Annex C.2.1) and not more than Δ above the
 * highest SEQ accepted so far (Annex C.2.2).
 */
import { Buffer } from 'node:buffer'
import { AkaError, akaFaultCodes, invalidArgument } from './errors.ts'

/** The largest SQN: 2^48 − 1. */
export const SQN_MAX = (1n << 48n) - 1n

/** Length of IND in bits (TS 33.102 Annex C.3.2: 5). */
export const IND_BITS = 5

/** Δ, how far above the highest accepted SEQ a new SEQ may be (TS 33.102 Annex C.2.2: 2^28). */
export const DEFAULT_DELTA = 1n << 28n

export interface SqnOptions {
  /** IND length in bits; default 5. */
  readonly indBits?: number | undefined
}

function indBitsOf(options: SqnOptions | undefined): bigint {
  const bits = options?.indBits ?? IND_BITS
  if (!Number.isInteger(bits) || bits < 0 || bits > 16)
    throw invalidArgument('indBits must be an integer from 0 to 16')
  return BigInt(bits)
}

function checkSqn(sqn: bigint): void {
  if (typeof sqn !== 'bigint' || sqn < 0n || sqn > SQN_MAX)
    throw invalidArgument('SQN must be a bigint from 0 to 2^48 - 1')
}

/** SQN as the 6 octets of an AUTN or AUTS (big-endian). */
export function sqnToBytes(sqn: bigint): Uint8Array {
  checkSqn(sqn)
  const out = Buffer.alloc(6)
  out.writeUIntBE(Number(sqn), 0, 6)
  return out
}

/** SQN from 6 octets (big-endian). */
export function sqnFromBytes(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 6) throw invalidArgument('SQN must be 6 octets')
  return BigInt(Buffer.from(bytes.buffer, bytes.byteOffset, 6).readUIntBE(0, 6))
}

/** SQN = SEQ ‖ IND (TS 33.102 Annex C.1.1). */
export function splitSqn(sqn: bigint, options?: SqnOptions): { seq: bigint; ind: number } {
  checkSqn(sqn)
  const bits = indBitsOf(options)
  return { seq: sqn >> bits, ind: Number(sqn & ((1n << bits) - 1n)) }
}

/** SEQ ‖ IND as one SQN (TS 33.102 Annex C.1.1). */
export function joinSqn(seq: bigint, ind: number, options?: SqnOptions): bigint {
  const bits = indBitsOf(options)
  if (!Number.isInteger(ind) || ind < 0 || BigInt(ind) >= 1n << bits)
    throw invalidArgument(`IND must fit in ${bits} bits`)
  if (typeof seq !== 'bigint' || seq < 0n || seq >= 1n << (48n - bits))
    throw invalidArgument(`SEQ must fit in ${48n - bits} bits`)
  return (seq << bits) | BigInt(ind)
}

/**
 * The SQN of the next vector (TS 33.102 Annex C.1.1.1, C.3.2): SEQ + 1, with the IND given or
 * the one of `sqn` (so, with 5 IND bits and the same IND, SQN + 32). Throws
 * `JUNCTION_ERR_AKA_SQN_EXHAUSTED` when SEQ cannot grow.
 */
export function nextSqn(sqn: bigint, options?: SqnOptions & { readonly ind?: number | undefined }): bigint {
  const { seq, ind } = splitSqn(sqn, options)
  const bits = indBitsOf(options)
  if (seq + 1n >= 1n << (48n - bits)) throw new AkaError(akaFaultCodes.SQN_EXHAUSTED, 'SEQ is at its maximum')
  return joinSqn(seq + 1n, options?.ind ?? ind, options)
}

export interface SqnRangeOptions extends SqnOptions {
  /** Δ (TS 33.102 Annex C.2.2); default 2^28. */
  readonly delta?: bigint | undefined
}

/**
 * Whether the USIM accepts `sqn` (TS 33.102 Annex C.2.1, C.2.2): its SEQ is above `seqMs[IND]`
 * and not more than Δ above the highest entry of `seqMs`. `seqMs` has one entry per IND value
 * (32 with 5 bits); a missing entry counts as 0.
 */
export function isSqnInRange(sqn: bigint, seqMs: readonly bigint[], options?: SqnRangeOptions): boolean {
  const { seq, ind } = splitSqn(sqn, options)
  const delta = options?.delta ?? DEFAULT_DELTA
  let highest = 0n
  for (const entry of seqMs) if (entry > highest) highest = entry
  return seq > (seqMs[ind] ?? 0n) && seq <= highest + delta
}

/** The USIM's sequence number state (TS 33.102 Annex C.2). */
export interface UsimSqn {
  /** Whether an SQN taken from an AUTN is acceptable (Annex C.2.1, C.2.2). */
  isAcceptable(sqn: bigint): boolean
  /** Records an accepted SQN: SEQ_MS(IND) := SEQ. */
  accept(sqn: bigint): void
  /** SQN_MS: the highest SEQ accepted so far with its IND, the value an AUTS carries (§6.3.3). */
  readonly sqnMs: bigint
  /** SEQ_MS(i) for every IND value i. */
  readonly seqMs: readonly bigint[]
}

export interface UsimSqnOptions extends SqnRangeOptions {
  /**
   * The highest SQN already accepted (a fresh USIM: 0). Every SEQ_MS(i) starts at its SEQ, so no
   * SQN at or below it is accepted, whatever its IND.
   */
  readonly sqnMs?: bigint | undefined
}

/** A USIM's SQN array, for test clients (TS 33.102 Annex C.2). */
export function createUsimSqn(options?: UsimSqnOptions): UsimSqn {
  const bits = indBitsOf(options)
  const seqMs: bigint[] = new Array<bigint>(1 << Number(bits)).fill(0n)
  let highest = { seq: 0n, ind: 0 }
  const accept = (sqn: bigint): void => {
    const { seq, ind } = splitSqn(sqn, options)
    if (seq > (seqMs[ind] ?? 0n)) seqMs[ind] = seq
    if (seq > highest.seq || (seq === highest.seq && sqn > joinSqn(highest.seq, highest.ind, options))) {
      highest = { seq, ind }
    }
  }
  if (options?.sqnMs !== undefined) {
    // Everything up to SQN_MS counts as used, whatever its IND.
    const { seq, ind } = splitSqn(options.sqnMs, options)
    seqMs.fill(seq)
    highest = { seq, ind }
  }
  return {
    isAcceptable: (sqn) => isSqnInRange(sqn, seqMs, options),
    accept,
    get sqnMs() {
      return joinSqn(highest.seq, highest.ind, options)
    },
    get seqMs() {
      return [...seqMs]
    },
  }
}
