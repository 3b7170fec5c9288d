/**
 * Timer values, RFC 3261 §17 Table 4 and RFC 6026 §8 (Timers L and M).
 */

export interface TimerSettings {
  /** RTT estimate, default 500 ms (§17.1.1.1). */
  readonly t1: number
  /** Longest retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly t2: number
  /** Longest time a message stays in the network, default 5 s. */
  readonly t4: number
  /** Timer D, the INVITE client's wait for response retransmissions over UDP: > 32 s (§17.1.1.2). */
  readonly d: number
}

export const defaultTimers: TimerSettings = Object.freeze({ t1: 500, t2: 4000, t4: 5000, d: 32000 })

export function resolveTimers(settings: Partial<TimerSettings> | undefined): TimerSettings {
  return settings === undefined ? defaultTimers : { ...defaultTimers, ...settings }
}

/** 64*T1: Timers B, F, H, J, L and M (§17, RFC 6026 §8). */
export function timeout64(t: TimerSettings): number {
  return 64 * t.t1
}
