// @junction/diameter — the public API: the sans-I/O codec and dictionary, and the peers, routing
// and node (client and server) on top of it.

export { Avp, AvpFlags, AvpList, rawAvp } from './avp.ts'
export type { ReconnectOptions } from './backoff.ts'
export { defaultReconnectOptions, reconnectDelay } from './backoff.ts'
export type { AnswerInit, ErrorAnswerInit, IdGenerator, RequestInit } from './build.ts'
export {
  answerFor,
  createAnswer,
  createIdGenerator,
  createRequest,
  createSessionIdGenerator,
} from './build.ts'
export type { DiameterApplication, RemoteCapabilities } from './capabilities.ts'
export { RELAY_APPLICATION_ID } from './capabilities.ts'
export {
  connectionClose,
  dropped,
  messageIn,
  messageOut,
  peerState,
  watchdogState,
} from './channels.ts'
export type { Clock, ManualClock, Timer } from './clock.ts'
export { createManualClock, systemClock } from './clock.ts'
export type { DiameterSocket } from './connection.ts'
export type { DataType, DataTypeInputs, DataTypeValues } from './data-types.ts'
export { AddressFamily } from './data-types.ts'
export type { DecodeError, DecodeOptions, DecodeResult } from './decode.ts'
export { decodeMessage } from './decode.ts'
export type { DefaultDictionary } from './default-dictionary.ts'
export { defaultDictionary } from './default-dictionary.ts'
export { baseDictionary } from './dictionaries/base.ts'
export { CX_APPLICATION_ID, cxDictionary, VENDOR_3GPP, VENDOR_ETSI } from './dictionaries/cx.ts'
export type {
  AvpDef,
  AvpInput,
  AvpName,
  AvpSpec,
  AvpSpecs,
  AvpsInit,
  AvpValue,
  CommandDef,
  CommandName,
  CommandSpecs,
  DictionaryModule,
  DictionaryModuleSpec,
  FlagRule,
  RequestName,
} from './dictionary.ts'
export { createDictionary, Dictionary, defineDictionary } from './dictionary.ts'
export type { DuplicateOptions } from './duplicates.ts'
export { defaultDuplicateOptions } from './duplicates.ts'
export type { EncodeOptions, ValidationProblem } from './encode.ts'
export { encodeMessage, validateMessage } from './encode.ts'
export type { DecodeErrorCode, DiameterFaultCode, DiameterPeerErrorCode } from './errors.ts'
export { DiameterCodecError, DiameterError, decodeErrorCodes, faultCodes, peerErrorCodes } from './errors.ts'
export type { Grammar, GrammarProblem, GrammarRule } from './grammar.ts'
export type { Limits } from './limits.ts'
export { defaultLimits } from './limits.ts'
export type { DiameterHeader, MessageHeaderInit } from './message.ts'
export { CommandFlags, DiameterMessage } from './message.ts'
export type {
  DiameterCounters,
  DiameterLogger,
  DiameterNode,
  DiameterNodeDeps,
  DiameterNodeOptions,
  HandlerContext,
  RequestHandler,
  RequestOptions,
} from './node.ts'
export { createDiameterNode } from './node.ts'
export type { DiameterPeer, DisconnectCauseName, PeerConfig } from './peer.ts'
export { DisconnectCause } from './peer.ts'
export type { PeerAction, PeerEvent, PeerState, Transition } from './peer-state.ts'
export { peerStates, transition, winsElection } from './peer-state.ts'
export type { ResultCodeName } from './result-codes.ts'
export { isProtocolError, ResultCode } from './result-codes.ts'
export type { RouteCandidate, RouteTarget } from './router.ts'
export { selectPeer } from './router.ts'
export type { FrameEvent, StreamFramer } from './stream.ts'
export { createStreamFramer } from './stream.ts'
export type { Watchdog, WatchdogActions, WatchdogDeps, WatchdogOptions, WatchdogState } from './watchdog.ts'
export { createWatchdog, defaultWatchdogOptions } from './watchdog.ts'
