import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { samples } from '../test/messages.ts'
import { message, origin } from '../test/raw.ts'
import {
  createStreamFramer,
  decodeMessage,
  decodeErrorCodes as E,
  encodeMessage,
  type FrameEvent,
} from './index.ts'

const wire = samples().map((s) => encodeMessage(s.message))
const stream = Buffer.concat(wire)

function frames(events: FrameEvent[]): Buffer[] {
  return events.map((e) => {
    assert.equal(e.type, 'message', e.type === 'error' ? e.error.reason : '')
    return Buffer.from((e as { bytes: Uint8Array }).bytes)
  })
}

describe('createStreamFramer (RFC 6733 §3: framed by the Message Length)', () => {
  test('every message of one chunk, as views on it', () => {
    const f = createStreamFramer()
    const events = f.push(stream)
    assert.deepEqual(frames(events), wire)
    assert.equal(f.buffered, 0)
    const first = events[0] as { bytes: Uint8Array }
    assert.equal(first.bytes.buffer, stream.buffer)
  })

  test('cut in two at every offset: the same messages', () => {
    for (let i = 0; i <= stream.length; i++) {
      const f = createStreamFramer()
      const got = [...frames(f.push(stream.subarray(0, i))), ...frames(f.push(stream.subarray(i)))]
      assert.deepEqual(got, wire, `cut at ${i}`)
      assert.equal(f.buffered, 0)
    }
  })

  test('one octet at a time: the same messages, each when its last octet arrives', () => {
    const f = createStreamFramer()
    const got: Buffer[] = []
    let at = 0
    const ends = new Set<number>()
    for (const w of wire) {
      at += w.length
      ends.add(at)
    }
    for (let i = 0; i < stream.length; i++) {
      const out = frames(f.push(stream.subarray(i, i + 1)))
      assert.equal(out.length, ends.has(i + 1) ? 1 : 0, `octet ${i}`)
      got.push(...out)
    }
    assert.deepEqual(got, wire)
  })

  test('messages decode; a message that does not decode leaves the stream usable', () => {
    const bad = message({ code: 280 }, origin[0]!) // a DWR without Origin-Realm
    const f = createStreamFramer()
    const out = frames(f.push(Buffer.concat([bad, wire[0]!])))
    assert.equal(out.length, 2)
    const r = decodeMessage(out[0]!)
    assert.ok(!r.ok)
    assert.equal(r.error.resultCode, 5005)
    assert.ok(decodeMessage(out[1]!).ok)
    assert.equal(f.failed, false)
  })

  test('fatal: a version other than 1, a length below 20 or not a multiple of 4, over maxMessageSize', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from([2, 0, 0, 20]), E.UNSUPPORTED_VERSION],
      [Buffer.from([1, 0, 0, 0]), E.BAD_MESSAGE_LENGTH],
      [Buffer.from([1, 0, 0, 19]), E.BAD_MESSAGE_LENGTH],
      [Buffer.from([1, 0, 0, 22]), E.BAD_MESSAGE_LENGTH],
      [Buffer.from([1, 0xff, 0xff, 0xfc]), E.MESSAGE_TOO_LARGE],
    ]
    for (const [head, code] of cases) {
      for (const prefix of [Buffer.alloc(0), wire[0]!]) {
        const f = createStreamFramer()
        // the header may arrive in pieces
        const events = [...f.push(Buffer.concat([prefix, head.subarray(0, 2)])), ...f.push(head.subarray(2))]
        const last = events.at(-1)!
        assert.equal(last.type, 'error')
        assert.equal(last.type === 'error' && last.error.code, code)
        assert.equal(events.length, prefix.length > 0 ? 2 : 1)
        assert.equal(f.failed, true)
        assert.equal(f.buffered, 0)
        assert.deepEqual(f.push(wire[0]!), [])
      }
    }
  })

  test('a fatal error carries the header when its 20 octets came in with it, for an answer (RFC 6733 §7.1.5)', () => {
    const bad = (version: number, length: number) => {
      const b = message({ code: 280, hopByHop: 0xabcd }, ...origin)
      b[0] = version
      b.writeUIntBE(length, 1, 3)
      return b
    }
    const cases: [Buffer, string, number][] = [
      [bad(2, 0), E.UNSUPPORTED_VERSION, 5011],
      [bad(1, 22), E.BAD_MESSAGE_LENGTH, 5015],
      [bad(1, 12), E.BAD_MESSAGE_LENGTH, 5015],
      [bad(1, 0xfffffc), E.MESSAGE_TOO_LARGE, 5012],
    ]
    for (const [b, code, resultCode] of cases) {
      // after a message, cut anywhere but between octets 4 and 20 of the header (the framer
      // stops at the 4th octet: then it has no header to give)
      for (const cut of [0, 1, 2, 3, 20, 21, 24, b.length]) {
        const f = createStreamFramer()
        const events = [...f.push(Buffer.concat([wire[0]!, b.subarray(0, cut)])), ...f.push(b.subarray(cut))]
        const last = events.at(-1)!
        assert.equal(last.type, 'error')
        if (last.type !== 'error') continue
        assert.equal(last.error.code, code)
        assert.equal(last.error.resultCode, resultCode)
        assert.equal(last.error.header?.hopByHop, 0xabcd, `cut at ${cut}`)
        assert.equal(last.error.header?.commandCode, 280)
      }
    }
    // fewer than 20 octets: no header
    const f = createStreamFramer()
    const last = f.push(bad(2, 0).subarray(0, 19)).at(-1)!
    assert.equal(last.type === 'error' && last.error.header, undefined)
  })

  test('buffering is bounded by the message being received', () => {
    const f = createStreamFramer({ maxMessageSize: 4096 })
    const big = Buffer.alloc(4096)
    big.set([1, 0, 0x10, 0x00])
    for (let i = 0; i < 4095; i += 100) {
      assert.deepEqual(f.push(big.subarray(i, Math.min(i + 100, 4095))), [])
      assert.ok(f.buffered < 4096)
    }
    assert.equal(f.push(big.subarray(4095)).length, 1)
    assert.equal(f.buffered, 0)
  })

  test('an empty chunk is nothing', () => {
    const f = createStreamFramer()
    assert.deepEqual(f.push(new Uint8Array(0)), [])
  })
})
