/**
 * An in-memory transport: the `Transport` interface with no sockets, for tests of everything above
 * the transport layer (`createSipServer(...).inject()`, UA tests). Messages go through the wire
 * format both ways (serialized, then parsed), the top Via of a received request is marked as
 * §18.2.1 says, responses not for us are dropped (§18.1.2), and sent requests get their Via
 * sent-by filled in (§18.1.1) — like the real transport, minus the network.
 */
import { isIP } from 'node:net'
import {
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
  Via,
} from '@junction/sip'
import { faultCodes, TransportError } from './errors.ts'
import { type Flow, isReliable, type Target, type TransportName } from './flow.ts'
import { hostPort, type ListenerOptions, parseListenerSpec } from './listener-spec.ts'
import type { BoundListener, Transport, TransportDeps, TransportStats } from './transport.ts'
import { fillSentBy, isForUs, markReceived } from './via-routing.ts'

/** A message the memory transport sent: a request to a target, or a response over a flow. */
export type SentMessage =
  | {
      readonly kind: 'request'
      readonly message: SipRequest
      readonly target: Target
      /** The octets that would have gone out. */
      readonly bytes: Uint8Array
    }
  | {
      readonly kind: 'response'
      readonly message: SipResponse
      /** The flow it went over; undefined when sent by its Via alone (`forwardResponse`). */
      readonly flow: Flow | undefined
      readonly bytes: Uint8Array
    }

/** Where an injected message comes from. Default: UDP from 192.0.2.10:5060 (RFC 5737 TEST-NET-1). */
export interface MemorySource {
  readonly transport?: TransportName | undefined
  readonly address?: string | undefined
  readonly port?: number | undefined
}

export interface MemoryTransport extends Transport {
  /**
   * Delivers a message as if it arrived from `from`, through the wire format. Returns the flow it
   * came over; octets that do not parse are dropped and counted in `stats.drops`.
   */
  receive(input: Uint8Array | string | SipMessage, from?: MemorySource): Flow
  /**
   * Closes a connection-oriented flow as if its peer hung up: `deps.flowClosed` hears of it, and a
   * request for a target `flowOnly` over it fails with `JUNCTION_ERR_TRANSPORT_FLOW_GONE`.
   */
  closeFlow(flowId: string): void
  /**
   * Makes requests to `address` fail from now on as a refused connection does (an `Error` with
   * code `ECONNREFUSED`): for failover tests (RFC 3263 §4.3).
   */
  refuse(address: string): void
  /** Every message sent so far, in order. */
  readonly sent: readonly SentMessage[]
  /** Resolves with the first message sent from now on (or already sent, from `since`) that matches. */
  next(
    filter?: (m: SentMessage) => boolean,
    options?: { since?: number; timeout?: number },
  ): Promise<SentMessage>
}

export interface MemoryTransportOptions {
  /** Listeners to pretend to have. Default `udp:127.0.0.1:5060` and `tcp:127.0.0.1:5060`. */
  readonly listen?: ReadonlyArray<string | ListenerOptions> | undefined
}

const encoder = new TextEncoder()

export function createMemoryTransport(options: MemoryTransportOptions, deps: TransportDeps): MemoryTransport {
  const listeners: BoundListener[] = (options.listen ?? ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060']).map(
    (spec) => {
      const l = typeof spec === 'string' ? parseListenerSpec(spec) : spec
      if (l === undefined)
        throw new TransportError(faultCodes.INVALID_LISTENER, `invalid listener: ${String(spec)}`)
      const port = l.port === 0 ? 5060 : l.port
      const adv = l.advertise?.split(':') ?? []
      return {
        transport: l.transport,
        host: l.host,
        port,
        advertise: { host: adv[0] ?? l.host, port: adv[1] === undefined ? port : Number(adv[1]) },
      }
    },
  )
  const sentBy = new Set(
    listeners.map((l) => hostPort(l.advertise.host.toLowerCase(), l.advertise.port).toLowerCase()),
  )
  const sent: SentMessage[] = []
  interface Waiter {
    readonly from: number
    readonly filter: (m: SentMessage) => boolean
    resolve(m: SentMessage): void
    timer?: ReturnType<typeof setTimeout>
  }
  const waiters: Waiter[] = []
  const flows = new Map<string, Flow>()
  const refused = new Set<string>()
  let nextFlow = 1
  const stats: TransportStats = {
    messagesIn: 0,
    messagesOut: 0,
    drops: {},
    connectionsOpen: 0,
    connectionsRefused: 0,
    handshakeTimeouts: 0,
    sendErrors: 0,
  }

  function listenerFor(transport: TransportName, address: string): BoundListener | undefined {
    const family = isIP(address)
    const same = listeners.filter((l) => l.transport === transport)
    return same.find((l) => isIP(l.host) === family) ?? same[0] ?? listeners[0]
  }

  function record(m: SentMessage): void {
    stats.messagesOut++
    sent.push(m)
    const index = sent.length - 1
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!
      if (index >= w.from && w.filter(m)) {
        waiters.splice(i--, 1)
        w.resolve(m)
      }
    }
  }

  function flowFrom(from: MemorySource): Flow {
    const transport = from.transport ?? 'udp'
    const address = from.address ?? '192.0.2.10'
    const port = from.port ?? 5060
    const listener = listenerFor(transport, address)
    const local = { address: listener?.host ?? '127.0.0.1', port: listener?.port ?? 5060 }
    const key = `${transport}|${address}|${port}`
    let flow = flows.get(key)
    if (flow === undefined) {
      const index = listener === undefined ? 0 : listeners.indexOf(listener)
      flow = {
        id: transport === 'udp' ? `udp:${index}:${hostPort(address, port)}` : `${transport}:m${nextFlow++}`,
        transport,
        reliable: isReliable(transport),
        secure: transport === 'tls' || transport === 'wss',
        local,
        remote: { address, port },
      }
      flows.set(key, flow)
    }
    return flow
  }

  function flowById(id: string | undefined): Flow | undefined {
    if (id !== undefined) for (const f of flows.values()) if (f.id === id) return f
    return undefined
  }

  /** A request to `target`, recorded; throws as a real transport's send would fail. */
  function send(request: SipRequest, target: Target): void {
    if (refused.has(target.address)) {
      const error = new Error(`connect ECONNREFUSED ${target.address}:${target.port}`)
      throw Object.assign(error, { code: 'ECONNREFUSED' })
    }
    if (target.flowOnly === true && target.transport !== 'udp' && flowById(target.flowId) === undefined) {
      throw new TransportError(
        faultCodes.FLOW_GONE,
        `flow ${target.flowId ?? '(none)'} is gone (RFC 5626 §5.3)`,
      )
    }
    const listener = listenerFor(target.transport, target.address)
    if (listener === undefined) throw new TransportError(faultCodes.NO_LISTENER, 'no listener to send from')
    fillSentBy(request, target.transport, listener.advertise)
    record({ kind: 'request', message: request, target, bytes: serialize(request) })
  }

  return {
    async start() {},
    async stop() {
      for (const w of waiters.splice(0)) clearTimeout(w.timer)
    },
    listeners,
    async sendRequest(request, target) {
      try {
        send(request, target)
      } catch (error) {
        stats.sendErrors++
        throw error
      }
    },
    async sendResponse(response, flow, octets) {
      record({ kind: 'response', message: response, flow, bytes: octets ?? serialize(response) })
    },
    async forwardResponse(response) {
      if (response.headers.first(Via) === undefined)
        throw new TransportError(faultCodes.NO_LISTENER, 'no usable Via to send by')
      record({ kind: 'response', message: response, flow: undefined, bytes: serialize(response) })
    },
    flow: flowById,
    refuse(address) {
      refused.add(address)
    },
    closeFlow(id) {
      for (const [key, f] of flows) {
        if (f.id !== id || !f.reliable) continue
        flows.delete(key)
        deps.flowClosed?.(f)
      }
    },
    localFor: (target) => listenerFor(target.transport, target.address),
    listenerOf: (flow) => listenerFor(flow.transport, flow.local.address),
    stats,
    receive(input, from = {}) {
      const bytes =
        typeof input === 'string'
          ? encoder.encode(input)
          : input instanceof Uint8Array
            ? input
            : serialize(input as SipMessage)
      const flow = flowFrom(from)
      const parsed = parseMessage(bytes)
      if (!parsed.ok) {
        stats.drops[parsed.error.code] = (stats.drops[parsed.error.code] ?? 0) + 1
        return flow
      }
      const message = parsed.message
      if (message.kind === 'request') markReceived(message, flow)
      else if (!isForUs(message, sentBy)) {
        stats.drops['not-for-us'] = (stats.drops['not-for-us'] ?? 0) + 1
        return flow
      }
      stats.messagesIn++
      deps.receive(message, flow)
      return flow
    },
    sent,
    next(filter = () => true, opts = {}) {
      const from = opts.since ?? sent.length
      for (let i = from; i < sent.length; i++) if (filter(sent[i]!)) return Promise.resolve(sent[i]!)
      return new Promise((resolve, reject) => {
        const timeout = opts.timeout ?? 2000
        const w: Waiter = {
          from,
          filter,
          resolve(m) {
            clearTimeout(w.timer)
            resolve(m)
          },
        }
        w.timer = setTimeout(() => {
          const i = waiters.indexOf(w)
          if (i !== -1) waiters.splice(i, 1)
          reject(new Error(`no matching message sent within ${timeout} ms`))
        }, timeout)
        waiters.push(w)
      })
    },
  }
}
