/**
 * Test harness for the state machines: a manual clock, a
 * transport that records what is sent and can fail, and a transaction user that records events.
 */
import { parseMessage, type SipMessage, type SipRequest, type SipResponse, serialize } from '@junction/sip'
import type { Flow, Target } from '@junction/transport'
import { createManualClock, type ManualClock } from '../src/clock.ts'
import { createTransactionLayer, type TransactionLayer, type TransactionLayerOptions } from '../src/layer.ts'
import type { ClientHandler, TransactionTransport, TransactionUser } from '../src/ports.ts'
import type { InviteServerTransaction, ServerTransaction } from '../src/server-transaction.ts'

export interface Sent {
  at: number
  kind: 'request' | 'response'
  message: SipMessage
  /** The octets handed to the transport with a response, when the transaction serialized it. */
  octets?: Uint8Array | undefined
}

export interface Harness {
  clock: ManualClock
  layer: TransactionLayer
  sent: Sent[]
  /** Makes every later send fail (a transport error). */
  failSends(fail: boolean): void
  requests: ServerTransaction[]
  acks: Array<{ ack: SipRequest; tx: InviteServerTransaction | undefined }>
  stray: SipResponse[]
  failures: Array<{ tx: ServerTransaction; reason: string }>
  /** Runs pending promise callbacks (send failures are reported asynchronously). */
  settle(): Promise<void>
}

export const udpFlow: Flow = {
  id: 'udp:1',
  transport: 'udp',
  reliable: false,
  secure: false,
  local: { address: '127.0.0.1', port: 5060 },
  remote: { address: '127.0.0.1', port: 5070 },
}
export const tcpFlow: Flow = { ...udpFlow, id: 'tcp:1', transport: 'tcp', reliable: true }
export const udpTarget: Target = { transport: 'udp', address: '127.0.0.1', port: 5070 }
export const tcpTarget: Target = { transport: 'tcp', address: '127.0.0.1', port: 5070 }

export function createHarness(options: Omit<TransactionLayerOptions, 'clock'> = {}): Harness {
  const clock = createManualClock()
  const sent: Sent[] = []
  let fail = false
  const transport: TransactionTransport = {
    async sendRequest(request) {
      if (fail) throw new Error('unreachable')
      sent.push({ at: clock.now(), kind: 'request', message: request })
    },
    async sendResponse(response, _flow, octets) {
      if (fail) throw new Error('unreachable')
      sent.push({ at: clock.now(), kind: 'response', message: response, octets })
    },
  }
  const h: Harness = {
    clock,
    sent,
    failSends: (f) => {
      fail = f
    },
    requests: [],
    acks: [],
    stray: [],
    failures: [],
    layer: undefined as unknown as TransactionLayer,
    settle: () => new Promise((resolve) => setImmediate(resolve)),
  }
  const user: TransactionUser = {
    onRequest: (tx) => h.requests.push(tx),
    onAck: (ack, _flow, tx) => h.acks.push({ ack, tx }),
    onStrayResponse: (res) => h.stray.push(res),
    onServerFailure: (tx, reason) => h.failures.push({ tx, reason }),
  }
  h.layer = createTransactionLayer({ transport, user }, { ...options, clock })
  return h
}

/** Parses a message written with `\n` line ends (converted to CRLF). */
export function sip(text: string): SipMessage {
  const r = parseMessage(Buffer.from(`${text.trim().replaceAll('\n', '\r\n')}\r\n\r\n`))
  if (!r.ok) throw new Error(`test message does not parse: ${r.error.reason}`)
  return r.message
}

export function request(method: string, branch = 'z9hG4bKabc', extra = ''): SipRequest {
  const m = sip(`${method} sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}
Max-Forwards: 70
To: <sip:bob@example.com>
From: <sip:alice@example.com>;tag=a1
Call-ID: call-1@192.0.2.1
CSeq: 1 ${method === 'ACK' || method === 'CANCEL' ? method : method}
${extra}Content-Length: 0`)
  return m as SipRequest
}

export function response(req: SipRequest, status: number, toTag = 'b2'): SipResponse {
  const via = req.headers.raw('Via')[0]
  const cseq = req.headers.raw('CSeq')[0]
  const m = sip(`SIP/2.0 ${status} Reason
Via: ${via}
To: <sip:bob@example.com>;tag=${toTag}
From: <sip:alice@example.com>;tag=a1
Call-ID: call-1@192.0.2.1
CSeq: ${cseq}
Content-Length: 0`)
  return m as SipResponse
}

/** A client handler that records what it is told. */
export function recorder(): ClientHandler & {
  responses: number[]
  timeouts: number
  transportErrors: number
} {
  const r = {
    responses: [] as number[],
    timeouts: 0,
    transportErrors: 0,
    onResponse(res: SipResponse) {
      r.responses.push(res.status)
    },
    onTimeout() {
      r.timeouts++
    },
    onTransportError() {
      r.transportErrors++
    },
  }
  return r
}

/** The times (ms) at which messages of a kind were sent. */
export function times(sent: Sent[], kind: 'request' | 'response', method?: string): number[] {
  return sent
    .filter(
      (s) =>
        s.kind === kind &&
        (method === undefined || (s.message.kind === 'request' && s.message.method === method)),
    )
    .map((s) => s.at)
}

export function text(m: SipMessage): string {
  return Buffer.from(serialize(m)).toString('latin1')
}
