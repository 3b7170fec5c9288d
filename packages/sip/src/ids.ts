/**
 * Identifiers with enough randomness to be unique over space and time: branch (RFC 3261 §8.1.1.7,
 * with the magic cookie `z9hG4bK`), tags (§19.3, at least 32 random bits) and Call-IDs (§8.1.1.4).
 * Random octets come from the system CSPRNG, drawn from a pool to keep the hot path cheap.
 */
import { randomFillSync } from 'node:crypto'

/** The RFC 3261 branch prefix (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK'

// 64 token characters, so every 6 random bits give one char and every id is a valid token.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const pool = new Uint8Array(4096)
let poolPos = pool.length

function randomToken(length: number): string {
  if (poolPos + length > pool.length) {
    randomFillSync(pool)
    poolPos = 0
  }
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[pool[poolPos + i]! & 63]
  poolPos += length
  return out
}

/** A new branch: `z9hG4bK` + 22 random chars (132 bits). */
export function generateBranch(): string {
  return MAGIC_COOKIE + randomToken(22)
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
