/**
 * Property tests (fast-check) of the decoder and the framer on hostile input: arbitrary octets,
 * and mutations of valid messages of every command. The decoder never throws, never hangs (every
 * run is synchronous: a loop would stop the suite), stays within its limits, and every error it
 * returns for a request can be answered with an answer that itself encodes and decodes.
 *
 * FC_NUM_RUNS sets the runs per property (default 10 000).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { checkGrammar } from '../src/grammar.ts'
import {
  type Avp,
  answerFor,
  createRequest,
  createStreamFramer,
  type DecodeResult,
  decodeErrorCodes,
  decodeMessage,
  defaultDictionary,
  encodeMessage,
  type FrameEvent,
} from '../src/index.ts'
import { samples } from './messages.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const valid = samples().map((s) => encodeMessage(s.message))
const codes = new Set<string>(Object.values(decodeErrorCodes))
const resultCodes = new Set([
  3001, 3007, 3008, 3009, 5001, 5004, 5005, 5008, 5009, 5011, 5012, 5013, 5014, 5015,
])
const limits = { maxMessageSize: 4096, maxAvpCount: 64, maxDepth: 4 }
const me = { originHost: 'hss.ims.test', originRealm: 'ims.test' }

function count(avps: readonly Avp[], depth: number): { n: number; depth: number } {
  let n = avps.length
  let d = avps.length > 0 ? depth : depth - 1
  for (const a of avps) {
    if (a._children === undefined) continue
    const c = count(a._children, depth + 1)
    n += c.n
    d = Math.max(d, c.depth)
  }
  return { n, depth: d }
}

/** The checks every decode result passes. */
function check(bytes: Uint8Array, r: DecodeResult): void {
  if (r.ok) {
    const c = count(r.message.avps.items, 1)
    assert.ok(c.n <= limits.maxAvpCount)
    assert.ok(c.depth <= limits.maxDepth)
    // reading every value never throws either
    const visit = (avps: readonly Avp[]) => {
      for (const a of avps) {
        void a.value
        void a.data
        if (a._children !== undefined) visit(a._children)
      }
    }
    visit(r.message.avps.items)
    // what decodes, encodes again to a message that decodes to the same AVPs
    const again = decodeMessage(encodeMessage(r.message), limits)
    assert.ok(again.ok)
    assert.equal(again.message.avps.length, r.message.avps.length)
    return
  }
  const e = r.error
  assert.ok(codes.has(e.code), e.code)
  assert.ok(resultCodes.has(e.resultCode), String(e.resultCode))
  assert.ok(e.offset >= 0 && e.offset <= bytes.length)
  // an error to a request is answered; the answer encodes and decodes
  const a = answerFor(e, me)
  if (a === undefined) return
  const back = decodeMessage(encodeMessage(a))
  let answer = back.ok ? back.message : back.error.message
  if (!back.ok) {
    // the answer to an unknown command (or application) is unknown to us too: check its format
    assert.ok(
      back.error.code === decodeErrorCodes.COMMAND_UNSUPPORTED ||
        back.error.code === decodeErrorCodes.APPLICATION_UNSUPPORTED,
      `answer to ${e.code}: ${back.error.reason}`,
    )
    answer = back.error.message
    assert.ok(answer !== undefined)
    assert.equal(checkGrammar(answer.avps.items, defaultDictionary.errorAnswer, 'answer'), undefined)
  }
  assert.equal(answer?.resultCode, e.resultCode)
  assert.equal(answer?.isError, true)
}

/** Sets the Message Length field to the real length, so that mutations reach the AVPs. */
function fixLength(b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b)
  if (out.length >= 4) {
    out[1] = out.length >>> 16
    out[2] = out.length >>> 8
    out[3] = out.length
  }
  return out
}

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'length24'; at: number; value: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
  // an AVP Length or Message Length field set to anything: 0, small, huge
  fc.record({
    kind: fc.constant('length24' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0, 1, 7, 8, 11, 12, 0xffffff), fc.integer({ min: 0, max: 0xffffff })),
  }),
)

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(b)
  for (const m of ms) {
    if (out.length === 0) break
    const at = m.at % out.length
    if (m.kind === 'set') out[at] = m.value
    else if (m.kind === 'insert')
      out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)])
    else if (m.kind === 'delete') out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.n)])
    else if (at + 3 <= out.length) {
      out[at] = m.value >>> 16
      out[at + 1] = (m.value >>> 8) & 0xff
      out[at + 2] = m.value & 0xff
    }
  }
  return out
}

describe('decodeMessage on hostile octets (fast-check)', () => {
  test('arbitrary octets: never throws, stays within limits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => check(bytes, decodeMessage(bytes, limits))),
      { numRuns },
    )
  })

  test('arbitrary octets after a valid header with the right length: reaches the AVP walk', () => {
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.uint8Array({ maxLength: 400 }), (base, body) => {
        const bytes = fixLength(Uint8Array.from([...base.subarray(0, 20), ...body]))
        check(bytes, decodeMessage(bytes, limits))
      }),
      { numRuns },
    )
  })

  test('mutations of valid messages of every command', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (base, ms, fix) => {
          const m = mutate(base, ms)
          const bytes = fix ? fixLength(m) : m
          check(bytes, decodeMessage(bytes, limits))
        },
      ),
      { numRuns },
    )
  })

  test('valid messages cut at any offset (with the Message Length as sent, or fixed to the cut)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.boolean(), (base, at, fix) => {
        const cut = base.subarray(0, at % (base.length + 1))
        const bytes = fix ? fixLength(cut) : cut
        check(bytes, decodeMessage(bytes, limits))
      }),
      { numRuns },
    )
  })

  test('nested groups of any depth and zero-length AVPs', () => {
    // Failed-AVP (279) holds any AVP: nest it, end with an AVP whose length is random (0 included)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 }), (depth, innerLength) => {
        let g = Uint8Array.from([0, 0, 1, 22, 0x40, 0, 0, innerLength, 0, 0, 0, 1])
        for (let i = 0; i < depth; i++) {
          const len = 8 + g.length
          g = Uint8Array.from([0, 0, 1, 23, 0x40, len >>> 16, (len >>> 8) & 0xff, len & 0xff, ...g])
        }
        const bytes = fixLength(
          Uint8Array.from([...valid[2]!.subarray(0, 20), ...valid[2]!.subarray(20), ...g]),
        )
        check(bytes, decodeMessage(bytes, limits))
      }),
      { numRuns: Math.min(numRuns, 2000) },
    )
  })
})

describe('typed values round trip (fast-check)', () => {
  test('strings, integers, identities, addresses', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.oneof(fc.ipV4(), fc.ipV6()),
        fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/),
        (text, n, ip, host) => {
          const m = createRequest('CER', {
            avps: {
              'Origin-Host': host,
              'Origin-Realm': 'ims.test',
              'Host-IP-Address': ip,
              'Vendor-Id': n,
              'Product-Name': text,
              'Origin-State-Id': n,
            },
            extra: [],
          })
          const r = decodeMessage(encodeMessage(m))
          assert.ok(r.ok, r.ok ? '' : r.error.reason)
          assert.equal(r.message.get('Product-Name'), text)
          assert.equal(r.message.get('Vendor-Id'), n)
          assert.equal(r.message.get('Origin-Host'), host)
          assert.equal(r.message.get('Host-IP-Address'), m.get('Host-IP-Address'))
        },
      ),
      { numRuns },
    )
  })
})

describe('createStreamFramer (fast-check)', () => {
  test('any split of a stream of valid messages yields the same messages', () => {
    const stream = Buffer.concat(valid)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 30 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length]
        const f = createStreamFramer()
        const got: Buffer[] = []
        for (let i = 1; i < points.length; i++) {
          for (const e of f.push(stream.subarray(points[i - 1], points[i]))) {
            assert.equal(e.type, 'message')
            if (e.type === 'message') got.push(Buffer.from(e.bytes))
          }
        }
        assert.deepEqual(got, valid)
      }),
      { numRuns },
    )
  })

  test('hostile octets cut at any offsets: the same messages and the same error as in one chunk', () => {
    // valid messages first, so that the garbage after them is framed from a message boundary
    const input = fc
      .tuple(
        fc.array(fc.constantFrom(...valid), { maxLength: 3 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          // a header-like start: version 1, any length, to reach the length checks
          fc
            .tuple(fc.integer({ min: 0, max: 0xffffff }), fc.uint8Array({ maxLength: 100 }))
            .map(([len, rest]) => Uint8Array.from([1, len >>> 16, (len >>> 8) & 0xff, len & 0xff, ...rest])),
        ),
      )
      .map(([msgs, tail]) => Buffer.concat([...msgs, tail]))
    const summary = (events: FrameEvent[]) =>
      events.map((e) =>
        e.type === 'message' ? Buffer.from(e.bytes).toString('hex') : `${e.error.code}/${e.error.resultCode}`,
      )
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 12 }), (stream, cuts) => {
        const whole = createStreamFramer({ maxMessageSize: 1024 })
        const expected = summary(whole.push(stream))
        const points = [0, ...cuts.map((c) => c % (stream.length + 1)).sort((a, b) => a - b), stream.length]
        const f = createStreamFramer({ maxMessageSize: 1024 })
        const got: string[] = []
        for (let i = 1; i < points.length; i++) {
          const events = f.push(stream.subarray(points[i - 1], points[i]))
          got.push(...summary(events))
          for (const e of events) if (e.type === 'message') check(e.bytes, decodeMessage(e.bytes, limits))
        }
        assert.deepEqual(got, expected)
        assert.equal(f.failed, whole.failed)
        assert.equal(f.buffered, whole.buffered)
      }),
      { numRuns },
    )
  })

  test('arbitrary octets: never throws, buffers at most one message', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (chunks) => {
        const f = createStreamFramer({ maxMessageSize: 1024 })
        for (const c of chunks) {
          const events = f.push(c)
          for (const e of events) if (e.type === 'message') check(e.bytes, decodeMessage(e.bytes, limits))
          assert.ok(f.buffered < 1024 + 300)
        }
      }),
      { numRuns },
    )
  })
})
