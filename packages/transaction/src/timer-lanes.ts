/**
 * Timer lanes: the many timers of a transaction layer have a few fixed durations (64*T1 for Timers
 * B, F, H, J, L and M; T4 for I and K; Timer D; T1 doubling up to T2 for A, E and G). Timers of
 * one duration fall due in the order they were set, so each duration gets a lane: a queue in that
 * order and one clock timer for its head. Setting a timer costs one small object and no clock
 * timer; a lane of 30 000 transactions waiting out Timer J is one clock timer.
 *
 * A cancelled timer stays in its queue (a small object) until it reaches the head, or until
 * cancelled ones are most of a long queue: then the queue is rebuilt without them (Timer C, 3
 * minutes, is set for every INVITE branch and almost always cancelled within seconds; kept to its
 * head, 8 000 calls/s would hold 1.4 million of them). A lane whose timers are all cancelled drops
 * its queue and its clock timer.
 *
 * With `slack`, a lane's clock timer may fire that much after its head is due and then fires every
 * timer due by then: timers set close together (500 calls/s leave a Timer K every 2 ms) fire in
 * one event-loop turn instead of one turn each. Never early.
 */
import type { Clock, Timer } from './clock.ts'

/** The method a {@link TimerTarget} is called by. */
export const fireTimer: unique symbol = Symbol('fireTimer')

/** An object whose timers call one of its methods: no closure per timer (see setTimerFor). */
export interface TimerTarget {
  [fireTimer](kind: number): void
}

/** A clock with lanes; `setTimerFor` calls `target[fireTimer](kind)` when due. */
export interface TimerLanes extends Clock {
  setTimerFor(ms: number, target: TimerTarget, kind: number): Timer
}

/** Below this many queued timers a lane never rebuilds its queue to drop cancelled ones. */
const COMPACT_AT = 1024

class Lane {
  /** How late its clock timer may fire (ms). */
  readonly slack: number
  constructor(slack: number) {
    this.slack = slack
  }
  /** Timers in the order set, which is the order due; `head` is the first not fired. */
  queue: LaneTimer[] = []
  head = 0
  /** Timers set and neither fired nor cancelled. */
  live = 0
  /** The clock timer for the head, if armed. */
  armed: Timer | undefined
}

class LaneTimer implements Timer {
  readonly at: number
  /** What to call: a function, or a target with the kind to tell it; undefined once fired or cancelled. */
  fn: (() => void) | TimerTarget | undefined
  readonly kind: number
  readonly lane: Lane

  constructor(at: number, fn: (() => void) | TimerTarget, kind: number, lane: Lane) {
    this.at = at
    this.fn = fn
    this.kind = kind
    this.lane = lane
  }

  cancel(): void {
    if (this.fn === undefined) return
    this.fn = undefined
    const lane = this.lane
    if (--lane.live > 0) {
      // Cancelled timers are most of a long queue: rebuild it without them. Each rebuild drops at
      // least three quarters of what it walks, so it costs O(1) per cancel, amortized. The armed
      // clock timer stays: it may fire before the new head is due, and then only re-arms.
      const waiting = lane.queue.length - lane.head
      if (waiting > COMPACT_AT && waiting > 4 * lane.live) {
        lane.queue = lane.queue.slice(lane.head).filter((t) => t.fn !== undefined)
        lane.head = 0
      }
      return
    }
    lane.armed?.cancel()
    lane.armed = undefined
    lane.queue = []
    lane.head = 0
  }
}

export interface TimerLanesOptions {
  /** Most lanes (durations); timers of other durations go to the clock directly. Default 32. */
  readonly maxLanes?: number | undefined
  /** How late a lane of timers of `ms` may fire (ms, see above). Default: never late. */
  readonly slack?: ((ms: number) => number) | undefined
}

/**
 * The slack the transaction layer gives its timers on the system clock: 1/32 of the duration, at
 * most 100 ms (a retransmission after T1 = 500 ms at most 15 ms late, Timers B, F, J, L and M of
 * 32 s at most 100 ms; Kamailio's timers tick every 62.5 ms). Below 32 ms, none.
 */
export function defaultSlack(ms: number): number {
  return Math.min(100, Math.floor(ms / 32))
}

/**
 * A clock whose timers run in lanes (one per duration, at most `maxLanes`; other durations go to
 * `clock` directly). Same interface as `clock`, and the same firing times when there is no slack.
 */
export function createTimerLanes(clock: Clock, options: TimerLanesOptions = {}): TimerLanes {
  const maxLanes = options.maxLanes ?? 32
  const slackOf = options.slack
  const lanes = new Map<number, Lane>()

  function arm(lane: Lane): void {
    const q = lane.queue
    while (lane.head < q.length && q[lane.head]!.fn === undefined) lane.head++
    if (lane.head >= q.length) {
      lane.queue = []
      lane.head = 0
      return
    }
    if (lane.head > 1024 && lane.head * 2 > q.length) {
      lane.queue = q.slice(lane.head)
      lane.head = 0
    }
    const next = lane.queue[lane.head]!
    lane.armed = clock.setTimer(Math.max(0, next.at + lane.slack - clock.now()), () => fire(lane))
  }

  function fire(lane: Lane): void {
    lane.armed = undefined
    const now = clock.now()
    try {
      const q = lane.queue
      while (lane.head < q.length && lane.queue === q) {
        const t = q[lane.head]!
        const fn = t.fn
        if (fn !== undefined && t.at > now) break
        lane.head++
        if (fn === undefined) continue
        t.fn = undefined
        lane.live--
        if (typeof fn === 'function') fn()
        else fn[fireTimer](t.kind)
      }
    } finally {
      if (lane.armed === undefined) arm(lane)
    }
  }

  function set(ms: number, fn: (() => void) | TimerTarget, kind: number): Timer {
    let lane = lanes.get(ms)
    if (lane === undefined) {
      if (lanes.size >= maxLanes)
        return clock.setTimer(ms, typeof fn === 'function' ? fn : () => fn[fireTimer](kind))
      lane = new Lane(slackOf === undefined ? 0 : Math.max(0, slackOf(ms)))
      lanes.set(ms, lane)
    }
    // whole milliseconds, rounded up (never early): a small integer is kept in the timer itself,
    // where a fractional time would be a heap number of its own, kept as long as the timer
    const timer = new LaneTimer(Math.ceil(clock.now() + Math.max(0, ms)), fn, kind, lane)
    lane.queue.push(timer)
    lane.live++
    if (lane.armed === undefined) arm(lane)
    return timer
  }

  return {
    now: () => clock.now(),
    setTimer: (ms, fn) => set(ms, fn, 0),
    setTimerFor: set,
  }
}
