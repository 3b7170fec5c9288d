import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { createManualClock } from './clock.ts'
import { createTimerLanes, defaultSlack, fireTimer, type TimerTarget } from './timer-lanes.ts'

describe('timer lanes', () => {
  test('timers fire at the times set, in order, several durations interleaved', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    const fired: string[] = []
    const at = (label: string) => () => fired.push(`${label}@${clock.now()}`)
    lanes.setTimer(32_000, at('J1'))
    lanes.setTimer(5_000, at('K1'))
    clock.advance(1_000)
    lanes.setTimer(32_000, at('J2'))
    lanes.setTimer(5_000, at('K2'))
    lanes.setTimer(0, at('now'))
    clock.advance(40_000)
    assert.deepEqual(fired, ['now@1000', 'K1@5000', 'K2@6000', 'J1@32000', 'J2@33000'])
  })

  test('one clock timer per lane, however many timers wait in it', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    let n = 0
    for (let i = 0; i < 1000; i++) {
      lanes.setTimer(32_000, () => n++)
      clock.advance(1)
    }
    assert.equal(clock.pending, 1)
    clock.advance(32_000)
    assert.equal(n, 1000)
    assert.equal(clock.pending, 0)
  })

  test('cancelled timers never fire; a lane left with none drops its clock timer', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    const fired: number[] = []
    const a = lanes.setTimer(500, () => fired.push(1))
    const b = lanes.setTimer(500, () => fired.push(2))
    lanes.setTimer(500, () => fired.push(3))
    a.cancel()
    b.cancel()
    b.cancel() // twice is harmless
    clock.advance(500)
    assert.deepEqual(fired, [3])
    const c = lanes.setTimer(500, () => fired.push(4))
    c.cancel()
    assert.equal(clock.pending, 0)
    clock.advance(1_000)
    assert.deepEqual(fired, [3])
  })

  test('a timer set or cancelled from a firing one; a throwing one does not stop the lane', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    const fired: string[] = []
    let later: { cancel(): void } | undefined
    lanes.setTimer(100, () => {
      fired.push('a')
      later?.cancel()
      lanes.setTimer(100, () => fired.push(`c@${clock.now()}`))
    })
    later = lanes.setTimer(100, () => fired.push('b'))
    lanes.setTimer(200, () => {
      throw new Error('boom')
    })
    lanes.setTimer(200, () => fired.push(`d@${clock.now()}`))
    clock.advance(150)
    assert.deepEqual(fired, ['a'])
    assert.throws(() => clock.advance(100), /boom/)
    clock.advance(0)
    assert.deepEqual(fired, ['a', 'c@200', 'd@200'])
  })

  test('setTimerFor: a target that throws still counts its timer fired (the lane disarms when empty)', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    const thrower: TimerTarget = {
      [fireTimer]: () => {
        throw new Error('boom') // a transaction whose TU handler threw from onTimeout
      },
    }
    const quiet: TimerTarget = { [fireTimer]: () => true }
    lanes.setTimerFor(100, thrower, 1)
    clock.advance(50)
    const handle = lanes.setTimerFor(100, quiet, 2)
    assert.throws(() => clock.advance(50), /boom/)
    // the only timer still wanted is stopped: the lane must drop its queue and its clock timer
    handle.release()
    assert.equal(clock.pending, 0, 'no clock timer left armed for a lane with no wanted timer')
  })

  test('setTimerFor calls its target with the tag, in a lane or past maxLanes', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock, { maxLanes: 1 })
    const fired: string[] = []
    const target: TimerTarget = {
      [fireTimer]: (tag) => {
        fired.push(`${tag}@${clock.now()}`)
        return true
      },
    }
    lanes.setTimerFor(100, target, 1)
    lanes.setTimerFor(300, target, 2) // a second duration: past maxLanes, on the clock itself
    lanes.setTimerFor(100, target, 3)
    clock.advance(1_000)
    assert.deepEqual(fired, ['1@100', '3@100', '2@300'])
  })

  test('setTimerFor keeps no object per timer, and a fired entry lets go of its target', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const target: TimerTarget = { [fireTimer]: () => true }
    lanes.setTimerFor(32_000, target, 2) // the lane and its arrays exist before the count
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 100_000; i++) lanes.setTimerFor(32_000, target, 2 + 2 * (i % 1000))
    gc()
    const held = process.memoryUsage().heapUsed - before
    // three array slots per timer (target, due time, tag: ~24 octets), where a timer object was 56 more
    assert.ok(held < 100_000 * 40, `${held} octets for 100 000 timers`)
    // a target whose timer fired is not reachable from the lane any more, though the lane still
    // holds a later timer (a short queue, which is not rebuilt)
    const clock2 = createManualClock()
    const lanes2 = createTimerLanes(clock2)
    let collected = false
    const registry = new FinalizationRegistry(() => {
      collected = true
    })
    ;(() => {
      const t: TimerTarget = { [fireTimer]: () => true }
      registry.register(t, 'gone')
      lanes2.setTimerFor(32_000, t, 2)
    })()
    clock2.advance(1)
    lanes2.setTimerFor(32_000, target, 2) // due 1 ms after the first
    clock2.advance(31_999)
    gc()
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        gc()
        setImmediate(() => {
          assert.ok(collected, 'the fired target is still referenced by its lane')
          resolve()
        })
      }),
    )
  })

  test('setTimerFor: released timers are stale; a lane with no wanted timer left drops its clock timer', () => {
    for (const maxLanes of [32, 0]) {
      const clock = createManualClock()
      const lanes = createTimerLanes(clock, { maxLanes })
      // a target that wants one tag at a time, as a transaction does
      let wanted = 0
      const fired: string[] = []
      const target: TimerTarget = {
        [fireTimer]: (tag) => {
          if (tag !== wanted) return false
          wanted = 0
          fired.push(`${tag}@${clock.now()}`)
          return true
        },
      }
      wanted = 2
      let lane = lanes.setTimerFor(500, target, 2)
      // set again: the first is released and stale
      lane.release()
      wanted = 4
      lane = lanes.setTimerFor(500, target, 4)
      clock.advance(100)
      const other = lanes.setTimerFor(500, { [fireTimer]: () => true }, 2)
      clock.advance(400)
      assert.deepEqual(fired, ['4@500'])
      // the other target's timer is still wanted: the lane keeps a clock timer
      assert.equal(clock.pending, 1)
      other.release()
      assert.equal(clock.pending, 0, 'no wanted timer: no clock timer (the process may exit)')
      // stopped before it fires: nothing fires, nothing waits
      wanted = 6
      lanes.setTimerFor(500, target, 6).release()
      wanted = 0
      assert.equal(clock.pending, 0)
      clock.advance(1_000)
      assert.deepEqual(fired, ['4@500'])
      // the lane still works after being emptied
      wanted = 8
      lanes.setTimerFor(500, target, 8)
      clock.advance(500)
      assert.deepEqual(fired, ['4@500', '8@2000'])
      assert.equal(clock.pending, 0)
    }
  })

  test('past maxLanes, other durations go to the clock itself', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock, { maxLanes: 2 })
    const fired: number[] = []
    for (const ms of [10, 20, 30, 40]) lanes.setTimer(ms, () => fired.push(ms))
    assert.equal(clock.pending, 4)
    clock.advance(50)
    assert.deepEqual(fired, [10, 20, 30, 40])
  })

  test('with slack, no timer fires early, nor later than the slack of its duration', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(500, 1_000, 5_000, 32_000), fc.nat(300)), { maxLength: 40 }),
        (plan) => {
          const clock = createManualClock()
          const lanes = createTimerLanes(clock, { slack: defaultSlack })
          const late: number[] = []
          for (const [i, [ms, gap]] of plan.entries()) {
            const due = clock.now() + ms
            lanes.setTimer(ms, () => {
              const now = clock.now()
              assert.ok(now >= due, 'early')
              late[i] = now - due
            })
            clock.advance(gap)
          }
          clock.advance(40_000)
          assert.equal(late.filter((x) => x !== undefined).length, plan.length)
          // each lane waits at most its slack: 1/32 of the duration, at most 100 ms
          for (const [i, [ms]] of plan.entries()) assert.ok(late[i]! <= Math.min(100, ms / 32))
        },
      ),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })

  test('with slack, a lane of timers set every 2 ms fires once per slack, not once per timer', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock, { slack: defaultSlack })
    const times = new Set<number>()
    for (let i = 0; i < 1000; i++) {
      lanes.setTimer(5_000, () => times.add(clock.now()))
      clock.advance(2)
    }
    clock.advance(10_000)
    // 2 s of Timer K at 500 calls/s: 1000 timers, slack 100 ms -> about 20 firings, not 1000
    assert.ok(times.size <= 21, `${times.size} firings`)
    assert.equal(defaultSlack(5_000), 100)
    assert.equal(defaultSlack(500), 15)
    assert.equal(defaultSlack(20), 0)
  })
})

describe('timer lanes: cancelled timers do not pile up', () => {
  test('a long queue of mostly cancelled timers is rebuilt; the live ones still fire on time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(3)), { minLength: 1, maxLength: 6_000 }),
        fc.boolean(),
        (plan, slack) => {
          const clock = createManualClock()
          const lanes = createTimerLanes(clock, slack ? { slack: defaultSlack } : {})
          const due = new Map<number, number>()
          const fired = new Map<number, number>()
          const timers = plan.map(([keep, gap], i) => {
            due.set(i, clock.now() + 180_000)
            const t = lanes.setTimer(180_000, () => fired.set(i, clock.now()))
            clock.advance(gap)
            return { keep, t }
          })
          for (const { keep, t } of timers) if (!keep) t.cancel()
          clock.advance(200_000)
          const kept = plan.flatMap(([keep], i) => (keep ? [i] : []))
          assert.deepEqual(
            [...fired.keys()].sort((a, b) => a - b),
            kept,
          )
          for (const [i, at] of fired) {
            assert.ok(at >= due.get(i)!, 'early')
            assert.ok(at <= due.get(i)! + (slack ? 100 : 0), 'late')
          }
        },
      ),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })

  test('a lane holding stale target timers and cancelled timers: each fires right or not at all', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    const fired: number[] = []
    // one wanted target timer keeps the lane going; 5 000 released ones stay queued as stale entries
    // (only their target can tell them apart, so a rebuild of the queue keeps them)
    lanes.setTimerFor(60_000, { [fireTimer]: () => fired.push(-1) > 0 }, 2)
    const stale: TimerTarget = {
      [fireTimer]: () => {
        fired.push(-2)
        return false
      },
    }
    for (let i = 0; i < 5_000; i++) lanes.setTimerFor(60_000, stale, 2).release()
    // then 20 000 timers set and cancelled, one in 1 000 kept: many rebuilds, each keeping the 5 000
    for (let i = 0; i < 20_000; i++) {
      const t = lanes.setTimer(60_000, () => fired.push(i))
      if (i % 1_000 !== 0) t.cancel()
    }
    clock.advance(60_000)
    const kept = Array.from({ length: 20 }, (_, k) => k * 1_000)
    assert.deepEqual(
      fired.filter((x) => x !== -2),
      [-1, ...kept],
    )
    assert.equal(clock.pending, 0)
  })

  test('3 minutes of Timer C, set and cancelled 8 000 times a second, hold no cancelled timer', () => {
    const clock = createManualClock()
    const lanes = createTimerLanes(clock)
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const live = lanes.setTimer(180_000, () => {}) // a call still ringing keeps the lane going
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 200_000; i++) {
      lanes.setTimer(180_000, () => {}).cancel() // the INVITE branch got its final response
      if (i % 8 === 0) clock.advance(1)
    }
    gc()
    const held = process.memoryUsage().heapUsed - before
    assert.ok(held < 1_000_000, `${held} octets held by 200 000 cancelled timers`)
    live.cancel()
    assert.equal(clock.pending, 0)
  })
})
