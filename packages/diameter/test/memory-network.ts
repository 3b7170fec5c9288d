/**
 * An in-memory stream network for tests of nodes in virtual time: `connect(port, host)` gives one
 * end of a socket pair and hands the other to the node listening on that port (`node.accept`).
 * Octets are delivered in order on the microtask queue; `freeze` holds a host's incoming octets (the
 * TCP connection stays open, as with a process stopped by SIGSTOP), `refuse` fails connects.
 */
import { Buffer } from 'node:buffer'
import { EventEmitter } from 'node:events'
import type { DiameterSocket } from '../src/index.ts'

export class MemorySocket extends EventEmitter implements DiameterSocket {
  other: MemorySocket | undefined
  readonly remoteAddress: string
  readonly localAddress = '127.0.0.1'
  readonly remotePort: number
  writableLength = 0
  closed = false
  /** Octets held while the receiving side is frozen. */
  held: Buffer[] = []
  frozen = false
  written: Buffer[] = []

  constructor(remotePort: number, remoteAddress = '127.0.0.1') {
    super()
    this.remotePort = remotePort
    this.remoteAddress = remoteAddress
  }

  write(data: Uint8Array): boolean {
    if (this.closed) return false
    const b = Buffer.from(data)
    this.written.push(b)
    const other = this.other
    queueMicrotask(() => other?.receive(b))
    return true
  }

  receive(b: Buffer): void {
    if (this.closed) return
    if (this.frozen) this.held.push(b)
    else this.emit('data', b)
  }

  thaw(): void {
    this.frozen = false
    const held = this.held
    this.held = []
    for (const b of held) this.receive(b)
  }

  end(): void {
    this.destroy()
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    const other = this.other
    queueMicrotask(() => {
      this.emit('close')
      if (other !== undefined && !other.closed) {
        // the peer's FIN arrives after the octets in flight
        other.closed = true
        other.emit('close')
      }
    })
  }

  pause(): void {}
  resume(): void {}
}

export interface Listener {
  accept(socket: DiameterSocket): void
}

export class MemoryNetwork {
  readonly listeners = new Map<number, Listener>()
  readonly sockets: MemorySocket[] = []
  /** Ports whose connects never complete (no SYN-ACK). */
  readonly blackholes = new Set<number>()
  /** Ports whose connects wait for `releaseConnects`. */
  readonly held = new Set<number>()
  readonly #waiting = new Map<number, (() => void)[]>()
  /** Ports whose server side holds every octet (a frozen process). */
  readonly frozen = new Set<number>()
  connects = 0

  listen(port: number, listener: Listener): void {
    this.listeners.set(port, listener)
  }

  /** For `deps.connect` of a node; `from`: the address the listening node sees the connection from. */
  connect = (port: number, _host: string, from = '127.0.0.1'): DiameterSocket => {
    this.connects++
    const client = new MemorySocket(port)
    this.sockets.push(client)
    const listener = this.listeners.get(port)
    if (this.blackholes.has(port)) return client
    const complete = () => {
      if (client.closed) return
      if (listener === undefined) {
        client.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
        client.closed = true
        client.emit('close')
        return
      }
      const server = new MemorySocket(40000 + this.sockets.length, from)
      server.other = client
      client.other = server
      server.frozen = this.frozen.has(port)
      this.sockets.push(server)
      client.emit('connect')
      listener.accept(server)
    }
    if (this.held.has(port)) {
      const list = this.#waiting.get(port) ?? []
      list.push(complete)
      this.#waiting.set(port, list)
    } else queueMicrotask(complete)
    return client
  }

  /** Completes the connects held on `port`. */
  releaseConnects(port: number): void {
    this.held.delete(port)
    const list = this.#waiting.get(port) ?? []
    this.#waiting.delete(port)
    for (const complete of list) complete()
  }

  /** Holds (or releases) the octets sent to the sockets accepted on `port`. */
  freeze(port: number, on: boolean): void {
    if (on) this.frozen.add(port)
    else this.frozen.delete(port)
    for (const client of this.sockets) {
      if (client.remotePort !== port || client.other === undefined) continue
      const server = client.other
      if (on) server.frozen = true
      else server.thaw()
      // a frozen process does not send either
      if (on) client.frozen = true
      else client.thaw()
    }
  }
}

/** Lets the microtasks and immediates run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r))
}
