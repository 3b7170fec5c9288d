/**
 * Stable codes of @junction/diameter-cx. Answers from the network are results (`CxResult`), never
 * exceptions; `CxFaultError` is thrown only for a programming error (bad arguments). Every code is
 * listed in docs/errors.md; a test keeps the two in sync.
 */
export const cxFaultCodes = {
  /** A request input that cannot be encoded (e.g. a resync RAND or AUTS of the wrong length). */
  INVALID_ARGUMENT: 'JUNCTION_ERR_CX_INVALID_ARGUMENT',
} as const

export type CxFaultCode = (typeof cxFaultCodes)[keyof typeof cxFaultCodes]

export class CxFaultError extends Error {
  readonly code: CxFaultCode
  constructor(code: CxFaultCode, message: string) {
    super(message)
    this.name = 'CxFaultError'
    this.code = code
  }
}
