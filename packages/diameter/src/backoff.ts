/**
 * The reconnect schedule of a peer (RFC 6733 §2.1: a node "SHOULD periodically attempt to
 * reconnect"; Tc, the reconnect timer, is 30 s by default). Exponential backoff with jitter,
 * bounded: the delay doubles from `initialDelay` up to `maxDelay` (Tc), and each delay is drawn in
 * [delay × (1 − jitter), delay], so that peers restarting together do not reconnect in step.
 */

export interface ReconnectOptions {
  /** The delay before the second attempt, in ms (the first one is at once). Default 1000. */
  readonly initialDelay?: number
  /** The bound on the delay (Tc), in ms. Default 30000. */
  readonly maxDelay?: number
  /** Default 2. */
  readonly multiplier?: number
  /** The fraction of each delay drawn at random, in [0, 1]. Default 0.2. */
  readonly jitter?: number
  /** Attempts in a row after which the peer gives up until `start()` again. Default Infinity. */
  readonly maxAttempts?: number
}

export const defaultReconnectOptions = Object.freeze({
  initialDelay: 1_000,
  maxDelay: 30_000,
  multiplier: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
})

/**
 * The delay before reconnect attempt `attempt` (0: the first reconnect after a failure or a lost
 * connection), or undefined past `maxAttempts`. `random` is in [0, 1).
 */
export function reconnectDelay(
  attempt: number,
  options: ReconnectOptions | undefined,
  random: () => number = Math.random,
): number | undefined {
  const o = { ...defaultReconnectOptions, ...options }
  if (attempt >= o.maxAttempts) return undefined
  const base = Math.min(o.maxDelay, o.initialDelay * o.multiplier ** Math.min(attempt, 64))
  return Math.round(base * (1 - o.jitter * random()))
}
