/**
 * Stable codes of @junction/aka. Results for values that came from the network (a nonce, an
 * AUTN, an AUTS) carry the `JUNCTION_ERR_AKA_*` result codes; `AkaError` is thrown only for a
 * programming or provisioning error. Every code is listed in docs/errors.md; a test keeps the two
 * in sync.
 */

/** Codes of `{ ok: false }` results. */
export const akaErrorCodes = {
  /** A nonce that is not base64 of at least RAND ‖ AUTN, 32 octets (RFC 3310 §3.1). */
  BAD_NONCE: 'JUNCTION_ERR_AKA_BAD_NONCE',
  /** An AUTS that is not 14 octets, or an `auts` directive that is not base64 (RFC 3310 §3.4). */
  BAD_AUTS: 'JUNCTION_ERR_AKA_BAD_AUTS',
  /** MAC-A in the AUTN (at the UE) or MAC-S in the AUTS (at the HSS) is wrong (TS 33.102 §6.3.3, §6.3.5). */
  MAC_FAILURE: 'JUNCTION_ERR_AKA_MAC_FAILURE',
  /** The UE found the SQN of the AUTN out of range; the failure carries AUTS (TS 33.102 §6.3.3). */
  SYNC_FAILURE: 'JUNCTION_ERR_AKA_SYNC_FAILURE',
} as const

export type AkaErrorCode = (typeof akaErrorCodes)[keyof typeof akaErrorCodes]

/** Codes of faults thrown by this package. */
export const akaFaultCodes = {
  /** A key, RAND, SQN, AMF or AUTN of the wrong length, or another bad argument. */
  INVALID_ARGUMENT: 'JUNCTION_ERR_AKA_INVALID_ARGUMENT',
  /** SEQ has reached 2^43 − 1 (with 5 IND bits): no fresh SQN is left (TS 33.102 Annex C). */
  SQN_EXHAUSTED: 'JUNCTION_ERR_AKA_SQN_EXHAUSTED',
} as const

export type AkaFaultCode = (typeof akaFaultCodes)[keyof typeof akaFaultCodes]

/** A programming or provisioning error; never thrown for values from the network. */
export class AkaError extends Error {
  readonly code: AkaFaultCode
  constructor(code: AkaFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AkaError'
    this.code = code
  }
}

export function invalidArgument(message: string): AkaError {
  return new AkaError(akaFaultCodes.INVALID_ARGUMENT, message)
}
