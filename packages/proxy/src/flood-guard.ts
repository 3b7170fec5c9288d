/**
 * Flood protection, the way Kamailio's pike module is used: requests are counted per source (an
 * IPv4 address or an IPv6 /64, `sourceKeyOf` of @junction/sip) in windows of `windowSec`; a source
 * that sends more than `maxRequests` in one window is blocked for `blockSec`, and a route drops
 * what it sends meanwhile (no answer: an answer is what a flood wants). Blocks are published on
 * `junction:proxy:flood-block` (`{ address, source, untilMs }`). At most `maxSources` sources are
 * remembered, so a flood from many sources does not grow memory: past it the source first seen is
 * forgotten, blocked or not (a flood from that many sources is beyond a per-source limit anyway).
 */
import { sourceKeyOf } from '@junction/sip'
import { proxyFloodBlock } from './channels.ts'

export interface FloodGuardOptions {
  /** Requests a source may send in one window. Default 100. */
  readonly maxRequests?: number | undefined
  /** The window, seconds. Default 2. */
  readonly windowSec?: number | undefined
  /** How long a source that sent too many stays blocked, seconds. Default 60. */
  readonly blockSec?: number | undefined
  /** Sources remembered at most. Default 100 000. */
  readonly maxSources?: number | undefined
}

export interface FloodGuardStats {
  /** Sources remembered now. */
  readonly sources: number
  /** Sources blocked now (counted as they are found so: a block that ran out counts until then). */
  readonly blocked: number
  /** Blocks since start. */
  readonly blocks: number
}

export interface FloodGuard {
  /** Counts a request from `address`: false when its source is blocked (drop the request). */
  admit(address: string): boolean
  readonly stats: FloodGuardStats
}

interface Source {
  windowStart: number
  count: number
  blockedUntil: number
}

export function createFloodGuard(
  options: FloodGuardOptions = {},
  clock: { now(): number } = Date,
): FloodGuard {
  const maxRequests = options.maxRequests ?? 100
  const windowMs = (options.windowSec ?? 2) * 1000
  const blockMs = (options.blockSec ?? 60) * 1000
  const maxSources = options.maxSources ?? 100_000
  const sources = new Map<string, Source>()
  let blocks = 0

  return {
    admit(address) {
      const now = clock.now()
      const key = sourceKeyOf(address)
      let s = sources.get(key)
      if (s === undefined) {
        if (sources.size >= maxSources) {
          const oldest = sources.keys().next().value
          if (oldest !== undefined) sources.delete(oldest)
        }
        s = { windowStart: now, count: 0, blockedUntil: 0 }
        sources.set(key, s)
      }
      if (s.blockedUntil > now) return false
      if (now - s.windowStart >= windowMs) {
        s.windowStart = now
        s.count = 0
      }
      if (++s.count <= maxRequests) return true
      s.blockedUntil = now + blockMs
      s.count = 0
      blocks++
      if (proxyFloodBlock.hasSubscribers)
        proxyFloodBlock.publish({ address, source: key, untilMs: s.blockedUntil })
      return false
    },
    get stats() {
      const now = clock.now()
      let blocked = 0
      for (const s of sources.values()) if (s.blockedUntil > now) blocked++
      return { sources: sources.size, blocked, blocks }
    },
  }
}
