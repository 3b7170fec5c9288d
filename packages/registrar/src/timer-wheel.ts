/**
 * A timer wheel with one-second buckets: keys are dropped into the bucket of the second they fall
 * due in, and one timer ticks once a second while any bucket is non-empty, so that a million
 * bindings cost one timer, not a million `setTimeout`s. The owner keeps the slot `schedule` returns
 * and moves its key with `unschedule` + `schedule` when the deadline changes, so a key sits in one
 * bucket at a time (or leaves it where it is when the deadline moves later, and looks again when
 * the bucket comes due).
 */
import type { Clock, Timer } from './clock.ts'

const SECOND = 1000
/** Beyond this many seconds to catch up on, walk the buckets that exist instead of every second. */
const MAX_WALK = 4096

export interface TimerWheel<K> {
  /**
   * Puts `key` in the bucket of `at` (ms since the epoch) and returns that bucket's slot; a
   * deadline already past goes in the next tick.
   */
  schedule(key: K, at: number): number
  /** The slot `schedule(key, at)` would answer now. */
  slotOf(at: number): number
  /** Takes `key` out of the bucket `slot` (a no-op when it is not there). */
  unschedule(key: K, slot: number): void
  /** Empties every bucket due at `now` and returns their keys (each once). */
  advance(now: number): K[]
  /** Keys scheduled and not yet due. */
  readonly size: number
  /** Stops the timer; buckets are kept. */
  stop(): void
}

export function createTimerWheel<K>(clock: Clock, onTick: (now: number) => void): TimerWheel<K> {
  const buckets = new Map<number, Set<K>>()
  let size = 0
  // Buckets up to and including this second have been emptied.
  let done = Math.floor(clock.now() / SECOND)
  let timer: Timer | undefined
  let stopped = false

  function arm(): void {
    if (timer !== undefined || stopped || buckets.size === 0) return
    const now = clock.now()
    timer = clock.setTimer(SECOND - (now % SECOND), () => {
      timer = undefined
      onTick(clock.now())
      arm()
    })
  }

  function take(second: number, out: Set<K>): void {
    const bucket = buckets.get(second)
    if (bucket === undefined) return
    buckets.delete(second)
    size -= bucket.size
    for (const k of bucket) out.add(k)
  }

  // due at the end of the second it falls in: processed once now >= that second's end
  const slotOf = (at: number): number => Math.max(Math.ceil(at / SECOND), done + 1)

  return {
    slotOf,
    schedule(key, at) {
      const second = slotOf(at)
      let bucket = buckets.get(second)
      if (bucket === undefined) {
        bucket = new Set()
        buckets.set(second, bucket)
      }
      if (!bucket.has(key)) {
        bucket.add(key)
        size++
      }
      arm()
      return second
    },
    unschedule(key, slot) {
      const bucket = buckets.get(slot)
      if (bucket === undefined || !bucket.delete(key)) return
      size--
      if (bucket.size === 0) buckets.delete(slot)
    },
    advance(now) {
      const target = Math.floor(now / SECOND)
      const out = new Set<K>()
      if (target <= done) return []
      if (target - done <= MAX_WALK) {
        for (let s = done + 1; s <= target; s++) take(s, out)
      } else {
        for (const s of [...buckets.keys()]) if (s <= target) take(s, out)
      }
      done = target
      return [...out]
    },
    get size() {
      return size
    },
    stop() {
      stopped = true
      timer?.cancel()
      timer = undefined
    },
  }
}
