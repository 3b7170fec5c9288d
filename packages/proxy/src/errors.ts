/**
 * Errors of @junction/proxy. `SipError` is a protocol outcome: a step throws it and the proxy
 * answers with its status. `ProxyError` is a fault with a stable code (listed in docs/errors.md).
 */

/** Thrown by a route step to answer the request with `status` (e.g. `throw new SipError(403)`). */
export class SipError extends Error {
  readonly status: number
  readonly reason: string | undefined
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor(status: number, options: { reason?: string; headers?: Readonly<Record<string, string>> } = {}) {
    super(options.reason ?? `SIP ${status}`)
    this.name = 'SipError'
    this.status = status
    this.reason = options.reason
    this.headers = options.headers
  }
}

export const faultCodes = {
  /** A route gave a target that is not a URI; a next hop to probe (or the probes' From) is not a SIP URI. */
  INVALID_TARGET: 'JUNCTION_ERR_PROXY_INVALID_TARGET',
  /** A route threw (anything but a SipError): the request is answered 500 and the error logged. */
  ROUTE_FAILED: 'JUNCTION_ERR_PROXY_ROUTE_FAILED',
  /** inject() was called on a server with real listeners: it needs the in-memory transport. */
  NO_MEMORY_TRANSPORT: 'JUNCTION_ERR_PROXY_NO_MEMORY_TRANSPORT',
} as const

export type ProxyFaultCode = (typeof faultCodes)[keyof typeof faultCodes]

export class ProxyError extends Error {
  readonly code: ProxyFaultCode
  constructor(code: ProxyFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ProxyError'
    this.code = code
  }
}
