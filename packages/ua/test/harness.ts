/**
 * A user agent on the in-memory transport with a manual clock, and the peer's side: what the UA
 * sent, and answers to it as the next hop (192.0.2.10:5060, RFC 5737) would send them.
 */
import { createResponse, type SipRequest, type SipResponse } from '@junction/sip'
import { createManualClock, type ManualClock } from '@junction/transaction'
import {
  createMemoryTransport,
  createResolver,
  type MemoryTransport,
  type SentMessage,
} from '@junction/transport'
import {
  type CredentialsProvider,
  createUserAgent,
  type UserAgent,
  type UserAgentHandlers,
} from '../src/index.ts'

export const PEER = { transport: 'udp', address: '192.0.2.10', port: 5060 } as const

export interface Harness {
  readonly ua: UserAgent
  readonly net: MemoryTransport
  readonly clock: ManualClock
  /** The first request (of `method`) the UA sent that this function has not returned yet. */
  sent(method?: string): Promise<SipRequest>
  /** Every request of `method` sent so far. */
  all(method: string): SipRequest[]
  /** Every response sent so far with `status`. */
  responses(status?: number): SipResponse[]
  /** The peer answers `request`. */
  answer(
    request: SipRequest,
    status: number,
    options?: Parameters<typeof createResponse>[3] & { extra?: Record<string, string> },
  ): SipResponse
  /** The peer sends a request (text) to the UA. */
  inject(text: string): void
  /** Lets promise callbacks run. */
  settle(): Promise<void>
}

export function setup(
  options: {
    credentials?: CredentialsProvider
    handlers?: UserAgentHandlers
    proxy?: boolean
    headers?: Record<string, string>
  } = {},
): Harness {
  const clock = createManualClock()
  const resolver = createResolver({ transports: ['udp', 'tcp'] })
  let net!: MemoryTransport
  const ua = createUserAgent(
    {
      identity: { uri: 'sip:alice@192.0.2.1', displayName: 'Alice' },
      ...(options.proxy === false ? {} : { outboundProxy: 'sip:192.0.2.10:5060' }),
      credentials: options.credentials,
      handlers: options.handlers,
      headers: options.headers,
    },
    {
      clock,
      // numeric hosts only: a unit test never asks DNS
      resolver: {
        async resolve(uri, o) {
          return (
            resolver.resolveNow?.(uri, o) ?? {
              ok: false,
              targets: [],
              error: { code: 'JUNCTION_ERR_TRANSPORT_DNS_NOT_FOUND', reason: 'no DNS in unit tests' },
            }
          )
        },
      },
      transport: (deps) => {
        net = createMemoryTransport({ listen: ['udp:127.0.0.1:5070'] }, deps)
        return net
      },
    },
  )
  const seen = new Set<SentMessage>()
  const isRequest = (m: SentMessage): m is SentMessage & { kind: 'request' } => m.kind === 'request'
  return {
    ua,
    net,
    clock,
    async sent(method) {
      // the first request (of `method`) not returned yet, sent before or after this call
      const m = await net.next(
        (m) => isRequest(m) && !seen.has(m) && (method === undefined || m.message.method === method),
        { since: 0 },
      )
      seen.add(m)
      return m.message as SipRequest
    },
    all(method) {
      return net.sent
        .filter(isRequest)
        .map((m) => m.message)
        .filter((r) => r.method === method)
    },
    responses(status) {
      return net.sent
        .filter((m): m is SentMessage & { kind: 'response' } => m.kind === 'response')
        .map((m) => m.message)
        .filter((r) => status === undefined || r.status === status)
    },
    answer(request, status, opts = {}) {
      const { extra, ...rest } = opts
      const response = createResponse(request, status, undefined, { ...rest, headers: { ...extra } })
      net.receive(response, PEER)
      return response
    },
    inject(text) {
      net.receive(text, PEER)
    },
    async settle() {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    },
  }
}

let n = 0
/** A request from the peer (192.0.2.10) to alice. */
export function peerRequest(
  method: string,
  spec: {
    to?: string
    from?: string
    callId?: string
    cseq?: number
    headers?: string[]
    body?: string
    branch?: string
  } = {},
): string {
  n++
  const body = spec.body ?? ''
  return [
    `${method} sip:alice@127.0.0.1:5070 SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${spec.branch ?? `z9hG4bKpeer${n}x${Date.now()}`}`,
    'Max-Forwards: 70',
    `From: ${spec.from ?? '<sip:bob@192.0.2.10>;tag=bobtag'}`,
    `To: ${spec.to ?? '<sip:alice@192.0.2.1>'}`,
    `Call-ID: ${spec.callId ?? `call${n}@192.0.2.10`}`,
    `CSeq: ${spec.cseq ?? 1} ${method}`,
    ...(method === 'INVITE' ? ['Contact: <sip:bob@192.0.2.10:5060>'] : []),
    ...(spec.headers ?? []),
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
}
