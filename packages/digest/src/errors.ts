/**
 * Stable codes of @junction/digest. Results for directives that came from the network carry the
 * `JUNCTION_ERR_DIGEST_*` result codes; `DigestError` is thrown only for a programming error (a
 * bad argument to a computation). Every code is listed in docs/errors.md; a test keeps the two in
 * sync.
 */

/** Codes of `{ ok: false }` results: the directives came from the network. */
export const digestErrorCodes = {
  /** A directive the challenge or the credentials need is absent (RFC 7616 §3.3, §3.4). */
  MISSING_DIRECTIVE: 'JUNCTION_ERR_DIGEST_MISSING_DIRECTIVE',
  /** A directive has a value its grammar does not allow (an `nc` that is not 8 hex digits, ...). */
  BAD_DIRECTIVE: 'JUNCTION_ERR_DIGEST_BAD_DIRECTIVE',
  /** An `algorithm` this package does not implement (RFC 7616 §3.3: ignore that challenge). */
  UNSUPPORTED_ALGORITHM: 'JUNCTION_ERR_DIGEST_UNSUPPORTED_ALGORITHM',
  /** The challenge offers qop values, none of them `auth` or `auth-int`. */
  UNSUPPORTED_QOP: 'JUNCTION_ERR_DIGEST_UNSUPPORTED_QOP',
} as const

export type DigestErrorCode = (typeof digestErrorCodes)[keyof typeof digestErrorCodes]

/** Codes of faults thrown by this package. */
export const digestFaultCodes = {
  /** A computation was given arguments it cannot work with (see docs/errors.md). */
  INVALID_ARGUMENT: 'JUNCTION_ERR_DIGEST_INVALID_ARGUMENT',
} as const

export type DigestFaultCode = (typeof digestFaultCodes)[keyof typeof digestFaultCodes]

/** The error of a `{ ok: false }` result. */
export interface DigestProblem {
  readonly code: DigestErrorCode
  readonly reason: string
}

/** A value, or the reason why the network's directives gave none. */
export type DigestResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: DigestProblem }

/** A programming error in the use of this package; never thrown for directives from the network. */
export class DigestError extends Error {
  readonly code: DigestFaultCode
  constructor(code: DigestFaultCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DigestError'
    this.code = code
  }
}

export function invalidArgument(message: string): DigestError {
  return new DigestError(digestFaultCodes.INVALID_ARGUMENT, message)
}

export function failure<T>(code: DigestErrorCode, reason: string): DigestResult<T> {
  return { ok: false, error: { code, reason } }
}
