/**
 * Vectors, AUTN checks and resynchronisation (TS 33.102 §6.3), against fixtures of reference/ims.md
 * §3.2–§3.4 and as round trips. FC_NUM_RUNS sets the runs per property (default 10 000).
 */
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { AkaError, akaErrorCodes, akaFaultCodes } from './errors.ts'
import { hex, testSets, toHex } from './fixtures.test.ts'
import { createMilenage } from './milenage.ts'
import { createUsimSqn, joinSqn, nextSqn, SQN_MAX, splitSqn, sqnFromBytes } from './sqn.ts'
import { computeAuts, generateVector, resync, verifyAutn } from './vector.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const isInvalid = (e: unknown): boolean => e instanceof AkaError && e.code === akaFaultCodes.INVALID_ARGUMENT

function xorHex(a: string, b: string): string {
  const x = hex(a)
  const y = hex(b)
  return toHex(x.map((v, i) => v ^ (y[i] as number)))
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Buffer.from(bytes)
  out[bit >> 3] = (out[bit >> 3] as number) ^ (0x80 >> (bit & 7))
  return out
}

describe('generateVector (TS 33.102 §6.3.2)', () => {
  test('set 1 and set 2 AUTN (reference/ims.md §3.2 derived vectors)', () => {
    const s1 = testSets[0]
    const v1 = generateVector({
      k: hex(s1.k),
      op: hex(s1.op),
      sqn: hex(s1.sqn),
      amf: hex(s1.amf),
      rand: hex(s1.rand),
    })
    assert.equal(toHex(v1.autn), '55f328b43577b9b94a9ffac354dfafb3')
    const s2 = testSets[1]
    const v2 = generateVector({
      k: hex(s2.k),
      opc: hex(s2.opc),
      sqn: 0xfd8eef40df7dn,
      amf: hex(s2.amf),
      rand: hex(s2.rand),
    })
    assert.equal(toHex(v2.autn), '39f96cd9800faf175df5b31807e258b0')
  })

  for (const t of testSets) {
    test(`test set ${t.set}: quintuplet from the TS 35.207 outputs`, () => {
      const v = generateVector({
        k: hex(t.k),
        opc: hex(t.opc),
        sqn: hex(t.sqn),
        amf: hex(t.amf),
        rand: hex(t.rand),
      })
      assert.equal(toHex(v.rand), t.rand)
      assert.equal(toHex(v.xres), t.f2)
      assert.equal(toHex(v.ck), t.f3)
      assert.equal(toHex(v.ik), t.f4)
      assert.equal(toHex(v.autn), xorHex(t.sqn, t.f5) + t.amf + t.f1)
    })
  }

  test('a fresh RAND from the CSPRNG when none is given', () => {
    const t = testSets[0]
    const m = createMilenage({ k: hex(t.k), opc: hex(t.opc) })
    const a = generateVector({ milenage: m, sqn: 32n, amf: hex('8000') })
    const b = generateVector({ milenage: m, sqn: 32n, amf: hex('8000') })
    assert.equal(a.rand.length, 16)
    assert.notEqual(toHex(a.rand), toHex(b.rand))
    assert.notEqual(toHex(a.xres), toHex(b.xres))
  })

  test('argument checks', () => {
    const t = testSets[0]
    const keys = { k: hex(t.k), opc: hex(t.opc) }
    assert.throws(() => generateVector({ ...keys, sqn: hex('00'), amf: hex('8000') }), isInvalid)
    assert.throws(() => generateVector({ ...keys, sqn: SQN_MAX + 1n, amf: hex('8000') }), isInvalid)
    assert.throws(() => generateVector({ ...keys, sqn: 1n, amf: hex('80') }), isInvalid)
    assert.throws(
      () => generateVector({ ...keys, sqn: 1n, amf: hex('8000'), rand: new Uint8Array(8) }),
      isInvalid,
    )
  })
})

describe('verifyAutn (TS 33.102 §6.3.3)', () => {
  for (const t of testSets) {
    test(`test set ${t.set}: the UE recovers SQN and AMF and computes RES, CK, IK`, () => {
      const autn = hex(xorHex(t.sqn, t.f5) + t.amf + t.f1)
      const r = verifyAutn({ k: hex(t.k), op: hex(t.op), rand: hex(t.rand), autn })
      assert.ok(r.ok)
      assert.equal(r.sqn, sqnFromBytes(hex(t.sqn)))
      assert.equal(toHex(r.amf), t.amf)
      assert.equal(toHex(r.res), t.f2)
      assert.equal(toHex(r.ck), t.f3)
      assert.equal(toHex(r.ik), t.f4)
    })
  }

  test('reference/ims.md §3.3 vector B (accepted by Kamailio): XRES 5b8caba5d583b111', () => {
    const t = testSets[1]
    const r = verifyAutn({
      k: hex(t.k),
      op: hex(t.op),
      rand: hex('ba6bf6d6933b96657012702857d93245'),
      autn: hex('f548e454d484af1782a30229235fb8ab'),
    })
    assert.ok(r.ok)
    assert.equal(toHex(r.res), '5b8caba5d583b111')
    assert.equal(toHex(r.amf), 'af17')
  })

  test('every single flipped bit of an AUTN is a MAC failure', () => {
    const t = testSets[3]
    const keys = { k: hex(t.k), opc: hex(t.opc) }
    const v = generateVector({ ...keys, sqn: hex(t.sqn), amf: hex(t.amf), rand: hex(t.rand) })
    assert.ok(verifyAutn({ ...keys, rand: v.rand, autn: v.autn }).ok)
    for (let bit = 0; bit < 128; bit++) {
      const r = verifyAutn({ ...keys, rand: v.rand, autn: flipBit(v.autn, bit) })
      assert.equal(r.ok, false, `bit ${bit}`)
      assert.equal(!r.ok && r.error.code, akaErrorCodes.MAC_FAILURE, `bit ${bit}`)
    }
  })

  test('another RAND or another K is a MAC failure', () => {
    const t = testSets[0]
    const v = generateVector({ k: hex(t.k), opc: hex(t.opc), sqn: 64n, amf: hex('8000'), rand: hex(t.rand) })
    const otherRand = verifyAutn({ k: hex(t.k), opc: hex(t.opc), rand: flipBit(v.rand, 0), autn: v.autn })
    assert.equal(!otherRand.ok && otherRand.error.code, akaErrorCodes.MAC_FAILURE)
    const otherK = verifyAutn({ k: flipBit(hex(t.k), 127), opc: hex(t.opc), rand: v.rand, autn: v.autn })
    assert.equal(!otherK.ok && otherK.error.code, akaErrorCodes.MAC_FAILURE)
  })

  test('with a USIM: an SQN out of range is a sync failure carrying AUTS; a fresh one is recorded', () => {
    const t = testSets[1]
    const keys = { k: hex(t.k), op: hex(t.op) }
    const usim = createUsimSqn({ sqnMs: 0xfd8eef41ffffn })
    const stale = generateVector({ ...keys, sqn: 0xfd8eef40df9dn, amf: hex(t.amf), rand: hex(t.rand) })
    const r = verifyAutn({ ...keys, rand: stale.rand, autn: stale.autn, usim })
    assert.equal(r.ok, false)
    assert.ok(!r.ok && r.error.code === akaErrorCodes.SYNC_FAILURE)
    assert.equal(r.error.sqn, 0xfd8eef40df9dn)
    // reference/ims.md §3.4: the AUTS of this resynchronisation, as Kamailio forwarded it.
    assert.equal(toHex(r.error.auts), 'cd7ff6319e3e4776402399f699da')
    assert.equal(usim.sqnMs, 0xfd8eef41ffffn, 'a rejected SQN is not recorded')

    const fresh = generateVector({ ...keys, sqn: nextSqn(0xfd8eef41ffffn), amf: hex(t.amf) })
    const ok = verifyAutn({ ...keys, rand: fresh.rand, autn: fresh.autn, usim })
    assert.ok(ok.ok)
    assert.equal(usim.sqnMs, nextSqn(0xfd8eef41ffffn))
    // The same vector again is a replay: sync failure.
    const replay = verifyAutn({ ...keys, rand: fresh.rand, autn: fresh.autn, usim })
    assert.equal(!replay.ok && replay.error.code, akaErrorCodes.SYNC_FAILURE)
  })

  test('argument checks', () => {
    const t = testSets[0]
    assert.throws(
      () => verifyAutn({ k: hex(t.k), opc: hex(t.opc), rand: hex(t.rand), autn: new Uint8Array(14) }),
      isInvalid,
    )
    assert.throws(
      () =>
        verifyAutn({ k: hex(t.k), opc: hex(t.opc), rand: new Uint8Array(16 + 1), autn: new Uint8Array(16) }),
      isInvalid,
    )
  })
})

describe('AUTS and resynchronisation (TS 33.102 §6.3.3, §6.3.5)', () => {
  test('set 1: AUTS uses AMF 0x0000 for MAC-S (reference/ims.md §3.2)', () => {
    const t = testSets[0]
    const auts = computeAuts({ k: hex(t.k), op: hex(t.op), rand: hex(t.rand), sqnMs: hex(t.sqn) })
    assert.equal(toHex(auts), 'ba853f3c123ccf44e93596e355c6')
    // Not the f1* of the test set, which is computed with the set's AMF b9b9.
    assert.notEqual(toHex(auts.subarray(6)), t.f1Star)
    assert.equal(toHex(auts.subarray(0, 6)), xorHex(t.sqn, t.f5Star))
    const r = resync({ k: hex(t.k), opc: hex(t.opc), rand: hex(t.rand), auts })
    assert.deepEqual(r, { ok: true, sqnMs: 0xff9bb4d0b607n })
  })

  test('reference/ims.md §3.4: the HSS recovers SQN_MS fd8eef41ffff from RAND ‖ AUTS', () => {
    const t = testSets[1]
    const r = resync({
      k: hex(t.k),
      op: hex(t.op),
      rand: hex('c00d603103dcee52c4478119494202e8'),
      auts: hex('cd7ff6319e3e4776402399f699da'),
    })
    assert.deepEqual(r, { ok: true, sqnMs: 0xfd8eef41ffffn })
  })

  test('a wrong MAC-S or a wrong length is refused', () => {
    const t = testSets[0]
    const keys = { k: hex(t.k), opc: hex(t.opc), rand: hex(t.rand) }
    const auts = hex('ba853f3c123ccf44e93596e355c6')
    for (let bit = 0; bit < 112; bit++) {
      const r = resync({ ...keys, auts: flipBit(auts, bit) })
      assert.equal(!r.ok && r.error.code, akaErrorCodes.MAC_FAILURE, `bit ${bit}`)
    }
    for (const bad of [auts.subarray(0, 13), Buffer.concat([auts, hex('00')]), new Uint8Array(0)]) {
      const r = resync({ ...keys, auts: bad })
      assert.equal(!r.ok && r.error.code, akaErrorCodes.BAD_AUTS)
    }
  })

  test('end to end: UE sync failure, HSS resync, next vector accepted', () => {
    const t = testSets[4]
    const keys = { k: hex(t.k), opc: hex(t.opc) }
    const usim = createUsimSqn({ sqnMs: joinSqn(1000n, 7) })
    let sqnHe = joinSqn(10n, 0) // the HSS lost its state: far behind the USIM
    const first = generateVector({ ...keys, sqn: sqnHe, amf: hex(t.amf) })
    const ue = verifyAutn({ ...keys, rand: first.rand, autn: first.autn, usim })
    assert.ok(!ue.ok && ue.error.code === akaErrorCodes.SYNC_FAILURE)
    const hss = resync({ ...keys, rand: first.rand, auts: ue.error.auts })
    assert.ok(hss.ok)
    assert.equal(hss.sqnMs, joinSqn(1000n, 7))
    sqnHe = nextSqn(hss.sqnMs)
    const second = generateVector({ ...keys, sqn: sqnHe, amf: hex(t.amf) })
    assert.ok(verifyAutn({ ...keys, rand: second.rand, autn: second.autn, usim }).ok)
  })
})

describe('properties', () => {
  const key = fc.uint8Array({ minLength: 16, maxLength: 16 })
  const sqnArb = fc.bigInt({ min: 0n, max: SQN_MAX })
  const amfArb = fc.uint8Array({ minLength: 2, maxLength: 2 })

  test('verifyAutn accepts every generated vector and gives back SQN, AMF, XRES, CK, IK', () => {
    fc.assert(
      fc.property(key, key, key, sqnArb, amfArb, (k, opc, rand, sqn, amf) => {
        const v = generateVector({ k, opc, sqn, amf, rand })
        const r = verifyAutn({ k, opc, rand, autn: v.autn })
        assert.ok(r.ok)
        assert.equal(r.sqn, sqn)
        assert.deepEqual([...r.amf], [...amf])
        assert.deepEqual([...r.res], [...v.xres])
        assert.deepEqual([...r.ck], [...v.ck])
        assert.deepEqual([...r.ik], [...v.ik])
      }),
      { numRuns },
    )
  })

  test('verifyAutn rejects any single flipped bit of a generated AUTN', () => {
    fc.assert(
      fc.property(
        key,
        key,
        key,
        sqnArb,
        amfArb,
        fc.integer({ min: 0, max: 127 }),
        (k, opc, rand, sqn, amf, bit) => {
          const v = generateVector({ k, opc, sqn, amf, rand })
          const r = verifyAutn({ k, opc, rand, autn: flipBit(v.autn, bit) })
          assert.equal(!r.ok && r.error.code, akaErrorCodes.MAC_FAILURE)
        },
      ),
      { numRuns },
    )
  })

  test('resync recovers the SQN_MS of any AUTS, and refuses any flipped bit', () => {
    fc.assert(
      fc.property(key, key, key, sqnArb, fc.integer({ min: 0, max: 111 }), (k, op, rand, sqnMs, bit) => {
        const auts = computeAuts({ k, op, rand, sqnMs })
        assert.deepEqual(resync({ k, op, rand, auts }), { ok: true, sqnMs })
        const r = resync({ k, op, rand, auts: flipBit(auts, bit) })
        assert.equal(!r.ok && r.error.code, akaErrorCodes.MAC_FAILURE)
      }),
      { numRuns },
    )
  })

  test('a USIM accepts the HE sequence, and resynchronises after an HSS reset', () => {
    fc.assert(
      fc.property(
        key,
        key,
        fc.bigInt({ min: 1n, max: (1n << 43n) - 100n }),
        fc.integer({ min: 0, max: 31 }),
        (k, opc, seq, ind) => {
          const usim = createUsimSqn({ sqnMs: joinSqn(seq, ind) })
          const behind = joinSqn(splitSqn(joinSqn(seq, ind)).seq - 1n, ind)
          const v = generateVector({ k, opc, sqn: behind, amf: hex('8000') })
          const ue = verifyAutn({ k, opc, rand: v.rand, autn: v.autn, usim })
          assert.ok(!ue.ok && ue.error.code === akaErrorCodes.SYNC_FAILURE)
          const hss = resync({ k, opc, rand: v.rand, auts: ue.error.auts })
          assert.ok(hss.ok)
          const next = generateVector({ k, opc, sqn: nextSqn(hss.sqnMs), amf: hex('8000') })
          assert.ok(verifyAutn({ k, opc, rand: next.rand, autn: next.autn, usim }).ok)
        },
      ),
      { numRuns },
    )
  })
})
