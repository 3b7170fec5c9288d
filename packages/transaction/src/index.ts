// @junction/transaction — RFC 3261 §17 transactions with the RFC 6026 corrections.
export type { ClientTransaction, InviteClientState, NonInviteClientState } from './client-transaction.ts'
export { InviteClientTransaction, NonInviteClientTransaction } from './client-transaction.ts'
export type { Clock, ManualClock, Timer } from './clock.ts'
export { createManualClock, systemClock } from './clock.ts'
export type { TransactionFaultCode } from './errors.ts'
export { faultCodes, TransactionError } from './errors.ts'
export type { TransactionLayer, TransactionLayerDeps, TransactionLayerOptions } from './layer.ts'
export {
  createTransactionLayer,
  defaultMaxTransactions,
  defaultMaxUnanswered,
  transactionCreated,
  transactionEnded,
} from './layer.ts'
export type { ClientHandler, FailureReason, TransactionTransport, TransactionUser } from './ports.ts'
export { createAckForNon2xx, createCancel } from './requests.ts'
export type {
  InviteServerState,
  NonInviteServerState,
  RespondOptions,
  ServerTransaction,
} from './server-transaction.ts'
export { InviteServerTransaction, NonInviteServerTransaction } from './server-transaction.ts'
export type { TimerSettings } from './timers.ts'
export { defaultTimers } from './timers.ts'
