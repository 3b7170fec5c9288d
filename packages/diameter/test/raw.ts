/** Hand-built octets for malformed-input tests: every field can be set to a wrong value. */
import { Buffer } from 'node:buffer'

export interface RawAvpOptions {
  readonly vendorId?: number
  /** The AVP Length field (default: the real one). */
  readonly length?: number
  /** Leave the padding out. */
  readonly noPadding?: boolean
}

export function avp(code: number, flags: number, data: Uint8Array | string, o: RawAvpOptions = {}): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)
  const v = (flags & 0x80) !== 0
  const hdr = Buffer.alloc(v ? 12 : 8)
  hdr.writeUInt32BE(code, 0)
  hdr[4] = flags
  const len = o.length ?? hdr.length + d.length
  hdr.writeUIntBE(len, 5, 3)
  if (v) hdr.writeUInt32BE(o.vendorId ?? 10415, 8)
  const pad = o.noPadding === true ? 0 : (4 - ((hdr.length + d.length) % 4)) % 4
  return Buffer.concat([hdr, d, Buffer.alloc(pad)])
}

export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

export interface RawMessageOptions {
  readonly version?: number
  readonly flags?: number
  readonly code: number
  readonly applicationId?: number
  readonly hopByHop?: number
  readonly endToEnd?: number
  /** The Message Length field (default: the real one). */
  readonly length?: number
}

export function message(o: RawMessageOptions, ...avps: Buffer[]): Buffer {
  const body = Buffer.concat(avps)
  const h = Buffer.alloc(20)
  h[0] = o.version ?? 1
  h.writeUIntBE(o.length ?? 20 + body.length, 1, 3)
  h[4] = o.flags ?? 0x80
  h.writeUIntBE(o.code, 5, 3)
  h.writeUInt32BE(o.applicationId ?? 0, 8)
  h.writeUInt32BE(o.hopByHop ?? 0x11223344, 12)
  h.writeUInt32BE(o.endToEnd ?? 0x55667788, 16)
  return Buffer.concat([h, body])
}

const M = 0x40
/** Origin-Host and Origin-Realm: what every base command needs. */
export const origin = [avp(264, M, 'peer.ims.test'), avp(296, M, 'ims.test')]
