/**
 * A Diameter node (RFC 6733 §2): a peer table, a listener, request routing (§6.1) and the client
 * and server APIs.
 *
 * - `request(message)` completes a request (Origin-Host, Origin-Realm, Session-Id when its command
 *   has one, End-to-End Identifier), routes it (router.ts) and resolves with the answer. When no peer
 *   is available it resolves with a 3002 DIAMETER_UNABLE_TO_DELIVER answer built here, with the E
 *   bit, as a relay would (§6.1.3): one code path for protocol errors, whoever found them. It rejects
 *   (`DiameterError`) only for what is no answer at all: a timeout, too many pending requests, a
 *   connection lost, a node not started, an answer that does not decode.
 * - `handle(commandCode, applicationId, handler)`: the handler returns (or resolves to) the answer;
 *   a request with no handler is answered 3007 DIAMETER_APPLICATION_UNSUPPORTED when the node
 *   does not support its application at all (no handler for any of its commands, not advertised
 *   in CER/CEA) and 3001 DIAMETER_COMMAND_UNSUPPORTED when it does (§7.1.3; `#unhandled`), one
 *   whose handler throws 5012 DIAMETER_UNABLE_TO_COMPLY, one for another host 3002 and for another
 *   realm 3003 (this node does not relay).
 * - Duplicate detection (§5.5.4): a request with the T flag whose End-to-End Identifier and
 *   Origin-Host were seen gets the original's answer again (duplicates.ts).
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { type AvpList, buildAvps } from './avp.ts'
import type { ReconnectOptions } from './backoff.ts'
import {
  type AnswerInit,
  answerFor,
  createAnswer,
  createIdGenerator,
  createSessionIdGenerator,
} from './build.ts'
import type { DiameterApplication, LocalIdentity } from './capabilities.ts'
import { capabilityAvps, RELAY_APPLICATION_ID, readCapabilities } from './capabilities.ts'
import { messageIn } from './channels.ts'
import { type Clock, systemClock, type Timer } from './clock.ts'
import { Connection, type DiameterSocket, type PendingRequest } from './connection.ts'
import type { DecodeError } from './decode.ts'
import { type DefaultDictionary, defaultDictionary } from './default-dictionary.ts'
import { CX_APPLICATION_ID, VENDOR_3GPP } from './dictionaries/cx.ts'
import type { Dictionary } from './dictionary.ts'
import { createDuplicateCache, type DuplicateCache, type DuplicateOptions } from './duplicates.ts'
import { encodeMessage } from './encode.ts'
import { DiameterCodecError, DiameterError, faultCodes, peerErrorCodes as P } from './errors.ts'
import type { Limits } from './limits.ts'
import { DiameterMessage } from './message.ts'
import {
  BaseCommand,
  type DiameterPeer,
  DisconnectCause,
  type DisconnectCauseName,
  type MutableCounters,
  Peer,
  type PeerConfig,
  type PeerContext,
} from './peer.ts'
import { ResultCode } from './result-codes.ts'
import { selectPeer } from './router.ts'
import type { WatchdogOptions } from './watchdog.ts'

export interface DiameterNodeOptions<D extends Dictionary = DefaultDictionary> {
  /** This node's DiameterIdentity. */
  readonly originHost: string
  readonly originRealm: string
  /** Default: `defaultDictionary` (base + Cx). It must include the base module. */
  readonly dictionary?: D
  /** Where to accept connections (TCP); absent: the node only connects out. Port default 3868. */
  readonly listen?: { readonly host?: string; readonly port?: number }
  /** The peer table. */
  readonly peers?: readonly PeerConfig[]
  /** Advertised in CER/CEA. Default: Cx (16777216, vendor 10415). */
  readonly applications?: readonly DiameterApplication[]
  /** Host-IP-Address values; default: the local address of each connection. */
  readonly hostIpAddresses?: readonly string[]
  /** Default 0. */
  readonly vendorId?: number
  /** Default 'Junction'. */
  readonly productName?: string
  readonly firmwareRevision?: number
  /** Default: the time of creation in seconds (it grows across restarts, RFC 6733 §8.16). */
  readonly originStateId?: number
  /** Accept a CER from a host not in the peer table (as a dynamic peer). Default true; false answers 3010. */
  readonly acceptUnknownPeers?: boolean
  /** Peers at most, dynamic ones included. Default 1024. */
  readonly maxPeers?: number
  /** Accepted connections waiting for their CER, at most. Default 64. */
  readonly maxIncoming?: number
  /**
   * Accepted connections from one address waiting for their CER, at most (so that one host that
   * connects and stays silent cannot take every `maxIncoming` slot). Default 8.
   */
  readonly maxIncomingPerAddress?: number
  readonly watchdog?: WatchdogOptions
  readonly reconnect?: ReconnectOptions
  /** TCP connect, in ms. Default 10000. */
  readonly connectTimeout?: number
  /** CEA after the CER (and CER after an accepted connection), in ms. Default 10000. */
  readonly handshakeTimeout?: number
  /** DPA after the DPR (and the peer's close after our DPA), in ms. Default 5000. */
  readonly disconnectTimeout?: number
  /** Answer to a request, in ms. Default 10000. */
  readonly requestTimeout?: number
  /** Requests waiting for answers, at most; past it `request()` rejects at once. Default 4096. */
  readonly maxPending?: number
  /** Requests being handled at once, at most; past it they are answered 3004 DIAMETER_TOO_BUSY. Default 4096. */
  readonly maxHandling?: number
  /**
   * Octets of the requests being handled at once, at most (each is held until its handler
   * answers); past it they are answered 3004 DIAMETER_TOO_BUSY. Default 64 MiB: `maxHandling`
   * requests of `limits.maxMessageSize` would be 1 GiB.
   */
  readonly maxHandlingBytes?: number
  /** Duplicate detection of requests with the T flag; false turns it off. */
  readonly duplicates?: DuplicateOptions | false
  /** Disconnect-Cause of the DPRs `stop()` sends. Default 'REBOOTING'. */
  readonly disconnectCause?: DisconnectCauseName
  /** Octets queued for writing on one connection before reading from it pauses. Default 1 MiB. */
  readonly maxWriteBuffer?: number
  /** Codec limits (`defaultLimits`). */
  readonly limits?: Partial<Limits>
}

/** A logger (pino's shape); nothing is logged per message. */
export interface DiameterLogger {
  warn(obj: object, msg?: string): void
}

export interface DiameterNodeDeps {
  readonly clock?: Clock
  /** In [0, 1), for jitter. Default Math.random. */
  readonly random?: () => number
  /** Opens a TCP connection (default `net.connect`). */
  readonly connect?: (port: number, host: string) => DiameterSocket
  readonly log?: DiameterLogger
}

export interface RequestOptions {
  /** Default: the node's `requestTimeout`. */
  readonly timeout?: number
}

export interface HandlerContext<D extends Dictionary> {
  /** The peer the request came from. */
  readonly peer: DiameterPeer
  /** `createAnswer(request, { originHost, originRealm, ...init })`. */
  answer(init?: Omit<AnswerInit<D>, 'originHost' | 'originRealm'>): DiameterMessage<D>
}

export type RequestHandler<D extends Dictionary> = (
  request: DiameterMessage<D>,
  context: HandlerContext<D>,
) => DiameterMessage<D> | Promise<DiameterMessage<D>>

/** Counters for metrics (all monotonic except `pending`). */
export type DiameterCounters = Readonly<MutableCounters>

export interface DiameterNode<D extends Dictionary = DefaultDictionary> {
  readonly originHost: string
  readonly originRealm: string
  /** Listens (when configured) and connects to the peers that have an address. */
  start(): Promise<void>
  /** Sends DPR to every open peer, waits for the DPAs (up to the disconnect timeout), closes everything. */
  stop(): Promise<void>
  /** Sends a request and resolves with its answer (see the module comment for what rejects). */
  request(message: DiameterMessage<D>, options?: RequestOptions): Promise<DiameterMessage<D>>
  /** Registers the handler of a command's requests (one per command and application). */
  handle(commandCode: number, applicationId: number, handler: RequestHandler<D>): void
  /** Adopts an accepted stream (a listener of the application's own, a test). */
  accept(socket: DiameterSocket): void
  /** The peer table, dynamic peers included. */
  readonly peers: readonly DiameterPeer[]
  peer(host: string): DiameterPeer | undefined
  /** The listening address once started. */
  readonly address: { readonly host: string; readonly port: number } | undefined
  readonly counters: DiameterCounters
}

const DEFAULT_APPLICATIONS: readonly DiameterApplication[] = [
  { applicationId: CX_APPLICATION_ID, vendorId: VENDOR_3GPP },
]

function defaultConnect(port: number, host: string): DiameterSocket {
  return netConnect({ port, host, noDelay: true, keepAlive: true })
}

export function createDiameterNode<D extends Dictionary = DefaultDictionary>(
  options: DiameterNodeOptions<D>,
  deps: DiameterNodeDeps = {},
): DiameterNode<D> {
  return new Node(options, deps) as unknown as DiameterNode<D>
}

type AnyMessage = DiameterMessage<Dictionary>

class Node {
  readonly originHost: string
  readonly originRealm: string
  readonly #options: DiameterNodeOptions<Dictionary>
  readonly #dictionary: Dictionary
  readonly #clock: Clock
  readonly #log: DiameterLogger | undefined
  readonly #ctx: PeerContext
  readonly #peers = new Map<string, Peer>()
  readonly #handlers = new Map<string, RequestHandler<Dictionary>>()
  /** The Application-Ids some handler is registered for (`#unhandled`). */
  readonly #handledApplications = new Set<number>()
  /** The Application-Ids advertised in CER/CEA (`#unhandled`). */
  readonly #advertised: ReadonlySet<number>
  readonly #incoming = new Set<Connection>()
  /** Accepted connections waiting for their CER, by remote address. */
  readonly #incomingFrom = new Map<string, number>()
  readonly #duplicates: DuplicateCache | undefined
  readonly #counters: MutableCounters = {
    pending: 0,
    sent: 0,
    received: 0,
    requestsSent: 0,
    answersReceived: 0,
    requestsReceived: 0,
    answersSent: 0,
    timeouts: 0,
    unableToDeliver: 0,
    overload: 0,
    duplicates: 0,
    decodeErrors: 0,
    unmatchedAnswers: 0,
    connectionsRejected: 0,
  }
  readonly #e2e = createIdGenerator(Date.now)
  readonly #sessionId: (optional?: string) => string
  #server: Server | undefined
  #address: { host: string; port: number } | undefined
  #running = false
  #handling = 0
  #handlingBytes = 0
  #turn = 0

  constructor(options: DiameterNodeOptions<Dictionary>, deps: DiameterNodeDeps) {
    this.#options = options
    this.originHost = options.originHost
    this.originRealm = options.originRealm
    this.#dictionary = options.dictionary ?? (defaultDictionary as unknown as Dictionary)
    this.#clock = deps.clock ?? systemClock
    this.#log = deps.log
    this.#sessionId = createSessionIdGenerator(options.originHost)
    const local: LocalIdentity = {
      originHost: options.originHost,
      originRealm: options.originRealm,
      hostIpAddresses: options.hostIpAddresses ?? [],
      vendorId: options.vendorId ?? 0,
      productName: options.productName ?? 'Junction',
      firmwareRevision: options.firmwareRevision,
      originStateId: options.originStateId ?? Math.floor(Date.now() / 1000) >>> 0,
      applications: options.applications ?? DEFAULT_APPLICATIONS,
    }
    this.#advertised = new Set(local.applications.map((a) => a.applicationId))
    // fail fast on an identity that does not encode (a DiameterIdentity with a space, ...)
    encodeMessage(
      createAnswer(
        new DiameterMessage(
          this.#dictionary,
          { flags: 0x80, commandCode: BaseCommand.CER, applicationId: 0, hopByHop: 0, endToEnd: 0 },
          [],
        ),
        {
          originHost: local.originHost,
          originRealm: local.originRealm,
          resultCode: 2001,
          avps: capabilityAvps(local, '127.0.0.1') as never,
        },
      ),
    )
    const node = this
    const connect = deps.connect ?? defaultConnect
    this.#ctx = {
      local,
      dictionary: this.#dictionary,
      limits: options.limits,
      clock: this.#clock,
      random: deps.random ?? Math.random,
      watchdog: options.watchdog,
      reconnect: options.reconnect,
      connectTimeout: options.connectTimeout ?? 10_000,
      handshakeTimeout: options.handshakeTimeout ?? 10_000,
      disconnectTimeout: options.disconnectTimeout ?? 5_000,
      linger: options.disconnectTimeout ?? 5_000,
      maxWriteBuffer: options.maxWriteBuffer ?? 1 << 20,
      counters: this.#counters,
      get running() {
        return node.#running
      },
      connect,
      endToEnd: () => this.#e2e.endToEnd(),
      request: (peer, conn, message) => this.#onRequest(peer, conn, message),
      closed: (peer) => {
        if (peer.dynamic && this.#peers.get(peer.host.toLowerCase()) === peer) {
          this.#peers.delete(peer.host.toLowerCase())
          void peer.stop()
        }
      },
    }
    this.#duplicates =
      options.duplicates === false ? undefined : createDuplicateCache(options.duplicates, this.#clock)
    for (const config of options.peers ?? []) {
      const key = config.host.toLowerCase()
      if (this.#peers.has(key)) {
        throw new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `peer ${config.host} is listed twice`)
      }
      this.#peers.set(key, new Peer(config, this.#ctx))
    }
  }

  get peers(): readonly DiameterPeer[] {
    return [...this.#peers.values()]
  }

  peer(host: string): DiameterPeer | undefined {
    return this.#peers.get(host.toLowerCase())
  }

  get address() {
    return this.#address
  }

  get counters(): DiameterCounters {
    return { ...this.#counters }
  }

  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    const listen = this.#options.listen
    if (listen !== undefined) {
      const server = createServer({ noDelay: true }, (socket: Socket) => this.accept(socket))
      this.#server = server
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(listen.port ?? 3868, listen.host ?? '127.0.0.1', () => {
          server.off('error', reject)
          resolve()
        })
      })
      const a = server.address()
      if (a !== null && typeof a === 'object') this.#address = { host: a.address, port: a.port }
    }
    for (const peer of this.#peers.values()) peer.start()
  }

  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    const server = this.#server
    this.#server = undefined
    const closed =
      server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()))
    for (const conn of this.#incoming) conn.close(undefined, false)
    this.#incoming.clear()
    this.#incomingFrom.clear()
    const cause = DisconnectCause[this.#options.disconnectCause ?? 'REBOOTING']
    await Promise.all([...this.#peers.values()].map((p) => p.stop(cause)))
    await closed
    this.#address = undefined
  }

  handle(commandCode: number, applicationId: number, handler: RequestHandler<Dictionary>): void {
    const key = `${commandCode}:${applicationId}`
    if (this.#handlers.has(key)) {
      throw new DiameterCodecError(
        faultCodes.INVALID_ARGUMENT,
        `a handler for command ${commandCode} of application ${applicationId} exists already`,
      )
    }
    this.#handlers.set(key, handler)
    this.#handledApplications.add(applicationId)
  }

  // --- client

  request(message: AnyMessage, options?: RequestOptions): Promise<AnyMessage> {
    if (!this.#running) {
      return Promise.reject(new DiameterError(P.NOT_STARTED, 'the Diameter node is not started'))
    }
    if (!(message instanceof DiameterMessage) || !message.isRequest) {
      return Promise.reject(new DiameterCodecError(faultCodes.INVALID_ARGUMENT, 'not a request'))
    }
    if (this.#counters.pending >= (this.#options.maxPending ?? 4096)) {
      this.#counters.overload++
      return Promise.reject(
        new DiameterError(P.TOO_MANY_PENDING, `${this.#counters.pending} requests wait for answers already`),
      )
    }
    let m: AnyMessage
    try {
      m = this.#complete(message)
    } catch (e) {
      return Promise.reject(e)
    }
    if (!m.isRetransmitted) {
      m.endToEnd = this.#e2e.endToEnd()
      // the caller's message shows the identifier sent, for a retransmission (T flag) later
      message.endToEnd = m.endToEnd
    }
    const avps = m.avps as AvpList<Dictionary>
    const destinationHost = avps.get('Destination-Host') as string | undefined
    const destinationRealm = avps.get('Destination-Realm') as string | undefined
    const peer = selectPeer(
      this.#peers.values(),
      { destinationHost, destinationRealm, applicationId: m.applicationId },
      this.#turn++,
    )
    if (peer === undefined) {
      this.#counters.unableToDeliver++
      return Promise.resolve(
        createAnswer(m, {
          originHost: this.originHost,
          originRealm: this.originRealm,
          resultCode: ResultCode.DIAMETER_UNABLE_TO_DELIVER,
          errorMessage: `no peer available for ${destinationHost ?? destinationRealm ?? 'the request'}`,
        }),
      )
    }
    const timeout = options?.timeout ?? this.#options.requestTimeout ?? 10_000
    const counters = this.#counters
    const clock = this.#clock
    return new Promise<AnyMessage>((resolve, reject) => {
      let settled = false
      let timer: Timer | undefined
      const settle = () => {
        if (settled) return false
        settled = true
        timer?.cancel()
        counters.pending--
        return true
      }
      counters.pending++
      try {
        peer.sendRequest(m, (conn): PendingRequest => {
          const hbh = m.hopByHop
          timer = clock.setTimer(timeout, () => {
            if (conn.pending.get(hbh)?.endToEnd === m.endToEnd) conn.pending.delete(hbh)
            if (!settle()) return
            counters.timeouts++
            reject(new DiameterError(P.TIMEOUT, `no answer from ${peer.host} in ${timeout} ms`))
          })
          return {
            endToEnd: m.endToEnd,
            timer,
            answer: (a) => {
              if (settle()) resolve(a)
            },
            fail: (e) => {
              if (settle()) reject(e)
            },
          }
        })
      } catch (e) {
        if (settle()) reject(e)
      }
    })
  }

  /** Origin-Host, Origin-Realm and (when the command has one) Session-Id, if absent. */
  #complete(message: AnyMessage): AnyMessage {
    const dict = message.dictionary
    const avps = message.avps as AvpList<Dictionary>
    const cmd = message.command
    const missing: Record<string, unknown> = {}
    let n = 0
    if (!avps.has('Origin-Host')) {
      missing['Origin-Host'] = this.originHost
      n++
    }
    if (!avps.has('Origin-Realm')) {
      missing['Origin-Realm'] = this.originRealm
      n++
    }
    const sessionDef = dict.avp('Session-Id')
    if (
      sessionDef !== undefined &&
      cmd !== undefined &&
      (cmd.grammar.slot[sessionDef.id] ?? -1) >= 0 &&
      !avps.has('Session-Id')
    ) {
      missing['Session-Id'] = this.#sessionId()
      n++
    }
    if (n === 0) return message
    // rebuild in grammar order: the message's own AVPs by name, the unknown ones as they are
    const init: Record<string, unknown[]> = {}
    const extra = []
    for (const a of avps.items) {
      const name = a.def?.name
      if (name === undefined) extra.push(a)
      else {
        const list = init[name]
        if (list === undefined) init[name] = [a]
        else list.push(a)
      }
    }
    const items = buildAvps(dict, cmd?.grammar, { ...init, ...missing }, extra)
    return new DiameterMessage(dict, message, items)
  }

  // --- server

  accept(socket: DiameterSocket): void {
    const from = socket.remoteAddress ?? ''
    const fromCount = this.#incomingFrom.get(from) ?? 0
    if (
      !this.#running ||
      this.#incoming.size >= (this.#options.maxIncoming ?? 64) ||
      fromCount >= (this.#options.maxIncomingPerAddress ?? 8)
    ) {
      this.#counters.connectionsRejected++
      socket.on('error', () => {})
      socket.destroy()
      return
    }
    const ctx = this.#ctx
    let timer: Timer | undefined
    const conn: Connection = new Connection(
      socket,
      {
        initiator: false,
        connected: true,
        dictionary: this.#dictionary,
        limits: this.#options.limits,
        clock: this.#clock,
        linger: ctx.linger,
        maxWriteBuffer: ctx.maxWriteBuffer,
      },
      {
        connect: () => {},
        message: (m, size) => {
          done()
          this.#first(conn, m, size)
        },
        decodeError: (e, size) => {
          done()
          this.#firstError(conn, e, size)
        },
        close: () => done(),
      },
    )
    const done = () => {
      timer?.cancel()
      if (!this.#incoming.delete(conn)) return
      const left = (this.#incomingFrom.get(from) ?? 1) - 1
      if (left > 0) this.#incomingFrom.set(from, left)
      else this.#incomingFrom.delete(from)
    }
    this.#incoming.add(conn)
    this.#incomingFrom.set(from, fromCount + 1)
    timer = this.#clock.setTimer(ctx.handshakeTimeout, () => {
      done()
      conn.close(new DiameterError(P.HANDSHAKE_TIMEOUT, 'no CER in time'), false)
    })
  }

  /** The first message of an accepted connection: a CER (R-Conn-CER), or the connection closes. */
  #first(conn: Connection, cer: AnyMessage, size: number): void {
    this.#counters.received++
    if (messageIn.hasSubscribers) messageIn.publish({ peer: undefined, message: cer, size })
    if (!cer.isRequest || cer.commandCode !== BaseCommand.CER) {
      this.#counters.connectionsRejected++
      conn.close(new DiameterError(P.UNEXPECTED_MESSAGE, `${cer.name} before CER`), false)
      return
    }
    const remote = readCapabilities(cer)
    const key = remote.originHost.toLowerCase()
    let peer = this.#peers.get(key)
    if (peer === undefined) {
      const reject = (resultCode: number, error: DiameterError) => {
        this.#counters.connectionsRejected++
        const answer = createAnswer(cer, {
          originHost: this.originHost,
          originRealm: this.originRealm,
          resultCode,
          errorMessage: error.message,
        })
        conn.write(encodeMessage(answer))
        this.#counters.sent++
        conn.close(error)
      }
      if (this.#options.acceptUnknownPeers === false) {
        reject(
          ResultCode.DIAMETER_UNKNOWN_PEER,
          new DiameterError(P.UNKNOWN_PEER, `${remote.originHost} is not a known peer`, {
            resultCode: 3010,
          }),
        )
        return
      }
      if (this.#peers.size >= (this.#options.maxPeers ?? 1024)) {
        reject(
          ResultCode.DIAMETER_TOO_BUSY,
          new DiameterError(P.CONNECTION_REJECTED, `too many peers (${this.#peers.size})`, {
            resultCode: 3004,
          }),
        )
        return
      }
      peer = new Peer({ host: remote.originHost, realm: remote.originRealm }, this.#ctx, true)
      this.#peers.set(key, peer)
      peer.accept(conn, cer)
      if (peer.state === 'Closed') this.#ctx.closed(peer)
      return
    }
    peer.accept(conn, cer)
  }

  #firstError(conn: Connection, error: DecodeError<Dictionary>, size: number): void {
    this.#counters.received++
    this.#counters.decodeErrors++
    this.#counters.connectionsRejected++
    const answer = answerFor(error, { originHost: this.originHost, originRealm: this.originRealm })
    if (answer !== undefined) {
      conn.write(encodeMessage(answer))
      this.#counters.sent++
    }
    conn.close(
      new DiameterError(error.code, `first message (${size} octets): ${error.reason}`, {
        resultCode: error.resultCode,
      }),
      answer !== undefined,
    )
  }

  #onRequest(peer: Peer, conn: Connection, request: AnyMessage): void {
    const counters = this.#counters
    counters.requestsReceived++
    const local = (resultCode: number, errorMessage: string) =>
      createAnswer(request, {
        originHost: this.originHost,
        originRealm: this.originRealm,
        resultCode,
        errorMessage,
        error: true,
      })
    const avps = request.avps as AvpList<Dictionary>
    const dh = avps.get('Destination-Host') as string | undefined
    const dr = avps.get('Destination-Realm') as string | undefined
    if (dh !== undefined && dh.toLowerCase() !== this.originHost.toLowerCase()) {
      this.#reply(peer, conn, local(ResultCode.DIAMETER_UNABLE_TO_DELIVER, `${dh} is not this host`))
      return
    }
    if (dh === undefined && dr !== undefined && dr.toLowerCase() !== this.originRealm.toLowerCase()) {
      this.#reply(peer, conn, local(ResultCode.DIAMETER_REALM_NOT_SERVED, `${dr} is not served here`))
      return
    }
    const origin = request.originHost ?? peer.host
    const dup = this.#duplicates?.check(origin, request.endToEnd, request.isRetransmitted)
    if (dup !== undefined) {
      counters.duplicates++
      const hbh = request.hopByHop
      void dup.then((bytes) => {
        if (bytes === undefined) return
        const copy = new Uint8Array(bytes)
        new DataView(copy.buffer).setUint32(12, hbh)
        peer.answer(conn, undefined, copy)
      })
      return
    }
    const handler = this.#handlers.get(`${request.commandCode}:${request.applicationId}`)
    if (handler === undefined) {
      const [resultCode, errorMessage] = this.#unhandled(request)
      this.#reply(peer, conn, local(resultCode, errorMessage), origin)
      return
    }
    const size = request.bytes?.length ?? 0
    if (
      this.#handling >= (this.#options.maxHandling ?? 4096) ||
      this.#handlingBytes + size > (this.#options.maxHandlingBytes ?? 64 << 20)
    ) {
      // not kept for duplicate detection: a retransmission once the load has passed is handled
      const busy = local(ResultCode.DIAMETER_TOO_BUSY, 'too many requests being handled')
      this.#reply(peer, conn, busy, origin, undefined, false)
      return
    }
    this.#handling++
    this.#handlingBytes += size
    const context: HandlerContext<Dictionary> = {
      peer,
      answer: (init) =>
        createAnswer(request, { ...init, originHost: this.originHost, originRealm: this.originRealm }),
    }
    const run = async () => handler(request, context)
    run().then(
      (answer) => {
        this.#handling--
        this.#handlingBytes -= size
        if (
          !(answer instanceof DiameterMessage) ||
          answer.isRequest ||
          answer.commandCode !== request.commandCode
        ) {
          this.#log?.warn({ command: request.name }, 'Diameter handler returned no answer to the request')
          this.#reply(peer, conn, local(ResultCode.DIAMETER_UNABLE_TO_COMPLY, 'no answer'), origin)
          return
        }
        answer.hopByHop = request.hopByHop
        answer.endToEnd = request.endToEnd
        this.#reply(peer, conn, answer, origin, local)
      },
      (error: unknown) => {
        this.#handling--
        this.#handlingBytes -= size
        this.#log?.warn({ err: error, command: request.name }, 'Diameter handler failed')
        this.#reply(peer, conn, local(ResultCode.DIAMETER_UNABLE_TO_COMPLY, 'the request failed'), origin)
      },
    )
  }

  /**
   * The Result-Code (and Error-Message) of a request for this node that no handler takes
   * (RFC 6733 §7.1.3):
   *
   * - 3007 DIAMETER_APPLICATION_UNSUPPORTED ("a request was sent for an application that is not
   *   supported") when this node does not support the request's application at all: no handler
   *   for any command of that Application-Id, and the Application-Id is not among those it
   *   advertises in its CER/CEA (§2.4: a node other than a relay or redirect agent advertises the
   *   applications it supports locally; §5.3). A peer should not have sent it (§6.1.4: a request is
   *   for local consumption when "the Diameter application is locally supported"); a relay that
   *   forwards every application (one advertising 0xffffffff) may.
   * - 3001 DIAMETER_COMMAND_UNSUPPORTED ("a Command-Code that the receiver did not recognize or
   *   support") otherwise: the application is supported, this command of it is not. So a node that
   *   advertises Cx but has no RTR handler (a client) answers an RTR 3001, as its CEA promised Cx.
   *   The base protocol's common messages (Application-Id 0) are supported by every node (§2.4; CER,
   *   DWR and DPR never get here: the peer state machine takes them), and a node advertising the
   *   Relay application (0xffffffff) told its peers that it supports every application (§2.4, as
   *   router.ts and capabilities.ts read a peer's relay id): both get 3001.
   *
   * What does not get here: a request for another host or realm, answered 3002 or 3003 before the
   * handler lookup (this node neither relays nor proxies, §6.1, so nothing it would route on is
   * answered 3007); a request outside I-Open/R-Open (3002, peer.ts); a Command Code the
   * dictionary does not know (3001) or a known command with another Application-Id (3007), which
   * the decoder answers (decode.ts), so the two codes mean the same here as there.
   */
  #unhandled(request: AnyMessage): [resultCode: number, errorMessage: string] {
    const id = request.applicationId
    if (
      id === 0 ||
      this.#handledApplications.has(id) ||
      this.#advertised.has(id) ||
      this.#advertised.has(RELAY_APPLICATION_ID)
    ) {
      return [ResultCode.DIAMETER_COMMAND_UNSUPPORTED, `no handler for ${request.name}`]
    }
    return [ResultCode.DIAMETER_APPLICATION_UNSUPPORTED, `application ${id} is not supported`]
  }

  #reply(
    peer: Peer,
    conn: Connection,
    answer: AnyMessage,
    origin?: string,
    fallback?: (resultCode: number, errorMessage: string) => AnyMessage,
    keep = true,
  ): void {
    let bytes: Uint8Array
    try {
      bytes = encodeMessage(answer)
    } catch (error) {
      if (fallback === undefined) throw error
      this.#log?.warn({ err: error, command: answer.name }, 'Diameter handler answer does not encode')
      answer = fallback(ResultCode.DIAMETER_UNABLE_TO_COMPLY, 'the answer could not be encoded')
      bytes = encodeMessage(answer)
    }
    if (origin !== undefined) this.#duplicates?.complete(origin, answer.endToEnd, bytes, keep)
    peer.answer(conn, answer, bytes)
  }
}
