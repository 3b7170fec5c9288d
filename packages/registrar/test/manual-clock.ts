/** A clock that moves only when told to, for tests (same shape as the registrar's Clock). */
import type { Clock } from '../src/clock.ts'

export interface ManualClock extends Clock {
  advance(ms: number): void
  set(ms: number): void
  readonly pending: number
}

export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  function run(target: number): void {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined
      for (const e of timers) if (e[1].at <= target && (next === undefined || e[1].at < next[1].at)) next = e
      if (next === undefined) break
      timers.delete(next[0])
      now = next[1].at
      next[1].fn()
    }
    now = target
  }
  return {
    now: () => now,
    setTimer(ms, fn) {
      const id = seq++
      timers.set(id, { at: now + Math.max(0, ms), fn })
      return { cancel: () => timers.delete(id) }
    },
    advance(ms) {
      run(now + ms)
    },
    set(ms) {
      run(ms)
    },
    get pending() {
      return timers.size
    },
  }
}
