/**
 * Stable codes of junction-client. A SIP failure (a final response >= 300) is reported with its
 * status, not a code; these name what is not a SIP response. Every code is listed in
 * docs/errors.md; a test keeps the two in sync.
 */

export const clientErrorCodes = {
  /** A flag or argument is missing or invalid (exit code 2). */
  USAGE: 'JUNCTION_ERR_CLIENT_USAGE',
  /** A file named on the command line (--ca, lint input) cannot be read (exit code 2). */
  FILE: 'JUNCTION_ERR_CLIENT_FILE',
  /** Nothing decided the operation within --timeout (exit code 1). */
  TIMEOUT: 'JUNCTION_ERR_CLIENT_TIMEOUT',
  /** The server closed the connection while a request was pending (exit code 1). */
  CONNECTION_CLOSED: 'JUNCTION_ERR_CLIENT_CONNECTION_CLOSED',
  /** The server sent octets that are not a SIP message (exit code 1). */
  BAD_RESPONSE: 'JUNCTION_ERR_CLIENT_BAD_RESPONSE',
} as const

export type ClientErrorCode = (typeof clientErrorCodes)[keyof typeof clientErrorCodes]

/** A usage or configuration error: the CLI prints it and exits 2. */
export class ClientError extends Error {
  readonly code: ClientErrorCode
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ClientError'
    this.code = code
  }
}

export const exitCodes = { OK: 0, SIP_FAILURE: 1, USAGE: 2 } as const
