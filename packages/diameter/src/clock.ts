/**
 * Time for the peer layer. Every timer (Tw of RFC 3539 §3.4.1, Tc of RFC 6733 §2.1 and §12, the
 * capabilities-exchange and DPA waits, request timeouts, duplicate-cache expiry) goes through a
 * Clock, so that tests run the state machines in virtual time with {@link createManualClock} and
 * production uses {@link systemClock}. The same shape as `@junction/transaction`'s Clock (a clock
 * made for one works for the other), defined here because siblings never import siblings.
 */

export interface Timer {
  cancel(): void
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number
  /** Calls `fn` once after `ms` milliseconds, unless cancelled. */
  setTimer(ms: number, fn: () => void): Timer
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, ms)
    return { cancel: () => clearTimeout(handle) }
  },
}

/** A clock that only moves when told to: for tests of watchdogs, back-off and timeouts. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void
  /** Timers not yet fired or cancelled. */
  readonly pending: number
}

interface Entry {
  at: number
  seq: number
  fn: (() => void) | undefined
}

export function createManualClock(start = 0): ManualClock {
  let now = start
  let seq = 0
  let entries: Entry[] = []
  return {
    now: () => now,
    setTimer(ms, fn) {
      const entry: Entry = { at: now + Math.max(0, ms), seq: seq++, fn }
      entries.push(entry)
      return {
        cancel() {
          entry.fn = undefined
        },
      }
    },
    advance(ms) {
      const target = now + ms
      for (;;) {
        entries = entries.filter((e) => e.fn !== undefined)
        let next: Entry | undefined
        for (const e of entries) {
          if (
            e.at <= target &&
            (next === undefined || e.at < next.at || (e.at === next.at && e.seq < next.seq))
          )
            next = e
        }
        if (next === undefined) break
        now = next.at
        const fn = next.fn!
        next.fn = undefined
        fn()
      }
      now = target
    },
    get pending() {
      return entries.filter((e) => e.fn !== undefined).length
    },
  }
}
