/**
 * JSON-RPC 2.0 (https://www.jsonrpc.org/specification), transport-free: a request body in, a
 * response body out. The admin server carries it over HTTP; tests and flavors may call it directly.
 */
import type { Logger } from 'pino'

/** The error codes of JSON-RPC 2.0 §5.1. Application errors use other codes (-32000 to -32099 for servers). */
export const rpcErrorCodes = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const

/**
 * Thrown by a handler to answer with a JSON-RPC error of its choosing, e.g.
 * `throw new RpcError(rpcErrorCodes.INVALID_PARAMS, 'level must be one of ...')`. Any other error
 * thrown answers -32603 with its message (never its stack).
 */
export class RpcError extends Error {
  readonly code: number
  readonly data: unknown
  constructor(code: number, message: string, data?: unknown) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    this.data = data
  }
}

/** The `params` member: by name, by position, or absent. */
export type RpcParams = Readonly<Record<string, unknown>> | readonly unknown[] | undefined

/** A method: returns the `result` (a value JSON can hold; `undefined` answers `null`), or a promise of it. */
export type RpcHandler = (params: RpcParams) => unknown

/** The part of the Standard Schema v1 interface used here (zod 4, valibot and arktype implement it). */
export interface StandardSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined
  }
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: readonly {
        readonly message: string
        readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined
      }[]
    }

/** A method whose params are validated by a schema first: a failure answers -32602 with the issues. */
export interface RpcMethod {
  readonly params: StandardSchema
  readonly handler: (params: never) => unknown
  /** One line for `core.methods` callers and docs. */
  readonly description?: string | undefined
}

/** Method name → handler. */
export type RpcMethods = Readonly<Record<string, RpcHandler | RpcMethod>>

/**
 * A method with params checked by `schema` (e.g. a zod schema) and typed in `handler`:
 * `rpcMethod(z.strictObject({ domain: z.string() }), ({ domain }) => routes.get(domain))`.
 */
export function rpcMethod<Output>(
  schema: StandardSchema<Output>,
  handler: (params: Output) => unknown,
  description?: string,
): RpcMethod {
  return { params: schema, handler: handler as (params: never) => unknown, description }
}

export interface RpcDispatcherOptions {
  readonly methods: RpcMethods
  /** Handler failures are logged at warn; calls at debug. */
  readonly log?: Logger | undefined
  /** Requests in one batch at most; a larger batch is an invalid request. Default 100. */
  readonly maxBatchSize?: number | undefined
}

export interface RpcDispatcher {
  /**
   * Answers one JSON-RPC body (a request or a batch). `undefined` when nothing is to be answered
   * (notifications only, JSON-RPC 2.0 §4.1 and §6).
   */
  handle(body: string): Promise<string | undefined>
  /** The method names, sorted. */
  readonly methods: readonly string[]
}

type Id = string | number | null

interface Response {
  readonly jsonrpc: '2.0'
  readonly id: Id
  readonly result?: unknown
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown }
}

function failure(id: Id, code: number, message: string, data?: unknown): Response {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } }
}

function isId(id: unknown): id is Id {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}

function issuePath(path: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined): string {
  if (path === undefined) return ''
  return path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')
}

function serialize(response: Response): string {
  try {
    return JSON.stringify(response)
  } catch (e) {
    return JSON.stringify(
      failure(
        response.id,
        rpcErrorCodes.INTERNAL_ERROR,
        `the result cannot be written as JSON: ${errorMessage(e)}`,
      ),
    )
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Dispatches JSON-RPC 2.0 requests to `methods`. */
export function createRpcDispatcher(options: RpcDispatcherOptions): RpcDispatcher {
  const methods = new Map(Object.entries(options.methods))
  const log = options.log
  const maxBatchSize = options.maxBatchSize ?? 100

  async function call(request: unknown): Promise<Response | undefined> {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return failure(null, rpcErrorCodes.INVALID_REQUEST, 'a request must be an object')
    }
    const r = request as Record<string, unknown>
    const notification = !('id' in r)
    const id = isId(r['id']) ? r['id'] : null
    if (r['jsonrpc'] !== '2.0') return failure(id, rpcErrorCodes.INVALID_REQUEST, 'jsonrpc must be "2.0"')
    if (!notification && !isId(r['id'])) {
      return failure(null, rpcErrorCodes.INVALID_REQUEST, 'id must be a string, a number or null')
    }
    const name = r['method']
    if (typeof name !== 'string') return failure(id, rpcErrorCodes.INVALID_REQUEST, 'method must be a string')
    const params = r['params']
    if (params !== undefined && (params === null || typeof params !== 'object')) {
      return failure(id, rpcErrorCodes.INVALID_REQUEST, 'params must be an object or an array')
    }
    const answer = (response: Response): Response | undefined => (notification ? undefined : response)

    const method = methods.get(name)
    if (method === undefined) {
      return answer(failure(id, rpcErrorCodes.METHOD_NOT_FOUND, `method not found: ${name}`))
    }
    try {
      let result: unknown
      if (typeof method === 'function') {
        result = await method(params as RpcParams)
      } else {
        const checked = await method.params['~standard'].validate(params)
        if (checked.issues !== undefined) {
          const issues = checked.issues.map((i) => ({ path: issuePath(i.path), message: i.message }))
          return answer(failure(id, rpcErrorCodes.INVALID_PARAMS, 'invalid params', issues))
        }
        result = await method.handler(checked.value as never)
      }
      log?.debug({ method: name }, 'rpc call')
      return answer({ jsonrpc: '2.0', id, result: result === undefined ? null : result })
    } catch (e) {
      if (e instanceof RpcError) return answer(failure(id, e.code, e.message, e.data))
      log?.warn({ method: name, err: e }, 'rpc method failed')
      const code = (e as { code?: unknown } | null)?.code
      const data = typeof code === 'string' ? { code } : undefined
      return answer(failure(id, rpcErrorCodes.INTERNAL_ERROR, errorMessage(e), data))
    }
  }

  return {
    methods: [...methods.keys()].sort(),
    async handle(body) {
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch (e) {
        return serialize(failure(null, rpcErrorCodes.PARSE_ERROR, `parse error: ${errorMessage(e)}`))
      }
      if (!Array.isArray(parsed)) {
        const response = await call(parsed)
        return response === undefined ? undefined : serialize(response)
      }
      if (parsed.length === 0) return serialize(failure(null, rpcErrorCodes.INVALID_REQUEST, 'empty batch'))
      if (parsed.length > maxBatchSize) {
        return serialize(
          failure(null, rpcErrorCodes.INVALID_REQUEST, `a batch holds at most ${maxBatchSize} requests`),
        )
      }
      // one after the other, in order: a batch may set something and read it back
      const out: string[] = []
      for (const request of parsed) {
        const response = await call(request)
        if (response !== undefined) out.push(serialize(response))
      }
      return out.length === 0 ? undefined : `[${out.join(',')}]`
    },
  }
}
