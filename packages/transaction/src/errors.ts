/**
 * Stable codes of @junction/transaction: faults (a programming error in the use of the layer).
 * Timeouts and transport failures are not errors here: they are reported to the transaction user.
 */
export const faultCodes = {
  /** `request()` was given an ACK: an ACK to a 2xx is not a transaction (§17.1.1.3). */
  ACK_NOT_A_TRANSACTION: 'JUNCTION_ERR_TXN_ACK_NOT_A_TRANSACTION',
  /** `request()` was given a request whose branch a live client transaction already uses. */
  DUPLICATE_BRANCH: 'JUNCTION_ERR_TXN_DUPLICATE_BRANCH',
  /**
   * `request` of a transaction was read after its final response: a transaction lets go of its
   * messages then, while it waits out its last timer (Timers D, I, J, K, L, M).
   */
  RELEASED: 'JUNCTION_ERR_TXN_RELEASED',
} as const

export type TransactionFaultCode = (typeof faultCodes)[keyof typeof faultCodes]

export class TransactionError extends Error {
  readonly code: TransactionFaultCode
  constructor(code: TransactionFaultCode, message: string) {
    super(message)
    this.name = 'TransactionError'
    this.code = code
  }
}
