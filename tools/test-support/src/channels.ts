/** What a package publishes on its diagnostics channels, recorded for assertions. */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'

/** Records the messages of a diagnostics channel (each with `at`, performance.now()) until `stop()`. */
export function record(name: string) {
  const events: Record<string, unknown>[] = []
  const fn = (m: unknown) => events.push({ ...(m as Record<string, unknown>), at: performance.now() })
  subscribe(name, fn)
  return { events, stop: () => unsubscribe(name, fn) }
}
