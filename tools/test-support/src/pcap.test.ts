import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pcap } from './pcap.ts'

/** The records of a libpcap file: [header offset, frame]. */
function records(file: Buffer): Buffer[] {
  const frames: Buffer[] = []
  let at = 24
  while (at < file.length) {
    const length = file.readUInt32LE(at + 8)
    assert.equal(file.readUInt32LE(at + 12), length, 'captured = original length')
    frames.push(file.subarray(at + 16, at + 16 + length))
    at += 16 + length
  }
  assert.equal(at, file.length)
  return frames
}

/** The one's complement sum over `b` folds to 0xffff when its checksum field is right. */
function sums(b: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum === 0xffff
}

test('a libpcap file: global header, handshake, one segment per message with consistent seq/ack', () => {
  const file = pcap([
    { fromClient: true, payload: Buffer.from('hello') },
    { fromClient: false, payload: Buffer.from('hi there') },
    { fromClient: true, payload: Buffer.from('!') },
  ])
  assert.equal(file.readUInt32LE(0), 0xa1b2c3d4)
  assert.equal(file.readUInt16LE(4), 2)
  assert.equal(file.readUInt16LE(6), 4)
  assert.equal(file.readUInt32LE(20), 1, 'LINKTYPE_ETHERNET')
  const frames = records(file)
  assert.equal(frames.length, 6)
  const tcp = frames.map((f) => {
    const ip = f.subarray(14, 34)
    assert.equal(f.readUInt16BE(12), 0x0800)
    assert.ok(sums(ip), 'IPv4 header checksum')
    const segment = f.subarray(34)
    const pseudo = Buffer.alloc(12)
    ip.copy(pseudo, 0, 12, 20)
    pseudo[9] = 6
    pseudo.writeUInt16BE(segment.length, 10)
    assert.ok(sums(Buffer.concat([pseudo, segment])), 'TCP checksum')
    return {
      src: segment.readUInt16BE(0),
      seq: segment.readUInt32BE(4),
      ack: segment.readUInt32BE(8),
      flags: segment[13],
      payload: segment.subarray(20).toString(),
    }
  })
  assert.deepEqual(
    tcp.map((t) => [t.src, t.flags, t.payload]),
    [
      [40000, 0x02, ''],
      [3868, 0x12, ''],
      [40000, 0x10, ''],
      [40000, 0x18, 'hello'],
      [3868, 0x18, 'hi there'],
      [40000, 0x18, '!'],
    ],
  )
  // after the handshake, each side's seq advances by what it sent and the other acknowledges it
  assert.deepEqual(
    tcp.slice(2).map((t) => [t.seq, t.ack]),
    [
      [1001, 5001],
      [1001, 5001],
      [5001, 1006],
      [1006, 5009],
    ],
  )
})
