/**
 * Framing Diameter messages on a stream (TCP; RFC 6733 §3: each message carries its length in its
 * header). A push framer: octets in, whole messages out, cut by the 24-bit Message Length.
 *
 * It holds at most one message's worth of octets (`maxMessageSize`) plus the rest of the chunk
 * that completed it, and joins chunks once per message. A version other than 1, a Message Length
 * below 20, not a multiple of 4 or over `maxMessageSize` cannot be skipped safely: the framer
 * stops and the connection should be closed. When the 20 octets of that message's header were
 * received by then (the framer stops at the 4th), the error carries the header, so that a request can be answered first (RFC 6733
 * §7.1.5: 5011 DIAMETER_UNSUPPORTED_VERSION, 5015 DIAMETER_INVALID_MESSAGE_LENGTH). Messages are views on the pushed chunks; decode them
 * with `decodeMessage` (a message that does not decode is answered, and the stream goes on).
 */
import { Buffer } from 'node:buffer'
import { type DecodeError, readHeader } from './decode.ts'
import { type DefaultDictionary, defaultDictionary } from './default-dictionary.ts'
import { type DecodeErrorCode, decodeErrorCodes as E } from './errors.ts'
import { type Limits, resolveLimits } from './limits.ts'
import type { DiameterHeader } from './message.ts'

export type FrameEvent =
  | { readonly type: 'message'; readonly bytes: Uint8Array }
  | { readonly type: 'error'; readonly error: DecodeError<DefaultDictionary> }

export interface StreamFramer {
  /** Feeds received octets; returns the messages they completed, in order, or a fatal error. */
  push(chunk: Uint8Array): FrameEvent[]
  /** Octets held for an incomplete message. */
  readonly buffered: number
  /** True after an error: the stream is unusable and push() returns nothing. */
  readonly failed: boolean
}

export function createStreamFramer(limits?: Partial<Limits>): StreamFramer {
  const lim = resolveLimits(limits)
  /** Chunks of an incomplete message, in order. */
  let pending: Buffer[] = []
  let pendingLength = 0
  let failed = false

  function fatal(
    events: FrameEvent[],
    code: DecodeErrorCode,
    resultCode: number,
    reason: string,
    header: DiameterHeader | undefined,
  ): FrameEvent[] {
    failed = true
    pending = []
    pendingLength = 0
    events.push({
      type: 'error',
      error: {
        code,
        resultCode,
        reason,
        offset: 0,
        header,
        failedAvp: undefined,
        message: undefined,
        sessionId: undefined,
        dictionary: defaultDictionary,
      },
    })
    return events
  }

  /**
   * The Message Length of the message at `b[at]` (4 octets there at least), or -1 after a fatal
   * error; the error has the header when `b` holds its 20 octets.
   */
  function lengthAt(events: FrameEvent[], b: Uint8Array, at: number): number {
    const header = () => (b.length - at >= 20 ? readHeader(b.subarray(at, at + 20)) : undefined)
    const version = b[at]!
    if (version !== 1) {
      fatal(events, E.UNSUPPORTED_VERSION, 5011, `version ${version}: not a Diameter stream`, header())
      return -1
    }
    const len = (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!
    if (len > lim.maxMessageSize) {
      const reason = `Message Length ${len} over ${lim.maxMessageSize}`
      fatal(events, E.MESSAGE_TOO_LARGE, 5012, reason, header())
      return -1
    }
    if (len < 20 || len % 4 !== 0) {
      fatal(events, E.BAD_MESSAGE_LENGTH, 5015, `Message Length ${len}`, header())
      return -1
    }
    return len
  }

  /** Cuts the whole messages of `b`; returns the offset of the rest, or -1 after a fatal error. */
  function cut(events: FrameEvent[], b: Buffer): number {
    let pos = 0
    while (b.length - pos >= 4) {
      const len = lengthAt(events, b, pos)
      if (len < 0) return -1
      if (b.length - pos < len) break
      events.push({ type: 'message', bytes: b.subarray(pos, pos + len) })
      pos += len
    }
    return pos
  }

  function push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = []
    if (failed || chunk.length === 0) return events
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let b: Buffer
    if (pendingLength === 0) {
      b = c
    } else {
      pending.push(c)
      pendingLength += c.length
      if (pendingLength < 4) return events
      // the header may straddle chunks (its first 4 octets frame; all 20 go into a fatal error)
      const head =
        pending[0]!.length >= 20 ? pending[0]! : Buffer.concat(pending, Math.min(pendingLength, 20))
      const len = lengthAt(events, head, 0)
      if (len < 0) return events
      if (pendingLength < len) return events
      b = Buffer.concat(pending, pendingLength)
      pending = []
      pendingLength = 0
    }
    const rest = cut(events, b)
    if (rest < 0) return events
    if (rest < b.length) {
      // copy the rest: it is part of a message still arriving, and must not pin a large chunk
      const tail = Buffer.from(b.subarray(rest))
      pending = [tail]
      pendingLength = tail.length
    }
    return events
  }

  return {
    push,
    get buffered() {
      return pendingLength
    },
    get failed() {
      return failed
    },
  }
}
