/**
 * Stable codes of @junction/registrar. REGISTER outcomes are SIP responses, never errors; these are
 * faults (programming or configuration errors) thrown as `RegistrarError`. Every code is listed in
 * docs/errors.md; a test keeps the two in sync.
 */

export const registrarFaultCodes = {
  /** `createRegistrar` or `createMemoryLocationStore` was given a configuration it cannot use. */
  INVALID_CONFIG: 'JUNCTION_ERR_REGISTRAR_INVALID_CONFIG',
  /** A store was given a binding it cannot hold (no contact, an expiry that is not a number, ...). */
  INVALID_BINDING: 'JUNCTION_ERR_REGISTRAR_INVALID_BINDING',
  /** A location store was used after `close()`. */
  STORE_CLOSED: 'JUNCTION_ERR_REGISTRAR_STORE_CLOSED',
} as const

export type RegistrarFaultCode = (typeof registrarFaultCodes)[keyof typeof registrarFaultCodes]

/** A fault of this package: never caused by a message from the network. */
export class RegistrarError extends Error {
  readonly code: RegistrarFaultCode
  constructor(code: RegistrarFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RegistrarError'
    this.code = code
  }
}

export function invalidConfig(message: string): RegistrarError {
  return new RegistrarError(registrarFaultCodes.INVALID_CONFIG, message)
}
