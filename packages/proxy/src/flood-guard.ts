/**
 * Flood protection, the way Kamailio's pike module is used: requests are counted per source (an
 * IPv4 address or an IPv6 /64, `sourceKeyOf` of @junction/sip); a source that sends more than
 * `maxRequests` in `windowSec` is blocked for `blockSec`, and a route drops what it sends meanwhile
 * (no answer: an answer is what a flood wants). A blocked source is still counted: one that passes
 * the limit again while blocked is blocked for `blockSec` from then, so a flood is held off until
 * it stops (pike's "hot" state), while a source that calms down is let go when its block ends.
 * Blocks are published on `junction:proxy:flood-block` (`{ address, source, untilMs }`; not their
 * extensions).
 *
 * The rate is a sliding window, estimated from fixed windows the way rate limiters commonly do it
 * (the "sliding window counter"): with `current` requests in the window that began at `start` and
 * `previous` in the one before, the estimate at `t` is
 * `current + previous * (1 - (t - start) / window)`, and a source whose estimate passes
 * `maxRequests` is blocked. A burst that straddles a window boundary therefore counts as one
 * burst (with fixed windows alone, `maxRequests` at the end of one window and `maxRequests` at the
 * start of the next passed: twice the limit in a moment), and a source quiet for a window gets
 * its budget back; one idle for two whole windows is at 0. The estimate assumes the previous
 * window's requests were spread evenly over it, so it can be off by up to `previous` either way for
 * a source that sent them in a burst; never more than one window's worth.
 *
 * Memory is bounded, so that a flood from many sources (spoofed UDP, the 65 536 /64s of one IPv6
 * /48) cannot grow it or wash blocks out:
 * - Counts are kept in two generations, the current window's and the previous one's, that rotate
 *   when a window ends (when more than one ended, both start empty): a source idle for two windows
 *   is forgotten without a sweep. When the current window already counts `maxSources` sources, a
 *   source new to it is admitted without being counted until the window ends (the sources already
 *   counted stay counted and are still blocked when they pass the limit; a flood from that many
 *   sources is beyond a per-source limit anyway).
 * - Blocked sources are kept apart (source -> end of the block), so that no number of new sources
 *   can make the guard forget them. At most `maxSources` blocks are kept: past it, the block that
 *   ends first is forgotten. Every block lasts `blockSec`, so the order blocks were made in is the
 *   order they end in; ended blocks are dropped from the front when a block is made or the stats
 *   are read, and a blocked source found with its block ended is let through again.
 *
 * So at most 2 x `maxSources` counts and `maxSources` blocks are kept, and a request costs a few Map
 * operations. A clock that goes back starts the current window again then (blocks made before run
 * to the end they were given).
 */
import { sourceKeyOf } from '@junction/sip'
import { proxyFloodBlock } from './channels.ts'

export interface FloodGuardOptions {
  /** Requests a source may send in one window (estimated over a sliding window). Default 100. */
  readonly maxRequests?: number | undefined
  /** The window, seconds. Default 2. */
  readonly windowSec?: number | undefined
  /** How long a source that sent too many stays blocked, seconds. Default 60. */
  readonly blockSec?: number | undefined
  /**
   * Sources counted in one window at most (more are admitted uncounted until the window ends), and
   * blocks kept at most (past it the block that ends first is forgotten). Default 100 000.
   */
  readonly maxSources?: number | undefined
}

export interface FloodGuardStats {
  /** Sources counted in the current window or the previous one (each source once). */
  readonly sources: number
  /** Sources blocked now. */
  readonly blocked: number
  /** Blocks since start. */
  readonly blocks: number
}

export interface FloodGuard {
  /** Counts a request from `address`: false when its source is blocked (drop the request). */
  admit(address: string): boolean
  readonly stats: FloodGuardStats
}

export function createFloodGuard(
  options: FloodGuardOptions = {},
  clock: { now(): number } = Date,
): FloodGuard {
  const maxRequests = options.maxRequests ?? 100
  const windowMs = (options.windowSec ?? 2) * 1000
  const blockMs = (options.blockSec ?? 60) * 1000
  const maxSources = options.maxSources ?? 100_000
  /** Requests per source in the window that began at `start`, and in the one before it. */
  let current = new Map<string, number>()
  let previous = new Map<string, number>()
  let start = clock.now()
  /** Source -> end of its block, in the order made (= the order they end). */
  const blocked = new Map<string, number>()
  let blocks = 0

  /** Moves the windows on to the one `now` falls in. */
  const rotate = (now: number): void => {
    const elapsed = now - start
    if (elapsed < windowMs) {
      if (elapsed < 0) start = now // the clock went back
      return
    }
    if (elapsed < 2 * windowMs) {
      const emptied = previous
      previous = current
      current = emptied
      current.clear()
    } else {
      current.clear()
      previous.clear()
    }
    start = windowMs > 0 ? start + Math.floor(elapsed / windowMs) * windowMs : now
  }

  /** Forgets the blocks that ended by `now` (they are at the front). */
  const purge = (now: number): void => {
    for (const [key, until] of blocked) {
      if (until > now) return
      blocked.delete(key)
    }
  }

  return {
    admit(address) {
      const now = clock.now()
      const key = sourceKeyOf(address)
      let until = blocked.get(key)
      if (until !== undefined && until <= now) {
        blocked.delete(key)
        until = undefined
      }
      rotate(now)
      const counted = current.get(key)
      // uncounted this window (a blocked source stays blocked)
      if (counted === undefined && current.size >= maxSources) return until === undefined
      const count = (counted ?? 0) + 1
      current.set(key, count)
      const before = previous.size === 0 ? undefined : previous.get(key)
      // estimate <= maxRequests, multiplied out by the window: exact in integers (a fraction such
      // as 1 - 1000/3000 rounds, and an even rate just under the limit read 31.000000000000004)
      if (
        before === undefined
          ? count <= maxRequests
          : count * windowMs + before * (windowMs - (now - start)) <= maxRequests * windowMs
      )
        return until === undefined
      current.delete(key)
      previous.delete(key)
      if (until !== undefined) {
        // still flooding while blocked: the block runs blockSec from now (moved to the end of
        // the order, which stays the order blocks end in)
        blocked.delete(key)
        blocked.set(key, now + blockMs)
        return false
      }
      purge(now)
      if (blocked.size >= maxSources) {
        const first = blocked.keys().next().value
        if (first !== undefined) blocked.delete(first)
      }
      const untilMs = now + blockMs
      blocked.set(key, untilMs)
      blocks++
      if (proxyFloodBlock.hasSubscribers) proxyFloodBlock.publish({ address, source: key, untilMs })
      return false
    },
    get stats() {
      const now = clock.now()
      rotate(now)
      purge(now)
      let sources = current.size
      for (const key of previous.keys()) if (!current.has(key)) sources++
      return { sources, blocked: blocked.size, blocks }
    },
  }
}
