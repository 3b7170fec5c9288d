import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { hashKey, TransactionTable } from './table.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const tx = (key: string) => ({ key })

describe('TransactionTable', () => {
  it('finds what was added by an equal key, and nothing once deleted', () => {
    const t = new TransactionTable<{ key: string }>()
    const a = tx('z9hG4bK1\n127.0.0.1:5060\nINVITE')
    const b = tx('z9hG4bK1\n127.0.0.1:5060\nACK')
    t.add(a)
    t.add(b)
    assert.equal(t.size, 2)
    assert.equal(t.get(['z9hG4bK1', '127.0.0.1:5060', 'INVITE'].join('\n')), a)
    assert.equal(t.get('z9hG4bK1\n127.0.0.1:5060\nBYE'), undefined)
    assert.equal(t.delete(tx(a.key)), false, 'another object with the same key is not this one')
    assert.equal(t.delete(a), true)
    assert.equal(t.delete(a), false)
    assert.equal(t.get(a.key), undefined)
    assert.equal(t.get(b.key), b)
    assert.deepEqual(t.values(), [b])
  })

  it('grows past its first capacity and reuses the slots of deleted entries', () => {
    const t = new TransactionTable<{ key: string }>()
    const all = Array.from({ length: 50_000 }, (_, i) => tx(`z9hG4bK${i}\nBYE`))
    for (const x of all) t.add(x)
    assert.equal(t.size, 50_000)
    for (const x of all) assert.equal(t.get(`z9hG4bK${x.key.slice(7, -4)}\nBYE`), x)
    for (const x of all.slice(0, 49_990)) assert.ok(t.delete(x))
    // deleted slots are reclaimed by the rehash that later additions trigger
    for (let i = 0; i < 100_000; i++) {
      const y = tx(`again${i}`)
      t.add(y)
      assert.ok(t.delete(y))
    }
    assert.equal(t.size, 10)
    assert.deepEqual(
      t
        .values()
        .map((x) => x.key)
        .sort(),
      all.slice(49_990).map((x) => x.key),
    )
  })

  it('behaves as a Map for any sequence of adds, lookups and deletes', () => {
    const key = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `k${i}`))
    const op = fc.oneof(
      fc.record({ add: key }),
      fc.record({ del: key }),
      fc.record({ get: key }),
      fc.record({ burst: fc.integer({ min: 0, max: 3000 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const t = new TransactionTable<{ key: string }>()
        const model = new Map<string, { key: string }>()
        for (const o of ops) {
          if ('add' in o) {
            if (model.has(o.add)) continue // the table's contract: the caller looked it up first
            const x = tx(o.add)
            t.add(x)
            model.set(o.add, x)
          } else if ('del' in o) {
            const x = model.get(o.del)
            assert.equal(t.delete(x ?? tx(o.del)), x !== undefined)
            model.delete(o.del)
          } else if ('get' in o) assert.equal(t.get(o.get), model.get(o.get))
          else {
            // many short-lived entries: rehashes with deleted slots in between
            const tmp = Array.from({ length: o.burst }, (_, i) => tx(`tmp${i}`))
            for (const x of tmp) t.add(x)
            for (const x of tmp) assert.ok(t.delete(x))
          }
          assert.equal(t.size, model.size)
        }
        for (const [k, x] of model) assert.equal(t.get(k), x)
      }),
      { numRuns: 10_000 },
    )
  })

  it('spreads similar keys over the low bits of the hash', () => {
    const buckets = new Uint32Array(1024)
    for (let i = 0; i < 102_400; i++)
      buckets[hashKey(`z9hG4bK-${i}-1-0\n127.0.0.1:5061\nINVITE`, 7) & 1023]!++
    assert.ok(
      Math.max(...buckets) < 200,
      `the fullest of 1024 buckets holds ${Math.max(...buckets)} of 100 each`,
    )
    for (const k of ['', 'a', 'z9hG4bK1\nBYE']) assert.ok(hashKey(k, 7) > 1 || hashKey(k, 7) < 0)
  })

  it('hashes with a secret seed of its own: keys that collide under one seed do not under another', () => {
    assert.notEqual(new TransactionTable().seed, new TransactionTable().seed)
    // keys chosen (by someone who knew the seed) to start their probe runs in one slot of 1024
    const seed = 12345
    const crafted: string[] = []
    for (let i = 0; crafted.length < 300; i++) {
      const key = `z9hG4bK${i}\n192.0.2.1:5060\nINVITE`
      if ((hashKey(key, seed) & 1023) === 0) crafted.push(key)
    }
    const t = new TransactionTable<{ key: string }>(seed)
    for (const key of crafted) {
      assert.equal(t.get(key), undefined)
      t.add(tx(key))
    }
    assert.notEqual(t.seed, seed, 'the table took a new seed')
    assert.equal(t.size, crafted.length)
    for (const key of crafted) assert.equal(t.get(key)?.key, key)
    const slots = new Set(crafted.map((k) => hashKey(k, t.seed) & 1023))
    assert.ok(slots.size > 200, `under the new seed the keys spread over ${slots.size} slots`)
  })

  it('keeps nothing of the message text its keys were cut from alive', () => {
    const t = new TransactionTable<{ key: string }>()
    let text: string | undefined = `${'x'.repeat(8 << 20)}${Math.random()}`
    for (let i = 0; i < 100; i++) t.add(tx(`${text.slice(i, i + 20)}\n${text.slice(i + 1, i + 30)}\nINVITE`))
    gc()
    const before = process.memoryUsage().heapUsed
    text = undefined
    gc()
    const freed = before - process.memoryUsage().heapUsed
    assert.ok(freed > 7 << 20, `the 8 MiB text is freed (freed ${freed} octets)`)
    assert.equal(t.values()[0]!.key.length, 20 + 1 + 29 + 1 + 6)
  })
})
