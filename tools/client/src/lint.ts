/**
 * `lint <file...>`: each file parsed with `@junction/sip` as received octets (never as text), then
 * checked as a server would (`validateRequest`: 400, 416, 420, 505; `validateResponse`: drop).
 */
import { readFile } from 'node:fs/promises'
import { parseMessage, validateRequest, validateResponse } from '@junction/sip'
import type { ClientEvent, RunResult } from './agent.ts'
import { ClientError, clientErrorCodes, exitCodes } from './errors.ts'

export interface LintVerdict {
  readonly file: string
  readonly valid: boolean
  /** `request` or `response` when the start line could be read. */
  readonly kind?: 'request' | 'response' | undefined
  readonly method?: string | undefined
  /** What a server answers a request that is not valid; undefined: drop it (a response, or unreadable fields). */
  readonly status?: number | undefined
  readonly reason?: string | undefined
  /** The parse error code, when it did not parse. */
  readonly code?: string | undefined
}

export interface LintOptions {
  /** Check as a proxy (Proxy-Require, §16.3) or a UAS (Require, §8.2.2.3). Default proxy. */
  readonly role?: 'proxy' | 'uas' | undefined
  readonly onEvent?: ((event: ClientEvent) => void) | undefined
}

export function lintMessage(file: string, bytes: Uint8Array, role: 'proxy' | 'uas' = 'proxy'): LintVerdict {
  const r = parseMessage(bytes)
  if (!r.ok) {
    const { code, reason, status } = r.error
    return { file, valid: false, code, reason, ...(status === undefined ? {} : { status }) }
  }
  const m = r.message
  if (m.kind === 'response') {
    const check = validateResponse(m)
    return check.ok
      ? { file, valid: true, kind: 'response' }
      : { file, valid: false, kind: 'response', reason: check.reason }
  }
  const check = validateRequest(m, { role })
  if (check.ok) return { file, valid: true, kind: 'request', method: m.method }
  return { file, valid: false, kind: 'request', method: m.method, status: check.status, reason: check.reason }
}

export async function lint(
  files: readonly string[],
  options: LintOptions = {},
): Promise<RunResult & { verdicts: LintVerdict[] }> {
  const verdicts: LintVerdict[] = []
  for (const file of files) {
    let bytes: Uint8Array
    try {
      bytes = await readFile(file)
    } catch (e) {
      throw new ClientError(clientErrorCodes.FILE, `cannot read ${file}: ${(e as Error).message}`)
    }
    const v = lintMessage(file, bytes, options.role)
    verdicts.push(v)
    options.onEvent?.({ event: 'lint', ...v })
  }
  const ok = verdicts.every((v) => v.valid)
  return { ok, exitCode: ok ? exitCodes.OK : exitCodes.SIP_FAILURE, verdicts }
}
