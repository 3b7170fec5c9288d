/**
 * The transport layer (RFC 3261 §18, RFC 7118 for WebSocket, RFC 5626 flows): listeners on UDP,
 * TCP, TLS, WS and WSS, over IPv4 and IPv6, several at once; connections it accepts and opens;
 * §18.2.1 marking of where requests came from, §18.2.2 routing of responses, §18.1.2 checking of
 * responses, and bounds on everything a peer can make it hold.
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram'
import { lookup as dnsLookup } from 'node:dns'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import {
  createServer as createNetServer,
  isIP,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net'
import { networkInterfaces } from 'node:os'
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls'
import {
  createResponse,
  type Limits,
  type ParseError,
  parseErrorCodes,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
  sourceKeyOf,
  Via,
} from '@junction/sip'
import { WebSocket, WebSocketServer } from 'ws'
import { ipVersion, plainAddress } from './address.ts'
import { type CertificateStore, createCertificateStore } from './certificates.ts'
import {
  certificatesReload,
  connectionClose,
  connectionOpen,
  connectionReject,
  dropped as droppedChannel,
  messageIn,
  messageOut,
  sendError,
} from './channels.ts'
import {
  type Connection,
  type ConnectionEvents,
  type ConnectionLimits,
  StreamConnection,
  WsConnection,
} from './connection.ts'
import { createDatagramQueue } from './datagram-queue.ts'
import { faultCodes, TransportError } from './errors.ts'
import { type Flow, type Target, type TransportName, transportOfVia } from './flow.ts'
import { hostPort, type ListenerOptions, parseListenerSpec, type TlsFiles } from './listener-spec.ts'
import { stunBindingResponse } from './stun.ts'
import { readUdpQueues } from './udp-backlog.ts'
import { fillSentBy, isForUs, markReceived, requestSource, responseDestination } from './via-routing.ts'

export interface TransportLimits {
  /**
   * Most connections, inbound and outbound together. Default 10 000. An inbound TLS, WS or WSS
   * connection counts from its TCP accept, before its handshake: a peer that never handshakes
   * holds a place (for `handshakeTimeout` at most), as it holds a file descriptor.
   */
  readonly maxConnections: number
  /**
   * Most inbound connections from one peer. Default 100. A peer is an IPv4 address, or an IPv6 /64
   * prefix (a host or site is given a whole /64, RFC 4291 §2.5.1, RFC 6177, and could otherwise
   * open this many connections from each of its 2^64 addresses); an IPv4-mapped address counts as
   * its IPv4 address (`sourceKeyOf` of @junction/sip).
   */
  readonly maxConnectionsPerIp: number
  /** Close a connection idle this long (ms). Default 10 minutes. */
  readonly idleTimeout: number
  /** Close a connection whose unsent output exceeds this (octets). Default 1 MiB. */
  readonly maxWriteBuffer: number
  /** Largest message on a stream or WebSocket (octets). Default 65536. */
  readonly maxMessageSize: number
  /** Largest datagram accepted (octets). Default 65535. */
  readonly maxDatagramSize: number
  /** Limit on how long connecting may take (ms). Default 10 s. */
  readonly connectTimeout: number
  /**
   * Longest time an inbound TLS, WS or WSS connection may take from its TCP accept to its TLS
   * handshake done (RFC 5246 §7.3, RFC 8446 §4) and, for WS and WSS, its WebSocket upgrade done
   * (RFC 6455 §4.2) (ms); past it the socket is closed. It is a deadline, not an idle timer: a
   * peer trickling handshake octets gains nothing. Default 10 s.
   */
  readonly handshakeTimeout: number
  /**
   * Longest time a message may take to arrive on a stream, from its first octet (ms); past it the
   * connection is closed (a peer trickling octets keeps the idle timer alive, not this one).
   * Default 32 s (64*T1, RFC 3261 §17.1.1.1: a transaction is over by then).
   */
  readonly messageTimeout: number
  /**
   * Receive and send buffer of each UDP socket (octets), capped by the kernel (net.core.rmem_max,
   * wmem_max). A large buffer carries a burst, or a pause of the process, without dropping
   * datagrams. Default 4 MiB.
   */
  readonly udpBufferSize: number
}

export const defaultTransportLimits: TransportLimits = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerIp: 100,
  idleTimeout: 600_000,
  maxWriteBuffer: 1 << 20,
  maxMessageSize: 65_536,
  maxDatagramSize: 65_535,
  connectTimeout: 10_000,
  handshakeTimeout: 10_000,
  messageTimeout: 32_000,
  udpBufferSize: 4 << 20,
})

export interface TransportOptions {
  /** `udp:0.0.0.0:5060`, `tcp:[::1]:5060`, `tls:...`, `ws:...`, `wss:...`, or listener objects. */
  readonly listen: ReadonlyArray<string | ListenerOptions>
  readonly limits?: Partial<TransportLimits> | undefined
  /** Outgoing TLS and WSS: CA file to trust (default: the system store) for RFC 5922 checks. */
  readonly tlsClient?: { readonly ca?: string | undefined } | undefined
}

export interface TransportDeps {
  /** Every message received, parsed and (for a request) marked with its source (§18.2.1). */
  receive(message: SipMessage, flow: Flow): void
  /** A connection closed: its flow is gone (RFC 5626 §5.3: the registrar drops bindings on it). */
  flowClosed?(flow: Flow): void
}

/** A listener once bound: the port is the real one when 0 was asked. */
export interface BoundListener {
  readonly transport: TransportName
  readonly host: string
  readonly port: number
  /** What goes in Via sent-by and Record-Route. */
  readonly advertise: { readonly host: string; readonly port: number }
}

export interface TransportStats {
  messagesIn: number
  messagesOut: number
  /**
   * Inputs dropped, by reason: a parse error code, or `not-for-us`, `receive-error` (the
   * `receive` callback threw), `message-timeout` (a stream message incomplete past `messageTimeout`).
   */
  readonly drops: Record<string, number>
  connectionsOpen: number
  connectionsRefused: number
  /** Inbound TLS, WS or WSS sockets closed because their handshake was not done within `handshakeTimeout`. */
  handshakeTimeouts: number
  /** Messages that could not be sent (no route, connection refused or lost, flow gone, a socket error). */
  sendErrors: number
}

export interface Transport {
  start(): Promise<void>
  /** Stops listening and closes every connection. */
  stop(): Promise<void>
  readonly listeners: readonly BoundListener[]
  /**
   * How far behind the UDP listeners are: the fullest one's receive queue as a share of its
   * receive buffer (0 to 1; Linux, from /proc/net/udp). Undefined without UDP listeners or where
   * the kernel does not say (overload control then decides on the event loop alone).
   */
  udpBacklog?(): number | undefined
  /** Sends a request (§18.1.1): fills in the top Via transport and sent-by, opens a connection if needed. */
  sendRequest(request: SipRequest, target: Target): Promise<void>
  /**
   * Sends a response (§18.2.2): over the request's connection, or to the Via received/rport.
   * `octets`: the response already serialized, when the caller has them.
   */
  sendResponse(response: SipResponse, flow: Flow, octets?: Uint8Array): Promise<void>
  /** Sends a response by its top Via alone, with no flow (§16.11, §18.2.2): what a stateless proxy does. */
  forwardResponse(response: SipResponse): Promise<void>
  /** A flow by id, while it is up (UDP flows always are). */
  flow(id: string): Flow | undefined
  /** The listener a request to `target` goes out from (its advertised address is the sent-by). */
  localFor(target: Target): BoundListener | undefined
  /** The listener a flow belongs to (for a connection: the listener of the same transport and family). */
  listenerOf(flow: Flow): BoundListener | undefined
  readonly stats: TransportStats
}

interface Listener extends BoundListener {
  readonly index: number
  readonly options: ListenerOptions
  close(): Promise<void>
  /** UDP: its socket. */
  readonly udp?: DgramSocket
  /** UDP: the flows of the peers heard from or sent to lately, by address and port (see udpFlow). */
  /**
   * UDP flows by remote port, then the address as the socket reported it (a port is a number: no
   * address string to hash per datagram; a port rarely has more than one address behind it).
   */
  readonly udpFlows?: Map<number, UdpFlowEntry[]>
}

/** The body of the 426 a WS/WSS listener answers a plain HTTP request with. */
const upgradeRequired = Buffer.from('this port speaks SIP over WebSocket (RFC 7118) only\n')

/** Most UDP flows a listener keeps for reuse; past it the cache starts over (spoofed sources). */
const maxUdpFlows = 4096

interface UdpFlowEntry {
  readonly address: string
  readonly flow: Flow
}

function pickAdvertisedHost(bound: string): string {
  if (bound !== '0.0.0.0' && bound !== '::') return bound
  const family = bound === '::' ? 'IPv6' : 'IPv4'
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === family) return a.address
  }
  return family === 'IPv6' ? '::1' : '127.0.0.1'
}

function parseAdvertise(spec: string | undefined, bound: { host: string; port: number }) {
  if (spec === undefined) return { host: pickAdvertisedHost(bound.host), port: bound.port }
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec)
  if (m === null) throw new TransportError(faultCodes.INVALID_LISTENER, `invalid advertise address: ${spec}`)
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!
  return { host, port: m[2] === undefined ? bound.port : Number(m[2]) }
}

function certificates(
  files: TlsFiles | undefined,
  what: string,
  onError: (error: unknown) => void,
): CertificateStore {
  if (files === undefined)
    throw new TransportError(faultCodes.INVALID_LISTENER, `${what} needs tls.cert and tls.key`)
  return createCertificateStore(files, {
    onError,
    ...(files.reloadInterval === undefined ? {} : { interval: files.reloadInterval }),
  })
}

/**
 * The lookup of the UDP sockets: we always send to IP addresses (RFC 3263 resolution is done
 * before), so answer at once instead of through dns.lookup and a process.nextTick per datagram.
 */
function ipLookup(
  address: string,
  family: unknown,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const f = ipVersion(address)
  if (f !== 0) callback(null, address, f)
  else dnsLookup(address, { family: family === 6 ? 6 : 4 }, callback)
}

export function createTransport(options: TransportOptions, deps: TransportDeps): Transport {
  const limits: TransportLimits = { ...defaultTransportLimits, ...options.limits }
  const parseLimits: Partial<Limits> = { maxMessageSize: limits.maxMessageSize }
  const udpParseLimits: Partial<Limits> = { maxMessageSize: limits.maxDatagramSize }
  const connLimits: ConnectionLimits = {
    idleTimeout: limits.idleTimeout,
    maxWriteBuffer: limits.maxWriteBuffer,
    messageTimeout: limits.messageTimeout,
    parse: parseLimits,
  }
  const clientCa = options.tlsClient?.ca === undefined ? undefined : readFileSync(options.tlsClient.ca)
  const specs = options.listen.map((l) => {
    const spec = typeof l === 'string' ? parseListenerSpec(l) : l
    if (spec === undefined)
      throw new TransportError(faultCodes.INVALID_LISTENER, `invalid listener: ${String(l)}`)
    return spec
  })
  const listeners: Listener[] = []
  const connections = new Map<string, Connection>() // by flow id
  const datagrams = createDatagramQueue()
  const outbound = new Map<string, Connection>() // by transport|address|port of targets we connected to
  const connecting = new Map<string, Promise<Connection>>()
  const byRemote = new Map<string, Connection>() // by transport|address|port of the peer
  /** Inbound sockets open (SIP connections or not yet), by sourceKeyOf(remote address). */
  const perIp = new Map<string, number>()
  /**
   * Inbound TLS, WS and WSS sockets accepted whose handshake is not done, by their 4-tuple (the
   * socket after the TLS handshake is another object over the same TCP connection).
   */
  const handshaking = new Map<string, { readonly socket: Socket; readonly timer: NodeJS.Timeout }>()
  const sentBy = new Set<string>()
  let nextConnection = 1
  const stats: TransportStats = {
    messagesIn: 0,
    messagesOut: 0,
    drops: {},
    connectionsOpen: 0,
    connectionsRefused: 0,
    handshakeTimeouts: 0,
    sendErrors: 0,
  }

  function drop(flow: Flow, code: string, reason: string): void {
    stats.drops[code] = (stats.drops[code] ?? 0) + 1
    if (droppedChannel.hasSubscribers) droppedChannel.publish({ flow, code, reason })
  }

  // --- receiving

  /**
   * Hands a received message to the layer above. It runs in a socket's event handler: a throw from
   * there (a bug above, or input it did not expect) would end the process, so it is caught and the
   * message counted as dropped (`receive-error`); the transport keeps serving.
   */
  function deliver(message: SipMessage, size: number, flow: Flow): void {
    try {
      if (message.kind === 'request') markReceived(message, flow)
      else if (!isForUs(message, sentBy)) {
        drop(flow, 'not-for-us', 'the top Via is not ours (§18.1.2)')
        return
      }
      stats.messagesIn++
      if (messageIn.hasSubscribers) messageIn.publish({ flow, size, message })
      deps.receive(message, flow)
    } catch (error) {
      drop(flow, 'receive-error', `the receiver threw: ${(error as Error | null)?.message ?? String(error)}`)
    }
  }

  /** A request that did not parse but whose fields could be read is answered (400, 414, 513). */
  function rejectUnparsed(error: ParseError, flow: Flow, reply: (bytes: Uint8Array) => Promise<void>): void {
    drop(flow, error.code, error.reason)
    if (error.headers === undefined || error.status === undefined) return
    const res = createResponse({ headers: error.headers }, error.status)
    const bytes = serialize(res)
    reply(bytes).then(
      () => out(flow, bytes, res),
      () => {},
    )
  }

  const connectionEvents: ConnectionEvents = {
    message: (message, size, conn) => deliver(message, size, conn.flow),
    parseError: (error, conn) => rejectUnparsed(error, conn.flow, (bytes) => conn.write(bytes)),
    dropped: (code, reason, conn) => drop(conn.flow, code, reason),
    closed(conn, error) {
      connections.delete(conn.flow.id)
      for (const [key, c] of outbound) if (c === conn) outbound.delete(key)
      const rk = remoteKey(conn.flow.transport, conn.flow.remote.address, conn.flow.remote.port)
      if (byRemote.get(rk) === conn) byRemote.delete(rk)
      // an inbound connection's place (perIp) is given back when its TCP socket closes (admit)
      stats.connectionsOpen--
      if (connectionClose.hasSubscribers) connectionClose.publish({ flow: conn.flow, error })
      try {
        deps.flowClosed?.(conn.flow)
      } catch {
        // runs in a socket's 'close' handler: a throw above must not end the process
      }
    },
  }

  function newFlow(
    transport: TransportName,
    local: { address: string; port: number },
    remote: { address: string; port: number },
  ): Flow {
    return {
      id: `${transport}:${nextConnection++}`,
      transport,
      reliable: true,
      secure: transport === 'tls' || transport === 'wss',
      local: { address: plainAddress(local.address), port: local.port },
      remote: { address: plainAddress(remote.address), port: remote.port },
    }
  }

  /** Connections and sockets held: every connection, and inbound sockets still in their handshake. */
  function held(): number {
    return connections.size + handshaking.size
  }

  function fourTuple(socket: Socket): string {
    return `${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`
  }

  /**
   * Counts a socket just accepted on a stream listener against `maxConnections` and
   * `maxConnectionsPerIp`, at the TCP accept (before any TLS handshake or WebSocket upgrade), and
   * destroys it over them (`connectionsRefused`). Its place is given back once, when it closes,
   * whether or not it became a SIP connection. `handshake`: a TLS, WS or WSS socket, closed if
   * its handshake is not done within `handshakeTimeout` (see handshakeDone). Runs in a server's
   * 'connection' handler: it never throws.
   */
  function reject(transport: TransportName, socket: Socket, reason: 'limit' | 'handshake-timeout'): void {
    if (connectionReject.hasSubscribers) {
      connectionReject.publish({
        transport,
        remote: { address: plainAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 },
        reason,
      })
    }
  }

  function admit(socket: Socket, handshake: boolean, transport: TransportName): boolean {
    try {
      const address = socket.remoteAddress
      if (address === undefined) {
        socket.destroy() // already gone
        return false
      }
      const ip = sourceKeyOf(address)
      const n = perIp.get(ip) ?? 0
      if (held() >= limits.maxConnections || n >= limits.maxConnectionsPerIp) {
        stats.connectionsRefused++
        reject(transport, socket, 'limit')
        socket.destroy()
        return false
      }
      perIp.set(ip, n + 1)
      const tuple = handshake ? fourTuple(socket) : ''
      if (handshake) {
        const timer = setTimeout(() => {
          stats.handshakeTimeouts++
          reject(transport, socket, 'handshake-timeout')
          socket.destroy()
        }, limits.handshakeTimeout)
        timer.unref()
        handshaking.set(tuple, { socket, timer })
      }
      socket.once('close', () => {
        const left = (perIp.get(ip) ?? 1) - 1
        if (left <= 0) perIp.delete(ip)
        else perIp.set(ip, left)
        const h = handshake ? handshaking.get(tuple) : undefined
        if (h?.socket === socket) {
          clearTimeout(h.timer)
          handshaking.delete(tuple)
        }
      })
      return true
    } catch {
      socket.destroy()
      return false
    }
  }

  /**
   * The TLS handshake or WebSocket upgrade of an admitted socket is done (`socket`: the TLS socket,
   * or the TCP one for WS): its handshake timer stops. False when the socket was not admitted or
   * has closed since: it must not become a connection.
   */
  function handshakeDone(socket: Socket): boolean {
    if (socket.remoteAddress === undefined || socket.destroyed) return false
    const tuple = fourTuple(socket)
    const h = handshaking.get(tuple)
    if (h === undefined) return false
    clearTimeout(h.timer)
    handshaking.delete(tuple)
    return true
  }

  function remoteKey(transport: TransportName, address: string, port: number): string {
    return `${transport}|${plainAddress(address)}|${port}`
  }

  function register(conn: Connection): Connection {
    connections.set(conn.flow.id, conn)
    const r = conn.flow.remote
    byRemote.set(remoteKey(conn.flow.transport, r.address, r.port), conn)
    stats.connectionsOpen++
    if (connectionOpen.hasSubscribers) connectionOpen.publish({ flow: conn.flow })
    return conn
  }

  /** A TCP socket once admitted, or a TLS one once its handshake is done. */
  function acceptStream(socket: Socket, transport: 'tcp' | 'tls'): void {
    if (socket.remoteAddress === undefined || (transport === 'tls' && !handshakeDone(socket))) {
      socket.destroy()
      return
    }
    const flow = newFlow(
      transport,
      { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
      { address: socket.remoteAddress, port: socket.remotePort ?? 0 },
    )
    register(new StreamConnection(socket, flow, false, connectionEvents, connLimits))
  }

  /** A WebSocket once upgraded, with the sip sub-protocol. */
  function acceptWs(ws: WebSocket, socket: Socket, transport: 'ws' | 'wss'): void {
    if (socket.remoteAddress === undefined || !handshakeDone(socket)) {
      ws.terminate()
      return
    }
    const flow = newFlow(
      transport,
      { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
      { address: socket.remoteAddress, port: socket.remotePort ?? 0 },
    )
    register(new WsConnection(ws, flow, false, connectionEvents, connLimits))
  }

  let udpFlowCount = 0

  /**
   * The flow of a UDP peer: one object per listener and peer address and port, reused for every
   * datagram (a transaction keeps its flow for up to 32 s). The cache is bounded: when it holds
   * `maxUdpFlows`, it starts over.
   */
  function udpFlow(listener: Listener, address: string, port: number): Flow {
    const cache = listener.udpFlows
    const byPort = cache?.get(port)
    if (byPort !== undefined) for (const e of byPort) if (e.address === address) return e.flow
    const remote = { address: plainAddress(address), port }
    const flow: Flow = {
      id: `udp:${listener.index}:${hostPort(remote.address, port)}`,
      transport: 'udp',
      reliable: false,
      secure: false,
      local: { address: listener.host, port: listener.port },
      remote,
    }
    if (cache !== undefined) {
      if (udpFlowCount >= maxUdpFlows) {
        for (const l of listeners) l.udpFlows?.clear()
        udpFlowCount = 0
      }
      const list = cache.get(port)
      if (list === undefined) cache.set(port, [{ address, flow }])
      else list.push({ address, flow })
      udpFlowCount++
    }
    return flow
  }

  // --- listening

  async function listenUdp(spec: ListenerOptions, index: number): Promise<Listener> {
    const socket = createSocket({ type: isIP(spec.host) === 6 ? 'udp6' : 'udp4', lookup: ipLookup })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(spec.port, spec.host, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    for (const set of [socket.setRecvBufferSize, socket.setSendBufferSize]) {
      try {
        set.call(socket, limits.udpBufferSize) // the kernel caps it at rmem_max / wmem_max
      } catch {
        // not permitted here: the default buffer stays
      }
    }
    const bound = socket.address()
    const listener: Listener = {
      index,
      options: spec,
      transport: 'udp',
      host: spec.host,
      port: bound.port,
      advertise: parseAdvertise(spec.advertise, { host: spec.host, port: bound.port }),
      udp: socket,
      udpFlows: new Map(),
      close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
    }
    socket.on('error', () => {}) // ICMP errors and the like: a datagram socket keeps serving
    socket.on('message', (msg, rinfo) => {
      if (msg.length > 0 && msg[0]! < 0x40) {
        // not SIP (which starts with a letter): a STUN keep-alive (RFC 5626 §4.4.2) gets its answer;
        // an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is told its IPv4 address, the one
        // it sent from (RFC 5389 §15.2: the client's transport address, family 0x01)
        const stun = stunBindingResponse(msg, plainAddress(rinfo.address), rinfo.port)
        if (stun !== undefined) {
          udpSend(listener, stun, rinfo.address, rinfo.port).catch(() => {})
          return
        }
      }
      const flow = udpFlow(listener, rinfo.address, rinfo.port)
      const r = parseMessage(msg, udpParseLimits)
      if (r.ok) deliver(r.message, msg.length, flow)
      else if (r.error.code === parseErrorCodes.EMPTY)
        return // a CRLF keep-alive
      else
        rejectUnparsed(r.error, flow, (bytes) =>
          udpSend(listener, bytes, flow.remote.address, flow.remote.port),
        )
    })
    return listener
  }

  async function listenServer(spec: ListenerOptions, index: number): Promise<Listener> {
    let server: Server | HttpServer
    let wss: WebSocketServer | undefined
    // TLS and WSS: certificates reloaded from their files without a restart
    const store =
      spec.transport === 'tls' || spec.transport === 'wss'
        ? certificates(spec.tls, `a ${spec.transport.toUpperCase()} listener`, (error) => {
            if (certificatesReload.hasSubscribers) certificatesReload.publish({ listener: spec, error })
          })
        : undefined
    switch (spec.transport) {
      case 'tcp':
        server = createNetServer((socket) => {
          if (admit(socket, false, 'tcp')) acceptStream(socket, 'tcp')
        })
        break
      case 'tls': {
        const tls = createTlsServer(store!.serverOptions(), (socket: TLSSocket) =>
          acceptStream(socket, 'tls'),
        )
        // counted at the TCP accept, before the handshake (the server's own listener, added first,
        // has wrapped the socket in TLS; destroying it ends that too)
        tls.on('connection', (socket: Socket) => admit(socket, true, 'tls'))
        tls.on('tlsClientError', (_error, socket) => socket.destroy()) // a failed or cut handshake
        store!.onReload(() => {
          tls.setSecureContext(store!.serverOptions())
          if (certificatesReload.hasSubscribers) certificatesReload.publish({ listener: spec })
        })
        server = tls
        break
      }
      default: {
        const http = store === undefined ? createHttpServer() : createHttpsServer(store.serverOptions())
        if (store !== undefined) {
          const https = http as ReturnType<typeof createHttpsServer>
          store.onReload(() => {
            https.setSecureContext(store.serverOptions())
            if (certificatesReload.hasSubscribers) certificatesReload.publish({ listener: spec })
          })
        }
        // counted at the TCP accept (for WSS before the TLS handshake), as for TLS
        http.on('connection', (socket: Socket) =>
          admit(socket, true, spec.transport === 'wss' ? 'wss' : 'ws'),
        )
        // a plain HTTP request (no upgrade) is told what this port speaks, then the socket closes
        // (RFC 7231 §6.5.15, RFC 6455 §4.2.2); upgrades go to the WebSocketServer below
        http.on('request', (_req, res) => {
          try {
            res.shouldKeepAlive = false
            res.writeHead(426, {
              Upgrade: 'websocket',
              Connection: 'close',
              'Content-Type': 'text/plain',
              'Content-Length': upgradeRequired.length,
            })
            res.end(upgradeRequired)
          } catch {
            res.destroy()
          }
        })
        server = http
        const transport = spec.transport === 'wss' ? 'wss' : 'ws'
        wss = new WebSocketServer({
          server: http,
          ...(spec.path === undefined ? {} : { path: spec.path }),
          maxPayload: limits.maxMessageSize,
          // RFC 7118 §4: the "sip" sub-protocol is required
          handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
        })
        // ws re-emits the HTTP server's 'error' (EADDRINUSE) here; with no listener it would end
        // the process. The server's own listener below rejects start() with it.
        wss.on('error', () => {})
        wss.on('connection', (ws, req) => {
          if (ws.protocol !== 'sip') {
            ws.close(1002, 'the sip sub-protocol is required (RFC 7118)')
            return
          }
          acceptWs(ws, req.socket, transport)
        })
      }
    }
    const s = server
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(spec.port, spec.host, () => {
          s.off('error', reject)
          resolve()
        })
      })
    } catch (error) {
      store?.close() // no certificate files watched for a listener that never was
      wss?.close()
      throw error
    }
    const address = s.address()
    const port = typeof address === 'object' && address !== null ? address.port : spec.port
    return {
      index,
      options: spec,
      transport: spec.transport,
      host: spec.host,
      port,
      advertise: parseAdvertise(spec.advertise, { host: spec.host, port }),
      close: () =>
        new Promise<void>((resolve) => {
          store?.close()
          wss?.close()
          s.close(() => resolve())
        }),
    }
  }

  // --- sending

  /**
   * Counts and publishes a message that could not be sent; returns the error (to rethrow). Each
   * send path calls it once for its own failures: a datagram's in udpSend, which the others return
   * without awaiting.
   */
  function sendFailed(transport: TransportName, message: SipMessage | undefined, error: unknown): unknown {
    stats.sendErrors++
    if (sendError.hasSubscribers) {
      const code = (error as { code?: unknown } | null)?.code
      sendError.publish({
        transport,
        kind: message?.kind,
        code: typeof code === 'string' ? code : 'other',
      })
    }
    return error
  }

  /**
   * A datagram; one that carries a message over `flow` is counted as sent once the socket took it.
   * One promise per send, no async frames around it: this is the path of most messages. Datagrams
   * leave together after the event-loop turn's I/O (see datagram-queue.ts).
   */
  function udpSend(
    listener: Listener,
    bytes: Uint8Array,
    address: string,
    port: number,
    flow?: Flow,
    message?: SipMessage,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      datagrams.send(listener.udp!, bytes, port, address, (error) => {
        if (error) return reject(sendFailed('udp', message, error))
        if (flow !== undefined && message !== undefined) out(flow, bytes, message)
        resolve()
      })
    })
  }

  /** listenerFor's answers by transport and address family (0, 4, 6); cleared when listeners change. */
  const chosen = new Map<TransportName, Array<Listener | undefined>>()

  function listenerFor(transport: TransportName, address: string): Listener | undefined {
    const family = ipVersion(address)
    let byFamily = chosen.get(transport)
    if (byFamily === undefined) {
      byFamily = []
      chosen.set(transport, byFamily)
    }
    if (family in byFamily) return byFamily[family]
    const same = listeners.filter((l) => l.transport === transport)
    const found =
      same.find((l) => isIP(l.host) === family || (l.host === '::' && family === 4)) ??
      same[0] ??
      // no listener of that transport (e.g. an outgoing WS client): advertise the first one's host
      listeners[0]
    if (found !== undefined) byFamily[family] = found
    return found
  }

  function connect(target: Target): Promise<Connection> {
    // a TLS connection proves one domain (RFC 5922): it is reused only for that domain
    const key = `${target.transport}|${target.address}|${target.port}|${target.serverName ?? ''}`
    const live = outbound.get(key)
    if (live !== undefined && !live.closed) return Promise.resolve(live)
    const pending = connecting.get(key)
    if (pending !== undefined) return pending
    if (held() >= limits.maxConnections) {
      return Promise.reject(new TransportError(faultCodes.CONNECTION_LIMIT, 'connection limit reached'))
    }
    const promise = openConnection(target).then(
      (conn) => {
        connecting.delete(key)
        outbound.set(key, register(conn))
        return conn
      },
      (error: unknown) => {
        connecting.delete(key)
        throw error
      },
    )
    connecting.set(key, promise)
    return promise
  }

  /**
   * Opens a connection to `target` within `connectTimeout`. On the timeout the socket (or the
   * WebSocket with its handshake) is destroyed; a socket that connects after its promise settled
   * is destroyed too, never turned into a connection nobody holds.
   */
  function openConnection(target: Target): Promise<Connection> {
    const { address, port } = target
    const servername = target.serverName ?? (isIP(address) === 0 ? address : undefined)
    return new Promise((resolve, reject) => {
      let abort = () => {}
      const timer = setTimeout(() => {
        fail(new Error(`connect to ${hostPort(address, port)} timed out`))
        abort()
      }, limits.connectTimeout)
      let settled = false
      const fail = (error: Error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(error)
      }
      const done = (conn: Connection) => {
        settled = true
        clearTimeout(timer)
        resolve(conn)
      }
      if (target.transport === 'ws' || target.transport === 'wss') {
        const url = `${target.transport}://${hostPort(address, port)}/`
        const ws = new WebSocket(url, 'sip', {
          ...(clientCa === undefined ? {} : { ca: clientCa }),
          ...(servername === undefined ? {} : { servername }),
          maxPayload: limits.maxMessageSize,
          handshakeTimeout: limits.connectTimeout,
        })
        abort = () => ws.terminate()
        ws.on('error', fail) // errors after open are the connection's (WsConnection listens too)
        ws.once('open', () => {
          if (settled) {
            ws.terminate()
            return
          }
          const socket = (ws as unknown as { _socket: Socket })._socket
          const flow = newFlow(
            target.transport,
            { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
            { address, port },
          )
          done(new WsConnection(ws, flow, true, connectionEvents, connLimits))
        })
        return
      }
      const socket =
        target.transport === 'tls'
          ? tlsConnect({
              host: address,
              port,
              // RFC 5922: the certificate must match the domain of the URI we resolved
              ...(servername === undefined ? {} : { servername }),
              ...(clientCa === undefined ? {} : { ca: clientCa }),
            })
          : netConnect({ host: address, port })
      abort = () => socket.destroy()
      socket.once('error', fail)
      socket.once(target.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        socket.off('error', fail)
        if (settled) {
          socket.destroy()
          return
        }
        const flow = newFlow(
          target.transport,
          { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
          { address, port },
        )
        done(new StreamConnection(socket, flow, true, connectionEvents, connLimits))
      })
    })
  }

  function out(flow: Flow, bytes: Uint8Array, message: SipMessage): void {
    stats.messagesOut++
    if (messageOut.hasSubscribers) messageOut.publish({ flow, size: bytes.length, message })
  }

  function sendRequest(request: SipRequest, target: Target): Promise<void> {
    let listener: Listener | undefined
    let bytes: Uint8Array
    try {
      listener = listenerFor(target.transport, target.address)
      if (listener === undefined) throw new TransportError(faultCodes.NO_LISTENER, 'no listener to send from')
      fillSentBy(request, target.transport, listener.advertise)
      bytes = serialize(request)
    } catch (error) {
      return Promise.reject(sendFailed(target.transport, request, error))
    }
    if (target.transport === 'udp') {
      const flow = udpFlow(listener, target.address, target.port)
      return udpSend(listener, bytes, target.address, target.port, flow, request)
    }
    return sendRequestOnStream(request, target, bytes)
  }

  async function sendRequestOnStream(request: SipRequest, target: Target, bytes: Uint8Array): Promise<void> {
    try {
      let conn = target.flowId === undefined ? undefined : connections.get(target.flowId)
      if ((conn === undefined || conn.closed) && target.flowOnly === true) {
        throw new TransportError(
          faultCodes.FLOW_GONE,
          `flow ${target.flowId ?? '(none)'} is gone (RFC 5626 §5.3)`,
        )
      }
      if ((conn === undefined || conn.closed) && target.serverName === undefined) {
        // a connection that is open with that very address and port, inbound ones included: the
        // way back to a UA behind NAT (RFC 5626 §5.3); TLS only when no certificate check is due
        conn = byRemote.get(remoteKey(target.transport, target.address, target.port))
      }
      if (conn === undefined || conn.closed) conn = await connect(target)
      await conn.write(bytes)
      out(conn.flow, bytes, request)
    } catch (error) {
      throw sendFailed(target.transport, request, error)
    }
  }

  function sendResponse(response: SipResponse, flow: Flow, octets?: Uint8Array): Promise<void> {
    if (flow.reliable) return sendResponseOnStream(response, flow, octets)
    try {
      const bytes = octets ?? serialize(response)
      // a UDP flow id is udp:<listener index>:<address:port>
      const listener = listeners[Number(flow.id.slice(4, flow.id.indexOf(':', 4)))]
      const to = responseDestination(response, flow) ?? flow.remote
      if (listener?.udp === undefined)
        throw new TransportError(faultCodes.NO_LISTENER, `no UDP listener for ${flow.id}`)
      return udpSend(listener, bytes, to.address, to.port, flow, response)
    } catch (error) {
      return Promise.reject(sendFailed('udp', response, error))
    }
  }

  async function sendResponseOnStream(response: SipResponse, flow: Flow, octets?: Uint8Array): Promise<void> {
    try {
      const bytes = octets ?? serialize(response)
      const conn = connections.get(flow.id)
      if (conn !== undefined && !conn.closed) {
        await conn.write(bytes)
        out(flow, bytes, response)
        return
      }
      // §18.2.2: the connection is gone; open one to received (or sent-by) and the sent-by port.
      // A WebSocket peer cannot be reached that way (RFC 7118 §5: the flow is the only way back).
      if (flow.transport === 'ws' || flow.transport === 'wss') {
        throw new TransportError(faultCodes.FLOW_GONE, `flow ${flow.id} is closed`)
      }
      const to = responseDestination(response, flow)
      if (to === undefined) throw new TransportError(faultCodes.FLOW_GONE, `flow ${flow.id} is closed`)
      const conn2 = await connect({ transport: flow.transport, address: to.address, port: to.port })
      await conn2.write(bytes)
      out(conn2.flow, bytes, response)
    } catch (error) {
      throw sendFailed(flow.transport, response, error)
    }
  }

  /**
   * §16.11, §18.2.2: a response sent by its top Via alone (a stateless proxy, or a response no
   * transaction matched): UDP to `received`/`rport` or the sent-by; a stream transport over an open
   * connection to that address, else a new TCP or TLS connection. A WebSocket peer is reachable
   * only over its own connection.
   */
  async function forwardResponse(response: SipResponse): Promise<void> {
    try {
      const top = response.headers.first(Via)
      const transport = top === undefined ? undefined : transportOfVia(top.transport)
      if (transport === undefined)
        throw new TransportError(faultCodes.NO_LISTENER, 'no usable Via to send by')
      const pseudo: Flow = {
        id: '',
        transport,
        reliable: transport !== 'udp',
        secure: transport === 'tls' || transport === 'wss',
        local: { address: '', port: 0 },
        remote: { address: '', port: 0 },
      }
      const to = responseDestination(response, pseudo)
      if (to === undefined) throw new TransportError(faultCodes.NO_LISTENER, 'no usable Via to send by')
      const bytes = serialize(response)
      if (transport === 'udp') {
        const listener = listenerFor('udp', to.address)
        if (listener?.udp === undefined) throw new TransportError(faultCodes.NO_LISTENER, 'no UDP listener')
        return udpSend(listener, bytes, to.address, to.port, udpFlow(listener, to.address, to.port), response)
      }
      // §18.2.2: the connection the request came over (its source is received:rport), while open
      const source = requestSource(response)
      let conn =
        source === undefined ? undefined : byRemote.get(remoteKey(transport, source.address, source.port))
      if (conn === undefined || conn.closed) conn = byRemote.get(remoteKey(transport, to.address, to.port))
      if (conn === undefined || conn.closed) {
        if (transport === 'ws' || transport === 'wss')
          throw new TransportError(faultCodes.FLOW_GONE, 'no WebSocket connection to the Via address')
        conn = await connect({ transport, address: to.address, port: to.port })
      }
      await conn.write(bytes)
      out(conn.flow, bytes, response)
    } catch (error) {
      throw sendFailed(transportOfVia(response.headers.first(Via)?.transport ?? '') ?? 'udp', response, error)
    }
  }

  return {
    async start() {
      for (const [index, spec] of specs.entries()) {
        const l = spec.transport === 'udp' ? await listenUdp(spec, index) : await listenServer(spec, index)
        listeners.push(l)
        chosen.clear()
        const adv = l.advertise
        sentBy.add(
          `${adv.host.includes(':') ? `[${adv.host.toLowerCase()}]` : adv.host.toLowerCase()}:${adv.port}`,
        )
      }
    },
    async stop() {
      datagrams.flush()
      for (const h of handshaking.values()) h.socket.destroy()
      for (const conn of connections.values()) conn.close()
      await Promise.all(listeners.map((l) => l.close()))
      for (const conn of connections.values()) conn.destroy('transport stopped')
      listeners.length = 0
      chosen.clear()
    },
    get listeners() {
      return listeners
    },
    udpBacklog() {
      let queues: Map<number, number> | undefined
      let fullest: number | undefined
      for (const l of listeners) {
        if (l.udp === undefined) continue
        queues ??= readUdpQueues()
        if (queues === undefined) return undefined
        const size = l.udp.getRecvBufferSize()
        const share = size > 0 ? (queues.get(l.port) ?? 0) / size : 0
        fullest = Math.max(fullest ?? 0, share)
      }
      return fullest
    },
    sendRequest,
    sendResponse,
    forwardResponse,
    flow(id) {
      if (id.startsWith('udp:')) {
        const m = /^udp:(\d+):(\[[^\]]+\]|[^:]+):(\d+)$/.exec(id)
        const l = m === null ? undefined : listeners[Number(m[1])]
        if (m === null || l === undefined) return undefined
        return udpFlow(l, m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!, Number(m[3]))
      }
      const conn = connections.get(id)
      return conn === undefined || conn.closed ? undefined : conn.flow
    },
    localFor: (target) => listenerFor(target.transport, target.address),
    listenerOf(flow) {
      if (flow.transport === 'udp') return listeners[Number(flow.id.split(':')[1])]
      return listenerFor(flow.transport, flow.local.address)
    },
    stats,
  }
}
