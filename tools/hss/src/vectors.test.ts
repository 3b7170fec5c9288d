import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMilenage, verifyAutn } from '@junction/aka'
import { createVectorFactory } from './vectors.ts'

const k = Buffer.from('0396eb317b6d1c36f19c1c84cd6ffd16', 'hex')
const op = Buffer.from('ff53bade17df5d4e793073ce9d7579fa', 'hex')
const milenage = createMilenage({ k, op })
const amf = Buffer.from('af17', 'hex')

/** RANDs whose RES (test set 2 keys) has a 0x00 octet, found by search, then a plain one. */
function findZeroResRands(n: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; out.length < n; i++) {
    const rand = Buffer.alloc(16)
    rand.writeUInt32BE(i, 12)
    if (milenage.f2345(rand).res.includes(0)) out.push(rand)
  }
  return out
}

test('no-zero-res re-draws RAND until RES has no 0x00 octet', () => {
  const zeros = findZeroResRands(2)
  const plain = Buffer.from('c00d603103dcee52c4478119494202e8', 'hex')
  const draws = [...zeros, plain]
  let used = 0
  const make = createVectorFactory({ rand: 'no-zero-res', random: () => draws[used++]! })
  const v = make(milenage, 0x20n, amf)
  assert.equal(used, 3)
  assert.deepEqual(Buffer.from(v.rand), plain)
  assert.ok(!v.xres.includes(0))
  // random mode takes the first draw, zero octet or not
  let once = 0
  const r = createVectorFactory({ rand: 'random', random: () => zeros[once++]! })(milenage, 0x20n, amf)
  assert.ok(r.xres.includes(0))
})

test('fixed RAND: every vector has it; the SQN still makes them differ', () => {
  const rand = Buffer.from('c00d603103dcee52c4478119494202e8', 'hex')
  const make = createVectorFactory({ rand: 'fixed', fixedRand: rand })
  const a = make(milenage, 0xfd8eef40df7dn, amf)
  const b = make(milenage, 0xfd8eef40df9dn, amf)
  assert.deepEqual(Buffer.from(a.rand), rand)
  assert.deepEqual(Buffer.from(b.rand), rand)
  // TS 35.207 test set 2: AUTN = 39f96cd9800f af17 5df5b31807e258b0 (ims.md §3.2)
  assert.equal(Buffer.from(a.autn).toString('hex'), '39f96cd9800faf175df5b31807e258b0')
  const ue = verifyAutn({ k, op, rand, autn: b.autn })
  assert.ok(ue.ok && ue.sqn === 0xfd8eef40df9dn)
})
