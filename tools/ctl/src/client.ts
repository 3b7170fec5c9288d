/** One JSON-RPC 2.0 call over HTTP POST, as `junction-ctl` makes it. */
import type { Params } from './params.ts'

export interface RpcErrorObject {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

export type CallOutcome =
  /** The server answered with a result. */
  | { readonly kind: 'result'; readonly result: unknown; readonly body: string }
  /** The server answered with a JSON-RPC error. */
  | { readonly kind: 'error'; readonly error: RpcErrorObject; readonly body: string }
  /** No JSON-RPC answer: connection refused, timeout, an HTTP error, not JSON-RPC. */
  | { readonly kind: 'failure'; readonly message: string }

export interface CallOptions {
  /** Default 10000 ms. */
  readonly timeoutMs?: number | undefined
  /** The admin server's bearer token (`admin.token`), sent as `Authorization: Bearer` (RFC 6750 §2.1). */
  readonly token?: string | undefined
}

function describe(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (err.name === 'TimeoutError') return 'no answer in time'
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e)
}

function asRpcResponse(body: string): CallOutcome | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const r = parsed as { jsonrpc?: unknown; result?: unknown; error?: RpcErrorObject }
  if (r.jsonrpc !== '2.0') return undefined
  if ('result' in r) return { kind: 'result', result: r.result, body }
  const error = r.error
  if (error !== null && typeof error === 'object' && typeof error.code === 'number') {
    return { kind: 'error', error: { ...error, message: String(error.message) }, body }
  }
  return undefined
}

/** Calls `method` at `url` (the admin server's `/rpc`). Never throws. */
export async function callRpc(
  url: string,
  method: string,
  params: Params,
  options: CallOptions = {},
): Promise<CallOutcome> {
  const request =
    params === undefined ? { jsonrpc: '2.0', method, id: 1 } : { jsonrpc: '2.0', method, params, id: 1 }
  let res: Response
  let body: string
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
    body = await res.text()
  } catch (e) {
    return { kind: 'failure', message: `cannot call ${url}: ${describe(e)}` }
  }
  const outcome = asRpcResponse(body)
  if (outcome !== undefined) return outcome
  if (res.status === 401) {
    const what =
      options.token === undefined ? 'needs a token (--token or JUNCTION_CTL_TOKEN)' : 'refused the token'
    return { kind: 'failure', message: `${url} ${what}: HTTP 401` }
  }
  if (res.status !== 200) return { kind: 'failure', message: `${url} answered HTTP ${res.status}` }
  return { kind: 'failure', message: `${url} did not answer with a JSON-RPC 2.0 response` }
}
