// @junction/auth — the public API. SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): challenges, verification, credential stores, policy steps.

export type { AuthorizeOptions, AuthorizeResult } from './authorize.ts'
export { authorize } from './authorize.ts'
export type { AuthConfigSlice } from './config.ts'
export { authConfig, credentialStoreOf, digestAuthOptions, failureGuardOptions } from './config.ts'
export type {
  AuthAlgorithm,
  CredentialStore,
  Ha1Set,
  StaticUser,
  UserSecret,
  UserTable,
} from './credentials.ts'
export { authAlgorithms, createMemoryCredentialStore, hashUser } from './credentials.ts'
export type {
  ChallengeOptions,
  DigestAuth,
  DigestAuthConfig,
  DigestAuthDeps,
  VerifyFailure,
  VerifyResult,
} from './digest-auth.ts'
export { createDigestAuth, needsAuth } from './digest-auth.ts'
export type { AuthFaultCode } from './errors.ts'
export { AuthError, authFaultCodes } from './errors.ts'
export type { FailureGuard, FailureGuardConfig } from './failure-guard.ts'
export { authBlockChannel, authFailureChannel, countedFailures, createFailureGuard } from './failure-guard.ts'
export type { NonceCheck, NonceIssuer, NonceIssuerOptions } from './nonce.ts'
export { createNonceIssuer } from './nonce.ts'
export type {
  ReloadResult,
  UsersFile,
  YamlCredentialStore,
  YamlCredentialStoreOptions,
} from './yaml-store.ts'
export {
  createYamlCredentialStore,
  loadUsersFile,
  userEntry,
  usersFileSchema,
  usersReloadChannel,
} from './yaml-store.ts'
