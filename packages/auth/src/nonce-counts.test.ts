import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { createNonceCounts } from './nonce-counts.ts'

test('nc must grow for each nonce (RFC 7616 §3.4): a repeated or lower nc is a replay', () => {
  const counts = createNonceCounts(10)
  assert.equal(counts.use('n1', 1, 1), 'ok')
  assert.equal(counts.use('n1', 1, 1), 'replay')
  assert.equal(counts.use('n1', 1, 3), 'ok')
  assert.equal(counts.use('n1', 1, 2), 'replay')
  assert.equal(
    counts.use('n2', 1, 5),
    'ok',
    'a nonce first seen here may start at any nc (another instance used it)',
  )
})

test('bounded: evicting a nonce makes every unknown nonce issued no later than it "forgotten", never accepted', () => {
  const counts = createNonceCounts(2)
  assert.equal(counts.use('a', 100, 1), 'ok')
  assert.equal(counts.use('b', 200, 1), 'ok')
  assert.equal(counts.use('a', 100, 2), 'ok') // a is now the most recently used
  assert.equal(counts.use('c', 300, 1), 'ok') // evicts b (issued at 200)
  assert.equal(counts.size, 2)
  assert.equal(counts.use('b', 200, 1), 'forgotten', 'the replay of an evicted nonce is not accepted')
  assert.equal(counts.use('old', 150, 1), 'forgotten')
  assert.equal(counts.use('a', 100, 3), 'ok', 'nonces still remembered go on')
  assert.equal(counts.use('d', 400, 1), 'ok')
})

/** The same rules over an array, oldest first: what `createNonceCounts` must answer. */
function referenceCounts(max: number) {
  const list: { nonce: string; nc: number; issuedAt: number }[] = []
  let floor = Number.NEGATIVE_INFINITY
  return {
    use(nonce: string, issuedAt: number, nc: number): string {
      const i = list.findIndex((e) => e.nonce === nonce)
      if (i === -1) {
        if (issuedAt <= floor) return 'forgotten'
        if (list.length >= max) {
          const oldest = list.shift()!
          if (oldest.issuedAt > floor) floor = oldest.issuedAt
          if (issuedAt <= floor) return 'forgotten'
        }
        list.push({ nonce, nc, issuedAt })
        return 'ok'
      }
      const e = list[i]!
      if (nc <= e.nc) return 'replay'
      e.nc = nc
      list.splice(i, 1)
      list.push(e)
      return 'ok'
    },
    get size() {
      return list.length
    },
  }
}

test('least recently used first, over long runs of evictions and reuses (against a reference model)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 6 })), { maxLength: 400 }),
      (max, uses) => {
        const counts = createNonceCounts(max)
        const model = referenceCounts(max)
        for (const [n, nc] of uses) {
          // nonce n was issued at time n: later nonces are newer
          assert.equal(counts.use(`n${n}`, n, nc), model.use(`n${n}`, n, nc))
          assert.equal(counts.size, model.size)
        }
      },
    ),
  )
})
