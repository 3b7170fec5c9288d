/**
 * Bounds on untrusted input. Every one is checked while framing and decoding; going over one is an
 * error result with its own code, never a crash, a hang or unbounded memory.
 */
export interface Limits {
  /** Largest message (Message Length), header included, in octets. */
  readonly maxMessageSize: number
  /** Most AVPs in one message, the AVPs inside grouped AVPs included. */
  readonly maxAvpCount: number
  /** Deepest nesting of grouped AVPs (a top-level AVP is at depth 1). */
  readonly maxDepth: number
}

export const defaultLimits: Limits = Object.freeze({
  maxMessageSize: 262144,
  maxAvpCount: 2048,
  maxDepth: 8,
})

/** Fills the limits not given with the defaults. */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  if (limits === undefined || limits === defaultLimits) return defaultLimits
  const { maxMessageSize, maxAvpCount, maxDepth } = limits
  if (maxMessageSize === undefined && maxAvpCount === undefined && maxDepth === undefined)
    return defaultLimits
  return {
    maxMessageSize: maxMessageSize ?? defaultLimits.maxMessageSize,
    maxAvpCount: maxAvpCount ?? defaultLimits.maxAvpCount,
    maxDepth: maxDepth ?? defaultLimits.maxDepth,
  }
}
