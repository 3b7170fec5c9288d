/**
 * Duplicate detection of requests (RFC 6733 §5.5.4, §6.1.9 Hop-by-Hop/End-to-End): a request
 * retransmitted after a failover carries the T flag and the End-to-End Identifier of the original;
 * the receiver recognises it by End-to-End Identifier and Origin-Host, and answers it with the
 * answer it gave (or is about to give) the original, instead of processing it twice.
 *
 * Every answered request is remembered, for a bounded time and up to a bounded number of entries
 * (the oldest go first), as the encoded answer; a duplicate that arrives while the original is still
 * being handled waits for its answer.
 */
import type { Clock } from './clock.ts'

export interface DuplicateOptions {
  /** Entries kept at most. Default 4096. */
  readonly size?: number
  /** How long an answer is kept, in ms. Default 240000 (§3: End-to-End ids are unique for 4 minutes). */
  readonly ttl?: number
}

export const defaultDuplicateOptions = Object.freeze({ size: 4096, ttl: 240_000 })

interface Entry {
  readonly at: number
  /** The encoded answer, once there is one. */
  answer: Uint8Array | undefined
  /** Duplicates waiting for the answer. */
  waiters: ((answer: Uint8Array | undefined) => void)[] | undefined
}

export interface DuplicateCache {
  /**
   * Records a request about to be handled. Returns undefined for a new request; for a known one,
   * a promise of the original's encoded answer (undefined if the original got none).
   */
  check(
    originHost: string,
    endToEnd: number,
    retransmitted: boolean,
  ): Promise<Uint8Array | undefined> | undefined
  /** The original's answer (or undefined: none will come). */
  complete(originHost: string, endToEnd: number, answer: Uint8Array | undefined): void
  readonly size: number
}

export function createDuplicateCache(options: DuplicateOptions | undefined, clock: Clock): DuplicateCache {
  const max = options?.size ?? defaultDuplicateOptions.size
  const ttl = options?.ttl ?? defaultDuplicateOptions.ttl
  /** Insertion order is age order. */
  const entries = new Map<string, Entry>()

  const expire = (now: number) => {
    for (const [key, e] of entries) {
      if (now - e.at < ttl && entries.size <= max) break
      if (e.waiters !== undefined) {
        for (const w of e.waiters) w(e.answer)
      }
      entries.delete(key)
    }
  }

  return {
    check(originHost, endToEnd, retransmitted) {
      const now = clock.now()
      expire(now)
      const key = `${endToEnd}|${originHost.toLowerCase()}`
      const e = entries.get(key)
      if (e !== undefined && retransmitted) {
        if (e.answer !== undefined) return Promise.resolve(e.answer)
        return new Promise((resolve) => {
          e.waiters ??= []
          e.waiters.push(resolve)
        })
      }
      // a request without the T flag is new, even with a known pair (§5.5.4 asks only for T)
      if (e !== undefined) entries.delete(key)
      entries.set(key, { at: now, answer: undefined, waiters: undefined })
      if (entries.size > max) expire(now)
      return undefined
    },
    complete(originHost, endToEnd, answer) {
      const key = `${endToEnd}|${originHost.toLowerCase()}`
      const e = entries.get(key)
      if (e === undefined) return
      e.answer = answer
      if (answer === undefined) entries.delete(key)
      const waiters = e.waiters
      e.waiters = undefined
      if (waiters !== undefined) for (const w of waiters) w(answer)
    },
    get size() {
      return entries.size
    },
  }
}
