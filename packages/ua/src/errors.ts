/**
 * Stable codes of @junction/ua. SIP outcomes are responses, never errors: a request that timed out,
 * could not be sent or resolved ends with a response the UA made itself (408, 503) that carries one
 * of the outcome codes below. Faults (programming or configuration errors) are thrown as `UaError`.
 * Every code is listed in docs/errors.md; a test keeps the two in sync.
 */

/** Why a request ended with a response the UA made itself (`Outcome.local`). */
export const uaOutcomeCodes = {
  /** Timer B or F fired: no final response (RFC 3261 §8.1.3.1, treated as 408). */
  TIMEOUT: 'JUNCTION_ERR_UA_TIMEOUT',
  /** The transport could not send the request (§8.1.3.1, treated as 503). */
  TRANSPORT: 'JUNCTION_ERR_UA_TRANSPORT',
  /** The next hop could not be resolved to a target (RFC 3263; treated as 503). */
  UNRESOLVABLE: 'JUNCTION_ERR_UA_UNRESOLVABLE',
  /** The user agent was stopped while the request was pending (treated as 503). */
  STOPPED: 'JUNCTION_ERR_UA_STOPPED',
  /** A 2xx to an INVITE was never acknowledged (§13.3.1.4): the UAS ended the session with a BYE. */
  NO_ACK: 'JUNCTION_ERR_UA_NO_ACK',
} as const

/** Faults: thrown, never caused by a message from the network. */
export const uaFaultCodes = {
  /** A factory or method was given a value it cannot use: a URI that does not parse, a bad expiry. */
  INVALID_ARGUMENT: 'JUNCTION_ERR_UA_INVALID_ARGUMENT',
  /** A session method was called in a state that does not allow it (BYE before the dialog exists). */
  INVALID_STATE: 'JUNCTION_ERR_UA_INVALID_STATE',
} as const

export type UaOutcomeCode = (typeof uaOutcomeCodes)[keyof typeof uaOutcomeCodes]
export type UaFaultCode = (typeof uaFaultCodes)[keyof typeof uaFaultCodes]

export class UaError extends Error {
  readonly code: UaFaultCode
  constructor(code: UaFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'UaError'
    this.code = code
  }
}

export function invalidArgument(message: string): UaError {
  return new UaError(uaFaultCodes.INVALID_ARGUMENT, message)
}
