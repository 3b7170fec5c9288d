/**
 * Stateless server nonces (RFC 7616 §3.3, §5.4; RFC 3261 §22.4). A nonce carries the time it was
 * issued and random octets, signed with HMAC-SHA256 under a secret and bound to the realm:
 *
 *   base64url( version(1) | issued-at ms (6) | random (9) | HMAC-SHA256(key, first 16 octets | realm)[0..16] )
 *
 * Any instance holding the same secret recognises the nonces of the others, with no shared state;
 * a nonce older than the lifetime is stale (the client retries with a fresh one, without asking
 * its user, RFC 7616 §3.3 `stale`).
 */
import { Buffer } from 'node:buffer'
import { createHmac, hash, randomFillSync, timingSafeEqual } from 'node:crypto'

const VERSION = 1
const HEAD = 16
const MAC = 16
const LENGTH = HEAD + MAC
/** A nonce from up to this far in the future is accepted (clocks of instances differ a little). */
const SKEW_MS = 60_000

export type NonceCheck =
  | {
      readonly ok: true
      readonly issuedAt: number
      readonly expired: boolean
      /**
       * A number that tells this nonce from the others (48 bits of its MAC), to track it by
       * (nc counts) without hashing or keeping its text; two nonces share one by chance only
       * (about 1 in 2^48 per pair).
       */
      readonly id: number
    }
  | { readonly ok: false }

export interface NonceIssuer {
  /** A fresh nonce. */
  issue(): string
  /** Whether `nonce` was issued under this secret and realm, when, and whether it has expired. */
  check(nonce: string): NonceCheck
}

export interface NonceIssuerOptions {
  readonly secret: string | Uint8Array
  readonly realm: string
  /** Seconds a nonce stays fresh. */
  readonly lifetimeSec: number
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

export function createNonceIssuer(options: NonceIssuerOptions): NonceIssuer {
  const key = createHmac(
    'sha256',
    typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret,
  )
    .update('junction-auth nonce key')
    .digest()
  const realm = Buffer.from(options.realm, 'utf8')
  const lifetimeMs = options.lifetimeSec * 1000
  const { now } = options

  // HMAC-SHA256 (RFC 2104) with the padded keys computed once: H(K^opad | H(K^ipad | head | realm)).
  // Two one-shot hashes over buffers made up front cost a fraction of a createHmac per nonce
  // (which prepares a key object each time); the result is the same (tested against createHmac).
  // The digests come out as hex, decoded straight into the next buffer: on Node 24 a one-shot
  // hash answering a Buffer costs about three times as much as one answering text.
  const BLOCK = 64
  const inner = Buffer.alloc(BLOCK + HEAD + realm.length)
  const outer = Buffer.alloc(BLOCK + 32)
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = (key[i] ?? 0) ^ 0x36
    outer[i] = (key[i] ?? 0) ^ 0x5c
  }
  realm.copy(inner, BLOCK + HEAD)

  /** Writes the MAC of `out`'s first HEAD octets over its next MAC octets. */
  function sign(out: Buffer): void {
    out.copy(inner, BLOCK, 0, HEAD)
    outer.write(hash('sha256', inner, 'hex'), BLOCK, 32, 'hex')
    out.write(hash('sha256', outer, 'hex'), HEAD, MAC, 'hex')
  }

  // random octets drawn in batches rather than one randomBytes call per nonce
  const pool = Buffer.alloc(9 * 256)
  let poolAt = pool.length
  // scratch: a nonce is built here and copied out as text; a received one is re-signed here
  const scratch = Buffer.alloc(LENGTH)

  return {
    issue() {
      const out = scratch
      out[0] = VERSION
      out.writeUIntBE(Math.max(0, Math.floor(now())), 1, 6)
      if (poolAt === pool.length) {
        randomFillSync(pool)
        poolAt = 0
      }
      pool.copy(out, 7, poolAt, poolAt + 9)
      poolAt += 9
      sign(out)
      return out.toString('base64url')
    },
    check(nonce) {
      if (nonce.length !== 43 || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { ok: false }
      const raw = Buffer.from(nonce, 'base64url')
      if (raw.length !== LENGTH || raw[0] !== VERSION) return { ok: false }
      raw.copy(scratch, 0, 0, HEAD)
      sign(scratch)
      if (!timingSafeEqual(scratch.subarray(HEAD), raw.subarray(HEAD))) return { ok: false }
      const issuedAt = raw.readUIntBE(1, 6)
      const t = now()
      if (issuedAt > t + SKEW_MS) return { ok: false }
      return { ok: true, issuedAt, expired: t - issuedAt > lifetimeMs, id: raw.readUIntBE(HEAD, 6) }
    },
  }
}
