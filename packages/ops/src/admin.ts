/**
 * The admin HTTP server of a flavor, on its own port (loopback by default): Prometheus `/metrics`,
 * `/health` and `/ready` probes, and the JSON-RPC 2.0 management endpoint `/rpc` that
 * `junction-ctl` calls. Requests are bounded: body size, batch size, connections, time.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { faultCodes, OpsError } from './errors.ts'
import { isLogLevel, logLevels, setLevel } from './logger.ts'
import { createRpcDispatcher, RpcError, type RpcMethods, rpcErrorCodes } from './rpc.ts'

/** What `/metrics` serves: a {@link Metrics} from `createMetrics`, or a prom-client `Registry`. */
export interface MetricsSource {
  readonly contentType: string
  metrics(): Promise<string>
}

export interface AdminServerOptions {
  /** Default `127.0.0.1`: the admin port is not for the network unless configured so. */
  readonly host?: string | undefined
  /** Default 8080; 0 picks a free port (see {@link AdminServer.address}). */
  readonly port?: number | undefined
  /** The root logger: `log.level.set` changes its level (and so every child's). */
  readonly log: Logger
  readonly metrics: MetricsSource
  /** `/ready` answers 200 while this returns true, else 503 (starting, draining). Default: always ready. */
  readonly ready?: (() => boolean) | undefined
  /** What `core.stats` adds to the process figures: the flavor's counters (transactions, registrations, ...). */
  readonly stats?:
    | (() => Readonly<Record<string, unknown>> | Promise<Readonly<Record<string, unknown>>>)
    | undefined
  /** The flavor's methods (`routes.list`, ...), next to the built-in ones. */
  readonly rpc?: RpcMethods | undefined
  /** Largest `/rpc` body in octets; a larger one is answered 413. Default 65536. */
  readonly maxBodySize?: number | undefined
  /** Requests in one JSON-RPC batch at most. Default 100. */
  readonly maxBatchSize?: number | undefined
  /** Connections at once; more are refused. Default 32. */
  readonly maxConnections?: number | undefined
  /** Time to receive a whole request, in ms. Default 10000. */
  readonly requestTimeoutMs?: number | undefined
  /**
   * A bearer token `/rpc` requires (`Authorization: Bearer <token>`, RFC 6750 §2.1); without one,
   * 401 with `WWW-Authenticate: Bearer` (§3). Default: none, `/rpc` is open to whoever reaches the
   * port. `/metrics`, `/health` and `/ready` stay open either way: they change nothing.
   */
  readonly token?: string | undefined
}

/** A Service (DESIGN.md "Lifecycle"): started with the flavor, stopped in reverse order. */
export interface AdminServer {
  readonly name: 'admin'
  /** Listens; rejects with `JUNCTION_ERR_OPS_ADMIN_LISTEN` when the address cannot be bound. */
  start(): Promise<void>
  /** Stops listening and closes every connection. */
  stop(): Promise<void>
  /** Where it listens, once started. */
  address(): { readonly host: string; readonly port: number } | undefined
  /** The method names `/rpc` answers, sorted. */
  readonly methods: readonly string[]
}

/** Methods the admin server always has; the `rpc` map may not reuse these names (nor `rpc.*`). */
export const builtinRpcMethods = [
  'core.methods',
  'core.stats',
  'core.uptime',
  'log.level.get',
  'log.level.set',
] as const

const json = 'application/json; charset=utf-8'

/** SHA-256 of a token: equal lengths for a constant-time comparison, whatever the caller sent. */
function digestOf(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** Whether the request carries the bearer token (RFC 6750 §2.1; the scheme is case-insensitive, RFC 7235 §2.1). */
function hasToken(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization
  if (header === undefined) return false
  const m = /^bearer +(\S+) *$/i.exec(header)
  return m !== null && timingSafeEqual(digestOf(m[1]!), expected)
}

function levelParam(params: unknown): unknown {
  if (Array.isArray(params)) return params[0]
  if (params !== null && typeof params === 'object') return (params as { level?: unknown }).level
  return undefined
}

export function createAdminServer(options: AdminServerOptions): AdminServer {
  const root = options.log
  const log = root.child({ mod: 'admin' })
  const host = options.host ?? '127.0.0.1'
  const maxBodySize = options.maxBodySize ?? 65536
  const ready = options.ready ?? (() => true)
  const metrics = options.metrics
  const token = options.token === undefined ? undefined : digestOf(options.token)

  for (const name of Object.keys(options.rpc ?? {})) {
    if ((builtinRpcMethods as readonly string[]).includes(name) || name.startsWith('rpc.')) {
      throw new OpsError(faultCodes.RPC_METHOD_TAKEN, `the RPC method name ${name} is built in or reserved`)
    }
  }

  const builtins: RpcMethods = {
    'core.uptime': () => ({
      uptime: Math.round(process.uptime() * 1000) / 1000,
      since: new Date(performance.timeOrigin).toISOString(),
    }),
    'core.stats': async () => {
      const memory = process.memoryUsage()
      const extra = options.stats === undefined ? {} : await options.stats()
      return {
        process: {
          pid: process.pid,
          uptime: Math.round(process.uptime() * 1000) / 1000,
          rss: memory.rss,
          heapUsed: memory.heapUsed,
          heapTotal: memory.heapTotal,
        },
        ...extra,
      }
    },
    'core.methods': () => dispatcher.methods,
    'log.level.get': () => ({ level: root.level }),
    'log.level.set': (params) => {
      const level = levelParam(params)
      if (!isLogLevel(level)) {
        throw new RpcError(rpcErrorCodes.INVALID_PARAMS, `level must be one of ${logLevels.join(', ')}`)
      }
      const previous = setLevel(root, level)
      if (previous !== level) log.info({ logLevel: level, previous }, 'log level changed')
      return { level, previous }
    },
  }
  const dispatcher = createRpcDispatcher({
    methods: { ...builtins, ...options.rpc },
    log,
    maxBatchSize: options.maxBatchSize,
  })

  const requestTimeout = options.requestTimeoutMs ?? 10_000
  const server = createServer({
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 60_000),
    keepAliveTimeout: 5000,
    maxHeaderSize: 16384,
  })
  server.maxConnections = options.maxConnections ?? 32

  function send(res: ServerResponse, status: number, type: string, body: string, headers = {}): void {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      ...headers,
    })
    res.end(body)
  }

  function tooLarge(req: IncomingMessage, res: ServerResponse): void {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: rpcErrorCodes.INVALID_REQUEST,
        message: `request body larger than ${maxBodySize} octets`,
      },
    })
    send(res, 413, json, body, { connection: 'close' })
    // read and discard what the client still sends (closing on unread data would reset the
    // connection before it reads the answer), up to a bound
    let discarded = 0
    req.removeAllListeners('data')
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length
      if (discarded > 16 * maxBodySize) req.socket.destroy()
    })
    req.resume()
  }

  function rpc(req: IncomingMessage, res: ServerResponse): void {
    const declared = Number(req.headers['content-length'])
    if (declared > maxBodySize) {
      tooLarge(req, res)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size > maxBodySize) {
        over = true
        tooLarge(req, res)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (over) return
      dispatcher.handle(Buffer.concat(chunks).toString('utf8')).then(
        (body) => {
          if (body === undefined) {
            res.writeHead(204, { 'cache-control': 'no-store' })
            res.end()
          } else {
            send(res, 200, json, body)
          }
        },
        (e: unknown) => {
          log.error({ err: e }, 'rpc dispatch failed')
          send(
            res,
            500,
            json,
            '{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}',
          )
        },
      )
    })
  }

  function probe(res: ServerResponse, ok: boolean, okStatus: string, failStatus: string): void {
    send(res, ok ? 200 : 503, json, JSON.stringify({ status: ok ? okStatus : failStatus }))
  }

  function isReady(): boolean {
    try {
      return ready() === true
    } catch (e) {
      log.warn({ err: e }, 'ready() failed')
      return false
    }
  }

  function notAllowed(res: ServerResponse, allow: string): void {
    send(res, 405, json, JSON.stringify({ error: 'method not allowed' }), { allow })
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const method = req.method ?? 'GET'
    const get = method === 'GET' || method === 'HEAD'
    switch (path) {
      case '/metrics':
        if (!get) return notAllowed(res, 'GET, HEAD')
        metrics.metrics().then(
          (text) => send(res, 200, metrics.contentType, text),
          (e: unknown) => {
            log.error({ err: e }, 'metrics collection failed')
            send(res, 500, 'text/plain; charset=utf-8', 'metrics collection failed\n')
          },
        )
        return
      case '/health':
        if (!get) return notAllowed(res, 'GET, HEAD')
        return probe(res, true, 'ok', 'ok')
      case '/ready':
        if (!get) return notAllowed(res, 'GET, HEAD')
        return probe(res, isReady(), 'ready', 'not ready')
      case '/rpc':
        if (method !== 'POST') return notAllowed(res, 'POST')
        if (token !== undefined && !hasToken(req, token)) {
          // RFC 6750 §3: no token or a wrong one; the body is not read, the connection closes
          return send(res, 401, json, JSON.stringify({ error: 'unauthorized' }), {
            'www-authenticate': 'Bearer realm="junction-admin"',
            connection: 'close',
          })
        }
        return rpc(req, res)
      default:
        send(res, 404, json, JSON.stringify({ error: 'not found' }))
    }
  })
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  let bound: { host: string; port: number } | undefined

  return {
    name: 'admin',
    methods: dispatcher.methods,
    address: () => bound,
    start() {
      return new Promise<void>((resolve, reject) => {
        const onError = (e: Error): void => {
          reject(
            new OpsError(
              faultCodes.ADMIN_LISTEN,
              `admin server cannot listen on ${host}:${options.port ?? 8080}: ${e.message}`,
              { cause: e },
            ),
          )
        }
        server.once('error', onError)
        server.listen({ host, port: options.port ?? 8080 }, () => {
          server.off('error', onError)
          const a = server.address() as AddressInfo
          bound = { host: a.address, port: a.port }
          log.info(bound, 'admin server listening')
          resolve()
        })
      })
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve()
        server.close(() => {
          log.info('admin server stopped')
          bound = undefined
          resolve()
        })
        server.closeAllConnections()
      })
    },
  }
}
