/** Faults of junction-ietf with stable codes (listed in docs/errors.md). */
export const faultCodes = {
  /** The configuration (file or flags) is invalid: the process exits 2 and lists every problem. */
  CONFIG: 'JUNCTION_ERR_IETF_CONFIG',
  /** A service could not start (a port in use, a certificate that does not load): exit 1. */
  START: 'JUNCTION_ERR_IETF_START',
} as const

export type IetfFaultCode = (typeof faultCodes)[keyof typeof faultCodes]
