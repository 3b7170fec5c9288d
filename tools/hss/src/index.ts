// @junction/hss — junction-hss as a library: the HSS procedures, the server, the configuration
// schema, the User-Data renderer and the state store (the process is main.ts).

export type { ConfigResult, HssConfig, HssConfigInput, IfcConfig, SubscriberConfig } from './config.ts'
export { exampleConfigPath, hssConfig, loadConfig, parseConfig } from './config.ts'
export type { HssFaultCode } from './errors.ts'
export { HssError, hssFaultCodes } from './errors.ts'
export type { Hss, HssDeps, HssLogger } from './hss.ts'
export { createHss } from './hss.ts'
export type { HssServer, HssServerDeps, HssServerLogger } from './server.ts'
export { createHssServer } from './server.ts'
export type { ImpuState, RegistrationState, StateStore } from './state.ts'
export { createMemoryStore, openStateStore } from './state.ts'
export { hasUnregisteredServices, ifcXml, renderUserData } from './user-data.ts'
export type { RandMode, VectorFactory, VectorOptions } from './vectors.ts'
export { createVectorFactory } from './vectors.ts'
