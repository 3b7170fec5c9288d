// @junction/registrar — the public API. RFC 3261 §10 registrar with Path, Outbound and GRUU, over an async LocationStore.

export { aorOf } from './aor.ts'
export type { Clock, Timer } from './clock.ts'
export { systemClock } from './clock.ts'
export type { RegistrarConfigSlice } from './config.ts'
export { memoryStoreOptions, registrarConfig, registrarOptions } from './config.ts'
export type { RegistrarFaultCode } from './errors.ts'
export { RegistrarError, registrarFaultCodes } from './errors.ts'
export type { GruuCodec, GruuTarget } from './gruu.ts'
export { createGruuCodec, publicGruu } from './gruu.ts'
export type { MemoryLocationStore, MemoryLocationStoreOptions } from './memory-store.ts'
export { createMemoryLocationStore } from './memory-store.ts'
export type {
  BindingEvent,
  BindingMessage,
  RegisterContext,
  Registrar,
  RegistrarConfig,
  RegistrarDeps,
  Target,
} from './registrar.ts'
export { bindingChannel, createRegistrar } from './registrar.ts'
export type { AorRecord, Binding, CompareAndSetResult, ExpiredBinding, LocationStore } from './store.ts'
