/** `options <uri>`: OPTIONS pings (RFC 3261 §11), `repeat` times, with the round-trip time of each. */
import { performance } from 'node:perf_hooks'
import { type CommonOptions, type RunResult, withAgent } from './agent.ts'
import { exitCodes } from './errors.ts'
import { responseEvent, resultOf } from './result.ts'

export interface PingOptions extends CommonOptions {
  /** How many OPTIONS to send, one after the other (default 1). */
  readonly repeat?: number | undefined
  /** Milliseconds between two tries (default 1000). */
  readonly interval?: number | undefined
}

export interface PingResult extends RunResult {
  /** Each try: the final status and the round-trip time in ms. */
  readonly tries: readonly { readonly status: number; readonly ms: number }[]
}

export async function ping(uri: string, options: PingOptions = {}): Promise<PingResult> {
  const tries: { status: number; ms: number }[] = []
  const result = await withAgent(options, uri, async (agent) => {
    const repeat = options.repeat ?? 1
    let last: RunResult = { ok: false, exitCode: exitCodes.SIP_FAILURE }
    let failed: RunResult | undefined
    for (let i = 1; i <= repeat; i++) {
      const start = performance.now()
      const outcome = await agent.within(agent.ua.request('OPTIONS', uri))
      const ms = Math.round((performance.now() - start) * 10) / 10
      tries.push({ status: outcome.response.status, ms })
      agent.emit(responseEvent('OPTIONS', outcome, { try: i, ms }))
      last = resultOf(outcome)
      if (!last.ok) failed ??= last
      if (i < repeat) await new Promise((r) => setTimeout(r, options.interval ?? 1000))
    }
    return failed ?? last
  })
  return { ...result, tries }
}
