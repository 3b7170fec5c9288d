/**
 * Timer lanes: the many timers of a transaction layer have a few fixed durations (64*T1 for Timers
 * B, F, H, J, L and M; T4 for I and K; Timer D; T1 doubling up to T2 for A, E and G). Timers of
 * one duration fall due in the order they were set, so each duration gets a lane: a queue in that
 * order and one clock timer for its head. A lane of 30 000 transactions waiting out Timer J is one
 * clock timer.
 *
 * A transaction's timers (`setTimerFor`) cost no object at all: the queue holds the transaction
 * itself, with a tag it chose, and a due time in parallel arrays. There is no timer object to
 * cancel: the transaction keeps the tag of the timer it still wants and ignores any other when it
 * fires (a restarted or stopped timer is a stale tag), and tells the lane it set it in (the
 * {@link LaneHandle} `setTimerFor` returns: the lane itself, shared) that it no longer wants one,
 * so that the lane counts the timers still wanted and drops its queue and its clock timer when
 * none is left. Under load a transaction waiting out Timer J or L has only its tag in a lane,
 * where a timer object per timer (six per proxied call) was as many objects as the transactions
 * themselves for the garbage collector to mark. A stale entry keeps its target reachable until
 * the lane reaches it (at most the lane's duration) or the lane has no wanted timer left.
 *
 * `setTimer` (a function to call) still returns a {@link Timer} to cancel: a small object in the
 * queue.
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

/**
 * An object whose timers call one of its methods with the tag it set them with: no closure and no
 * object per timer (see setTimerFor). It tells a timer it still wants from a stale one by the tag,
 * and returns true when it still wanted the timer that fired.
 */
export interface TimerTarget {
  [fireTimer](tag: number): boolean
}

/** Where a target's timer waits: told when the target stops wanting it before it fires. */
export interface LaneHandle {
  /** The timer set there is no longer wanted (stopped, or set again): at most once per timer. */
  release(): void
}

/** A clock with lanes; `setTimerFor` calls `target[fireTimer](tag)` when due (a Smi tag). */
export interface TimerLanes extends Clock {
  setTimerFor(ms: number, target: TimerTarget, tag: number): LaneHandle
  /** Drops every timer and stops every clock timer (the layer closes). */
  close(): void
}

/** Below this many queued timers a lane never rebuilds its queue to drop cancelled ones. */
const COMPACT_AT = 1024

class Lane implements LaneHandle {
  /** How late its clock timer may fire (ms). */
  readonly slack: number
  constructor(slack: number) {
    this.slack = slack
  }
  /**
   * Timers in the order set, which is the order due; `head` is the first not fired. Each is a
   * {@link LaneTimer} (setTimer) or a target (setTimerFor) with its tag in `tags`; `ats` holds
   * when each falls due. Three arrays of the same length, no object per target timer.
   */
  queue: Array<LaneTimer | TimerTarget> = []
  ats: number[] = []
  tags: number[] = []
  head = 0
  /** Timers set and still wanted: neither fired, cancelled (setTimer) nor released (setTimerFor). */
  live = 0
  /** The clock timer for the head, if armed. */
  armed: Timer | undefined
  /**
   * No rebuild before the queue is this long: set after each rebuild to twice what it kept, so that
   * entries a rebuild must keep (a target's timers, stale or not, which only the target can tell
   * apart) never make rebuilds cost more than O(1) per cancel, amortized.
   */
  rebuildAt = 0

  /** Keeps the entries from `from` on for which `keep` holds. */
  rebuild(from: number, keep: (t: LaneTimer | TimerTarget) => boolean): void {
    const q: Array<LaneTimer | TimerTarget> = []
    const ats: number[] = []
    const tags: number[] = []
    for (let i = from; i < this.queue.length; i++) {
      const t = this.queue[i]!
      if (!keep(t)) continue
      q.push(t)
      ats.push(this.ats[i]!)
      tags.push(this.tags[i]!)
    }
    this.queue = q
    this.ats = ats
    this.tags = tags
    this.head = 0
    this.rebuildAt = 2 * q.length
  }

  release(): void {
    // after close() a lane is empty and forgotten: a late release changes nothing
    if (this.live <= 0 || --this.live > 0) return
    this.disarm() // no wanted timer left: whatever is queued is stale
  }

  /** Stops the clock timer and drops the queue. */
  disarm(): void {
    this.armed?.cancel()
    this.armed = undefined
    this.clear()
  }

  clear(): void {
    this.queue = []
    this.ats = []
    this.tags = []
    this.head = 0
    this.rebuildAt = 0
  }
}

/** A timer of `setTimer`: the function to call, undefined once fired or cancelled. */
class LaneTimer implements Timer {
  fn: (() => void) | undefined
  readonly lane: Lane

  constructor(fn: () => void, lane: Lane) {
    this.fn = fn
    this.lane = lane
  }

  cancel(): void {
    if (this.fn === undefined) return
    this.fn = undefined
    const lane = this.lane
    lane.release() // the last wanted timer gone: the lane disarms
    if (lane.live > 0) {
      // Cancelled timers are most of a long queue: rebuild it without them. A rebuild walks no
      // more than the queue has grown since the last one (`rebuildAt`: target timers it must keep
      // count), so it costs O(1) per cancel, amortized. The armed clock timer stays: it may fire
      // before the new head is due, and then only re-arms.
      const waiting = lane.queue.length - lane.head
      if (waiting > COMPACT_AT && waiting > 4 * lane.live && waiting > lane.rebuildAt)
        lane.rebuild(lane.head, isPending)
    }
  }
}

/** Put in place of a fired target, so that the queue does not keep it: a LaneTimer already fired. */
const done = new LaneTimer(() => {}, new Lane(0))
done.fn = undefined

/** False for a cancelled or fired LaneTimer; a target's timer may be wanted still. */
function isPending(t: LaneTimer | TimerTarget): boolean {
  return !(t instanceof LaneTimer) || t.fn !== undefined
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
  /** setTimerFor's timers past maxLanes, on the clock itself (for close). */
  const direct = new Set<Timer>()

  function arm(lane: Lane): void {
    if (lane.live <= 0) {
      lane.clear()
      return
    }
    const q = lane.queue
    while (lane.head < q.length && !isPending(q[lane.head]!)) lane.head++
    if (lane.head >= q.length) {
      lane.clear()
      return
    }
    if (lane.head > 1024 && lane.head * 2 > q.length) lane.rebuild(lane.head, () => true)
    const at = lane.ats[lane.head]!
    lane.armed = clock.setTimer(Math.max(0, at + lane.slack - clock.now()), () => fire(lane))
  }

  function fire(lane: Lane): void {
    lane.armed = undefined
    const now = clock.now()
    try {
      const q = lane.queue
      while (lane.head < q.length && lane.queue === q) {
        const i = lane.head
        const t = q[i]!
        if (t instanceof LaneTimer) {
          const fn = t.fn
          if (fn !== undefined && lane.ats[i]! > now) break
          lane.head++
          if (fn === undefined) continue // cancelled or fired
          lane.live--
          t.fn = undefined
          fn()
        } else {
          if (lane.ats[i]! > now) break
          lane.head++
          q[i] = done // the target is not kept by a fired entry
          // a stale one was not counted any more; one that throws ran (only a wanted timer runs
          // code that can throw), so it is counted fired: else `live` stays one too high for ever
          // and the lane never disarms once its last wanted timer is released
          let wanted = true
          try {
            wanted = t[fireTimer](lane.tags[i]!)
          } finally {
            if (wanted) lane.live--
          }
        }
      }
    } finally {
      if (lane.armed === undefined) arm(lane)
    }
  }

  /** The lane for timers of `ms`; undefined past `maxLanes`. */
  function laneOf(ms: number): Lane | undefined {
    let lane = lanes.get(ms)
    if (lane === undefined && lanes.size < maxLanes) {
      lane = new Lane(slackOf === undefined ? 0 : Math.max(0, slackOf(ms)))
      lanes.set(ms, lane)
    }
    return lane
  }

  function push(lane: Lane, ms: number, t: LaneTimer | TimerTarget, tag: number): void {
    lane.queue.push(t)
    // whole milliseconds, rounded up: never early, and a small integer where it fits
    lane.ats.push(Math.ceil(clock.now() + Math.max(0, ms)))
    lane.tags.push(tag)
    lane.live++
    if (lane.armed === undefined) arm(lane)
  }

  return {
    now: () => clock.now(),
    setTimer(ms, fn) {
      const lane = laneOf(ms)
      if (lane === undefined) return clock.setTimer(ms, fn)
      const timer = new LaneTimer(fn, lane)
      push(lane, ms, timer, 0)
      return timer
    },
    setTimerFor(ms, target, tag) {
      const lane = laneOf(ms)
      if (lane !== undefined) {
        push(lane, ms, target, tag)
        return lane
      }
      const timer = clock.setTimer(ms, () => {
        direct.delete(timer)
        target[fireTimer](tag)
      })
      direct.add(timer)
      return {
        release() {
          direct.delete(timer)
          timer.cancel()
        },
      }
    },
    close() {
      for (const lane of lanes.values()) {
        lane.live = 0
        lane.disarm()
      }
      lanes.clear()
      for (const t of direct) t.cancel()
      direct.clear()
    },
  }
}
