/**
 * Wall-clock time for bindings. Binding expiry times are milliseconds since the epoch, so that
 * instances sharing a store (Redis) agree on them: `now()` must be `Date.now()`-like, not
 * monotonic. Tests pass a manual clock with the same shape (`@junction/transaction`'s
 * `createManualClock` fits).
 */

export interface Timer {
  cancel(): void
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Calls `fn` once after `ms` milliseconds, unless cancelled. */
  setTimer(ms: number, fn: () => void): Timer
}

/** `Date.now()` and `setTimeout`; its timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, ms)
    handle.unref()
    return { cancel: () => clearTimeout(handle) }
  },
}
