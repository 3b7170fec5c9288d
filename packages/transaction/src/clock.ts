/**
 * Time for the state machines. Every timer goes through a Clock, so that tests run the machines in
 * virtual time with {@link createManualClock} and production uses {@link systemClock}.
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

/** A Node timer as a {@link Timer}: one small object, no closure per timer. */
class SystemTimer implements Timer {
  readonly #handle: ReturnType<typeof setTimeout>
  constructor(handle: ReturnType<typeof setTimeout>) {
    this.#handle = handle
  }
  cancel(): void {
    clearTimeout(this.#handle)
  }
}

export const systemClock: Clock = {
  now: () => performance.now(),
  // whole milliseconds, rounded up: Node keeps one timer list per distinct duration, and a
  // fractional one (a lane's head due in 499.63 ms) would make a new list for nearly every timer
  setTimer: (ms, fn) => new SystemTimer(setTimeout(fn, Math.ceil(ms))),
}

/** A clock that only moves when told to: for tests of timers and retransmissions. */
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
