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
 * Fills the limits not given with the defaults. A limits object is read as immutable (its type is
 * readonly): the last one given is merged once and reused while the same object comes again.
 */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  if (limits === undefined || limits === defaultLimits) return defaultLimits
  // a transport passes the same object with every message: merged once, not once per message
  if (limits === lastGiven) return lastResolved
  const resolved = { ...defaultLimits, ...limits }
  lastGiven = limits
  lastResolved = resolved
  return resolved
}

let lastGiven: Partial<Limits> | undefined
let lastResolved: Limits = defaultLimits
