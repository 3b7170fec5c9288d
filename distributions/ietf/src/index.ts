// @junction/ietf — the IETF flavor as a library: its config schema, its route and its wiring.
export type { Ietf, Service } from './compose.ts'
export { composeIetf } from './compose.ts'
export type { ConfigResult, IetfConfig, IetfConfigInput, RoutingConfig } from './config.ts'
export { ietfConfig, loadConfig, parseConfig, routingConfig } from './config.ts'
export type { IetfFaultCode } from './errors.ts'
export { faultCodes } from './errors.ts'
export { createIetfRoute } from './route.ts'
