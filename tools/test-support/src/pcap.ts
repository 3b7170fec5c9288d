/**
 * A libpcap file (LINKTYPE_ETHERNET) holding one TCP connection on port 3868, built without any
 * capture: the 3-way handshake, then each message in its own segment in the given direction, with
 * consistent sequence and acknowledgement numbers (so that tshark's TCP analysis stays quiet).
 */
import { Buffer } from 'node:buffer'

export interface Segment {
  /** True: client (port 40000) to server (port 3868). */
  readonly fromClient: boolean
  readonly payload: Uint8Array
}

const CLIENT = { ip: [127, 0, 0, 1], port: 40000, mac: [2, 0, 0, 0, 0, 1] }
const SERVER = { ip: [127, 0, 0, 2], port: 3868, mac: [2, 0, 0, 0, 0, 2] }
const SYN = 0x02
const ACK = 0x10
const PSH = 0x08

function checksum(b: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

function frame(fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array): Buffer {
  const [src, dst] = fromClient ? [CLIENT, SERVER] : [SERVER, CLIENT]
  const tcp = Buffer.alloc(20)
  tcp.writeUInt16BE(src.port, 0)
  tcp.writeUInt16BE(dst.port, 2)
  tcp.writeUInt32BE(seq >>> 0, 4)
  tcp.writeUInt32BE(ack >>> 0, 8)
  tcp[12] = 5 << 4
  tcp[13] = flags
  tcp.writeUInt16BE(65535, 14)
  // TCP checksum over the pseudo-header, header and payload (RFC 793 §3.1)
  const pseudo = Buffer.alloc(12)
  Buffer.from(src.ip).copy(pseudo, 0)
  Buffer.from(dst.ip).copy(pseudo, 4)
  pseudo[9] = 6
  pseudo.writeUInt16BE(20 + payload.length, 10)
  tcp.writeUInt16BE(checksum(Buffer.concat([pseudo, tcp, payload])), 16)
  const ip = Buffer.alloc(20)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + 20 + payload.length, 2)
  ip[6] = 0x40 // DF
  ip[8] = 64
  ip[9] = 6
  Buffer.from(src.ip).copy(ip, 12)
  Buffer.from(dst.ip).copy(ip, 16)
  ip.writeUInt16BE(checksum(ip), 10)
  const eth = Buffer.concat([Buffer.from(dst.mac), Buffer.from(src.mac), Buffer.from([0x08, 0x00])])
  return Buffer.concat([eth, ip, tcp, payload])
}

export function pcap(segments: readonly Segment[]): Buffer {
  const global = Buffer.alloc(24)
  global.writeUInt32LE(0xa1b2c3d4, 0)
  global.writeUInt16LE(2, 4)
  global.writeUInt16LE(4, 6)
  global.writeUInt32LE(262144, 16)
  global.writeUInt32LE(1, 20) // LINKTYPE_ETHERNET
  const records: Buffer[] = [global]
  let t = 0
  const record = (f: Buffer) => {
    const h = Buffer.alloc(16)
    h.writeUInt32LE(1700000000, 0)
    h.writeUInt32LE(t++ * 1000, 4)
    h.writeUInt32LE(f.length, 8)
    h.writeUInt32LE(f.length, 12)
    records.push(h, f)
  }
  let c = 1000
  let s = 5000
  const none = new Uint8Array(0)
  record(frame(true, c, 0, SYN, none))
  record(frame(false, s, c + 1, SYN | ACK, none))
  c++
  s++
  record(frame(true, c, s, ACK, none))
  for (const seg of segments) {
    if (seg.fromClient) {
      record(frame(true, c, s, PSH | ACK, seg.payload))
      c += seg.payload.length
    } else {
      record(frame(false, s, c, PSH | ACK, seg.payload))
      s += seg.payload.length
    }
  }
  return Buffer.concat(records)
}
