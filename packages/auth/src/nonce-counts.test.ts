import assert from 'node:assert/strict'
import { test } from 'node:test'
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
