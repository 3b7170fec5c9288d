/**
 * The message parser (RFC 3261 §7, §25): one pass finds the start line and the boundaries of every
 * header field; header values are parsed later, when read. Never throws: untrusted octets give a
 * result, and every limit is checked on the way.
 */

import { Buffer } from 'node:buffer'
import { DIGIT, parseDigits, scan, TOKEN, tokenChar, wireToText } from './chars.ts'
import { parseErrorCodes as E, type ParseErrorCode } from './errors.ts'
import { scanFields, scanned, scanReasons } from './fields.ts'
import { Headers } from './headers.ts'
import { defaultLimits, type Limits, resolveLimits } from './limits.ts'
import { type SipMessage, SipRequest, SipResponse, type Source } from './message.ts'
import { methodAt } from './methods.ts'
import { parseUriAt, type Uri } from './uri.ts'

export interface ParseError {
  readonly code: ParseErrorCode
  /** Offset in the input where the problem was found. */
  readonly offset: number
  readonly reason: string
  /**
   * For a request whose header fields could be read: the status to answer with (400, 414, 513)
   * and the fields, enough for `createResponse({ headers }, status)`. Otherwise the input is
   * dropped (and counted).
   */
  readonly status?: number | undefined
  readonly headers?: Headers | undefined
}

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | { readonly ok: false; readonly error: ParseError }

const CRLFCRLF = Buffer.from('\r\n\r\n')

function fail(
  code: ParseErrorCode,
  offset: number,
  reason: string,
  status?: number,
  headers?: Headers,
): ParseResult {
  return { ok: false, error: { code, offset, reason, status, headers } }
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Node's Buffer reads latin1 text without the argument handling of `toString()`. */
interface Latin1Readable {
  latin1Slice(start: number, end: number): string
}

/** Index after the CRLFs at `i` (RFC 3261 §7.5: CRLFs before a start line are ignored). */
export function skipCrlf(buf: Uint8Array, i: number, end: number): number {
  while (i + 1 < end && buf[i] === 13 && buf[i + 1] === 10) i += 2
  return i
}

/** Offset of the CRLFCRLF that ends the header section starting at `start`, or -1. */
export function findHeaderEnd(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(CRLFCRLF, start)
  return at === -1 || at + 4 > end ? -1 : at
}

/** A parsed header section, waiting for its body. */
export interface Head {
  readonly request: boolean
  readonly method: string
  readonly uri: Uri | undefined
  readonly status: number
  readonly reason: string
  readonly version: string
  readonly headers: Headers
  /** Content-Length, or -1 when absent. */
  readonly contentLength: number
  readonly start: number
  readonly lineEnd: number
  readonly bodyStart: number
}

export type HeadResult =
  | { readonly ok: true; readonly head: Head }
  | { readonly ok: false; readonly error: ParseError }

/**
 * Parses the start line and header fields of the message starting at `buf[start]`, up to the empty
 * line that ends them, which must lie before `end`.
 */
export function parseHead(buf: Buffer, start: number, end: number, lim: Limits): HeadResult {
  const src = (buf as unknown as Latin1Readable).latin1Slice(start, end)

  // --- start line: it ends at the first LF, which must follow a CR, and holds no other CR
  const lf = src.indexOf('\n')
  if (lf < 1 || src.charCodeAt(lf - 1) !== 13) return startLineError(src, start, end, lim)
  const lineEnd = lf - 1
  if (lineEnd > lim.maxLineLength) return failHead(E.LINE_TOO_LONG, start, 'start line too long')
  if (src.indexOf('\r') !== lineEnd)
    return failHead(E.BAD_LINE_ENDING, start, 'bare CR or LF in the start line')
  let request: boolean
  let method = ''
  let uri: Uri | undefined
  let status = 0
  let reason = ''
  let version: string
  let deferred: ParseError | undefined

  const sp = firstSp(src)
  if (sp === -1 || sp > lineEnd) return failHead(E.BAD_START_LINE, start, 'start line has no SP')
  if ((sp === 7 && isSip20(src, 0)) || isVersion(src, 0, sp)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    request = false
    version = versionText(src, 0, sp)
    const codeEnd = sp + 4
    if (codeEnd > lineEnd || (codeEnd < lineEnd && src.charCodeAt(codeEnd) !== 32)) {
      return failHead(E.BAD_STATUS_CODE, start + sp + 1, 'status code is not three digits')
    }
    status = parseDigits(src, sp + 1, codeEnd, 699)
    if (status < 100) return failHead(E.BAD_STATUS_CODE, start + sp + 1, 'status code out of range')
    reason = codeEnd < lineEnd ? wireToText(src.slice(codeEnd + 1, lineEnd)) : ''
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version. Extra SP between the elements and
    // after the version are ignored (RFC 4475 §3.1.2.9 and §3.1.2.10 allow this repair).
    request = true
    if (scan(src, 0, sp, TOKEN) !== sp) return failHead(E.BAD_START_LINE, start, 'method is not a token')
    method = methodAt(src, 0, sp)
    let last = lineEnd
    while (last > sp && src.charCodeAt(last - 1) === 32) last--
    // the SP before the version: the last one before `last` (the one after the method at worst);
    // with nothing after the method, the error points where a search back from there would
    let vsp = last - 8
    if (vsp > sp && src.charCodeAt(vsp) === 32 && isSip20(src, vsp + 1)) version = 'SIP/2.0'
    else {
      vsp = last - 1
      while (vsp > sp && src.charCodeAt(vsp) !== 32) vsp--
      if (vsp < sp) vsp = sp === 0 ? 0 : -1
      if (vsp <= sp || !isVersion(src, vsp + 1, last)) {
        return failHead(E.BAD_START_LINE, start + vsp + 1, 'no SIP-Version at the end of the request line')
      }
      version = versionText(src, vsp + 1, last)
    }
    let uriStart = sp + 1
    while (src.charCodeAt(uriStart) === 32) uriStart++
    let uriEnd = vsp
    while (uriEnd > uriStart && src.charCodeAt(uriEnd - 1) === 32) uriEnd--
    if (uriEnd - uriStart > lim.maxUriLength) {
      deferred = {
        code: E.URI_TOO_LONG,
        offset: start + uriStart,
        reason: 'Request-URI too long',
        status: 414,
      }
    } else {
      uri = uriStart < uriEnd ? parseUriAt(src, uriStart, uriEnd) : undefined
      if (uri === undefined) {
        deferred = {
          code: E.BAD_REQUEST_URI,
          offset: start + uriStart,
          reason: 'invalid Request-URI',
          status: 400,
        }
      }
    }
  }

  // --- header fields, up to the empty line
  const fields = scanFields(src, lineEnd + 2, lim)
  if (typeof fields === 'number') {
    const code = scanned.error
    const at = start + fields
    if (code === E.BAD_CONTENT_LENGTH) {
      const why =
        scanned.contentLength === -2 ? 'Content-Length appears more than once' : 'invalid Content-Length'
      const headers = request ? new Headers(src, scanned.pos) : undefined
      return {
        ok: false,
        error: { code, offset: at, reason: why, status: request ? 400 : undefined, headers },
      }
    }
    return failHead(code, at, scanReasons[code] ?? 'invalid header field')
  }
  const pos = fields
  const contentLength = scanned.contentLength
  const at = scanned.end
  const headers = new Headers(src, pos, scanned.slots)
  if (deferred !== undefined) return { ok: false, error: { ...deferred, headers } }
  return {
    ok: true,
    head: {
      request,
      method,
      uri,
      status,
      reason,
      version,
      headers,
      contentLength,
      start,
      lineEnd: start + lineEnd,
      bodyStart: start + at,
    },
  }
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, "SIP" in any case (§7.1). */
function isVersion(s: string, start: number, end: number): boolean {
  if (end - start < 7 || (s.charCodeAt(start) | 0x20) !== 115 || (s.charCodeAt(start + 1) | 0x20) !== 105)
    return false
  if ((s.charCodeAt(start + 2) | 0x20) !== 112 || s.charCodeAt(start + 3) !== 47) return false
  const dot = s.indexOf('.', start + 4)
  if (dot === -1 || dot <= start + 4 || dot >= end - 1) return false
  return scan(s, start + 4, dot, DIGIT) === dot && scan(s, dot + 1, end, DIGIT) === end
}

/**
 * The first SP of the start line, right after `SIP/2.0` or a method token read without a search
 * (the line ends with CR, no token char); else searched for.
 */
function firstSp(src: string): number {
  if (isSip20(src, 0) && src.charCodeAt(7) === 32) return 7
  let i = 0
  while (tokenChar[src.charCodeAt(i)] === 1) i++
  return i > 0 && src.charCodeAt(i) === 32 ? i : src.indexOf(' ')
}

/** True when `SIP/2.0`, spelled so, starts at `s[start]`. */
function isSip20(s: string, start: number): boolean {
  return (
    s.charCodeAt(start) === 83 &&
    s.charCodeAt(start + 1) === 73 &&
    s.charCodeAt(start + 2) === 80 &&
    s.charCodeAt(start + 3) === 47 &&
    s.charCodeAt(start + 4) === 50 &&
    s.charCodeAt(start + 5) === 46 &&
    s.charCodeAt(start + 6) === 48
  )
}

/** `SIP/2.0` as written (the usual spelling without a new string), after {@link isVersion}. */
function versionText(s: string, start: number, end: number): string {
  return end - start === 7 && isSip20(s, start) ? 'SIP/2.0' : s.slice(start, end)
}

/**
 * Why a start line whose first LF has no CR before it (or that has no LF) is rejected: no CRLF
 * at all, a CRLF past the line length limit, or a bare LF before the first CRLF.
 */
function startLineError(src: string, start: number, end: number, lim: Limits): HeadResult {
  const lineEnd = src.indexOf('\r\n')
  if (lineEnd === -1) {
    const lf = src.indexOf('\n')
    if (lf !== -1) return failHead(E.BAD_LINE_ENDING, start + lf, 'LF without CR ends the start line')
    return failHead(E.TRUNCATED, end, 'no empty line after the header fields')
  }
  if (lineEnd > lim.maxLineLength) return failHead(E.LINE_TOO_LONG, start, 'start line too long')
  return failHead(E.BAD_LINE_ENDING, start, 'bare CR or LF in the start line')
}

/** A failure with no header fields to answer from: the input is dropped (and counted). */
function failHead(code: ParseErrorCode, offset: number, reason: string): HeadResult {
  return { ok: false, error: { code, offset, reason } }
}

/** Builds the message from a parsed head and the octets holding it, its body ending at `bodyEnd`. */
export function toMessage(head: Head, bytes: Buffer, bodyEnd: number): SipMessage {
  const source: Source = {
    bytes,
    start: head.start,
    lineEnd: head.lineEnd,
    bodyStart: head.bodyStart,
    bodyEnd,
  }
  return head.request
    ? new SipRequest(head.method, head.uri!, head.version, head.headers, undefined, source)
    : new SipResponse(head.status, head.reason, head.version, head.headers, undefined, source)
}

/**
 * Parses one message from a datagram (UDP) or any complete message. Content-Length, when present,
 * bounds the body and octets after it are ignored (RFC 3261 §18.3, RFC 4475 §3.1.1.8); when absent
 * the body runs to the end of the input. Never throws.
 */
export function parseMessage(bytes: Uint8Array, limits?: Partial<Limits>): ParseResult {
  const lim = limits === undefined ? defaultLimits : resolveLimits(limits)
  const buf = asBuffer(bytes)
  const end = buf.length
  const start = skipCrlf(buf, 0, end)
  if (start >= end) return fail(E.EMPTY, 0, 'no message')
  if (end - start > lim.maxMessageSize) {
    // read the header fields still, when they fit, so that a request can be answered with 513
    const headerEnd = findHeaderEnd(buf, start, start + lim.maxMessageSize)
    const r = headerEnd === -1 ? undefined : parseHead(buf, start, headerEnd + 4, lim)
    return r?.ok === true
      ? failFor(r.head, E.MESSAGE_TOO_LARGE, start, 'message too large', 513)
      : fail(E.MESSAGE_TOO_LARGE, start, 'message too large', 513)
  }
  const r = parseHead(buf, start, end, lim)
  if (!r.ok) return r
  const head = r.head
  let bodyEnd = end
  if (head.contentLength >= 0) {
    bodyEnd = head.bodyStart + head.contentLength
    if (bodyEnd > end)
      return failFor(head, E.BODY_TRUNCATED, end, 'Content-Length is larger than the body', 400)
  }
  return { ok: true, message: toMessage(head, buf, bodyEnd) }
}

/** A failure after the head was read: a request gets a status and its headers, to be answered. */
export function failFor(
  head: Head,
  code: ParseErrorCode,
  offset: number,
  reason: string,
  status: number,
): ParseResult {
  return head.request ? fail(code, offset, reason, status, head.headers) : fail(code, offset, reason)
}
