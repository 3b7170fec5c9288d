/**
 * The live transactions of a layer by matching key (§17.1.3, §17.2.3): an open-addressing hash
 * table whose probes read an Int32Array of key hashes.
 *
 * Under load a layer holds 10^5 to 10^6 transactions, most of them waiting out 32 s timers (J, L,
 * M), and almost every request it receives is new: a lookup that misses. A Map with string keys
 * walks a bucket chain on a miss and reads every candidate key string on the way (a cache miss
 * each, in a table of that size). Here a miss reads a run of adjacent hashes, most often one cache
 * line, and a transaction is read only when its hash equals the key's.
 *
 * Keys come from the network (a Via branch and sent-by), so the hash is keyed with a secret random
 * seed per table, as V8 seeds its own string hashes: nobody outside can choose keys that collide.
 * Should a probe run grow long all the same, the table takes a new seed and rehashes.
 *
 * Hashing reads every character of the key, which flattens a key concatenated from pieces of a
 * message: the table keeps nothing of the message text alive for as long as the transaction.
 */
import { getRandomValues } from 'node:crypto'

/** What the table holds: anything with a matching key that does not change. */
export interface Keyed {
  readonly key: string
}

const EMPTY = 0
const DELETED = 1
const MIN_CAPACITY = 1024
/**
 * A probe run this long (at most half the slots in use, random hashes: about one in 10^9 lookups)
 * means colliding keys: new seed.
 */
const LONG_RUN = 64

/**
 * FNV-1a over the key's UTF-16 code units from a seeded state, then murmur3's 32-bit finalizer.
 * Every step is a bijection of the state, so which keys collide depends on the seed. Never EMPTY
 * or DELETED.
 */
export function hashKey(key: string, seed: number): number {
  let h = seed ^ 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h === EMPTY || h === DELETED ? h + 2 : h
}

function randomSeed(): number {
  return getRandomValues(new Int32Array(1))[0]!
}

export class TransactionTable<T extends Keyed> {
  /** Per slot: EMPTY, DELETED, or the hash of the key of the transaction in that slot. */
  #hashes = new Int32Array(MIN_CAPACITY)
  #slots: Array<T | undefined> = new Array<T | undefined>(MIN_CAPACITY).fill(undefined)
  #mask = MIN_CAPACITY - 1
  #size = 0
  /** Slots that are not EMPTY (live and DELETED): at most half of them, so probe runs stay short. */
  #used = 0
  #seed: number
  /** Set when a probe ran LONG_RUN slots: the next add takes a new seed. */
  #collided = false
  /** The key `get` hashed last and its hash: `add` follows a `get` of the same key. */
  #lastKey = ''
  #lastHash: number

  /** `seed` is for tests; a table makes its own secret one. */
  constructor(seed: number = randomSeed()) {
    this.#seed = seed
    this.#lastHash = hashKey('', seed)
  }

  get size(): number {
    return this.#size
  }

  /** @internal The current seed (tests: a new one after colliding keys). */
  get seed(): number {
    return this.#seed
  }

  get(key: string): T | undefined {
    const h = hashKey(key, this.#seed)
    this.#lastKey = key
    this.#lastHash = h
    const hashes = this.#hashes
    const mask = this.#mask
    const start = h & mask
    for (let i = start; ; i = (i + 1) & mask) {
      const at = hashes[i]!
      if (at === EMPTY) {
        if (((i - start) & mask) >= LONG_RUN) this.#collided = true
        return undefined
      }
      if (at === h) {
        const tx = this.#slots[i]!
        if (tx.key === key) return tx
      }
    }
  }

  /**
   * Adds a transaction whose key is not in the table: the caller looked it up first, with the
   * very string the transaction keeps, which that lookup hashed (and so flattened) already.
   */
  add(tx: T): void {
    if (this.#collided) this.#rehash(randomSeed())
    else if ((this.#used + 1) * 2 > this.#hashes.length) this.#rehash(this.#seed)
    const h = tx.key === this.#lastKey ? this.#lastHash : hashKey(tx.key, this.#seed)
    if (this.#put(tx, h) >= LONG_RUN) this.#collided = true
  }

  /** Puts `tx` in the first free slot of its run; returns how far that was from the start. */
  #put(tx: T, h: number): number {
    const hashes = this.#hashes
    const mask = this.#mask
    const start = h & mask
    let i = start
    while (hashes[i] !== EMPTY && hashes[i] !== DELETED) i = (i + 1) & mask
    if (hashes[i] === EMPTY) this.#used++
    hashes[i] = h
    this.#slots[i] = tx
    this.#size++
    return (i - start) & mask
  }

  /** Removes this very transaction; false if it is not in the table. */
  delete(tx: T): boolean {
    const h = hashKey(tx.key, this.#seed)
    const hashes = this.#hashes
    const mask = this.#mask
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = hashes[i]!
      if (at === EMPTY) return false
      if (at === h && this.#slots[i] === tx) {
        hashes[i] = DELETED
        this.#slots[i] = undefined
        this.#size--
        return true
      }
    }
  }

  values(): T[] {
    return this.#slots.filter((tx) => tx !== undefined)
  }

  /**
   * Builds the table anew without DELETED slots, at most 40 % full (so it grows and shrinks); with
   * a new seed every key is hashed again, else the stored hashes are kept.
   */
  #rehash(seed: number): void {
    let capacity = MIN_CAPACITY
    while (capacity * 2 < (this.#size + 1) * 5) capacity *= 2
    const old = this.#slots
    const oldHashes = this.#hashes
    const reseed = seed !== this.#seed
    this.#seed = seed
    this.#collided = false
    this.#lastKey = ''
    this.#lastHash = hashKey('', seed)
    this.#hashes = new Int32Array(capacity)
    this.#slots = new Array<T | undefined>(capacity).fill(undefined)
    this.#mask = capacity - 1
    this.#size = 0
    this.#used = 0
    for (let i = 0; i < old.length; i++) {
      const tx = old[i]
      if (tx !== undefined) this.#put(tx, reseed ? hashKey(tx.key, seed) : oldHashes[i]!)
    }
  }
}
