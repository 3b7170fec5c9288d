/**
 * The AVP data types of RFC 6733 §4.2 (basic) and §4.3 (derived): how each one is checked and read
 * from octets, and how a typed value is checked and written. Grouped (§4.4) is handled by the
 * decoder and encoder, which recurse into it.
 */
import { Buffer, isUtf8 } from 'node:buffer'
import { DiameterCodecError, faultCodes } from './errors.ts'
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.ts'

export type DataType =
  | 'OctetString'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Float32'
  | 'Float64'
  | 'Address'
  | 'Time'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Enumerated'
  | 'Grouped'

/** The type of a decoded value, by data type (Grouped values are `AvpList`s). */
export interface DataTypeValues {
  OctetString: Uint8Array
  Integer32: number
  Integer64: bigint
  Unsigned32: number
  Unsigned64: bigint
  Float32: number
  Float64: number
  /** IPv4 dotted quad or RFC 5952 IPv6 text; the digits of an E.164 address (family 8). */
  Address: string
  Time: Date
  UTF8String: string
  DiameterIdentity: string
  DiameterURI: string
  Enumerated: number
}

/** What a builder accepts, by data type (Grouped: an object of AVPs, or an `AvpList`). */
export interface DataTypeInputs {
  /** Octets, or a string written as UTF-8 (e.g. User-Data XML). */
  OctetString: Uint8Array | string
  Integer32: number
  Integer64: bigint | number
  Unsigned32: number
  Unsigned64: bigint | number
  Float32: number
  Float64: number
  Address: string
  Time: Date
  UTF8String: string
  DiameterIdentity: string
  DiameterURI: string
  Enumerated: number
}

/** Address families (IANA "Address Family Numbers") of the Address data type. */
export const AddressFamily = { IPv4: 1, IPv6: 2, E164: 8 } as const

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch. */
const NTP_UNIX_OFFSET = 2208988800
/** 2^32: the second NTP era (RFC 4330 §3: values with the top bit clear are after 2036-02-07). */
const ERA = 4294967296

/** The data length a type requires, or -1 when any length goes. */
export function fixedLength(type: DataType): number {
  switch (type) {
    case 'Integer32':
    case 'Unsigned32':
    case 'Float32':
    case 'Enumerated':
    case 'Time':
      return 4
    case 'Integer64':
    case 'Unsigned64':
    case 'Float64':
      return 8
    default:
      return -1
  }
}

/** The smallest valid data length (for the zero-filled example AVP of a Failed-AVP, RFC 6733 §7.5). */
export function minimumLength(type: DataType): number {
  const n = fixedLength(type)
  if (n >= 0) return n
  return type === 'Address' ? 6 : 0
}

/** Checks of a payload. */
export const VALUE_OK = 0
/** The payload length is wrong for the type: DIAMETER_INVALID_AVP_LENGTH. */
export const VALUE_BAD_LENGTH = 5014
/** The payload is not a valid value of the type: DIAMETER_INVALID_AVP_VALUE. */
export const VALUE_INVALID = 5004

/**
 * Checks the payload `buf[start, end)` of an AVP of `type`: 0 when it holds a valid value, 5014
 * when its length is wrong for the type, 5004 when the octets are not a valid value (bad UTF-8, a
 * DiameterIdentity with spaces or controls, an unknown address family, an enumeration value that
 * is not in `values`).
 */
export function checkValue(
  type: DataType,
  buf: Uint8Array,
  start: number,
  end: number,
  values: ReadonlyMap<number, string> | undefined,
): number {
  const len = end - start
  switch (type) {
    case 'OctetString':
    case 'Grouped':
      return VALUE_OK
    case 'Integer32':
    case 'Unsigned32':
    case 'Float32':
    case 'Time':
      return len === 4 ? VALUE_OK : VALUE_BAD_LENGTH
    case 'Enumerated':
      if (len !== 4) return VALUE_BAD_LENGTH
      return values === undefined || values.has(readI32(buf, start)) ? VALUE_OK : VALUE_INVALID
    case 'Integer64':
    case 'Unsigned64':
    case 'Float64':
      return len === 8 ? VALUE_OK : VALUE_BAD_LENGTH
    case 'Address': {
      if (len < 2) return VALUE_BAD_LENGTH
      const family = (buf[start]! << 8) | buf[start + 1]!
      if (family === AddressFamily.IPv4) return len === 6 ? VALUE_OK : VALUE_BAD_LENGTH
      if (family === AddressFamily.IPv6) return len === 18 ? VALUE_OK : VALUE_BAD_LENGTH
      if (family === AddressFamily.E164)
        return len > 2 && isDigits(buf, start + 2, end) ? VALUE_OK : VALUE_INVALID
      return VALUE_INVALID
    }
    case 'UTF8String':
      return isAscii(buf, start, end) || isUtf8(buf.subarray(start, end)) ? VALUE_OK : VALUE_INVALID
    case 'DiameterIdentity':
      // an FQDN or a realm: at most 255 octets (RFC 6733 §4.3.1, RFC 1035 §2.3.4). Unbounded, a
      // peer's Origin-Host of 250 kB would be kept as a key (duplicates, dynamic peers)
      return len > 0 && len <= MAX_IDENTITY && isVisibleAscii(buf, start, end) ? VALUE_OK : VALUE_INVALID
    case 'DiameterURI':
      return len > 0 && isVisibleAscii(buf, start, end) ? VALUE_OK : VALUE_INVALID
  }
}

/** The longest DiameterIdentity, in octets: an FQDN (RFC 1035 §2.3.4). */
export const MAX_IDENTITY = 255

/** Reads a value already checked by `checkValue`. `buf` is a Buffer. */
export function decodeValue(type: DataType, buf: Buffer, start: number, end: number): unknown {
  switch (type) {
    case 'OctetString':
    case 'Grouped':
      return buf.subarray(start, end)
    case 'Integer32':
    case 'Enumerated':
      return readI32(buf, start)
    case 'Unsigned32':
      return readU32(buf, start)
    case 'Integer64':
      return buf.readBigInt64BE(start)
    case 'Unsigned64':
      return buf.readBigUInt64BE(start)
    case 'Float32':
      return buf.readFloatBE(start)
    case 'Float64':
      return buf.readDoubleBE(start)
    case 'Time': {
      const v = readU32(buf, start)
      const seconds = v >= 0x80000000 ? v : v + ERA
      return new Date((seconds - NTP_UNIX_OFFSET) * 1000)
    }
    case 'Address': {
      const family = (buf[start]! << 8) | buf[start + 1]!
      if (family === AddressFamily.IPv4) return formatIPv4(buf, start + 2)
      if (family === AddressFamily.IPv6) return formatIPv6(buf, start + 2)
      return buf.toString('latin1', start + 2, end)
    }
    case 'UTF8String':
      return buf.toString('utf8', start, end)
    case 'DiameterIdentity':
    case 'DiameterURI':
      return buf.toString('latin1', start, end)
  }
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
}

function readI32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!
}

/** True when every octet is below 0x80 (checked in JS for short strings; longer ones go to isUtf8). */
function isAscii(b: Uint8Array, start: number, end: number): boolean {
  if (end - start > 256) return false
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return false
  return true
}

function isVisibleAscii(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

function isDigits(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!
    if (c < 48 || c > 57) return false
  }
  return true
}

function isVisibleAsciiString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return s.length > 0
}

// --- encoding

function bad(name: string, type: DataType, why: string): DiameterCodecError {
  return new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `${name} (${type}): ${why}`)
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

function toBigInt(name: string, type: DataType, v: unknown): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v)
  throw bad(name, type, 'not a bigint or a safe integer')
}

/**
 * Checks a builder's value for an AVP of `type` and returns it in the form `writeValue` takes:
 * numbers, bigints, strings and octets as given (an OctetString string is written as UTF-8 straight
 * into the message), Address as its data octets (family and address), Time as the 32-bit NTP
 * seconds. Throws `INVALID_ARGUMENT`.
 */
export function normalizeInput(name: string, type: DataType, input: unknown): unknown {
  switch (type) {
    case 'OctetString':
      if (input instanceof Uint8Array || typeof input === 'string') return input
      throw bad(name, type, 'not a Uint8Array or a string')
    case 'Integer32':
    case 'Enumerated':
      if (Number.isInteger(input) && (input as number) >= -0x80000000 && (input as number) <= 0x7fffffff)
        return input
      throw bad(name, type, `${String(input)} is not a 32-bit integer`)
    case 'Unsigned32':
      if (Number.isInteger(input) && (input as number) >= 0 && (input as number) <= 0xffffffff) return input
      throw bad(name, type, `${String(input)} is not an unsigned 32-bit integer`)
    case 'Integer64': {
      const v = toBigInt(name, type, input)
      if (v < INT64_MIN || v > INT64_MAX) throw bad(name, type, 'out of range')
      return v
    }
    case 'Unsigned64': {
      const v = toBigInt(name, type, input)
      if (v < 0n || v > UINT64_MAX) throw bad(name, type, 'out of range')
      return v
    }
    case 'Float32':
    case 'Float64':
      if (typeof input === 'number') return input
      throw bad(name, type, 'not a number')
    case 'Time': {
      if (!(input instanceof Date) || Number.isNaN(input.getTime())) throw bad(name, type, 'not a valid Date')
      const seconds = Math.floor(input.getTime() / 1000) + NTP_UNIX_OFFSET
      // RFC 6733 §4.3.1 with the RFC 4330 §3 extension: 1968-01-20 to 2104-02-07
      if (seconds < 0x80000000 || seconds >= ERA + 0x80000000) throw bad(name, type, 'outside 1968–2104')
      return seconds >= ERA ? seconds - ERA : seconds
    }
    case 'Address': {
      if (typeof input !== 'string') throw bad(name, type, 'not a string')
      const v4 = parseIPv4(input)
      if (v4 !== undefined) return Uint8Array.of(0, AddressFamily.IPv4, ...v4)
      const v6 = input.includes(':') ? parseIPv6(input) : undefined
      if (v6 !== undefined) return Uint8Array.of(0, AddressFamily.IPv6, ...v6)
      throw bad(name, type, `${JSON.stringify(input)} is not an IPv4 or IPv6 address`)
    }
    case 'UTF8String':
      if (typeof input === 'string' && input.isWellFormed()) return input
      throw bad(name, type, 'not a well-formed string')
    case 'DiameterIdentity':
      if (typeof input === 'string' && input.length > MAX_IDENTITY)
        throw bad(name, type, `${input.length} characters: over ${MAX_IDENTITY} (an FQDN, RFC 1035)`)
      if (typeof input === 'string' && isVisibleAsciiString(input)) return input
      throw bad(name, type, `${JSON.stringify(input)} is not a non-empty string of visible ASCII`)
    case 'DiameterURI':
      if (typeof input === 'string' && isVisibleAsciiString(input)) return input
      throw bad(name, type, `${JSON.stringify(input)} is not a non-empty string of visible ASCII`)
    case 'Grouped':
      throw bad(name, type, 'grouped values are built by the encoder')
  }
}

/** The data length of a normalized value. */
export function valueLength(type: DataType, value: unknown): number {
  switch (type) {
    case 'OctetString':
      return typeof value === 'string' ? utf8Length(value) : (value as Uint8Array).length
    case 'Address':
      return (value as Uint8Array).length
    case 'UTF8String':
      return utf8Length(value as string)
    case 'DiameterIdentity':
    case 'DiameterURI':
      return (value as string).length
    default:
      return fixedLength(type)
  }
}

/** The UTF-8 length of a string (ASCII counted in JS). */
function utf8Length(s: string): number {
  const n = s.length
  if (n > 64) return Buffer.byteLength(s, 'utf8')
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8')
  return n
}

/** Writes a string of single-octet characters (ASCII, or latin1 for short ones). */
function writeAscii(s: string, buf: Buffer, at: number, length: number): void {
  if (length > 64) {
    buf.write(s, at, length, 'latin1')
    return
  }
  for (let i = 0; i < length; i++) buf[at + i] = s.charCodeAt(i)
}

/** Writes a string as UTF-8; `length` is its `utf8Length`, the string's length when it is ASCII. */
function writeUtf8(s: string, buf: Buffer, at: number, length: number): void {
  if (length === s.length) writeAscii(s, buf, at, length)
  else buf.write(s, at, length, 'utf8')
}

/** Writes a normalized value at `buf[at]`; `length` is its `valueLength`. */
export function writeValue(type: DataType, value: unknown, length: number, buf: Buffer, at: number): void {
  switch (type) {
    case 'OctetString':
      if (typeof value === 'string') writeUtf8(value, buf, at, length)
      else buf.set(value as Uint8Array, at)
      return
    case 'Address':
      buf.set(value as Uint8Array, at)
      return
    case 'UTF8String':
      writeUtf8(value as string, buf, at, length)
      return
    case 'DiameterIdentity':
    case 'DiameterURI':
      writeAscii(value as string, buf, at, length)
      return
    case 'Integer32':
    case 'Enumerated':
      buf.writeInt32BE(value as number, at)
      return
    case 'Unsigned32':
    case 'Time':
      buf.writeUInt32BE(value as number, at)
      return
    case 'Integer64':
      buf.writeBigInt64BE(value as bigint, at)
      return
    case 'Unsigned64':
      buf.writeBigUInt64BE(value as bigint, at)
      return
    case 'Float32':
      buf.writeFloatBE(value as number, at)
      return
    case 'Float64':
      buf.writeDoubleBE(value as number, at)
      return
    case 'Grouped':
      return
  }
}

/** The typed value of a normalized builder value (what `avp.value` returns for a built AVP). */
export function valueOfNormalized(type: DataType, value: unknown, length: number): unknown {
  switch (type) {
    case 'OctetString':
      return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    case 'Time': {
      const v = value as number
      const seconds = v >= 0x80000000 ? v : v + ERA
      return new Date((seconds - NTP_UNIX_OFFSET) * 1000)
    }
    case 'Address': {
      const b = value as Uint8Array
      return decodeValue(type, Buffer.from(b.buffer, b.byteOffset, length), 0, length)
    }
    default:
      return value
  }
}
