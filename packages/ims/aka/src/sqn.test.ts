import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { AkaError, akaFaultCodes } from './errors.ts'
import { hex, toHex } from './fixtures.test.ts'
import {
  createUsimSqn,
  DEFAULT_DELTA,
  isSqnInRange,
  joinSqn,
  nextSqn,
  SQN_MAX,
  splitSqn,
  sqnFromBytes,
  sqnToBytes,
} from './sqn.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const isInvalid = (e: unknown): boolean => e instanceof AkaError && e.code === akaFaultCodes.INVALID_ARGUMENT

describe('SQN octets', () => {
  test('48 bits big-endian', () => {
    assert.equal(toHex(sqnToBytes(0xff9bb4d0b607n)), 'ff9bb4d0b607')
    assert.equal(sqnFromBytes(hex('ff9bb4d0b607')), 0xff9bb4d0b607n)
    assert.equal(toHex(sqnToBytes(0n)), '000000000000')
    assert.equal(toHex(sqnToBytes(SQN_MAX)), 'ffffffffffff')
    assert.equal(sqnFromBytes(hex('000000000020').subarray(0, 6)), 32n)
  })

  test('a view into a larger buffer is read at its offset', () => {
    const big = hex('aa0102030405066b')
    assert.equal(sqnFromBytes(big.subarray(1, 7)), 0x010203040506n)
  })

  test('out of range', () => {
    assert.throws(() => sqnToBytes(-1n), isInvalid)
    assert.throws(() => sqnToBytes(SQN_MAX + 1n), isInvalid)
    assert.throws(() => sqnToBytes(5 as never), isInvalid)
    assert.throws(() => sqnFromBytes(new Uint8Array(5)), isInvalid)
  })

  test('round trip (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: SQN_MAX }), (sqn) => sqnFromBytes(sqnToBytes(sqn)) === sqn),
      { numRuns },
    )
  })
})

describe('SEQ ‖ IND (TS 33.102 Annex C.1.1)', () => {
  test('5 IND bits by default', () => {
    assert.deepEqual(splitSqn(0x21n), { seq: 1n, ind: 1 })
    assert.deepEqual(splitSqn(SQN_MAX), { seq: (1n << 43n) - 1n, ind: 31 })
    assert.equal(joinSqn(1n, 1), 0x21n)
    assert.deepEqual(splitSqn(0x21n, { indBits: 0 }), { seq: 0x21n, ind: 0 })
    assert.throws(() => joinSqn(0n, 32), isInvalid)
    assert.throws(() => joinSqn(1n << 43n, 0), isInvalid)
    assert.throws(() => splitSqn(1n, { indBits: 17 }), isInvalid)
  })

  test('split and join are inverse (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: SQN_MAX }), fc.integer({ min: 0, max: 10 }), (sqn, indBits) => {
        const { seq, ind } = splitSqn(sqn, { indBits })
        return joinSqn(seq, ind, { indBits }) === sqn
      }),
      { numRuns },
    )
  })

  test('nextSqn: SEQ + 1, same IND (SQN + 32) unless one is given', () => {
    assert.equal(nextSqn(0xfd8eef40df7dn), 0xfd8eef40df7dn + 32n)
    assert.equal(nextSqn(0n), 32n)
    assert.equal(nextSqn(0x20n, { ind: 3 }), 0x43n)
    assert.equal(nextSqn(5n, { indBits: 0 }), 6n)
    assert.throws(
      () => nextSqn(SQN_MAX),
      (e: unknown) => e instanceof AkaError && e.code === akaFaultCodes.SQN_EXHAUSTED,
    )
  })
})

describe('USIM range check (TS 33.102 Annex C.2)', () => {
  test('SEQ must be above SEQ_MS of its IND', () => {
    const seqMs = new Array<bigint>(32).fill(0n)
    seqMs[1] = 10n
    assert.equal(isSqnInRange(joinSqn(10n, 1), seqMs), false)
    assert.equal(isSqnInRange(joinSqn(11n, 1), seqMs), true)
    // Another IND has its own entry: an older SEQ is still fresh there (Annex C.2.1).
    assert.equal(isSqnInRange(joinSqn(5n, 2), seqMs), true)
  })

  test('and at most Δ above the highest SEQ accepted (Annex C.2.2)', () => {
    const seqMs = [100n]
    assert.equal(isSqnInRange(joinSqn(100n + DEFAULT_DELTA, 0), seqMs), true)
    assert.equal(isSqnInRange(joinSqn(101n + DEFAULT_DELTA, 0), seqMs), false)
    assert.equal(isSqnInRange(joinSqn(110n, 0), seqMs, { delta: 5n }), false)
    assert.equal(isSqnInRange(joinSqn(105n, 0), seqMs, { delta: 5n }), true)
  })

  test('createUsimSqn accepts each fresh SQN once and tracks SQN_MS', () => {
    const usim = createUsimSqn()
    assert.equal(usim.sqnMs, 0n)
    const a = joinSqn(7n, 4)
    assert.equal(usim.isAcceptable(a), true)
    usim.accept(a)
    assert.equal(usim.isAcceptable(a), false, 'replay')
    assert.equal(usim.sqnMs, a)
    const b = joinSqn(3n, 5)
    assert.equal(usim.isAcceptable(b), true, 'older SEQ with another IND')
    usim.accept(b)
    assert.equal(usim.sqnMs, a, 'SQN_MS stays the highest')
    assert.equal(usim.seqMs[4], 7n)
    assert.equal(usim.seqMs[5], 3n)
    assert.equal(usim.seqMs.length, 32)
  })

  test('createUsimSqn starting from an SQN_MS', () => {
    const usim = createUsimSqn({ sqnMs: 0xfd8eef41ffffn })
    assert.equal(usim.sqnMs, 0xfd8eef41ffffn)
    assert.equal(usim.isAcceptable(0xfd8eef40df7dn), false)
    assert.equal(usim.isAcceptable(nextSqn(0xfd8eef41ffffn)), true)
  })

  test('the HE sequence nextSqn is always accepted in turn (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 40n }),
        fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 20 }),
        (start, inds) => {
          const usim = createUsimSqn({ sqnMs: start })
          let sqn = start
          for (const ind of inds) {
            sqn = nextSqn(sqn, { ind })
            assert.equal(usim.isAcceptable(sqn), true)
            usim.accept(sqn)
            assert.equal(usim.isAcceptable(sqn), false)
          }
          assert.equal(usim.sqnMs, sqn)
        },
      ),
      { numRuns },
    )
  })
})
