/**
 * UMTS/IMS AKA, 3GPP TS 33.102 §6.3: authentication vectors at the HE/AuC (§6.3.2), their
 * verification at the USIM with the AUTS of a synchronisation failure (§6.3.3), and
 * resynchronisation at the HE/AuC (§6.3.5).
 *
 *   AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A                          16 octets
 *   AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S, MAC-S with AMF = 0x0000   14 octets
 */
import { Buffer } from 'node:buffer'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { akaErrorCodes } from './errors.ts'
import { checkLength, createMilenage, type Milenage, type MilenageKeys } from './milenage.ts'
import { sqnFromBytes, sqnToBytes, type UsimSqn } from './sqn.ts'

/** The dummy AMF of MAC-S in an AUTS (TS 33.102 §6.3.3). */
const RESYNC_AMF = new Uint8Array(2)

/** An authentication vector, the quintuplet of TS 33.102 §6.3.2. Secret: never log it. */
export interface AuthenticationVector {
  /** RAND, 16 octets. */
  readonly rand: Uint8Array
  /** XRES = f2(RAND), 8 octets with MILENAGE. */
  readonly xres: Uint8Array
  /** CK = f3(RAND), 16 octets. */
  readonly ck: Uint8Array
  /** IK = f4(RAND), 16 octets. */
  readonly ik: Uint8Array
  /** AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A, 16 octets. */
  readonly autn: Uint8Array
}

function sqnBytes(sqn: bigint | Uint8Array): Uint8Array {
  if (typeof sqn === 'bigint') return sqnToBytes(sqn)
  checkLength('SQN', sqn, 6)
  return sqn
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number)
  return out
}

function milenageOf(keys: MilenageKeys | { readonly milenage: Milenage }): Milenage {
  return 'milenage' in keys ? keys.milenage : createMilenage(keys)
}

/** The keys of a subscriber, or a `Milenage` already made for them (saves the key schedule). */
export type SubscriberKeys = MilenageKeys | { readonly milenage: Milenage }

export type GenerateVectorInput = SubscriberKeys & {
  /** SQN: a 48-bit bigint or 6 octets. */
  readonly sqn: bigint | Uint8Array
  /** AMF, 2 octets (its first bit is the EPS separation bit, TS 33.401 Annex H; IMS ignores it). */
  readonly amf: Uint8Array
  /** RAND, 16 octets; default 16 octets from the CSPRNG. */
  readonly rand?: Uint8Array | undefined
}

/** TS 33.102 §6.3.2: a fresh authentication vector for `sqn`. */
export function generateVector(input: GenerateVectorInput): AuthenticationVector {
  const m = milenageOf(input)
  const sqn = sqnBytes(input.sqn)
  checkLength('AMF', input.amf, 2)
  const rand = input.rand ?? randomBytes(16)
  checkLength('RAND', rand, 16)
  const { res, ck, ik, ak } = m.f2345(rand)
  const macA = m.f1(rand, sqn, input.amf)
  const autn = Buffer.concat([xor(sqn, ak), input.amf, macA])
  return { rand: Buffer.from(rand), xres: res, ck, ik, autn }
}

export type VerifyAutnInput = SubscriberKeys & {
  readonly rand: Uint8Array
  readonly autn: Uint8Array
  /**
   * The USIM's SQN state. When given, an SQN out of range is a synchronisation failure carrying
   * AUTS, and an accepted SQN is recorded with `usim.accept`. Without it the SQN is not checked
   * (as SIPp does).
   */
  readonly usim?: UsimSqn | undefined
}

/** What the USIM computes for a genuine AUTN (TS 33.102 §6.3.3). Secret: never log it. */
export interface AutnAccepted {
  readonly ok: true
  /** RES, the AKAv1-MD5 password. */
  readonly res: Uint8Array
  readonly ck: Uint8Array
  readonly ik: Uint8Array
  /** The SQN the network sent, AUTN[0..5] ⊕ AK. */
  readonly sqn: bigint
  readonly amf: Uint8Array
}

export type AutnRejected =
  | {
      readonly ok: false
      readonly error: { readonly code: typeof akaErrorCodes.MAC_FAILURE; readonly reason: string }
    }
  | {
      readonly ok: false
      readonly error: {
        readonly code: typeof akaErrorCodes.SYNC_FAILURE
        readonly reason: string
        /** The SQN the network sent. */
        readonly sqn: bigint
        /** AUTS, 14 octets, for the network to resynchronise. */
        readonly auts: Uint8Array
      }
    }

/**
 * The USIM's check of an AUTN (TS 33.102 §6.3.3): XMAC = f1(RAND, SQN, AMF) must equal MAC-A
 * (else `JUNCTION_ERR_AKA_MAC_FAILURE`: the network is not genuine), then, with `usim`, the SQN
 * must be in range (else `JUNCTION_ERR_AKA_SYNC_FAILURE` with AUTS). MAC-A is compared in constant
 * time.
 */
export function verifyAutn(input: VerifyAutnInput): AutnAccepted | AutnRejected {
  const m = milenageOf(input)
  checkLength('RAND', input.rand, 16)
  checkLength('AUTN', input.autn, 16)
  const { res, ck, ik, ak } = m.f2345(input.rand)
  const sqnBytesValue = xor(input.autn.subarray(0, 6), ak)
  const amf = Buffer.from(input.autn.subarray(6, 8))
  const xmac = m.f1(input.rand, sqnBytesValue, amf)
  if (!timingSafeEqual(xmac, input.autn.subarray(8, 16))) {
    return { ok: false, error: { code: akaErrorCodes.MAC_FAILURE, reason: 'MAC-A in AUTN is wrong' } }
  }
  const sqn = sqnFromBytes(sqnBytesValue)
  if (input.usim !== undefined) {
    if (!input.usim.isAcceptable(sqn)) {
      const auts = computeAutsWith(m, input.rand, input.usim.sqnMs)
      return { ok: false, error: { code: akaErrorCodes.SYNC_FAILURE, reason: 'SQN out of range', sqn, auts } }
    }
    input.usim.accept(sqn)
  }
  return { ok: true, res, ck, ik, sqn, amf }
}

function computeAutsWith(m: Milenage, rand: Uint8Array, sqnMs: bigint | Uint8Array): Uint8Array {
  const sqn = sqnBytes(sqnMs)
  return Buffer.concat([xor(sqn, m.f5Star(rand)), m.f1Star(rand, sqn, RESYNC_AMF)])
}

export type ComputeAutsInput = SubscriberKeys & {
  readonly rand: Uint8Array
  /** SQN_MS: the highest SQN the USIM accepted. */
  readonly sqnMs: bigint | Uint8Array
}

/** TS 33.102 §6.3.3: AUTS = (SQN_MS ⊕ f5*(RAND)) ‖ f1*(RAND, SQN_MS, AMF = 0x0000). */
export function computeAuts(input: ComputeAutsInput): Uint8Array {
  const m = milenageOf(input)
  checkLength('RAND', input.rand, 16)
  return computeAutsWith(m, input.rand, input.sqnMs)
}

export type ResyncInput = SubscriberKeys & {
  /** The RAND of the vector the UE rejected. */
  readonly rand: Uint8Array
  /** AUTS as received (from the SIP-Authorization AVP, TS 29.229 §6.3.x, after RAND). */
  readonly auts: Uint8Array
}

export type ResyncResult =
  | { readonly ok: true; readonly sqnMs: bigint }
  | {
      readonly ok: false
      readonly error: {
        readonly code: typeof akaErrorCodes.BAD_AUTS | typeof akaErrorCodes.MAC_FAILURE
        readonly reason: string
      }
    }

/**
 * Resynchronisation at the HE/AuC (TS 33.102 §6.3.5): SQN_MS = AUTS[0..5] ⊕ f5*(RAND), accepted
 * only when MAC-S = f1*(RAND, SQN_MS, 0x0000). The HE then continues above SQN_MS (`nextSqn`).
 * An AUTS that is not 14 octets gives `JUNCTION_ERR_AKA_BAD_AUTS`, a wrong MAC-S
 * `JUNCTION_ERR_AKA_MAC_FAILURE` (keep SQN_HE as it is).
 */
export function resync(input: ResyncInput): ResyncResult {
  const m = milenageOf(input)
  checkLength('RAND', input.rand, 16)
  if (!(input.auts instanceof Uint8Array) || input.auts.length !== 14) {
    return { ok: false, error: { code: akaErrorCodes.BAD_AUTS, reason: 'AUTS must be 14 octets' } }
  }
  const sqnMs = xor(input.auts.subarray(0, 6), m.f5Star(input.rand))
  const xmacS = m.f1Star(input.rand, sqnMs, RESYNC_AMF)
  if (!timingSafeEqual(xmacS, input.auts.subarray(6, 14))) {
    return { ok: false, error: { code: akaErrorCodes.MAC_FAILURE, reason: 'MAC-S in AUTS is wrong' } }
  }
  return { ok: true, sqnMs: sqnFromBytes(sqnMs) }
}
