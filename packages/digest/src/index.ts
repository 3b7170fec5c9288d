// @junction/digest — the public API. HTTP Digest computations (RFC 2617, RFC 7616, RFC 8760), values in, values out.

export type { DigestAlgorithm } from './algorithm.ts'
export {
  digestAlgorithms,
  digestLength,
  isAkaAlgorithm,
  isSessionAlgorithm,
  parseAlgorithm,
} from './algorithm.ts'
export type { CreateCredentialsOptions, NonceCounter } from './client.ts'
export { createCredentials, createNonceCounter, generateCnonce } from './client.ts'
export type { DigestQop, DigestSecret, HA1Input, HA2Input, ResponseInput } from './compute.ts'
export {
  computeHA1,
  computeHA2,
  computeResponse,
  computeUserhash,
  formatNonceCount,
  safeEqualHex,
  verifyResponse,
} from './compute.ts'
export type { DigestErrorCode, DigestFaultCode, DigestProblem, DigestResult } from './errors.ts'
export { DigestError, digestErrorCodes, digestFaultCodes } from './errors.ts'
export type { CreateChallengeOptions, VerifyCredentialsOptions } from './server.ts'
export { createChallenge, generateNonce, verifyCredentials } from './server.ts'
export type { DigestChallenge, DigestCredentials, DirectiveMap } from './values.ts'
export {
  challengeDirectives,
  credentialsDirectives,
  parseChallenge,
  parseCredentials,
} from './values.ts'
