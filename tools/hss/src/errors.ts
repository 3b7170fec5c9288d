/** Faults of junction-hss with stable codes (listed in docs/errors.md; a test keeps them in sync). */
export const hssFaultCodes = {
  /** The subscriber file or a flag is invalid: the process exits 2 and lists every problem. */
  CONFIG: 'JUNCTION_ERR_HSS_CONFIG',
  /** The state file cannot be read or does not parse: the process exits 1 rather than reuse SQNs. */
  STATE: 'JUNCTION_ERR_HSS_STATE',
  /** The state file cannot be written: the request is answered 5012 DIAMETER_UNABLE_TO_COMPLY. */
  STATE_WRITE: 'JUNCTION_ERR_HSS_STATE_WRITE',
  /** The Diameter listener cannot start (address in use, no permission): exit 1. */
  START: 'JUNCTION_ERR_HSS_START',
} as const

export type HssFaultCode = (typeof hssFaultCodes)[keyof typeof hssFaultCodes]

export class HssError extends Error {
  readonly code: HssFaultCode
  constructor(code: HssFaultCode, message: string) {
    super(message)
    this.name = 'HssError'
    this.code = code
  }
}
