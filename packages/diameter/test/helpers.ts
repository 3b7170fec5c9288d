/** Real-time helpers for the integration tests (loopback, processes, freeDiameter). */

/** `freePort`, `until` and `record` are the repository's shared test helpers. */
export { freePort, record, until } from '@junction/test-support'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export const host = (e: Record<string, unknown>) => (e['peer'] as { host: string } | undefined)?.host
