import assert from 'node:assert/strict'
import { test } from 'node:test'
import { reconnectDelay } from './backoff.ts'

test('reconnect delays double from initialDelay up to maxDelay (Tc)', () => {
  const none = () => 0
  const delays = Array.from({ length: 8 }, (_, n) => reconnectDelay(n, undefined, none))
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  assert.equal(reconnectDelay(1000, undefined, none), 30000)
  assert.deepEqual(
    [0, 1, 2, 3].map((n) => reconnectDelay(n, { initialDelay: 100, maxDelay: 500, multiplier: 3 }, none)),
    [100, 300, 500, 500],
  )
})

test('jitter takes up to its fraction off each delay', () => {
  assert.equal(
    reconnectDelay(2, undefined, () => 0.999999),
    Math.round(4000 * (1 - 0.2 * 0.999999)),
  )
  assert.equal(
    reconnectDelay(2, { jitter: 0.5 }, () => 0.5),
    3000,
  )
  for (let n = 0; n < 10; n++) {
    const d = reconnectDelay(n, undefined, Math.random)!
    const base = Math.min(30000, 1000 * 2 ** n)
    assert.ok(d <= base && d >= base * 0.8, `${d} for ${base}`)
  }
})

test('bounded by maxAttempts', () => {
  assert.equal(
    reconnectDelay(2, { maxAttempts: 3 }, () => 0),
    4000,
  )
  assert.equal(
    reconnectDelay(3, { maxAttempts: 3 }, () => 0),
    undefined,
  )
})
