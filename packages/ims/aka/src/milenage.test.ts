import assert from 'node:assert/strict'
import { createCipheriv } from 'node:crypto'
import { describe, test } from 'node:test'
import { AkaError, akaFaultCodes } from './errors.ts'
import { hex, testSets, toHex } from './fixtures.test.ts'
import { computeOpc, createMilenage } from './milenage.ts'

describe('TS 35.207 test sets', () => {
  test('the AES kernel (TS 35.207 Rijndael check with the set 1 key)', () => {
    const cipher = createCipheriv('aes-128-ecb', hex(testSets[0].k), null)
    cipher.setAutoPadding(false)
    assert.equal(
      toHex(cipher.update(hex('ee36f7cf037d37d3692f7f0399e7949a'))),
      '9e2980c59739da67b136355e3cede6a2',
    )
  })

  for (const t of testSets) {
    test(`test set ${t.set}: OPc, f1, f1*, f2, f3, f4, f5, f5*`, () => {
      const k = hex(t.k)
      const rand = hex(t.rand)
      const sqn = hex(t.sqn)
      const amf = hex(t.amf)
      assert.equal(toHex(computeOpc(k, hex(t.op))), t.opc)
      // From OP and from OPc: both give every output.
      for (const m of [createMilenage({ k, op: hex(t.op) }), createMilenage({ k, opc: hex(t.opc) })]) {
        assert.equal(toHex(m.opc), t.opc)
        assert.equal(toHex(m.f1(rand, sqn, amf)), t.f1, 'f1 (MAC-A)')
        assert.equal(toHex(m.f1Star(rand, sqn, amf)), t.f1Star, 'f1* (MAC-S)')
        assert.equal(toHex(m.f2(rand)), t.f2, 'f2 (RES)')
        assert.equal(toHex(m.f3(rand)), t.f3, 'f3 (CK)')
        assert.equal(toHex(m.f4(rand)), t.f4, 'f4 (IK)')
        assert.equal(toHex(m.f5(rand)), t.f5, 'f5 (AK)')
        assert.equal(toHex(m.f5Star(rand)), t.f5Star, 'f5* (AK*)')
        const all = m.f2345(rand)
        assert.deepEqual(
          { res: toHex(all.res), ck: toHex(all.ck), ik: toHex(all.ik), ak: toHex(all.ak) },
          { res: t.f2, ck: t.f3, ik: t.f4, ak: t.f5 },
        )
      }
    })
  }

  test('one Milenage computes many RANDs in any order (no state carried between blocks)', () => {
    const [a, b] = [testSets[0], testSets[0]]
    const m = createMilenage({ k: hex(a.k), opc: hex(a.opc) })
    const other = hex(testSets[1].rand)
    const first = toHex(m.f2(other))
    assert.equal(toHex(m.f2(hex(b.rand))), a.f2)
    assert.equal(toHex(m.f2(other)), first)
    assert.equal(toHex(m.f1(hex(a.rand), hex(a.sqn), hex(a.amf))), a.f1)
  })

  test('outputs do not alias the caller inputs, nor each other', () => {
    const t = testSets[2]
    const opc = hex(t.opc)
    const m = createMilenage({ k: hex(t.k), opc })
    opc.fill(0)
    assert.equal(toHex(m.opc), t.opc)
    assert.equal(toHex(m.f2(hex(t.rand))), t.f2)
    const res = m.f2(hex(t.rand))
    res.fill(0)
    assert.equal(toHex(m.f2(hex(t.rand))), t.f2)
  })
})

describe('argument checks', () => {
  const isInvalid = (e: unknown): boolean =>
    e instanceof AkaError && e.code === akaFaultCodes.INVALID_ARGUMENT
  const t = testSets[0]
  const m = createMilenage({ k: hex(t.k), op: hex(t.op) })

  test('K, OP and OPc must be 16 octets', () => {
    assert.throws(() => createMilenage({ k: new Uint8Array(15), op: hex(t.op) }), isInvalid)
    assert.throws(() => createMilenage({ k: new Uint8Array(32), op: hex(t.op) }), isInvalid)
    assert.throws(() => createMilenage({ k: hex(t.k), op: new Uint8Array(17) }), isInvalid)
    assert.throws(() => createMilenage({ k: hex(t.k), opc: new Uint8Array(0) }), isInvalid)
    assert.throws(() => createMilenage({ k: hex(t.k) } as never), isInvalid)
    assert.throws(() => createMilenage({ k: 'secret', op: hex(t.op) } as never), isInvalid)
    assert.throws(() => computeOpc(hex(t.k), new Uint8Array(8)), isInvalid)
  })

  test('RAND 16, SQN 6, AMF 2 octets', () => {
    assert.throws(() => m.f2(new Uint8Array(15)), isInvalid)
    assert.throws(() => m.f1(hex(t.rand), new Uint8Array(5), hex(t.amf)), isInvalid)
    assert.throws(() => m.f1Star(hex(t.rand), hex(t.sqn), new Uint8Array(3)), isInvalid)
  })
})
