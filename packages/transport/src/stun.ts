/**
 * STUN keep-alives on the SIP UDP port (RFC 5626 §4.4.2, §8): a UA behind NAT that does Outbound
 * sends STUN Binding requests (RFC 5389) to the port it sends SIP to, which keeps its NAT binding
 * open and tells it when its public address changed. The answer is a Binding success response
 * with XOR-MAPPED-ADDRESS (RFC 5389 §15.2) — no authentication, no other attribute (RFC 5626 §8:
 * "the STUN server ... MUST NOT require authentication").
 *
 * A datagram is STUN when its first two bits are zero (a SIP message starts with a letter) and it
 * carries the magic cookie (RFC 5389 §6); anything else is left to the SIP parser.
 */
import { Buffer } from 'node:buffer'
import { isIPv4 } from 'node:net'

const MAGIC_COOKIE = 0x2112a442
const BINDING_REQUEST = 0x0001
const BINDING_SUCCESS = 0x0101
const XOR_MAPPED_ADDRESS = 0x0020

/** True when `bytes` look like a STUN message (RFC 5389 §6, RFC 7983 demultiplexing). */
export function isStun(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 20 &&
    (bytes[0]! & 0xc0) === 0 &&
    bytes[4] === 0x21 &&
    bytes[5] === 0x12 &&
    bytes[6] === 0xa4 &&
    bytes[7] === 0x42
  )
}

/**
 * The Binding success response to a Binding request from `address`:`port`; undefined for any
 * other STUN message or a malformed one (its length field must match, RFC 5389 §6).
 */
export function stunBindingResponse(bytes: Uint8Array, address: string, port: number): Buffer | undefined {
  if (!isStun(bytes)) return undefined
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.readUInt16BE(0) !== BINDING_REQUEST) return undefined
  const length = b.readUInt16BE(2)
  if (length % 4 !== 0 || 20 + length !== b.length) return undefined
  const v4 = isIPv4(address)
  const value = Buffer.alloc(v4 ? 8 : 20)
  value[1] = v4 ? 0x01 : 0x02
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2)
  if (v4) {
    const parts = address.split('.').map(Number)
    const ip = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
    value.writeUInt32BE((ip ^ MAGIC_COOKIE) >>> 0, 4)
  } else {
    // the address XORed with the magic cookie and the transaction id (RFC 5389 §15.2)
    const ip = ipv6Bytes(address)
    if (ip === undefined) return undefined
    const key = Buffer.concat([b.subarray(4, 8), b.subarray(8, 20)])
    for (let i = 0; i < 16; i++) value[4 + i] = ip[i]! ^ key[i]!
  }
  const out = Buffer.alloc(20 + 4 + value.length)
  out.writeUInt16BE(BINDING_SUCCESS, 0)
  out.writeUInt16BE(4 + value.length, 2)
  b.copy(out, 4, 4, 20) // magic cookie and transaction id
  out.writeUInt16BE(XOR_MAPPED_ADDRESS, 20)
  out.writeUInt16BE(value.length, 22)
  value.copy(out, 24)
  return out
}

/** The 16 octets of an IPv6 address (also `::ffff:a.b.c.d`). */
function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (dotted !== null) {
    const [a, b, c, d] = [dotted[2], dotted[3], dotted[4], dotted[5]].map(Number) as [
      number,
      number,
      number,
      number,
    ]
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)))
  const head = words(halves[0]!)
  const tail = halves.length === 2 ? words(halves[1]!) : []
  const fill = 8 - head.length - tail.length
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail]
  const out = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    const w = all[i]!
    if (!Number.isInteger(w) || w < 0 || w > 0xffff) return undefined
    out[2 * i] = w >> 8
    out[2 * i + 1] = w & 0xff
  }
  return out
}
