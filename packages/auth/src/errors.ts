/**
 * Stable codes of @junction/auth. Verification outcomes are results (`{ ok: false, reason }`),
 * never errors; these are faults (configuration and programming errors) thrown as `AuthError`.
 * Every code is listed in docs/errors.md; a test keeps the two in sync.
 */

export const authFaultCodes = {
  /** `createDigestAuth` was given a configuration it cannot use (no realm, a short secret, ...). */
  INVALID_CONFIG: 'JUNCTION_ERR_AUTH_INVALID_CONFIG',
  /** The YAML users file cannot be read, is not YAML, or does not match the schema. */
  USERS_FILE: 'JUNCTION_ERR_AUTH_USERS_FILE',
  /** A helper was given an argument it cannot use (an unknown algorithm to `hashUser`, ...). */
  INVALID_ARGUMENT: 'JUNCTION_ERR_AUTH_INVALID_ARGUMENT',
} as const

export type AuthFaultCode = (typeof authFaultCodes)[keyof typeof authFaultCodes]

/** A fault of this package: never caused by a message from the network. */
export class AuthError extends Error {
  readonly code: AuthFaultCode
  constructor(code: AuthFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AuthError'
    this.code = code
  }
}
