/**
 * A guard against password guessing (what Kamailio's pike and OpenSIPS's ratelimit do for it, and
 * fail2ban does from logs): failed authentications are counted per source address in a fixed
 * window; a source that reaches `maxFailures` within `windowSec` is blocked for `blockSec`. The
 * route asks `isBlocked` before it authenticates and drops (or refuses) what a blocked source sends.
 *
 * Only failures that a guessing client causes count: wrong responses, unknown users, replays,
 * malformed credentials. A request without credentials (`missing`, the first leg of every
 * exchange) is normal and never counts; nor do right credentials on an expired nonce (`stale`) or
 * on a nonce that is not ours (`bad-nonce`, answered with stale=true, RFC 7616 §3.3): that is what
 * every phone behind one NAT sends after a restart of a server whose nonce secret is random
 * (counted, it blocked them all). Whatever the nonce, the response is checked against the
 * password, so a wrong one is `wrong` and counts: on a foreign nonce it is as much a guess as on
 * one of ours (the stale=true of a right one would otherwise be a free oracle). A success clears
 * nothing: the window does.
 * Several users behind one address (a NAT, an edge proxy) share its count. A source is keyed by
 * `sourceKeyOf`: an IPv6 address by its /64 (one host owns a /64, RFC 4291 §2.5.1, and could
 * otherwise take a new address for every guess), an IPv4-mapped one (`::ffff:192.0.2.1`) as its
 * IPv4 address.
 *
 * Memory is bounded: at most `maxSources` sources are tracked; past it the least recently
 * failing one is forgotten (an attacker rotating addresses gets at most that many entries).
 */
import { channel } from 'node:diagnostics_channel'
import { sourceKeyOf } from '@junction/sip'
import { AuthError, authFaultCodes } from './errors.ts'

/**
 * `{ address, source, reason }` for every failed authentication that counts (see `countedFailures`):
 * the address as given, and the source it counts for (`sourceKeyOf`).
 */
export const authFailureChannel = channel('junction:auth:failure')
/** `{ address, source, failures, untilMs }` when a source gets blocked (`address`: its last failure). */
export const authBlockChannel = channel('junction:auth:block')

/**
 * The verification failures a guessing client causes (`missing` is normal; `stale` and `bad-nonce`
 * come with right credentials).
 */
export const countedFailures: ReadonlySet<string> = new Set(['wrong', 'unknown-user', 'replay', 'malformed'])

export interface FailureGuardConfig {
  /** Failures within the window that block a source. Default 10. */
  readonly maxFailures?: number | undefined
  /** Length of the counting window, seconds. Default 60. */
  readonly windowSec?: number | undefined
  /** How long a source stays blocked, seconds. Default 300. */
  readonly blockSec?: number | undefined
  /** Most sources (addresses, IPv6 /64s) tracked at once. Default 100 000. */
  readonly maxSources?: number | undefined
}

export interface FailureGuard {
  /** True while the source of `address` (its /64 for IPv6, `sourceKeyOf`) is blocked. */
  isBlocked(address: string): boolean
  /**
   * Records the outcome of an authentication from `address`: a counted failure reason, or anything
   * else (`ok`, `missing`, ...), which changes nothing. Returns true when this failure blocked the source.
   */
  record(address: string, outcome: string): boolean
  readonly stats: {
    /** Counted failures since start. */
    readonly failures: number
    /** Times a source was blocked since start. */
    readonly blocks: number
    /** Sources blocked now. */
    readonly blockedSources: number
    /** Sources tracked now. */
    readonly trackedSources: number
  }
}

interface Entry {
  windowStart: number
  failures: number
  blockedUntil: number
}

export function createFailureGuard(
  config: FailureGuardConfig = {},
  deps: { readonly clock?: { now(): number } | undefined } = {},
): FailureGuard {
  const maxFailures = config.maxFailures ?? 10
  const windowMs = (config.windowSec ?? 60) * 1000
  const blockMs = (config.blockSec ?? 300) * 1000
  const maxSources = config.maxSources ?? 100_000
  for (const [name, v] of [
    ['maxFailures', maxFailures],
    ['windowSec', windowMs],
    ['blockSec', blockMs],
    ['maxSources', maxSources],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new AuthError(authFaultCodes.INVALID_CONFIG, `failure guard: ${name} must be positive`)
    }
  }
  const now = deps.clock === undefined ? Date.now : () => deps.clock!.now()
  // insertion order = recency of the last failure: the first key is the one to forget. One
  // iterator for the life of the map walks it oldest first from where it stopped (see
  // nonce-counts.ts: a fresh keys() per eviction steps over every deleted slot, O(n) in V8); it
  // is only asked while the map holds more than `maxSources` >= 1 entries, so it never ends.
  const sources = new Map<string, Entry>()
  const oldestFirst = sources.keys()
  let failures = 0
  let blocks = 0

  function blockedNow(e: Entry, t: number): boolean {
    return e.blockedUntil > t
  }

  return {
    isBlocked(address) {
      const source = sourceKeyOf(address)
      const e = sources.get(source)
      if (e === undefined) return false
      const t = now()
      if (blockedNow(e, t)) return true
      // a block that ended leaves no trace; a stale window too
      if (e.blockedUntil !== 0 || t - e.windowStart >= windowMs) sources.delete(source)
      return false
    },
    record(address, outcome) {
      // a success clears nothing: else one account of our own, used between guesses at another's
      // password, would keep a source's count from ever reaching the limit (the window ends counts)
      if (!countedFailures.has(outcome)) return false
      failures++
      const source = sourceKeyOf(address)
      if (authFailureChannel.hasSubscribers) authFailureChannel.publish({ address, source, reason: outcome })
      const t = now()
      let e = sources.get(source)
      if (e !== undefined) sources.delete(source) // re-inserted below: most recent last
      if (e === undefined || (!blockedNow(e, t) && t - e.windowStart >= windowMs)) {
        e = { windowStart: t, failures: 0, blockedUntil: 0 }
      }
      sources.set(source, e)
      if (sources.size > maxSources) {
        const oldest = oldestFirst.next().value
        if (oldest !== undefined) sources.delete(oldest)
      }
      if (blockedNow(e, t)) return false
      e.failures++
      if (e.failures < maxFailures) return false
      e.blockedUntil = t + blockMs
      blocks++
      if (authBlockChannel.hasSubscribers) {
        authBlockChannel.publish({ address, source, failures: e.failures, untilMs: e.blockedUntil })
      }
      return true
    },
    stats: {
      get failures() {
        return failures
      },
      get blocks() {
        return blocks
      },
      get blockedSources() {
        const t = now()
        let n = 0
        for (const e of sources.values()) if (blockedNow(e, t)) n++
        return n
      },
      get trackedSources() {
        return sources.size
      },
    },
  }
}
