/**
 * A Diameter peer (RFC 6733 §2.1, §5): the state machine of peer-state.ts run on real connections,
 * the capabilities exchange (§5.3), the election (§5.6.4), the watchdog (RFC 3539, watchdog.ts),
 * DPR/DPA (§5.4) and the reconnect schedule (backoff.ts). The node (node.ts) owns the peers,
 * routes requests to them and handles the requests they receive.
 */

import { type ReconnectOptions, reconnectDelay } from './backoff.ts'
import { answerFor, createAnswer, createRequest } from './build.ts'
import {
  capabilityAvps,
  commonApplications,
  type DiameterApplication,
  type LocalIdentity,
  type RemoteCapabilities,
  readCapabilities,
} from './capabilities.ts'
import { dropped, messageIn, messageOut, peerState, watchdogState } from './channels.ts'
import type { Clock, Timer } from './clock.ts'
import { Connection, type DiameterSocket, type PendingRequest } from './connection.ts'
import type { DecodeError } from './decode.ts'
import type { Dictionary } from './dictionary.ts'
import { encodeMessage } from './encode.ts'
import { DiameterError, peerErrorCodes as P } from './errors.ts'
import type { Limits } from './limits.ts'
import { CommandFlags, type DiameterMessage } from './message.ts'
import {
  isOpen,
  type PeerAction,
  type PeerEvent,
  type PeerState,
  transition,
  winsElection,
} from './peer-state.ts'
import { ResultCode } from './result-codes.ts'
import { createWatchdog, type Watchdog, type WatchdogOptions, type WatchdogState } from './watchdog.ts'

/** Command codes of the base protocol (RFC 6733 §5). */
export const BaseCommand = { CER: 257, DWR: 280, DPR: 282 } as const

/** Disconnect-Cause (RFC 6733 §5.4.3). */
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const
export type DisconnectCauseName = keyof typeof DisconnectCause

/** An entry of the peer table. */
export interface PeerConfig {
  /** The peer's DiameterIdentity (its Origin-Host). */
  readonly host: string
  /** Its realm, for routing by Destination-Realm (default: the Origin-Realm of its CER/CEA). */
  readonly realm?: string
  /** Where to connect; a peer without an address is only accepted, never connected to. */
  readonly address?: string
  /** Default 3868. */
  readonly port?: number
  /** Lower is preferred for routing. Default 1. */
  readonly priority?: number
  /** Connect to it (default: when an address is given). */
  readonly connect?: boolean
}

/** A peer as the node's users see it. */
export interface DiameterPeer {
  readonly host: string
  readonly realm: string | undefined
  readonly priority: number
  readonly address: string | undefined
  readonly port: number | undefined
  /** Accepted from an unknown host (not in the configured peer table). */
  readonly dynamic: boolean
  /** The RFC 6733 §5.6 state. */
  readonly state: PeerState
  /** The RFC 3539 watchdog state. */
  readonly watchdogState: WatchdogState
  /** I-Open or R-Open with the watchdog OKAY: requests may be routed to it. */
  readonly available: boolean
  /** The Application-Ids common to both sides (4294967295: a relay, all of them). */
  readonly applications: readonly number[]
  /** What the peer said in its last CER or CEA. */
  readonly capabilities: RemoteCapabilities | undefined
  /** Why the last connection closed (undefined after an orderly DPR/DPA). */
  readonly lastError: DiameterError | undefined
  /** Requests sent to it that wait for an answer. */
  readonly pending: number
}

/** Counters shared by the node and its peers (all monotonic except `pending`). */
export interface MutableCounters {
  pending: number
  sent: number
  received: number
  requestsSent: number
  answersReceived: number
  requestsReceived: number
  answersSent: number
  timeouts: number
  unableToDeliver: number
  overload: number
  duplicates: number
  decodeErrors: number
  unmatchedAnswers: number
  connectionsRejected: number
}

/** What a peer needs from its node. */
export interface PeerContext {
  readonly local: LocalIdentity
  readonly dictionary: Dictionary
  readonly limits: Partial<Limits> | undefined
  readonly clock: Clock
  readonly random: () => number
  readonly watchdog: WatchdogOptions | undefined
  readonly reconnect: ReconnectOptions | undefined
  readonly connectTimeout: number
  readonly handshakeTimeout: number
  readonly disconnectTimeout: number
  readonly linger: number
  readonly maxWriteBuffer: number
  readonly counters: MutableCounters
  /** False once the node is stopping: no reconnects. */
  readonly running: boolean
  connect(port: number, host: string): DiameterSocket
  endToEnd(): number
  /** A request received on an open connection, to be answered with `peer.answer`. */
  request(peer: Peer, connection: Connection, message: DiameterMessage<Dictionary>): void
  /** The peer reached Closed. */
  closed(peer: Peer): void
}

interface EventData {
  readonly conn?: Connection | undefined
  readonly message?: DiameterMessage<Dictionary> | undefined
  readonly error?: DiameterError | undefined
}

const err = (code: (typeof P)[keyof typeof P], message: string, resultCode?: number) =>
  new DiameterError(code, message, resultCode === undefined ? undefined : { resultCode })

export class Peer implements DiameterPeer {
  readonly host: string
  readonly priority: number
  readonly address: string | undefined
  readonly port: number | undefined
  readonly dynamic: boolean
  readonly #configuredRealm: string | undefined
  readonly #connects: boolean
  readonly #ctx: PeerContext
  readonly #watchdog: Watchdog
  #state: PeerState = 'Closed'
  #iConn: Connection | undefined
  #rConn: Connection | undefined
  /** The CER of the responder connection, answered once it is kept. */
  #rCer: DiameterMessage<Dictionary> | undefined
  #remote: RemoteCapabilities | undefined
  #applications: readonly number[] = []
  #watchdogUp = false
  #stateTimer: Timer | undefined
  #reconnectTimer: Timer | undefined
  #attempt = 0
  #started = false
  #noReconnect = false
  #disconnectCause: number = DisconnectCause.REBOOTING
  #lastError: DiameterError | undefined
  readonly #queue: [PeerEvent, EventData][] = []
  #busy = false
  #closedWaiters: (() => void)[] = []

  constructor(config: PeerConfig, ctx: PeerContext, dynamic = false) {
    this.host = config.host
    this.#configuredRealm = config.realm
    this.address = config.address
    this.port = config.address === undefined ? undefined : (config.port ?? 3868)
    this.priority = config.priority ?? 1
    this.#connects = config.address !== undefined && config.connect !== false
    this.dynamic = dynamic
    this.#ctx = ctx
    this.#watchdog = createWatchdog(
      ctx.watchdog,
      {
        sendWatchdog: () => this.#sendWatchdog(),
        closeConnection: () => {
          const conn = this.#openConnection()
          conn?.close(err(P.WATCHDOG_TIMEOUT, `${this.host}: no answer to DWR (RFC 3539: DOWN)`), false)
        },
        stateChange: (from, to) => {
          if (watchdogState.hasSubscribers) watchdogState.publish({ peer: this, from, to })
        },
      },
      { clock: ctx.clock, random: ctx.random },
    )
  }

  get realm(): string | undefined {
    return this.#configuredRealm ?? this.#remote?.originRealm
  }

  get state(): PeerState {
    return this.#state
  }

  get watchdogState(): WatchdogState {
    return this.#watchdog.state
  }

  get available(): boolean {
    return isOpen(this.#state) && this.#watchdog.state === 'OKAY'
  }

  get applications(): readonly number[] {
    return this.#applications
  }

  get capabilities(): RemoteCapabilities | undefined {
    return this.#remote
  }

  get lastError(): DiameterError | undefined {
    return this.#lastError
  }

  get pending(): number {
    return (this.#iConn?.pending.size ?? 0) + (this.#rConn?.pending.size ?? 0)
  }

  /** The connection of I-Open or R-Open. */
  #openConnection(): Connection | undefined {
    return this.#state === 'I-Open' ? this.#iConn : this.#state === 'R-Open' ? this.#rConn : undefined
  }

  /** Connects (when the peer has an address) and keeps reconnecting until `stop()`. */
  start(): void {
    this.#started = true
    this.#noReconnect = false
    this.#attempt = 0
    if (this.#connects && this.#state === 'Closed' && this.#reconnectTimer === undefined)
      this.#fire('Start', {})
  }

  /**
   * Disconnects: a DPR with `cause` when open (RFC 6733 §5.4), waiting for the DPA up to the
   * disconnect timeout; any connection being set up is closed. Resolves once Closed.
   */
  stop(cause: number = DisconnectCause.REBOOTING): Promise<void> {
    this.#started = false
    this.#reconnectTimer?.cancel()
    this.#reconnectTimer = undefined
    if (this.#state === 'Closed') {
      this.#watchdog.stop()
      return Promise.resolve()
    }
    const closed = new Promise<void>((resolve) => this.#closedWaiters.push(resolve))
    if (isOpen(this.#state)) {
      this.#disconnectCause = cause
      this.#fire('Stop', {})
    } else if (this.#state !== 'Closing') {
      // an administrative abort of a connection being set up: the 'Error' action
      this.#abort()
    }
    return closed.then(() => this.#watchdog.stop())
  }

  /**
   * A new responder connection whose first message is a CER from this peer (R-Conn-CER). The CER
   * is checked first (Process-CER): with no application in common it is answered with 5010 and
   * the connection closed.
   */
  accept(conn: Connection, cer: DiameterMessage<Dictionary>): void {
    const remote = readCapabilities(cer)
    const local = this.#ctx.local.applications
    if (local.length > 0 && commonApplications(local, remote).length === 0) {
      this.#reject(
        conn,
        cer,
        ResultCode.DIAMETER_NO_COMMON_APPLICATION,
        err(P.NO_COMMON_APPLICATION, `${this.host}: no application in common`, 5010),
      )
      return
    }
    this.#fire('R-Conn-CER', { conn, message: cer })
  }

  /**
   * Sends a request on the open connection with a fresh Hop-by-Hop Identifier and registers
   * `pending` for its answer. Throws (nothing sent) when the message does not encode or the peer is
   * not open.
   */
  sendRequest(message: DiameterMessage<Dictionary>, pending: (conn: Connection) => PendingRequest): void {
    const conn = this.#openConnection()
    if (conn === undefined || conn.closed) {
      throw err(P.CONNECTION_CLOSED, `${this.host} is not open (${this.#state})`)
    }
    message.hopByHop = conn.nextHopByHop()
    const bytes = encodeMessage(message)
    conn.pending.set(message.hopByHop, pending(conn))
    this.#write(conn, message, bytes)
    this.#ctx.counters.requestsSent++
  }

  /** Sends an answer on the connection its request came on (dropped if that one closed). */
  answer(conn: Connection, message: DiameterMessage<Dictionary> | undefined, bytes: Uint8Array): void {
    if (conn.closed) return
    this.#write(conn, message, bytes)
    this.#ctx.counters.answersSent++
  }

  // --- the state machine

  #fire(event: PeerEvent, data: EventData): void {
    this.#queue.push([event, data])
    if (this.#busy) return
    this.#busy = true
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const [ev, d] = next
        const t = transition(this.#state, ev)
        if (t === undefined) {
          this.#unexpected(ev, d)
          continue
        }
        const from = this.#state
        this.#state = t.next
        for (const action of t.actions) this.#run(action, ev, d)
        if (from !== t.next) this.#entered(from, t.next, d.error)
      }
    } finally {
      this.#busy = false
    }
  }

  /** An event with no row in the current state. */
  #unexpected(event: PeerEvent, data: EventData): void {
    const { conn, message } = data
    if (event === 'R-Conn-CER' && conn !== undefined && message !== undefined) {
      this.#reject(
        conn,
        message,
        ResultCode.DIAMETER_UNABLE_TO_COMPLY,
        err(P.CONNECTION_REJECTED, `${this.host} is ${this.#state}`),
      )
      return
    }
    if (conn === undefined || message === undefined) return
    // answers to requests still pending (a DPR exchange, a connection being replaced)
    if (!message.isRequest) {
      this.#settle(conn, message)
      return
    }
    if (conn !== this.#iConn && conn !== this.#rConn) return
    // RFC 6733 §5.6 has no row for an application request outside I-Open and R-Open (one sent
    // before our CEA, or while Closing): it is not processed (§5.3), but answered 3002
    // DIAMETER_UNABLE_TO_DELIVER so that the sender can route it elsewhere at once instead of
    // waiting for its timeout. CER, DWR and DPR out of place are the state machine's.
    const code = message.commandCode
    if (
      message.applicationId === 0 &&
      (code === BaseCommand.CER || code === BaseCommand.DWR || code === BaseCommand.DPR)
    )
      return
    const ctx = this.#ctx
    this.#send(
      conn,
      createAnswer(message, {
        originHost: ctx.local.originHost,
        originRealm: ctx.local.originRealm,
        resultCode: ResultCode.DIAMETER_UNABLE_TO_DELIVER,
        errorMessage: `the connection with ${this.host} is not open (${this.#state}): the request was not processed`,
      }),
    )
    ctx.counters.answersSent++
  }

  /** Leaves the current state without a row of the table (stop() while connecting). */
  #abort(): void {
    const from = this.#state
    this.#state = 'Closed'
    this.#run('Error', 'Stop', {})
    this.#entered(from, 'Closed', undefined)
  }

  #run(action: PeerAction, event: PeerEvent, data: EventData): void {
    const ctx = this.#ctx
    switch (action) {
      case 'I-Snd-Conn-Req': {
        const socket = ctx.connect(this.port!, this.address!)
        const conn = new Connection(socket, this.#connectionOptions(true, false), {
          connect: () => {
            if (conn === this.#iConn) this.#fire('I-Rcv-Conn-Ack', { conn })
          },
          message: (m, size) => this.#message(conn, m, size),
          decodeError: (e, size) => this.#decodeError(conn, e, size),
          close: (error) => this.#connectionClosed(conn, error),
        })
        this.#iConn = conn
        return
      }
      case 'R-Accept': {
        const conn = data.conn!
        this.#rConn = conn
        this.#rCer = data.message
        conn.bind({
          connect: () => {},
          message: (m, size) => this.#message(conn, m, size),
          decodeError: (e, size) => this.#decodeError(conn, e, size),
          close: (error) => this.#connectionClosed(conn, error),
        })
        conn.owner = this
        return
      }
      case 'Process-CER':
        this.#learn(this.#rCer!)
        return
      case 'Process-CEA':
        this.#learn(data.message!)
        return
      case 'R-Snd-CEA': {
        const m = data.message
        const cer = m?.isRequest && m.commandCode === BaseCommand.CER ? m : this.#rCer
        if (this.#rConn !== undefined && cer !== undefined) this.#sendCea(this.#rConn, cer)
        return
      }
      case 'I-Snd-CEA':
        if (this.#iConn !== undefined && data.message !== undefined) this.#sendCea(this.#iConn, data.message)
        return
      case 'I-Snd-CER': {
        const conn = this.#iConn
        if (conn === undefined) return
        const cer = createRequest('CER' as never, {
          dictionary: ctx.dictionary,
          avps: capabilityAvps(ctx.local, conn.localAddress) as never,
          hopByHop: conn.nextHopByHop(),
          endToEnd: ctx.endToEnd(),
        })
        this.#send(conn, cer)
        return
      }
      case 'Elect': {
        const remote = this.#rCer?.originHost ?? ''
        if (winsElection(ctx.local.originHost, remote)) {
          this.#fire('Win-Election', { error: err(P.ELECTION, `election won against ${remote}`) })
        }
        return
      }
      case 'I-Disc': {
        const conn = this.#iConn
        this.#iConn = undefined
        conn?.detach(data.error)
        return
      }
      case 'R-Disc': {
        const conn = this.#rConn
        this.#rConn = undefined
        this.#rCer = undefined
        const error =
          event === 'I-Rcv-CEA' ? err(P.ELECTION, `election lost against ${this.host}`) : data.error
        conn?.detach(error)
        return
      }
      case 'R-Reject':
        if (data.conn !== undefined && data.message !== undefined) {
          this.#reject(
            data.conn,
            data.message,
            ResultCode.DIAMETER_UNABLE_TO_COMPLY,
            err(P.CONNECTION_REJECTED, `${this.host} has a connection already (${this.#state})`),
          )
        }
        return
      case 'Cleanup': {
        const conn = this.#iConn
        this.#iConn = undefined
        conn?.detach(data.error)
        return
      }
      case 'Error': {
        const i = this.#iConn
        const r = this.#rConn
        this.#iConn = undefined
        this.#rConn = undefined
        this.#rCer = undefined
        i?.detach(data.error)
        r?.detach(data.error)
        return
      }
      case 'Process':
        if (data.conn !== undefined && data.message !== undefined) {
          if (data.message.isRequest) ctx.request(this, data.conn, data.message)
          else this.#settle(data.conn, data.message)
        }
        return
      case 'Process-DWR':
      case 'Process-DWA':
        // the watchdog saw the message on receipt
        return
      case 'I-Snd-DWA':
      case 'R-Snd-DWA':
        if (data.conn !== undefined && data.message !== undefined) {
          this.#send(
            data.conn,
            createAnswer(data.message, {
              originHost: ctx.local.originHost,
              originRealm: ctx.local.originRealm,
              resultCode: ResultCode.DIAMETER_SUCCESS,
              avps: { 'Origin-State-Id': ctx.local.originStateId } as never,
            }),
          )
        }
        return
      case 'I-Snd-DPR':
      case 'R-Snd-DPR': {
        const conn = action === 'I-Snd-DPR' ? this.#iConn : this.#rConn
        if (conn === undefined) return
        this.#send(
          conn,
          createRequest('DPR' as never, {
            dictionary: ctx.dictionary,
            avps: {
              'Origin-Host': ctx.local.originHost,
              'Origin-Realm': ctx.local.originRealm,
              'Disconnect-Cause': this.#disconnectCause,
            } as never,
            hopByHop: conn.nextHopByHop(),
            endToEnd: ctx.endToEnd(),
          }),
        )
        return
      }
      case 'I-Snd-DPA':
      case 'R-Snd-DPA': {
        const { conn, message } = data
        if (conn === undefined || message === undefined) return
        // §5.4: after DO_NOT_WANT_TO_TALK_TO_YOU, no reconnect; after BUSY, not soon
        const cause = message.get('Disconnect-Cause' as never) as number | undefined
        if (cause === DisconnectCause.DO_NOT_WANT_TO_TALK_TO_YOU) this.#noReconnect = true
        else if (cause === DisconnectCause.BUSY) this.#attempt = 64
        this.#send(
          conn,
          createAnswer(message, {
            originHost: ctx.local.originHost,
            originRealm: ctx.local.originRealm,
            resultCode: ResultCode.DIAMETER_SUCCESS,
          }),
        )
        return
      }
      case 'I-Snd-Message':
      case 'R-Snd-Message':
        // requests and answers are written directly (sendRequest, answer)
        return
    }
  }

  /** A state was entered (after the actions of the transition). */
  #entered(from: PeerState, to: PeerState, error: DiameterError | undefined): void {
    const ctx = this.#ctx
    this.#stateTimer?.cancel()
    this.#stateTimer = undefined
    const arm = (ms: number, error: DiameterError | undefined) => {
      this.#stateTimer = ctx.clock.setTimer(ms, () => {
        this.#stateTimer = undefined
        this.#fire('Timeout', { error })
      })
    }
    switch (to) {
      case 'Wait-Conn-Ack':
        arm(ctx.connectTimeout, err(P.HANDSHAKE_TIMEOUT, `${this.host}: no TCP connection in time`))
        break
      case 'Wait-I-CEA':
      case 'Wait-Conn-Ack/Elect':
      case 'Wait-Returns':
        arm(ctx.handshakeTimeout, err(P.HANDSHAKE_TIMEOUT, `${this.host}: no CEA in time`))
        break
      case 'Closing':
        arm(ctx.disconnectTimeout, undefined)
        break
      default:
        break
    }
    if (isOpen(to)) {
      this.#attempt = 0
      this.#lastError = undefined
    }
    if (to === 'Closed') this.#lastError = error
    if (peerState.hasSubscribers) peerState.publish({ peer: this, from, to, error })
    if (isOpen(to) && !isOpen(from)) {
      this.#watchdogUp = true
      this.#watchdog.connectionUp()
    } else if (!isOpen(to) && this.#watchdogUp) {
      this.#watchdogUp = false
      this.#watchdog.connectionDown()
    }
    if (to === 'Closed') {
      this.#rCer = undefined
      const waiters = this.#closedWaiters
      this.#closedWaiters = []
      for (const w of waiters) w()
      ctx.closed(this)
      this.#scheduleReconnect()
    }
  }

  #scheduleReconnect(): void {
    const ctx = this.#ctx
    if (!this.#connects || !this.#started || !ctx.running || this.#noReconnect) return
    if (this.#reconnectTimer !== undefined) return
    const delay = reconnectDelay(this.#attempt++, ctx.reconnect, ctx.random)
    if (delay === undefined) return
    this.#reconnectTimer = ctx.clock.setTimer(delay, () => {
      this.#reconnectTimer = undefined
      if (this.#state === 'Closed' && this.#started && ctx.running) this.#fire('Start', {})
    })
  }

  // --- connections

  #connectionOptions(initiator: boolean, connected: boolean) {
    const ctx = this.#ctx
    return {
      initiator,
      connected,
      dictionary: ctx.dictionary,
      limits: ctx.limits,
      clock: ctx.clock,
      linger: ctx.linger,
      maxWriteBuffer: ctx.maxWriteBuffer,
      owner: this,
    }
  }

  #connectionClosed(conn: Connection, error: DiameterError | undefined): void {
    // in Closing the peer's close is the orderly end of a DPR/DPA exchange
    const reason =
      this.#state === 'Closing'
        ? undefined
        : (error ?? err(P.PEER_DISCONNECTED, `${this.host} closed the connection`))
    if (conn === this.#iConn) {
      this.#iConn = undefined
      if (!conn.connected) {
        this.#fire('I-Rcv-Conn-Nack', {
          error: error ?? err(P.CONNECT_FAILED, `${this.host}: connection refused`),
        })
      } else this.#fire('I-Peer-Disc', { conn, error: reason })
    } else if (conn === this.#rConn) {
      this.#rConn = undefined
      this.#fire('R-Peer-Disc', { conn, error: reason })
    }
  }

  #message(conn: Connection, message: DiameterMessage<Dictionary>, size: number): void {
    const ctx = this.#ctx
    ctx.counters.received++
    if (messageIn.hasSubscribers) messageIn.publish({ peer: this, message, size })
    const initiator = conn === this.#iConn
    if (!initiator && conn !== this.#rConn) return
    const request = message.isRequest
    const code = message.commandCode
    if (this.#watchdogUp) this.#watchdog.received(!request && code === BaseCommand.DWR)
    const side = initiator ? 'I' : 'R'
    let event: PeerEvent
    if (code === BaseCommand.CER && message.applicationId === 0) {
      if (request) event = `${side}-Rcv-CER`
      else {
        event = `${side}-Rcv-CEA`
        if (initiator && (this.#state === 'Wait-I-CEA' || this.#state === 'Wait-Returns')) {
          const problem = this.#checkCea(message)
          if (problem !== undefined) {
            // a failed capabilities exchange ends the initiator connection
            this.#fire(this.#state === 'Wait-I-CEA' ? 'I-Rcv-Non-CEA' : 'I-Peer-Disc', {
              conn,
              message,
              error: problem,
            })
            return
          }
        }
      }
    } else if (initiator && this.#state === 'Wait-I-CEA') {
      this.#fire('I-Rcv-Non-CEA', {
        conn,
        message,
        error: err(P.UNEXPECTED_MESSAGE, `${this.host}: ${message.name} before the CEA`),
      })
      return
    } else if (code === BaseCommand.DWR && message.applicationId === 0) {
      event = request ? `${side}-Rcv-DWR` : `${side}-Rcv-DWA`
    } else if (code === BaseCommand.DPR && message.applicationId === 0) {
      event = request ? `${side}-Rcv-DPR` : `${side}-Rcv-DPA`
    } else event = `${side}-Rcv-Message`
    this.#fire(event, { conn, message })
  }

  #decodeError(conn: Connection, error: DecodeError<Dictionary>, size: number): void {
    const ctx = this.#ctx
    ctx.counters.received++
    ctx.counters.decodeErrors++
    if (dropped.hasSubscribers) dropped.publish({ peer: this, code: error.code, reason: error.reason, size })
    const initiator = conn === this.#iConn
    if (!initiator && conn !== this.#rConn) return
    const h = error.header
    if (h === undefined) return
    const request = (h.flags & CommandFlags.REQUEST) !== 0
    if (this.#watchdogUp) this.#watchdog.received(!request && h.commandCode === BaseCommand.DWR)
    if (initiator && (this.#state === 'Wait-I-CEA' || this.#state === 'Wait-Returns')) {
      const problem = new DiameterError(error.code, `${this.host}: ${error.reason}`, {
        resultCode: error.resultCode,
      })
      if (request) this.#answerError(conn, error)
      this.#fire(this.#state === 'Wait-I-CEA' ? 'I-Rcv-Non-CEA' : 'I-Peer-Disc', { conn, error: problem })
      return
    }
    if (request) {
      // §7.2: the error answer (5001 with Failed-AVP for an unknown AVP with the M bit, ...), in
      // any state: answering a request that was not processed is never an action of the table
      this.#answerError(conn, error)
      return
    }
    const p = conn.pending.get(h.hopByHop)
    if (p !== undefined && p.endToEnd === h.endToEnd) {
      conn.pending.delete(h.hopByHop)
      p.fail(
        new DiameterError(P.BAD_ANSWER, `${this.host}: ${error.reason}`, {
          cause: error,
          resultCode: error.resultCode,
          answer: error.message,
        }),
      )
    }
  }

  #answerError(conn: Connection, error: DecodeError<Dictionary>): void {
    const answer = answerFor(error, {
      originHost: this.#ctx.local.originHost,
      originRealm: this.#ctx.local.originRealm,
    })
    if (answer !== undefined) {
      this.#send(conn, answer)
      this.#ctx.counters.answersSent++
    }
  }

  /** An answer to a request sent on `conn`. */
  #settle(conn: Connection, message: DiameterMessage<Dictionary>): void {
    const p = conn.pending.get(message.hopByHop)
    if (p === undefined || p.endToEnd !== message.endToEnd) {
      this.#ctx.counters.unmatchedAnswers++
      if (dropped.hasSubscribers) {
        dropped.publish({
          peer: this,
          code: 'unmatched-answer',
          reason: `${message.name}: no request with Hop-by-Hop ${message.hopByHop}`,
          size: 0,
        })
      }
      return
    }
    conn.pending.delete(message.hopByHop)
    this.#ctx.counters.answersReceived++
    p.answer(message)
  }

  /** A CEA's problem: not 2001, another host, no application in common. */
  #checkCea(cea: DiameterMessage<Dictionary>): DiameterError | undefined {
    const rc = cea.resultCode
    if (rc !== ResultCode.DIAMETER_SUCCESS) {
      const msg = cea.get('Error-Message' as never) as string | undefined
      return err(
        P.CAPABILITIES_REJECTED,
        `${this.host}: CEA ${rc ?? 'without Result-Code'}${msg === undefined ? '' : ` (${msg})`}`,
        rc,
      )
    }
    const remote = readCapabilities(cea)
    if (remote.originHost.toLowerCase() !== this.host.toLowerCase()) {
      return err(P.CAPABILITIES_REJECTED, `CEA from ${remote.originHost}, expected ${this.host}`)
    }
    const local = this.#ctx.local.applications
    if (local.length > 0 && commonApplications(local, remote).length === 0) {
      return err(P.NO_COMMON_APPLICATION, `${this.host}: no application in common`)
    }
    return undefined
  }

  #learn(message: DiameterMessage<Dictionary>): void {
    this.#remote = readCapabilities(message)
    const local: readonly DiameterApplication[] = this.#ctx.local.applications
    this.#applications = commonApplications(local, this.#remote)
    if (this.#remote.applicationIds.includes(0xffffffff)) this.#applications = [0xffffffff]
  }

  #sendCea(conn: Connection, cer: DiameterMessage<Dictionary>): void {
    const ctx = this.#ctx
    this.#send(
      conn,
      createAnswer(cer, {
        originHost: ctx.local.originHost,
        originRealm: ctx.local.originRealm,
        resultCode: ResultCode.DIAMETER_SUCCESS,
        avps: capabilityAvps(ctx.local, conn.localAddress) as never,
      }),
    )
  }

  /** Answers a CER with an error CEA and closes its connection. */
  #reject(
    conn: Connection,
    cer: DiameterMessage<Dictionary>,
    resultCode: number,
    error: DiameterError,
  ): void {
    this.#ctx.counters.connectionsRejected++
    const ctx = this.#ctx
    const e = resultCode >= 3000 && resultCode < 4000
    this.#send(
      conn,
      createAnswer(cer, {
        originHost: ctx.local.originHost,
        originRealm: ctx.local.originRealm,
        resultCode,
        errorMessage: error.message,
        ...(e ? {} : { avps: capabilityAvps(ctx.local, conn.localAddress) as never }),
      }),
    )
    conn.owner = this
    conn.detach(error)
  }

  #sendWatchdog(): void {
    const conn = this.#openConnection()
    if (conn === undefined) return
    const ctx = this.#ctx
    this.#send(
      conn,
      createRequest('DWR' as never, {
        dictionary: ctx.dictionary,
        avps: {
          'Origin-Host': ctx.local.originHost,
          'Origin-Realm': ctx.local.originRealm,
          'Origin-State-Id': ctx.local.originStateId,
        } as never,
        hopByHop: conn.nextHopByHop(),
        endToEnd: ctx.endToEnd(),
      }),
    )
  }

  #send(conn: Connection, message: DiameterMessage<Dictionary>): void {
    this.#write(conn, message, encodeMessage(message))
  }

  #write(conn: Connection, message: DiameterMessage<Dictionary> | undefined, bytes: Uint8Array): void {
    if (conn.closed) return
    conn.write(bytes)
    this.#ctx.counters.sent++
    if (messageOut.hasSubscribers) messageOut.publish({ peer: this, message, size: bytes.length })
  }
}
