/** Results of a final response: success below 300, else a SIP failure (exit code 1). */
import type { Outcome } from '@junction/ua'
import type { ClientEvent, RunResult } from './agent.ts'
import { exitCodes } from './errors.ts'

/** The event of a final response (with the code when the UA made it: timeout, transport, ...). */
export function responseEvent(
  method: string,
  outcome: Outcome,
  extra: Record<string, unknown> = {},
): ClientEvent {
  return {
    event: 'response',
    method,
    status: outcome.response.status,
    reason: outcome.response.reason,
    ...(outcome.local === undefined ? {} : { code: outcome.local.code, detail: outcome.local.reason }),
    ...extra,
  }
}

export function resultOf(outcome: Outcome): RunResult {
  const status = outcome.response.status
  const ok = status < 300
  return {
    ok,
    exitCode: ok ? exitCodes.OK : exitCodes.SIP_FAILURE,
    status,
    reason: outcome.local?.reason ?? outcome.response.reason,
    ...(outcome.local === undefined ? {} : { code: outcome.local.code }),
  }
}
