/**
 * Stable codes of @junction/transport. Listener configuration problems are faults thrown at start;
 * send failures reject the send (the transaction layer reports them to its user as §8.1.3.1 says).
 * Every code is listed in docs/errors.md; a test keeps the two in sync.
 */
export const faultCodes = {
  /** A listener spec or its advertised address does not parse, or TLS files are missing. */
  INVALID_LISTENER: 'JUNCTION_ERR_TRANSPORT_INVALID_LISTENER',
  /** No listener to send from for the target's transport. */
  NO_LISTENER: 'JUNCTION_ERR_TRANSPORT_NO_LISTENER',
  /** The connection limit is reached: no new connection is opened. */
  CONNECTION_LIMIT: 'JUNCTION_ERR_TRANSPORT_CONNECTION_LIMIT',
  /** The flow a response must go back over is closed and cannot be reopened (WebSocket). */
  FLOW_GONE: 'JUNCTION_ERR_TRANSPORT_FLOW_GONE',
} as const

export type TransportFaultCode = (typeof faultCodes)[keyof typeof faultCodes]

export class TransportError extends Error {
  readonly code: TransportFaultCode
  constructor(code: TransportFaultCode, message: string) {
    super(message)
    this.name = 'TransportError'
    this.code = code
  }
}

/**
 * Why `resolve()` found no target (RFC 3263). These are results, never thrown: a proxy answers them
 * as RFC 3261 §16.7 / §8.1.3.1 say (no target found is a 503 or 404; a scheme it cannot route, 416).
 */
export const resolveErrorCodes = {
  /** The URI string does not parse. */
  BAD_URI: 'JUNCTION_ERR_TRANSPORT_BAD_URI',
  /** Not a SIP or SIPS URI (tel, http, ...): map it to a SIP URI first (ENUM, a gateway route). */
  UNSUPPORTED_SCHEME: 'JUNCTION_ERR_TRANSPORT_UNSUPPORTED_SCHEME',
  /** The `transport` parameter names a transport this resolver may not use, or UDP in a SIPS URI. */
  UNSUPPORTED_TRANSPORT: 'JUNCTION_ERR_TRANSPORT_UNSUPPORTED_TRANSPORT',
  /** DNS answered: no such name, or no usable record (NXDOMAIN, NODATA, SRV "."). */
  DNS_NOT_FOUND: 'JUNCTION_ERR_TRANSPORT_DNS_NOT_FOUND',
  /** DNS did not answer usefully (timeout, SERVFAIL, REFUSED, unreachable) and nothing was found. */
  DNS_FAILURE: 'JUNCTION_ERR_TRANSPORT_DNS_FAILURE',
} as const

export type ResolveErrorCode = (typeof resolveErrorCodes)[keyof typeof resolveErrorCodes]
