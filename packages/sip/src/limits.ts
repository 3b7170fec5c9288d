import { faultCodes, SipCodecError } from './errors.ts'

/**
 * Bounds on untrusted input. Every one is checked while framing and parsing; going over one is an
 * error result with its own code, never a crash and never unbounded memory.
 */
export interface Limits {
  /** Largest message, start line to end of body, in octets. */
  readonly maxMessageSize: number
  /** Most header fields (lines) in one message. */
  readonly maxHeaderCount: number
  /** Longest header field or start line, folding included, in octets. */
  readonly maxLineLength: number
  /** Most Via values (all Via fields together). */
  readonly maxViaCount: number
  /** Longest Request-URI, in octets. */
  readonly maxUriLength: number
}

export const defaultLimits: Limits = Object.freeze({
  maxMessageSize: 65536,
  maxHeaderCount: 256,
  maxLineLength: 8192,
  maxViaCount: 70,
  maxUriLength: 4096,
})

/**
 * Fills the limits not given (or given as undefined) with the defaults. A limits object is read as
 * immutable (its type is readonly): the last one given is merged once and reused while the same
 * object comes again. Throws a SipCodecError (INVALID_ARGUMENT) for a limit that is not a
 * non-negative integer: NaN would turn its check off, Infinity would leave memory unbounded.
 */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  if (limits === undefined || limits === defaultLimits) return defaultLimits
  // a transport passes the same object with every message: merged once, not once per message
  if (limits === lastGiven) return lastResolved
  const resolved: Record<keyof Limits, number> = { ...defaultLimits }
  for (const key of Object.keys(defaultLimits) as Array<keyof Limits>) {
    const value = limits[key]
    if (value === undefined) continue
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new SipCodecError(
        faultCodes.INVALID_ARGUMENT,
        `limits.${key} must be a non-negative integer, got ${String(value)}`,
      )
    }
    resolved[key] = value
  }
  lastGiven = limits
  lastResolved = resolved
  return resolved
}

let lastGiven: Partial<Limits> | undefined
let lastResolved: Limits = defaultLimits
