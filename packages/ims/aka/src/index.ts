// @junction/aka — the public API. Milenage (TS 35.206), AKA vectors and resynchronisation (TS 33.102),
// HTTP Digest AKAv1-MD5 / AKAv2-MD5 (RFC 3310, RFC 4169).

export type {
  AkaAlgorithm,
  AkaAnswer,
  AkaNonce,
  AkaNonceResult,
  AkaVerdict,
  AnswerAkaChallengeOptions,
  CreateAkaChallengeOptions,
  VerifyAkaCredentialsOptions,
} from './digest-aka.ts'
export {
  akaPassword,
  answerAkaChallenge,
  createAkaChallenge,
  createAkaNonce,
  decodeAuts,
  encodeAuts,
  parseAkaNonce,
  verifyAkaCredentials,
} from './digest-aka.ts'
export type { AkaErrorCode, AkaFaultCode } from './errors.ts'
export { AkaError, akaErrorCodes, akaFaultCodes } from './errors.ts'
export type { Milenage, MilenageF2345, MilenageKeys } from './milenage.ts'
export { computeOpc, createMilenage } from './milenage.ts'
export type { SqnOptions, SqnRangeOptions, UsimSqn, UsimSqnOptions } from './sqn.ts'
export {
  createUsimSqn,
  DEFAULT_DELTA,
  IND_BITS,
  isSqnInRange,
  joinSqn,
  nextSqn,
  SQN_MAX,
  splitSqn,
  sqnFromBytes,
  sqnToBytes,
} from './sqn.ts'
export type {
  AuthenticationVector,
  AutnAccepted,
  AutnRejected,
  ComputeAutsInput,
  GenerateVectorInput,
  ResyncInput,
  ResyncResult,
  SubscriberKeys,
  VerifyAutnInput,
} from './vector.ts'
export { computeAuts, generateVector, resync, verifyAutn } from './vector.ts'
