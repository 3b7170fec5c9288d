/** Real-time helpers for the integration tests (loopback, processes, freeDiameter). */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createServer } from 'node:net'

/** Polls `cond` every 10 ms until it holds; rejects after `timeout` ms. */
export async function until(cond: () => boolean, timeout: number, what = 'condition'): Promise<void> {
  const start = performance.now()
  while (!cond()) {
    if (performance.now() - start > timeout)
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Records the messages of a diagnostics channel until `stop()`. */
export function record(name: string) {
  const events: Record<string, unknown>[] = []
  const fn = (m: unknown) => events.push({ ...(m as Record<string, unknown>), at: performance.now() })
  subscribe(name, fn)
  return { events, stop: () => unsubscribe(name, fn) }
}

/** A TCP port free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export const host = (e: Record<string, unknown>) => (e['peer'] as { host: string } | undefined)?.host
