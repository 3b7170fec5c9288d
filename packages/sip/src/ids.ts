/**
 * Identifiers with enough randomness to be unique over space and time: branch (RFC 3261 §8.1.1.7,
 * with the magic cookie `z9hG4bK`), tags (§19.3, at least 32 random bits) and Call-IDs (§8.1.1.4).
 * Random octets come from the system CSPRNG, drawn from a pool to keep the hot path cheap.
 */
import { Buffer } from 'node:buffer'
import { randomFillSync } from 'node:crypto'

/** The RFC 3261 branch prefix (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK'

// 64 token characters, so every 6 random bits give one char and every id is a valid token.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const codes = Uint8Array.from(alphabet, (c) => c.charCodeAt(0))
const pool = new Uint8Array(4096)
let poolPos = pool.length

/** Node's Buffer reads latin1 text without the argument handling of `toString()`. */
interface Latin1Readable {
  latin1Slice(start: number, end: number): string
}
// An id is spelled here, after a prefix, then read as one string (no concatenation per char).
const spell = Buffer.alloc(64)
const spellText = spell as unknown as Latin1Readable
const cookie = Buffer.from(MAGIC_COOKIE, 'latin1')

/** `length` random token chars, after the `at` chars already in `spell`. */
function randomToken(length: number, at = 0): string {
  if (poolPos + length > pool.length) {
    randomFillSync(pool)
    poolPos = 0
  }
  for (let i = 0; i < length; i++) spell[at + i] = codes[pool[poolPos + i]! & 63]!
  poolPos += length
  return spellText.latin1Slice(0, at + length)
}

/** A new branch: `z9hG4bK` + 22 random chars (132 bits). */
export function generateBranch(): string {
  spell.set(cookie, 0) // (tags and Call-IDs are spelled over it)
  return randomToken(22, cookie.length)
}

/** A new From/To tag: 16 random chars (96 bits). */
export function generateTag(): string {
  return randomToken(16)
}

/** A new Call-ID: 22 random chars (132 bits), `@host` appended when given. */
export function generateCallId(host?: string): string {
  const id = randomToken(22)
  return host === undefined ? id : `${id}@${host}`
}
