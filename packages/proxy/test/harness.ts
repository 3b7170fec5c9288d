/**
 * Test harness for the proxy: a server on the in-memory transport with a manual clock, a request
 * builder, and helpers to answer what the proxy forwarded as the downstream element would.
 */
import { randomBytes } from 'node:crypto'
import { createResponse, parseMessage, type SipRequest, type SipResponse, serialize } from '@junction/sip'
import { createManualClock, type ManualClock } from '@junction/transaction'
import type { MemoryTransport, Resolver, SentMessage, Target } from '@junction/transport'
import type { Route } from '../src/route.ts'
import { createSipServer, type SipServer, type SipServerDeps, type SipServerOptions } from '../src/server.ts'

export const UAC = { transport: 'udp', address: '192.0.2.10', port: 5060 } as const

export interface RequestSpec {
  readonly via?: string
  readonly from?: string
  readonly to?: string
  readonly callId?: string
  readonly cseq?: number
  readonly maxForwards?: number | null
  readonly headers?: readonly string[]
  readonly body?: string
}

export function rand(): string {
  return randomBytes(6).toString('hex')
}

/** A request as a UAC at 192.0.2.10 would send it. */
export function request(method: string, uri: string, spec: RequestSpec = {}): string {
  const body = spec.body ?? ''
  const lines = [
    `${method} ${uri} SIP/2.0`,
    `Via: ${spec.via ?? `SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${rand()}`}`,
    ...(spec.maxForwards === null ? [] : [`Max-Forwards: ${spec.maxForwards ?? 70}`]),
    `From: ${spec.from ?? `<sip:alice@example.com>;tag=${rand()}`}`,
    `To: ${spec.to ?? '<sip:bob@example.com>'}`,
    `Call-ID: ${spec.callId ?? rand()}`,
    `CSeq: ${spec.cseq ?? 1} ${method}`,
    ...(method === 'INVITE' ? ['Contact: <sip:alice@192.0.2.10>'] : []),
    ...(spec.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ]
  return lines.join('\r\n')
}

/**
 * The CANCEL of an INVITE made by {@link request} (§9.1): its Request-URI, top Via, From, Call-ID
 * and CSeq number, method CANCEL.
 */
export function cancelOf(invite: string): string {
  const field = (name: string) => new RegExp(`^${name}: (.*)\r$`, 'm').exec(invite)![1]!
  return request('CANCEL', invite.slice('INVITE '.length, invite.indexOf(' SIP/2.0\r\n')), {
    via: field('Via'),
    from: field('From'),
    callId: field('Call-ID'),
    cseq: Number.parseInt(field('CSeq'), 10),
  })
}

export interface Net {
  readonly clock: ManualClock
  readonly server: SipServer
  readonly network: MemoryTransport
  /** Sends a request from the UAC (or `from`); returns its text. */
  send(text: string, from?: { transport?: 'udp' | 'tcp'; address?: string; port?: number }): string
  /** The next request the proxy sends (to `address`, of `method`). */
  forwarded(method?: string, address?: string): Promise<SentMessage & { kind: 'request' }>
  /** The next response the proxy sends upstream (with status `status`, or any). */
  upstream(status?: number): Promise<SentMessage & { kind: 'response' }>
  /** Answers a forwarded request as the downstream element at its target would. */
  answer(sent: SentMessage & { kind: 'request' }, status: number, options?: AnswerOptions): SipResponse
  /** Lets promise callbacks run (the resolver is asynchronous). */
  settle(): Promise<void>
  /** Messages sent so far. */
  readonly sent: readonly SentMessage[]
}

export interface AnswerOptions {
  readonly toTag?: string
  readonly headers?: Readonly<Record<string, string>>
}

export function createNet(
  route: Route,
  options: Partial<SipServerOptions> = {},
  resolver?: Resolver,
  deps: Partial<SipServerDeps> = {},
): Net {
  const clock = createManualClock()
  const server = createSipServer(
    { domains: ['example.com'], ...options, route },
    { clock, resolver, transport: 'memory', ...deps },
  )
  const network = server.network!
  let requestCursor = 0
  let responseCursor = 0
  return {
    clock,
    server,
    network,
    sent: network.sent,
    send(text, from) {
      server.inject(text, { ...UAC, ...from })
      return text
    },
    async forwarded(method, address) {
      const m = await network.next(
        (s) =>
          s.kind === 'request' &&
          (method === undefined || s.message.method === method) &&
          (address === undefined || s.target.address === address),
        { since: requestCursor },
      )
      requestCursor = network.sent.indexOf(m) + 1
      return m as SentMessage & { kind: 'request' }
    },
    async upstream(status) {
      const m = await network.next(
        (s) => s.kind === 'response' && (status === undefined || s.message.status === status),
        { since: responseCursor },
      )
      responseCursor = network.sent.indexOf(m) + 1
      return m as SentMessage & { kind: 'response' }
    },
    answer(sent, status, opts = {}) {
      // the downstream element parses what it got, and answers (§8.2.6)
      const parsed = parseMessage(sent.bytes)
      if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('forwarded request did not parse')
      const response = createResponse(parsed.message, status, undefined, {
        toTag: opts.toTag ?? (status > 100 ? 'down' : undefined),
        headers: opts.headers,
      })
      server.inject(serialize(response), {
        transport: sent.target.transport,
        address: sent.target.address,
        port: sent.target.port,
      })
      return response
    },
    async settle() {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    },
  }
}

/** The request as it went over the wire. */
export function wire(sent: SentMessage): SipRequest {
  const parsed = parseMessage(sent.bytes)
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('not a request')
  return parsed.message
}

/** A resolver that answers from a table (host → targets), for failover tests. */
export function tableResolver(table: Record<string, readonly Target[]>): Resolver & { failed: Target[] } {
  const failed: Target[] = []
  return {
    failed,
    async resolve(uri) {
      const host = typeof uri === 'string' ? uri : uri.kind === 'sip' ? uri.host : ''
      const targets = table[host]
      if (targets === undefined) {
        return {
          ok: false,
          targets: [],
          error: { code: 'JUNCTION_ERR_TRANSPORT_NOT_FOUND', reason: 'no such host' },
        } as never
      }
      return { ok: true, targets: targets.map((t) => ({ ...t, expires: Number.POSITIVE_INFINITY })) }
    },
    markFailed(target) {
      failed.push(target as Target)
    },
    isBlocked: (t) => failed.some((f) => f.address === t.address && f.port === t.port),
  }
}
