/**
 * Stable codes of @junction/sip. Parse results carry the `JUNCTION_ERR_SIP_*` codes of untrusted
 * input; `SipCodecError` is thrown only for a programming error (a bad argument to a builder).
 * Every code is listed in docs/errors.md; a test keeps the two in sync.
 */

export const parseErrorCodes = {
  /** The input holds nothing but CRLFs. */
  EMPTY: 'JUNCTION_ERR_SIP_EMPTY',
  /** The message is larger than `maxMessageSize`. */
  MESSAGE_TOO_LARGE: 'JUNCTION_ERR_SIP_MESSAGE_TOO_LARGE',
  /** More header fields than `maxHeaderCount`. */
  TOO_MANY_HEADERS: 'JUNCTION_ERR_SIP_TOO_MANY_HEADERS',
  /** A start line or header field longer than `maxLineLength`. */
  LINE_TOO_LONG: 'JUNCTION_ERR_SIP_LINE_TOO_LONG',
  /** More Via values than `maxViaCount`. */
  TOO_MANY_VIAS: 'JUNCTION_ERR_SIP_TOO_MANY_VIAS',
  /** A Request-URI longer than `maxUriLength`. */
  URI_TOO_LONG: 'JUNCTION_ERR_SIP_URI_TOO_LONG',
  /** No empty line ends the header section. */
  TRUNCATED: 'JUNCTION_ERR_SIP_TRUNCATED',
  /** A line ends in a bare LF, or holds a bare CR. */
  BAD_LINE_ENDING: 'JUNCTION_ERR_SIP_BAD_LINE_ENDING',
  /** The start line is neither a Request-Line nor a Status-Line. */
  BAD_START_LINE: 'JUNCTION_ERR_SIP_BAD_START_LINE',
  /** A Status-Line whose code is not three digits from 100 to 699. */
  BAD_STATUS_CODE: 'JUNCTION_ERR_SIP_BAD_STATUS_CODE',
  /** A Request-URI that is not a valid absolute URI (holds whitespace, is bracketed, ...). */
  BAD_REQUEST_URI: 'JUNCTION_ERR_SIP_BAD_REQUEST_URI',
  /** A header line without a colon, or with a name that is not a token. */
  BAD_HEADER_LINE: 'JUNCTION_ERR_SIP_BAD_HEADER_LINE',
  /** Content-Length is not a number, or appears more than once. */
  BAD_CONTENT_LENGTH: 'JUNCTION_ERR_SIP_BAD_CONTENT_LENGTH',
  /** Content-Length says more octets than the datagram holds. */
  BODY_TRUNCATED: 'JUNCTION_ERR_SIP_BODY_TRUNCATED',
  /** A message on a stream transport without Content-Length (RFC 3261 §18.3). */
  MISSING_CONTENT_LENGTH: 'JUNCTION_ERR_SIP_MISSING_CONTENT_LENGTH',
} as const

export type ParseErrorCode = (typeof parseErrorCodes)[keyof typeof parseErrorCodes]

/** Codes of faults thrown by this package. */
export const faultCodes = {
  /** A builder was given a value it cannot write into a message (e.g. an invalid method). */
  INVALID_ARGUMENT: 'JUNCTION_ERR_SIP_INVALID_ARGUMENT',
} as const

export type SipFaultCode = (typeof faultCodes)[keyof typeof faultCodes]

/** A programming error in the use of this package; never thrown for untrusted input. */
export class SipCodecError extends Error {
  readonly code: SipFaultCode
  constructor(code: SipFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SipCodecError'
    this.code = code
  }
}
