/**
 * Framing SIP messages on a stream (TCP, TLS; RFC 3261 §18.3): a push parser that cuts messages by
 * Content-Length, which is mandatory on streams, and recognizes the RFC 5626 §4.4.1 keep-alives
 * between messages: a double CRLF is a ping (answer it with a single CRLF), a single CRLF a pong.
 *
 * It never holds more than one message's worth of octets (`maxMessageSize`): a header section or a
 * Content-Length beyond it is an error. After an error the stream cannot be re-synchronized: the
 * parser stops, and the transport should close the connection (after answering a request that
 * carries `headers`).
 */
import { Buffer } from 'node:buffer'
import { parseErrorCodes as E } from './errors.ts'
import { defaultLimits, type Limits, resolveLimits } from './limits.ts'
import type { SipMessage } from './message.ts'
import { asBuffer, findHeaderEnd, type Head, type ParseError, parseHead, toMessage } from './parse.ts'

export type StreamEvent =
  | {
      readonly type: 'message'
      readonly message: SipMessage /** Octets the message took on the stream. */
      readonly size: number
    }
  | { readonly type: 'ping' }
  | { readonly type: 'pong' }
  | { readonly type: 'error'; readonly error: ParseError }

export interface StreamParser {
  /** Feeds received octets; returns what they completed, in order. */
  push(chunk: Uint8Array): StreamEvent[]
  /** Octets held for an incomplete message. */
  readonly buffered: number
  /** True after an error: the stream is unusable and push() returns nothing. */
  readonly failed: boolean
}

export function createStreamParser(limits?: Partial<Limits>): StreamParser {
  const lim = limits === undefined ? defaultLimits : resolveLimits(limits)
  /** Octets not consumed yet; a message (if any) starts at offset 0. */
  let pending: Buffer | undefined
  /** Chunks of a body still arriving (concatenated once complete). */
  let chunks: Buffer[] = []
  let chunked = 0
  /** The head of the message whose body is arriving; offsets relative to `pending`. */
  let head: Head | undefined
  /** Where to resume the search for the end of the header section. */
  let searchFrom = 0
  /** A lone CRLF ended the last chunk: a CRLF that starts the next one completes a ping. */
  let halfPing = false
  let failed = false

  function stop(events: StreamEvent[], error: ParseError): StreamEvent[] {
    failed = true
    pending = undefined
    chunks = []
    head = undefined
    events.push({ type: 'error', error })
    return events
  }

  function push(chunk: Uint8Array): StreamEvent[] {
    const events: StreamEvent[] = []
    if (failed || chunk.length === 0) return events
    let buf: Buffer
    if (head !== undefined) {
      // a body is arriving: keep chunks until the message is complete, then join once
      chunks.push(asBuffer(chunk))
      chunked += chunk.length
      if (pending!.length + chunked < head.bodyStart + head.contentLength) return events
      buf = Buffer.concat([pending!, ...chunks], pending!.length + chunked)
      chunks = []
      chunked = 0
    } else {
      buf = pending === undefined ? asBuffer(chunk) : Buffer.concat([pending, asBuffer(chunk)])
    }
    let pos = 0
    const end = buf.length
    for (;;) {
      if (head === undefined) {
        // between messages: keep-alives (RFC 5626 §4.4.1) and stray CRLFs (§7.5)
        if (halfPing && pos === 0 && buf[0] === 13) {
          if (end === 1) break // the CR of the second half of a ping: its LF is still on its way
          if (buf[1] === 10) {
            events.push({ type: 'ping' }) // the second half of a ping split across reads
            pos = 2
          }
        }
        halfPing = false
        let wait = false
        while (pos < end && buf[pos] === 13) {
          const left = end - pos
          if (left === 1 || (left === 3 && buf[pos + 1] === 10 && buf[pos + 2] === 13)) {
            wait = true // a CR whose LF (or a ping whose second CRLF) is still on its way
            break
          }
          if (buf[pos + 1] !== 10) break // the parser rejects a bare CR
          if (left >= 4 && buf[pos + 2] === 13 && buf[pos + 3] === 10) {
            events.push({ type: 'ping' })
            pos += 4
            continue
          }
          events.push({ type: 'pong' })
          pos += 2
          if (pos === end) halfPing = true
        }
        if (wait || pos >= end) break
        const headerEnd = findHeaderEnd(buf, Math.max(pos, searchFrom - 3), end)
        if (headerEnd === -1) {
          // lines end in CRLF (RFC 3261 §7): after a bare LF no empty line can end the header
          // section, so fail now rather than buffer up to maxMessageSize
          const lf = findBareLf(buf, pos, Math.max(pos, searchFrom), end)
          if (lf !== -1) {
            return stop(events, {
              code: E.BAD_LINE_ENDING,
              offset: lf,
              reason: 'bare LF in the header section',
            })
          }
          if (end - pos > lim.maxMessageSize) {
            return stop(events, {
              code: E.MESSAGE_TOO_LARGE,
              offset: pos,
              reason: 'header section too large',
            })
          }
          searchFrom = end
          break
        }
        if (headerEnd + 4 - pos > lim.maxMessageSize) {
          return stop(events, { code: E.MESSAGE_TOO_LARGE, offset: pos, reason: 'header section too large' })
        }
        const r = parseHead(buf, pos, headerEnd + 4, lim)
        if (!r.ok) return stop(events, r.error)
        const h = r.head
        const answer = h.request ? { status: 400, headers: h.headers } : {}
        if (h.contentLength < 0) {
          return stop(events, {
            code: E.MISSING_CONTENT_LENGTH,
            offset: pos,
            reason: 'no Content-Length',
            ...answer,
          })
        }
        if (h.bodyStart + h.contentLength - pos > lim.maxMessageSize) {
          const tooLarge = h.request ? { status: 513, headers: h.headers } : {}
          return stop(events, {
            code: E.MESSAGE_TOO_LARGE,
            offset: pos,
            reason: 'message too large',
            ...tooLarge,
          })
        }
        head = h
      }
      const need = head.bodyStart + head.contentLength
      if (need > end) break
      events.push({ type: 'message', message: own(head, buf, need), size: need - head.start })
      head = undefined
      pos = need
      searchFrom = pos
    }
    if (pos >= end) {
      pending = undefined
      searchFrom = 0
    } else {
      pending = buf.subarray(pos)
      searchFrom = Math.max(0, searchFrom - pos)
      if (head !== undefined) head = rebase(head, pos)
    }
    return events
  }

  return {
    push,
    get buffered() {
      return (pending?.length ?? 0) + chunked
    },
    get failed() {
      return failed
    },
  }
}

/** Octets of other data a message may share its buffer with before it gets its own copy. */
const SHARE_LIMIT = 4096

/**
 * The message of `head` ending at `end` in `buf`. When `buf` (a socket read, up to 64 KiB) holds
 * much more than this message, the message gets a copy of its own octets: a message kept for long
 * (a ringing INVITE in its transaction) must not keep the whole read alive with it.
 */
function own(head: Head, buf: Buffer, end: number): SipMessage {
  const size = end - head.start
  if (buf.length - size <= SHARE_LIMIT) return toMessage(head, buf, end)
  const copy = new Uint8Array(size) // an ArrayBuffer of its own, not a slice of Node's shared pool
  copy.set(buf.subarray(head.start, end))
  return toMessage(rebase(head, head.start), asBuffer(copy), size)
}

/** The same head, with its offsets moved `by` octets toward the start of the buffer. */
function rebase(head: Head, by: number): Head {
  if (by === 0) return head
  return { ...head, start: head.start - by, lineEnd: head.lineEnd - by, bodyStart: head.bodyStart - by }
}

/** Offset of the first LF in `buf[from, end)` not preceded by a CR of the message at `pos`, or -1. */
function findBareLf(buf: Buffer, pos: number, from: number, end: number): number {
  for (let i = buf.indexOf(10, from); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) {
    if (i === pos || buf[i - 1] !== 13) return i
  }
  return -1
}
