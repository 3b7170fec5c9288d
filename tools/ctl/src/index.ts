// @junction/ctl — junction-ctl, the command line client of the JSON-RPC management endpoint.
export type { CliIo } from './cli.ts'
export { defaultUrl, exitCodes, run } from './cli.ts'
export type { CallOptions, CallOutcome, RpcErrorObject } from './client.ts'
export { callRpc } from './client.ts'
export type { Params, ParamsResult } from './params.ts'
export { parseParams } from './params.ts'
