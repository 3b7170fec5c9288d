/**
 * Duplicate detection of requests (RFC 6733 §5.5.4, §6.1.9 Hop-by-Hop/End-to-End): a request
 * retransmitted after a failover carries the T flag and the End-to-End Identifier of the original;
 * the receiver recognises it by End-to-End Identifier and Origin-Host, and answers it with the
 * answer it gave (or is about to give) the original, instead of processing it twice.
 *
 * Every answered request is remembered, for a bounded time, up to a bounded number of entries and
 * of octets (the oldest go first), as the encoded answer; a duplicate that arrives while the
 * original is still being handled waits for its answer. The peer controls what is kept (its
 * requests' count, and through Session-Id and Proxy-Info, which an answer echoes, their size), so
 * every dimension is bounded: entries (`size`), octets of answers (`maxBytes`), and duplicates
 * waiting for one original (`maxWaiters`: past it the oldest waiter gets no answer, as its
 * retransmission was superseded by the later ones).
 */
import type { Clock } from './clock.ts'

export interface DuplicateOptions {
  /** Entries kept at most. Default 4096. */
  readonly size?: number
  /** How long an answer is kept, in ms. Default 240000 (§3: End-to-End ids are unique for 4 minutes). */
  readonly ttl?: number
  /** Octets of encoded answers kept at most. Default 16 MiB. */
  readonly maxBytes?: number
  /** Duplicates waiting for the answer of one original, at most. Default 8. */
  readonly maxWaiters?: number
}

export const defaultDuplicateOptions = Object.freeze({
  size: 4096,
  ttl: 240_000,
  maxBytes: 16 << 20,
  maxWaiters: 8,
})

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
  /**
   * The original's answer (or undefined: none will come). With `keep` false the waiting duplicates
   * get it but it is not kept: a later retransmission is handled anew (an answer to a request
   * refused for a passing reason, 3004 DIAMETER_TOO_BUSY).
   */
  complete(originHost: string, endToEnd: number, answer: Uint8Array | undefined, keep?: boolean): void
  readonly size: number
  /** Octets of the answers kept. */
  readonly bytes: number
}

export function createDuplicateCache(options: DuplicateOptions | undefined, clock: Clock): DuplicateCache {
  const max = options?.size ?? defaultDuplicateOptions.size
  const ttl = options?.ttl ?? defaultDuplicateOptions.ttl
  const maxBytes = options?.maxBytes ?? defaultDuplicateOptions.maxBytes
  const maxWaiters = Math.max(1, options?.maxWaiters ?? defaultDuplicateOptions.maxWaiters)
  /** Insertion order is age order. */
  const entries = new Map<string, Entry>()
  /** Octets of the answers kept. */
  let bytes = 0

  const remove = (key: string, e: Entry) => {
    entries.delete(key)
    if (e.answer !== undefined) bytes -= e.answer.length
  }

  const expire = (now: number) => {
    for (const [key, e] of entries) {
      if (now - e.at < ttl && entries.size <= max && bytes <= maxBytes) break
      if (e.waiters !== undefined) {
        const waiters = e.waiters
        e.waiters = undefined
        for (const w of waiters) w(e.answer)
      }
      remove(key, e)
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
          // the oldest waiter goes without an answer: a later retransmission superseded it
          if (e.waiters.length >= maxWaiters) e.waiters.shift()!(undefined)
          e.waiters.push(resolve)
        })
      }
      // a request without the T flag is new, even with a known pair (§5.5.4 asks only for T)
      if (e !== undefined) remove(key, e)
      entries.set(key, { at: now, answer: undefined, waiters: undefined })
      if (entries.size > max) expire(now)
      return undefined
    },
    complete(originHost, endToEnd, answer, keep = true) {
      const key = `${endToEnd}|${originHost.toLowerCase()}`
      const e = entries.get(key)
      if (e === undefined) return
      if (e.answer !== undefined) bytes -= e.answer.length
      e.answer = undefined
      const waiters = e.waiters
      e.waiters = undefined
      if (answer === undefined || !keep) entries.delete(key)
      else {
        e.answer = answer
        bytes += answer.length
      }
      if (waiters !== undefined) for (const w of waiters) w(answer)
      if (bytes > maxBytes) expire(clock.now())
    },
    get size() {
      return entries.size
    },
    get bytes() {
      return bytes
    },
  }
}
