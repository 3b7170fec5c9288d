import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createManualClock } from '../test/manual-clock.ts'
import { createTimerWheel } from './timer-wheel.ts'

const T0 = 1_700_000_000_000

test('keys come due at the end of their second, each once', () => {
  const clock = createManualClock(T0)
  const wheel = createTimerWheel<string>(clock, () => {})
  wheel.schedule('a', T0 + 1500)
  wheel.schedule('b', T0 + 2000)
  wheel.schedule('c', T0 + 2001)
  assert.equal(wheel.size, 3)
  assert.deepEqual(wheel.advance(T0 + 1999), [])
  assert.deepEqual(wheel.advance(T0 + 2000).sort(), ['a', 'b'])
  assert.deepEqual(wheel.advance(T0 + 2999), [])
  assert.deepEqual(wheel.advance(T0 + 3000), ['c'])
  assert.equal(wheel.size, 0)
})

test('a deadline in the past goes in the next tick; unschedule takes a key out', () => {
  const clock = createManualClock(T0)
  const wheel = createTimerWheel<string>(clock, () => {})
  wheel.schedule('late', T0 - 50_000)
  const slot = wheel.schedule('gone', T0 + 5000)
  wheel.unschedule('gone', slot)
  wheel.unschedule('never', slot)
  assert.equal(wheel.size, 1)
  assert.deepEqual(wheel.advance(T0 + 1000), ['late'])
  assert.deepEqual(wheel.advance(T0 + 10_000), [])
})

test('one timer ticks once a second while keys wait, and stops when the wheel is empty', () => {
  const clock = createManualClock(T0 + 300)
  const ticks: number[] = []
  const wheel = createTimerWheel<string>(clock, (now) => {
    ticks.push(now)
    wheel.advance(now)
  })
  assert.equal(clock.pending, 0)
  for (let i = 0; i < 1000; i++) wheel.schedule(`k${i}`, T0 + 3000 + (i % 3))
  assert.equal(clock.pending, 1)
  clock.advance(10_000)
  assert.deepEqual(ticks, [T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000])
  assert.equal(clock.pending, 0)
  assert.equal(wheel.size, 0)
})

test('a long jump of the clock walks the buckets that exist', () => {
  const clock = createManualClock(T0)
  const wheel = createTimerWheel<number>(clock, () => {})
  wheel.schedule(1, T0 + 10_000)
  wheel.schedule(2, T0 + 100_000_000)
  assert.deepEqual(wheel.advance(T0 + 50_000_000), [1])
  assert.deepEqual(wheel.advance(T0 + 100_000_000), [2])
})

test('stop() cancels the timer', () => {
  const clock = createManualClock(T0)
  const wheel = createTimerWheel<string>(clock, () => assert.fail('ticked after stop'))
  wheel.schedule('x', T0 + 5000)
  wheel.stop()
  assert.equal(clock.pending, 0)
  clock.advance(10_000)
})
