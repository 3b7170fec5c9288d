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
  /**
   * Octets copied so far to hold incomplete header sections (for tests: a header section that
   * arrives one octet at a time must cost O(n) copies, not O(n²)).
   * @internal
   */
  readonly copied: number
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
  /** The start line of the message at the start of `pending` has been seen whole (ends in CRLF). */
  let startLineSeen = false
  /**
   * Storage that an incomplete header section grows in, with room to spare (doubling), so that a
   * header section arriving in small chunks is copied O(n) times in all, not once per chunk.
   */
  let store: Buffer | undefined
  /** Offset in `store` just past the last octet held. */
  let storeEnd = 0
  let copied = 0

  /** `pending` followed by `chunk`, appended in place in `store` when `pending` ends there. */
  function append(held: Buffer, chunk: Buffer): Buffer {
    const size = held.length + chunk.length
    if (
      store !== undefined &&
      held.buffer === store.buffer &&
      held.byteOffset + held.length === store.byteOffset + storeEnd &&
      storeEnd + chunk.length <= store.length
    ) {
      store.set(chunk, storeEnd)
      storeEnd += chunk.length
      copied += chunk.length
      return store.subarray(storeEnd - size, storeEnd)
    }
    // past maxMessageSize the header section fails: no need for room beyond it
    const room = Math.max(size, Math.min(2 * size, lim.maxMessageSize + 4))
    // not zeroed: only octets written here are ever visible (the views end at storeEnd)
    store = Buffer.allocUnsafeSlow(Math.max(room, 1024))
    store.set(held, 0)
    store.set(chunk, held.length)
    storeEnd = size
    copied += size
    return store.subarray(0, size)
  }

  function stop(events: StreamEvent[], error: ParseError): StreamEvent[] {
    failed = true
    pending = undefined
    store = undefined
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
      buf = pending === undefined ? asBuffer(chunk) : append(pending, asBuffer(chunk))
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
          if (!startLineSeen) {
            // a start line longer than maxLineLength fails now, not after maxMessageSize octets
            const nl = buf.indexOf(10, Math.max(pos, searchFrom))
            if (nl !== -1) startLineSeen = true
            if (nl !== -1 ? nl - 1 - pos > lim.maxLineLength : end - pos > lim.maxLineLength + 1) {
              return stop(events, { code: E.LINE_TOO_LONG, offset: pos, reason: 'start line too long' })
            }
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
      const shared = buf.buffer === store?.buffer ? store.length : buf.length
      events.push({ type: 'message', message: own(head, buf, need, shared), size: need - head.start })
      head = undefined
      startLineSeen = false
      pos = need
      searchFrom = pos
    }
    if (pos >= end) {
      pending = undefined
      store = undefined // messages may still share it: never written again
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
    get copied() {
      return copied
    },
  }
}

/** Octets of other data a message may share its buffer with before it gets its own copy. */
const SHARE_LIMIT = 4096

/**
 * The message of `head` ending at `end` in `buf`. When the storage of `buf` (`shared` octets: a
 * socket read, up to 64 KiB, or the parser's growing buffer) holds much more than this message,
 * the message gets a copy of its own octets: a message kept for long (a ringing INVITE in its
 * transaction) must not keep the whole read alive with it.
 */
function own(head: Head, buf: Buffer, end: number, shared: number): SipMessage {
  const size = end - head.start
  if (shared - size <= SHARE_LIMIT) return toMessage(head, buf, end)
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
