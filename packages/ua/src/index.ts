// @junction/ua — the user agent core: RFC 3261 UAC/UAS (§8), dialogs (§12), INVITE sessions
// (§13–15), authentication retries (§22), MESSAGE (RFC 3428), a REGISTER client (§10.2).
export type { CallResult, IncomingCall, IncomingCallState, InviteOptions, OutgoingCall } from './call.ts'
export type { LocalAddress, Outcome } from './core.ts'
export { nextHopUri } from './core.ts'
export type { ChallengeInput, CredentialsProvider, DigestProviderOptions } from './credentials.ts'
export { createDigestProvider } from './credentials.ts'
export { Dialog, dialogKey } from './dialog.ts'
export type { UaFaultCode, UaOutcomeCode } from './errors.ts'
export { UaError, uaFaultCodes, uaOutcomeCodes } from './errors.ts'
export type { RegisterOptions, RegisterOutcome, Registration } from './registration.ts'
export { refreshDelay, registrationChannel } from './registration.ts'
export type { Body, SessionEnd, SessionState } from './session.ts'
export { Session, sessionChannel } from './session.ts'
export type { Notification, SubscribeOptions, Subscription } from './subscription.ts'
export { subscriptionChannel } from './subscription.ts'
export type {
  Identity,
  RequestOptions,
  UserAgent,
  UserAgentDeps,
  UserAgentHandlers,
  UserAgentOptions,
} from './user-agent.ts'
export { createUserAgent } from './user-agent.ts'
