/**
 * The MILENAGE algorithm set, 3GPP TS 35.206 §4 (f1, f1*, f2, f3, f4, f5, f5*), with the
 * kernel E_K = AES-128 (Rijndael with a 128-bit block, TS 35.206 §5). Conformance data: TS 35.207
 * §4 (test sets 1–6).
 *
 *   OPc  = OP ⊕ E_K(OP)
 *   TEMP = E_K(RAND ⊕ OPc)
 *   IN1  = SQN ‖ AMF ‖ SQN ‖ AMF
 *   OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc      f1 = OUT1[0..63], f1* = OUT1[64..127]
 *   OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc  (i = 2..5)
 *          f5 = OUT2[0..47], f2 = OUT2[64..127], f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47]
 *
 * with r1..r5 = 64, 0, 32, 64, 96 bits and c1..c5 = 0, 1, 2, 4, 8 in the last octet.
 */
import { Buffer } from 'node:buffer'
import { type Cipheriv, createCipheriv } from 'node:crypto'
import { invalidArgument } from './errors.ts'

/** Subscriber keys: K with the operator variant, OP or OPc (TS 35.206 §2). */
export type MilenageKeys =
  | { readonly k: Uint8Array; readonly op: Uint8Array; readonly opc?: undefined }
  | { readonly k: Uint8Array; readonly opc: Uint8Array; readonly op?: undefined }

/** The outputs of f2, f3, f4 and f5 for one RAND (TS 35.206 §4.1). */
export interface MilenageF2345 {
  /** f2: RES (XRES at the network), 8 octets. */
  readonly res: Uint8Array
  /** f3: CK, 16 octets. */
  readonly ck: Uint8Array
  /** f4: IK, 16 octets. */
  readonly ik: Uint8Array
  /** f5: AK, 6 octets. */
  readonly ak: Uint8Array
}

/** MILENAGE for one subscriber: the AES key schedule is made once, OPc computed once. */
export interface Milenage {
  /** OPc, 16 octets (given, or computed from OP). */
  readonly opc: Uint8Array
  /** f1: the network authentication code MAC-A, 8 octets. */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array
  /** f1*: the resynchronisation authentication code MAC-S, 8 octets. */
  f1Star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array
  /** f2: RES, 8 octets. */
  f2(rand: Uint8Array): Uint8Array
  /** f3: CK, 16 octets. */
  f3(rand: Uint8Array): Uint8Array
  /** f4: IK, 16 octets. */
  f4(rand: Uint8Array): Uint8Array
  /** f5: AK, 6 octets. */
  f5(rand: Uint8Array): Uint8Array
  /** f5*: AK for resynchronisation, 6 octets. */
  f5Star(rand: Uint8Array): Uint8Array
  /** f2, f3, f4 and f5 at once (one TEMP). */
  f2345(rand: Uint8Array): MilenageF2345
}

/** Throws `JUNCTION_ERR_AKA_INVALID_ARGUMENT` unless `value` is a Uint8Array of `length` octets. */
export function checkLength(name: string, value: unknown, length: number): void {
  if (!(value instanceof Uint8Array)) throw invalidArgument(`${name} must be a Uint8Array`)
  if (value.length !== length) throw invalidArgument(`${name} must be ${length} octets, got ${value.length}`)
}

function aes(k: Uint8Array): (block: Uint8Array) => Buffer {
  checkLength('K', k, 16)
  const cipher: Cipheriv = createCipheriv('aes-128-ecb', k, null)
  cipher.setAutoPadding(false)
  // ECB keeps no state between blocks: one cipher encrypts any number of blocks, one at a time.
  return (block) => cipher.update(block)
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number)
  return out
}

/** rot(x, r): cyclic rotation of a 128-bit block towards the most significant bit by r bits, r a multiple of 8. */
function rot(x: Uint8Array, bits: number): Buffer {
  const n = bits / 8
  const out = Buffer.allocUnsafe(16)
  for (let i = 0; i < 16; i++) out[i] = x[(i + n) % 16] as number
  return out
}

/** c_i: 128-bit constants that differ from zero in the last octet only (TS 35.206 §4.1). */
function xorConstant(x: Buffer, lastOctet: number): Buffer {
  x[15] = (x[15] as number) ^ lastOctet
  return x
}

const R2 = 0
const R3 = 32
const R4 = 64
const R5 = 96

/** TS 35.206 §4.1: OPc = OP ⊕ E_K(OP). */
export function computeOpc(k: Uint8Array, op: Uint8Array): Uint8Array {
  checkLength('OP', op, 16)
  return xor(op, aes(k)(op))
}

/** MILENAGE keyed with K and OP or OPc; throws `JUNCTION_ERR_AKA_INVALID_ARGUMENT` for wrong lengths. */
export function createMilenage(keys: MilenageKeys): Milenage {
  const e = aes(keys.k)
  let opc: Buffer
  if (keys.opc !== undefined) {
    checkLength('OPc', keys.opc, 16)
    opc = Buffer.from(keys.opc)
  } else if (keys.op !== undefined) {
    checkLength('OP', keys.op, 16)
    opc = xor(keys.op, e(keys.op))
  } else {
    throw invalidArgument('MILENAGE needs OP or OPc')
  }

  const temp = (rand: Uint8Array): Buffer => {
    checkLength('RAND', rand, 16)
    return e(xor(rand, opc))
  }

  /** OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, r1 = 64, c1 = 0. */
  const out1 = (rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer => {
    checkLength('SQN', sqn, 6)
    checkLength('AMF', amf, 2)
    const t = temp(rand)
    const in1 = Buffer.concat([sqn, amf, sqn, amf])
    // rot by 64 bits of (IN1 ⊕ OPc): the two halves swap.
    const rotated = rot(xor(in1, opc), 64)
    return xor(e(xor(t, rotated)), opc)
  }

  /** OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc. */
  const out = (tXorOpc: Buffer, r: number, c: number): Buffer => xor(e(xorConstant(rot(tXorOpc, r), c)), opc)

  const base = (rand: Uint8Array): Buffer => xor(temp(rand), opc)

  return {
    opc: Buffer.from(opc),
    f1: (rand, sqn, amf) => out1(rand, sqn, amf).subarray(0, 8),
    f1Star: (rand, sqn, amf) => out1(rand, sqn, amf).subarray(8, 16),
    f2: (rand) => out(base(rand), R2, 0x01).subarray(8, 16),
    f3: (rand) => out(base(rand), R3, 0x02),
    f4: (rand) => out(base(rand), R4, 0x04),
    f5: (rand) => out(base(rand), R2, 0x01).subarray(0, 6),
    f5Star: (rand) => out(base(rand), R5, 0x08).subarray(0, 6),
    f2345(rand) {
      const b = base(rand)
      const out2 = out(b, R2, 0x01)
      return {
        res: out2.subarray(8, 16),
        ak: out2.subarray(0, 6),
        ck: out(b, R3, 0x02),
        ik: out(b, R4, 0x04),
      }
    },
  }
}
