/**
 * Connections: a TCP or TLS stream framed by Content-Length (RFC 3261 §18.3) with RFC 5626 §4.4.1
 * CRLF keep-alives, or a WebSocket carrying one SIP message per WebSocket message (RFC 7118 §5).
 * Each connection is one flow. Writes are bounded: a peer that does not read is cut off, never
 * buffered for without limit.
 */
import { isUtf8 } from 'node:buffer'
import type { Socket } from 'node:net'
import {
  createStreamParser,
  type Limits,
  type ParseError,
  parseMessage,
  type SipMessage,
} from '@junction/sip'
import type { WebSocket } from 'ws'
import type { Flow } from './flow.ts'

export interface ConnectionEvents {
  message(message: SipMessage, size: number, conn: Connection): void
  /** Input that did not parse. On a stream the connection is closed after it (it cannot resync). */
  parseError(error: ParseError, conn: Connection): void
  closed(conn: Connection, error: Error | undefined): void
  /** Input given up on for a reason other than a parse error (`message-timeout`). */
  dropped(code: string, reason: string, conn: Connection): void
}

export interface ConnectionLimits {
  /** Close a connection idle this long (ms). */
  readonly idleTimeout: number
  /** Close a connection whose unsent output grows past this many octets. */
  readonly maxWriteBuffer: number
  /** Close a stream connection whose message is still incomplete this long after it began (ms). */
  readonly messageTimeout: number
  readonly parse: Partial<Limits>
}

export class ConnectionClosedError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'ConnectionClosedError'
  }
}

export abstract class Connection {
  readonly flow: Flow
  /** We opened it (true) or the peer did. */
  readonly outbound: boolean
  protected readonly events: ConnectionEvents
  protected readonly limits: ConnectionLimits
  #closed = false
  #error: Error | undefined

  constructor(flow: Flow, outbound: boolean, events: ConnectionEvents, limits: ConnectionLimits) {
    this.flow = flow
    this.outbound = outbound
    this.events = events
    this.limits = limits
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Queues octets for the peer; rejects when the connection is closed or the peer does not read. */
  abstract write(bytes: Uint8Array): Promise<void>

  /** Closes the connection (gracefully where the protocol allows). */
  abstract close(): void

  /** Closes at once. */
  abstract destroy(reason: string): void

  protected noteError(error: Error): void {
    this.#error ??= error
  }

  protected finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.events.closed(this, this.#error)
  }
}

/** A TCP or TLS connection. */
export class StreamConnection extends Connection {
  readonly #socket: Socket

  constructor(
    socket: Socket,
    flow: Flow,
    outbound: boolean,
    events: ConnectionEvents,
    limits: ConnectionLimits,
  ) {
    super(flow, outbound, events, limits)
    this.#socket = socket
    const parser = createStreamParser(limits.parse)
    socket.setNoDelay(true)
    socket.setTimeout(limits.idleTimeout, () => this.destroy('idle timeout'))
    /**
     * The deadline of the message arriving: started by its first octet and not moved by the next
     * ones (the idle timer is), so a peer that trickles one octet at a time (slowloris) cannot hold
     * the connection and up to maxMessageSize octets for ever.
     */
    let deadline: NodeJS.Timeout | undefined
    socket.on('data', (chunk: Buffer) => {
      let completed = false
      for (const e of parser.push(chunk)) {
        if (e.type === 'message') {
          completed = true
          events.message(e.message, e.size, this)
        } else if (e.type === 'ping')
          this.write(CRLF).catch(() => {}) // RFC 5626 §4.4.1: pong
        else if (e.type === 'error') {
          events.parseError(e.error, this)
          this.close()
        }
      }
      if (parser.buffered === 0 || parser.failed) {
        clearTimeout(deadline)
        deadline = undefined
      } else if (deadline === undefined) {
        deadline = setTimeout(() => {
          events.dropped('message-timeout', 'a message still incomplete after messageTimeout', this)
          this.destroy('message timeout')
        }, limits.messageTimeout)
        deadline.unref()
      } else if (completed) deadline.refresh() // a new message began in this chunk
    })
    socket.on('error', (error) => this.noteError(error))
    socket.on('close', () => {
      clearTimeout(deadline)
      this.finish()
    })
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket
    if (this.closed || socket.destroyed || !socket.writable) {
      return Promise.reject(new ConnectionClosedError(`flow ${this.flow.id} is closed`))
    }
    socket.write(bytes)
    if (socket.writableLength > this.limits.maxWriteBuffer) {
      this.destroy('the peer does not read (write buffer limit)')
      return Promise.reject(new ConnectionClosedError(`flow ${this.flow.id}: write buffer limit`))
    }
    return Promise.resolve()
  }

  close(): void {
    this.#socket.end()
    // a peer that never closes its side is cut off
    setTimeout(() => this.#socket.destroy(), 2000).unref()
  }

  destroy(reason: string): void {
    this.noteError(new ConnectionClosedError(reason))
    this.#socket.destroy()
  }
}

/** A WebSocket connection (RFC 7118): each WebSocket message is one SIP message. */
export class WsConnection extends Connection {
  readonly #ws: WebSocket
  readonly #idle: NodeJS.Timeout

  constructor(
    ws: WebSocket,
    flow: Flow,
    outbound: boolean,
    events: ConnectionEvents,
    limits: ConnectionLimits,
  ) {
    super(flow, outbound, events, limits)
    this.#ws = ws
    this.#idle = setTimeout(() => this.destroy('idle timeout'), limits.idleTimeout)
    this.#idle.unref()
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      this.#idle.refresh()
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data)
      const r = parseMessage(bytes, limits.parse) // RFC 7118 §5: Content-Length is optional here
      if (r.ok) events.message(r.message, bytes.length, this)
      else events.parseError(r.error, this)
    })
    // a keep-alive either way is activity (RFC 6455 §5.5.2, §5.5.3): a peer's pings, our pings'
    // pongs; and so are our own writes (see write()), as on a TCP socket
    ws.on('ping', () => this.#idle.refresh())
    ws.on('pong', () => this.#idle.refresh())
    ws.on('error', (error) => this.noteError(error))
    ws.on('close', () => {
      clearTimeout(this.#idle)
      this.finish()
    })
  }

  write(bytes: Uint8Array): Promise<void> {
    const ws = this.#ws
    if (this.closed || ws.readyState !== ws.OPEN) {
      return Promise.reject(new ConnectionClosedError(`flow ${this.flow.id} is closed`))
    }
    // text frames for UTF-8 messages (what browsers expect), binary otherwise (RFC 7118 §5)
    ws.send(bytes, { binary: !isUtf8(bytes) })
    this.#idle.refresh()
    if (ws.bufferedAmount > this.limits.maxWriteBuffer) {
      this.destroy('the peer does not read (write buffer limit)')
      return Promise.reject(new ConnectionClosedError(`flow ${this.flow.id}: write buffer limit`))
    }
    return Promise.resolve()
  }

  close(): void {
    this.#ws.close(1000)
    setTimeout(() => this.#ws.terminate(), 2000).unref()
  }

  destroy(reason: string): void {
    this.noteError(new ConnectionClosedError(reason))
    this.#ws.terminate()
  }
}

const CRLF = new Uint8Array([13, 10])
