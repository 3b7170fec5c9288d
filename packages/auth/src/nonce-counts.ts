/**
 * Nonce-count tracking (RFC 7616 §3.4, §5.4: a server that remembers the highest nc it accepted
 * for each nonce refuses a replayed request). Bounded: a least-recently-used map of at most `max`
 * nonces. When a nonce is evicted, every nonce issued no later than it and not in the map is
 * answered "stale" from then on, so an eviction can never let a replay through; the client simply
 * gets a fresh nonce (one more round trip, under memory pressure only).
 */

export type NonceCountVerdict = 'ok' | 'replay' | 'forgotten'

export interface NonceCounts<K> {
  /**
   * Records `nc` for the nonce named `key` (issued at `issuedAt`) when it is higher than any seen
   * before. The key names the nonce: its text, or a number drawn from it (see NonceCheck `id`),
   * which is cheaper to hash and keeps no message text alive.
   */
  use(key: K, issuedAt: number, nc: number): NonceCountVerdict
  readonly size: number
}

export function createNonceCounts<K = string>(max: number): NonceCounts<K> {
  const seen = new Map<K, { nc: number; issuedAt: number }>()
  // One iterator for the life of the map, walking it oldest first from where it stopped: every
  // nonce before it has been evicted or moved to the end. A fresh `seen.entries()` per eviction
  // would step over every slot deleted since the map's last rehash (in V8, 10-40 µs per eviction
  // once 100 000 nonces are tracked); Map iterators follow deletions and later insertions (ECMA-262
  // §24.1.5.1), and this one is only asked while the map holds `max` >= 1 nonces, so it never ends.
  const oldestFirst = seen.entries()
  let floor = Number.NEGATIVE_INFINITY
  return {
    use(nonce, issuedAt, nc) {
      const entry = seen.get(nonce)
      if (entry === undefined) {
        if (issuedAt <= floor) return 'forgotten'
        if (seen.size >= max) {
          const oldest = oldestFirst.next().value
          if (oldest !== undefined) {
            seen.delete(oldest[0])
            if (oldest[1].issuedAt > floor) floor = oldest[1].issuedAt
          }
          if (issuedAt <= floor) return 'forgotten'
        }
        seen.set(nonce, { nc, issuedAt })
        return 'ok'
      }
      if (nc <= entry.nc) return 'replay'
      entry.nc = nc
      // most recently used last
      seen.delete(nonce)
      seen.set(nonce, entry)
      return 'ok'
    },
    get size() {
      return seen.size
    },
  }
}
