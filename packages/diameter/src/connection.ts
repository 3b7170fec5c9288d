/**
 * One transport connection with a peer (RFC 6733 §2.1, TCP): framing (stream.ts), decoding, writing,
 * Hop-by-Hop Identifiers unique on the connection (§3), and the requests sent on it that wait for
 * their answers. A framing error (version, length, size) loses the stream: the connection is
 * closed with that error, and never buffers more than one message (`maxMessageSize`). Reading stops
 * while more than `maxWriteBuffer` octets wait to be written, so that a peer that sends and never
 * reads cannot make the node buffer without bound.
 */
import type { Buffer } from 'node:buffer'
import { createIdGenerator, type IdGenerator } from './build.ts'
import { connectionClose, dropped } from './channels.ts'
import type { Clock, Timer } from './clock.ts'
import { type DecodeError, decodeMessage } from './decode.ts'
import type { Dictionary } from './dictionary.ts'
import { encodeMessage } from './encode.ts'
import { DiameterError, peerErrorCodes } from './errors.ts'
import type { Limits } from './limits.ts'
import { CommandFlags, type DiameterMessage } from './message.ts'
import { createStreamFramer, type StreamFramer } from './stream.ts'

/** What the node needs of a stream socket; `net.Socket` is one. */
export interface DiameterSocket {
  write(data: Uint8Array): boolean
  end(): unknown
  destroy(): unknown
  pause(): unknown
  resume(): unknown
  readonly writableLength: number
  readonly remoteAddress?: string | undefined
  readonly remotePort?: number | undefined
  readonly localAddress?: string | undefined
  on(event: 'connect', listener: () => void): unknown
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'drain', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'close', listener: () => void): unknown
}

/** A request sent on the connection, waiting for its answer. */
export interface PendingRequest {
  readonly endToEnd: number
  readonly timer: Timer
  answer(message: DiameterMessage<Dictionary>): void
  fail(error: DiameterError): void
}

export interface ConnectionEvents {
  connect(): void
  message(message: DiameterMessage<Dictionary>, size: number): void
  decodeError(error: DecodeError<Dictionary>, size: number): void
  close(error: DiameterError | undefined): void
}

export interface ConnectionOptions {
  readonly initiator: boolean
  /** False for a connection still being opened (`connect` comes later). */
  readonly connected: boolean
  readonly dictionary: Dictionary
  readonly limits: Partial<Limits> | undefined
  readonly clock: Clock
  /** How long a gracefully closed connection waits for the peer's FIN, in ms. */
  readonly linger: number
  readonly maxWriteBuffer: number
  /** For observers: the peer the connection belongs to, once known. */
  readonly owner?: unknown
}

const noop = () => {}
const detached: ConnectionEvents = { connect: noop, message: noop, decodeError: noop, close: noop }

export class Connection {
  readonly initiator: boolean
  readonly socket: DiameterSocket
  /** Requests sent on this connection, by Hop-by-Hop Identifier. */
  readonly pending = new Map<number, PendingRequest>()
  connected: boolean
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  /** For observers: the peer the connection belongs to, once known. */
  owner: unknown
  #events: ConnectionEvents
  readonly #framer: StreamFramer
  readonly #ids: IdGenerator = createIdGenerator()
  readonly #options: ConnectionOptions
  #closing = false
  #closed = false
  #error: DiameterError | undefined
  #linger: Timer | undefined
  #paused = false

  constructor(socket: DiameterSocket, options: ConnectionOptions, events: ConnectionEvents) {
    this.socket = socket
    this.initiator = options.initiator
    this.connected = options.connected
    this.#options = options
    this.#events = events
    this.owner = options.owner
    this.remoteAddress = socket.remoteAddress
    this.remotePort = socket.remotePort
    this.#framer = createStreamFramer(options.limits)
    socket.on('connect', () => {
      if (this.#closing) return
      this.connected = true
      this.#guard(() => this.#events.connect())
    })
    socket.on('data', (chunk) => this.#data(chunk))
    socket.on('drain', () => {
      if (this.#paused && !this.#closing) {
        this.#paused = false
        socket.resume()
      }
    })
    socket.on('error', (error) => {
      const code = this.connected ? peerErrorCodes.PEER_DISCONNECTED : peerErrorCodes.CONNECT_FAILED
      this.#error ??= new DiameterError(code, error.message, { cause: error })
      socket.destroy()
    })
    socket.on('close', () => this.#onClose())
  }

  get closed(): boolean {
    return this.#closing
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress
  }

  /** The next Hop-by-Hop Identifier of this connection. */
  nextHopByHop(): number {
    return this.#ids.hopByHop()
  }

  /** Encodes and writes a message; returns its size. Throws for a message that does not encode. */
  send(message: DiameterMessage<Dictionary>): number {
    const bytes = encodeMessage(message)
    this.write(bytes)
    return bytes.length
  }

  /** Writes encoded octets (nothing once closing). */
  write(bytes: Uint8Array): void {
    if (this.#closing) return
    this.socket.write(bytes)
    if (!this.#paused && this.socket.writableLength > this.#options.maxWriteBuffer) {
      this.#paused = true
      this.socket.pause()
    }
  }

  /**
   * Closes the connection. Graceful: what was written is flushed and the peer has `linger` ms to
   * close its side; otherwise the socket is destroyed at once. The `close` event follows, with
   * `error` (undefined for an orderly close).
   */
  close(error?: DiameterError, graceful = true): void {
    if (this.#closing) return
    this.#closing = true
    this.#error ??= error
    if (!graceful || !this.connected) {
      this.socket.destroy()
      return
    }
    this.socket.end()
    this.#linger = this.#options.clock.setTimer(this.#options.linger, () => this.socket.destroy())
  }

  /** Sends the events to other handlers (a connection accepted by the node, handed to its peer). */
  bind(events: ConnectionEvents): void {
    if (!this.#closed) this.#events = events
  }

  /** Stops the events (the state machine has let go of this connection), then closes it. */
  detach(error?: DiameterError): void {
    this.#events = detached
    this.close(error)
  }

  #data(chunk: Buffer): void {
    if (this.#closing) return
    for (const event of this.#framer.push(chunk)) {
      if (this.#closing) return
      if (event.type === 'error') {
        this.#framingError(event.error as unknown as DecodeError<Dictionary>)
        return
      }
      const r = decodeMessage(event.bytes, { ...this.#options.limits, dictionary: this.#options.dictionary })
      const size = event.bytes.length
      if (r.ok) this.#guard(() => this.#events.message(r.message, size))
      else this.#guard(() => this.#events.decodeError(r.error, size))
    }
  }

  /**
   * A framing error (version, Message Length, size): the stream cannot be followed any further.
   * When it was a request whose header could be read, the owner answers it first, through
   * `decodeError` (RFC 6733 §7.1.5: 5011 DIAMETER_UNSUPPORTED_VERSION, 5015
   * DIAMETER_INVALID_MESSAGE_LENGTH; 5012 for one over `maxMessageSize`), and the close is graceful
   * so that the answer is flushed; otherwise the socket is destroyed at once.
   */
  #framingError(e: DecodeError<Dictionary>): void {
    const h = e.header
    const request = h !== undefined && (h.flags & CommandFlags.REQUEST) !== 0
    if (request) {
      // the framer knows no dictionary: the answer is built with the node's
      const error: DecodeError<Dictionary> = { ...e, dictionary: this.#options.dictionary }
      // size: the 20 octets of the header, all that was read of it
      this.#guard(() => this.#events.decodeError(error, 20))
    }
    this.close(new DiameterError(e.code, e.reason, { resultCode: e.resultCode }), request)
  }

  /**
   * Runs a handler of this connection's events; an exception (a bug: nothing here throws on
   * input) closes the connection instead of reaching the event loop.
   */
  #guard(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      const e = new DiameterError(
        peerErrorCodes.INTERNAL,
        `closing the connection after an exception: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
      this.close(e, false)
    }
  }

  #onClose(): void {
    if (this.#closed) return
    this.#closed = true
    this.#closing = true
    this.#linger?.cancel()
    const error = this.#error
    if (this.pending.size > 0) {
      const lost = new DiameterError(
        peerErrorCodes.CONNECTION_CLOSED,
        `the connection closed before the answer${error === undefined ? '' : ` (${error.message})`}`,
        error === undefined ? undefined : { cause: error },
      )
      const pending = [...this.pending.values()]
      this.pending.clear()
      for (const p of pending) p.fail(lost)
    }
    if (connectionClose.hasSubscribers) {
      connectionClose.publish({
        peer: this.owner,
        remoteAddress: this.remoteAddress,
        remotePort: this.remotePort,
        initiator: this.initiator,
        error,
      })
    }
    try {
      this.#events.close(error)
    } catch (e) {
      // nothing left to close: report it where observers look
      if (dropped.hasSubscribers) {
        dropped.publish({ peer: this.owner, code: peerErrorCodes.INTERNAL, reason: String(e), size: 0 })
      }
    }
  }
}
