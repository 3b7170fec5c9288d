/** Real-time helpers for the integration tests (loopback, processes, freeDiameter). */
import { createServer } from 'node:net'

/** `until` and `record` are the repository's shared test helpers. */
export { record, until } from '@junction/test-support'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

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
