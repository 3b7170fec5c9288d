// @junction/diameter — the public API. Sans-I/O: octets in, typed messages out, octets back.

export { Avp, AvpFlags, AvpList, rawAvp } from './avp.ts'
export type { AnswerInit, ErrorAnswerInit, IdGenerator, RequestInit } from './build.ts'
export {
  answerFor,
  createAnswer,
  createIdGenerator,
  createRequest,
  createSessionIdGenerator,
} from './build.ts'
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
export type { EncodeOptions, ValidationProblem } from './encode.ts'
export { encodeMessage, validateMessage } from './encode.ts'
export type { DecodeErrorCode, DiameterFaultCode } from './errors.ts'
export { DiameterCodecError, decodeErrorCodes, faultCodes } from './errors.ts'
export type { Grammar, GrammarProblem, GrammarRule } from './grammar.ts'
export type { Limits } from './limits.ts'
export { defaultLimits } from './limits.ts'
export type { DiameterHeader, MessageHeaderInit } from './message.ts'
export { CommandFlags, DiameterMessage } from './message.ts'
export type { ResultCodeName } from './result-codes.ts'
export { isProtocolError, ResultCode } from './result-codes.ts'
export type { FrameEvent, StreamFramer } from './stream.ts'
export { createStreamFramer } from './stream.ts'
