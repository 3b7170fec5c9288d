import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createManualClock } from './clock.ts'
import { createDuplicateCache } from './duplicates.ts'

const A = Uint8Array.of(1, 2, 3)

test('a retransmission (T flag) of a request answered already gets the same answer', async () => {
  const cache = createDuplicateCache(undefined, createManualClock())
  assert.equal(cache.check('cscf.ims.test', 7, false), undefined)
  cache.complete('cscf.ims.test', 7, A)
  assert.deepEqual(await cache.check('CSCF.ims.test', 7, true), A)
  // another Origin-Host, another End-to-End Identifier: new
  assert.equal(cache.check('other.ims.test', 7, true), undefined)
  assert.equal(cache.check('cscf.ims.test', 8, true), undefined)
})

test('a retransmission while the original is being handled waits for its answer', async () => {
  const cache = createDuplicateCache(undefined, createManualClock())
  cache.check('c', 1, false)
  const dup = cache.check('c', 1, true)
  assert.ok(dup !== undefined)
  cache.complete('c', 1, A)
  assert.deepEqual(await dup, A)
})

test('without the T flag a known pair is a new request', () => {
  const cache = createDuplicateCache(undefined, createManualClock())
  cache.check('c', 1, false)
  cache.complete('c', 1, A)
  assert.equal(cache.check('c', 1, false), undefined)
})

test('bounded in time and in size', async () => {
  const clock = createManualClock()
  const cache = createDuplicateCache({ size: 3, ttl: 1000 }, clock)
  cache.check('c', 1, false)
  cache.complete('c', 1, A)
  clock.advance(1000)
  assert.equal(cache.check('c', 1, true), undefined, 'expired')
  for (let i = 10; i < 20; i++) {
    cache.check('c', i, false)
    cache.complete('c', i, A)
  }
  assert.equal(cache.size, 3)
  assert.equal(cache.check('c', 10, true), undefined, 'evicted')
  assert.deepEqual(await cache.check('c', 19, true), A)
})

test('bounded in octets: the oldest answers go first (a peer sets their size through Session-Id and Proxy-Info)', {
  timeout: 2000,
}, async () => {
  const clock = createManualClock()
  const cache = createDuplicateCache({ maxBytes: 1000 }, clock)
  const big = new Uint8Array(400)
  for (let i = 0; i < 10; i++) {
    cache.check('c', i, false)
    cache.complete('c', i, big)
    assert.ok(cache.bytes <= 1000, `${cache.bytes} octets after ${i + 1} answers`)
  }
  assert.equal(cache.size, 2)
  assert.equal(cache.check('c', 0, true), undefined, 'evicted')
  assert.equal(await cache.check('c', 9, true), big)
  // a replaced entry gives its octets back
  cache.check('c', 9, false)
  assert.equal(cache.bytes, 400)
})

test('bounded in waiters: past maxWaiters the oldest duplicate gets no answer', {
  timeout: 2000,
}, async () => {
  const cache = createDuplicateCache({ maxWaiters: 2 }, createManualClock())
  cache.check('c', 1, false)
  const dups = Array.from({ length: 1000 }, () => cache.check('c', 1, true)!)
  // all but the last two were let go already, without an answer
  for (const d of dups.slice(0, 998)) assert.equal(await d, undefined)
  cache.complete('c', 1, A)
  assert.deepEqual(await dups[998], A)
  assert.deepEqual(await dups[999], A)
})
