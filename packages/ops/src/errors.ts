/**
 * Stable codes of @junction/ops: faults, thrown for a programming or configuration error in the
 * use of the package (never for input from the network: the admin server answers bad HTTP and
 * JSON-RPC input with a status or a JSON-RPC error).
 */
export const faultCodes = {
  /** `setLevel`/`createLogger` was given a level pino does not know. */
  INVALID_LEVEL: 'JUNCTION_ERR_OPS_INVALID_LEVEL',
  /** The `rpc` map of `createAdminServer` names a built-in method or one in the reserved `rpc.` space. */
  RPC_METHOD_TAKEN: 'JUNCTION_ERR_OPS_RPC_METHOD_TAKEN',
  /** `createMetrics` was given a registry that already holds Junction's metrics. */
  METRICS_REGISTERED: 'JUNCTION_ERR_OPS_METRICS_REGISTERED',
  /** The admin server could not listen (address in use, permission): `cause` holds the system error. */
  ADMIN_LISTEN: 'JUNCTION_ERR_OPS_ADMIN_LISTEN',
} as const

export type OpsFaultCode = (typeof faultCodes)[keyof typeof faultCodes]

export class OpsError extends Error {
  readonly code: OpsFaultCode
  constructor(code: OpsFaultCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'OpsError'
    this.code = code
  }
}
