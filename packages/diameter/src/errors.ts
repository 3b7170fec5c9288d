/**
 * Stable codes of @junction/diameter. Decode results carry the `JUNCTION_ERR_DIAMETER_*` codes of
 * untrusted input, each with the Result-Code (RFC 6733 §7.1) an answer to a request carries;
 * `DiameterCodecError` is thrown only for a programming error (a bad argument to a builder, a
 * message we would send that breaks its command grammar, a dictionary that does not resolve).
 * Every code is listed in docs/errors.md; a test keeps the two in sync.
 */

export const decodeErrorCodes = {
  /** Fewer octets than the 20-octet header, or than the Message Length says. */
  TRUNCATED: 'JUNCTION_ERR_DIAMETER_TRUNCATED',
  /** Message Length below 20, not a multiple of 4, or not the length of the input. */
  BAD_MESSAGE_LENGTH: 'JUNCTION_ERR_DIAMETER_BAD_MESSAGE_LENGTH',
  /** Version is not 1. */
  UNSUPPORTED_VERSION: 'JUNCTION_ERR_DIAMETER_UNSUPPORTED_VERSION',
  /** Message Length larger than `maxMessageSize`. */
  MESSAGE_TOO_LARGE: 'JUNCTION_ERR_DIAMETER_MESSAGE_TOO_LARGE',
  /** A reserved bit of the command flags is set. */
  RESERVED_HEADER_BITS: 'JUNCTION_ERR_DIAMETER_RESERVED_HEADER_BITS',
  /** Command flags in an invalid combination or inconsistent with the command (E on a request, T on an answer, P unlike the command's definition). */
  INVALID_HEADER_BITS: 'JUNCTION_ERR_DIAMETER_INVALID_HEADER_BITS',
  /** An AVP Length below the AVP header, past the end of the message or group, or wrong for the AVP's data type. */
  BAD_AVP_LENGTH: 'JUNCTION_ERR_DIAMETER_BAD_AVP_LENGTH',
  /** A reserved bit of the AVP flags is set. */
  INVALID_AVP_BITS: 'JUNCTION_ERR_DIAMETER_INVALID_AVP_BITS',
  /** An AVP with the M bit whose value is invalid or unrecognized (bad UTF-8, unknown enumeration, ...). */
  INVALID_AVP_VALUE: 'JUNCTION_ERR_DIAMETER_INVALID_AVP_VALUE',
  /** An AVP that is not in the dictionary, with the M bit set. */
  AVP_UNSUPPORTED: 'JUNCTION_ERR_DIAMETER_AVP_UNSUPPORTED',
  /** More AVPs (grouped ones included) than `maxAvpCount`. */
  TOO_MANY_AVPS: 'JUNCTION_ERR_DIAMETER_TOO_MANY_AVPS',
  /** Grouped AVPs nested deeper than `maxDepth`. */
  TOO_DEEP: 'JUNCTION_ERR_DIAMETER_TOO_DEEP',
  /** A Command Code that the dictionary does not know. */
  COMMAND_UNSUPPORTED: 'JUNCTION_ERR_DIAMETER_COMMAND_UNSUPPORTED',
  /** A known Command Code with an Application-Id that is not the command's. */
  APPLICATION_UNSUPPORTED: 'JUNCTION_ERR_DIAMETER_APPLICATION_UNSUPPORTED',
  /** A required AVP (`< >` or `{ }`) of the command or group grammar is absent. */
  MISSING_AVP: 'JUNCTION_ERR_DIAMETER_MISSING_AVP',
  /** An AVP more often than its grammar allows. */
  AVP_OCCURS_TOO_MANY_TIMES: 'JUNCTION_ERR_DIAMETER_AVP_OCCURS_TOO_MANY_TIMES',
  /** An AVP the grammar does not allow there (no `*[ AVP ]`, a `< >` AVP out of its place). */
  AVP_NOT_ALLOWED: 'JUNCTION_ERR_DIAMETER_AVP_NOT_ALLOWED',
} as const

export type DecodeErrorCode = (typeof decodeErrorCodes)[keyof typeof decodeErrorCodes]

/** Codes of faults thrown by this package. */
export const faultCodes = {
  /** A builder was given a value it cannot encode (out of range, not an IP address, unknown AVP or command name). */
  INVALID_ARGUMENT: 'JUNCTION_ERR_DIAMETER_INVALID_ARGUMENT',
  /** A message to encode breaks its command grammar (missing required AVP, too many, not allowed). */
  GRAMMAR_VIOLATION: 'JUNCTION_ERR_DIAMETER_GRAMMAR_VIOLATION',
  /** A dictionary module that does not resolve: unknown AVP name in a grammar, duplicate name or code, bad grammar text. */
  BAD_DICTIONARY: 'JUNCTION_ERR_DIAMETER_BAD_DICTIONARY',
} as const

export type DiameterFaultCode = (typeof faultCodes)[keyof typeof faultCodes]

/** A programming error in the use of this package; never thrown for untrusted input. */
export class DiameterCodecError extends Error {
  readonly code: DiameterFaultCode
  /** For GRAMMAR_VIOLATION: the Result-Code a peer would answer with (5005, 5008, 5009). */
  readonly resultCode: number | undefined
  constructor(code: DiameterFaultCode, message: string, options?: { cause?: unknown; resultCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DiameterCodecError'
    this.code = code
    this.resultCode = options?.resultCode
  }
}

/**
 * Codes of the peer layer (peer.ts, node.ts): why `request()` rejected, and why a connection was
 * closed (`DiameterPeer.lastError`, the `error` of the peer-state and connection-close channels).
 * A closed connection may also carry a framing code of `decodeErrorCodes` (version, length, size).
 */
export const peerErrorCodes = {
  /** No answer within the request timeout. */
  TIMEOUT: 'JUNCTION_ERR_DIAMETER_TIMEOUT',
  /** `maxPending` requests are waiting for answers already: rejected at once. */
  TOO_MANY_PENDING: 'JUNCTION_ERR_DIAMETER_TOO_MANY_PENDING',
  /** The connection the request went out on closed before the answer came. */
  CONNECTION_CLOSED: 'JUNCTION_ERR_DIAMETER_CONNECTION_CLOSED',
  /** `request()` before `start()` or after `stop()`. */
  NOT_STARTED: 'JUNCTION_ERR_DIAMETER_NOT_STARTED',
  /** An answer that does not decode (`error.cause` is the decode error, `error.answer` the message when it could be read). */
  BAD_ANSWER: 'JUNCTION_ERR_DIAMETER_BAD_ANSWER',
  /** The TCP connection could not be opened. */
  CONNECT_FAILED: 'JUNCTION_ERR_DIAMETER_CONNECT_FAILED',
  /** No TCP connection, CEA, CER (on an accepted connection) or DPA in time. */
  HANDSHAKE_TIMEOUT: 'JUNCTION_ERR_DIAMETER_HANDSHAKE_TIMEOUT',
  /** The peer's CEA carried a Result-Code other than 2001 (`error.resultCode`). */
  CAPABILITIES_REJECTED: 'JUNCTION_ERR_DIAMETER_CAPABILITIES_REJECTED',
  /** No application in common with the peer (CEA 5010 sent, or the peer's CEA advertised none of ours). */
  NO_COMMON_APPLICATION: 'JUNCTION_ERR_DIAMETER_NO_COMMON_APPLICATION',
  /** A CER from a host that is not in the peer table while only known peers are accepted (CEA 3010 sent). */
  UNKNOWN_PEER: 'JUNCTION_ERR_DIAMETER_UNKNOWN_PEER',
  /** A message other than CER as the first one of an accepted connection, or other than CEA while waiting for it. */
  UNEXPECTED_MESSAGE: 'JUNCTION_ERR_DIAMETER_UNEXPECTED_MESSAGE',
  /** A further connection from a peer that has one already (R-Reject), or over `maxPeers`/`maxIncoming`. */
  CONNECTION_REJECTED: 'JUNCTION_ERR_DIAMETER_CONNECTION_REJECTED',
  /** Closed by the election (RFC 6733 §5.6.4): the other connection with the same peer was kept. */
  ELECTION: 'JUNCTION_ERR_DIAMETER_ELECTION',
  /** The watchdog declared the peer DOWN (RFC 3539: no answer to DWR for 2 Tw). */
  WATCHDOG_TIMEOUT: 'JUNCTION_ERR_DIAMETER_WATCHDOG_TIMEOUT',
  /** The peer closed the connection, or it failed (reset, write error), without DPR/DPA. */
  PEER_DISCONNECTED: 'JUNCTION_ERR_DIAMETER_PEER_DISCONNECTED',
  /** An exception while handling a message (a bug, reported as `cause`): the connection is closed, the process goes on. */
  INTERNAL: 'JUNCTION_ERR_DIAMETER_INTERNAL',
} as const

export type DiameterPeerErrorCode = (typeof peerErrorCodes)[keyof typeof peerErrorCodes]

/** An outcome of the peer layer: a rejected request, or the reason a connection closed. */
export class DiameterError extends Error {
  readonly code: DiameterPeerErrorCode | DecodeErrorCode
  /** The Result-Code involved, when there is one (the CEA's, the one sent). */
  readonly resultCode: number | undefined
  /** BAD_ANSWER: the answer, when it could be read. */
  readonly answer: unknown
  constructor(
    code: DiameterPeerErrorCode | DecodeErrorCode,
    message: string,
    options?: { cause?: unknown; resultCode?: number; answer?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DiameterError'
    this.code = code
    this.resultCode = options?.resultCode
    this.answer = options?.answer
  }
}
