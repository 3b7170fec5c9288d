/** REGISTER requests for tests, parsed from text as they would arrive. */
import { Buffer } from 'node:buffer'
import { parseMessage, type SipRequest } from '@junction/sip'

export interface RegisterOptions {
  readonly uri?: string
  readonly to?: string
  readonly contacts?: readonly string[]
  readonly expires?: number | string
  readonly callId?: string
  readonly cseq?: number
  readonly vias?: number
  readonly path?: readonly string[]
  readonly supported?: string
  readonly require?: string
  readonly method?: string
  readonly extra?: readonly string[]
}

export function registerRequest(o: RegisterOptions = {}): SipRequest {
  const method = o.method ?? 'REGISTER'
  const lines = [`${method} ${o.uri ?? 'sip:example.com'} SIP/2.0`]
  const vias = o.vias ?? 1
  for (let i = vias - 1; i >= 0; i--)
    lines.push(
      `Via: SIP/2.0/UDP host${i}.example.net:5060;branch=z9hG4bK-${i}-${Math.random().toString(36).slice(2)}`,
    )
  lines.push('Max-Forwards: 70')
  lines.push(`To: ${o.to ?? '<sip:alice@example.com>'}`)
  lines.push(`From: ${o.to ?? '<sip:alice@example.com>'};tag=abc`)
  lines.push(`Call-ID: ${o.callId ?? 'call-1@ua.example.net'}`)
  lines.push(`CSeq: ${o.cseq ?? 1} ${method}`)
  for (const c of o.contacts ?? []) lines.push(`Contact: ${c}`)
  if (o.expires !== undefined) lines.push(`Expires: ${o.expires}`)
  for (const p of o.path ?? []) lines.push(`Path: ${p}`)
  if (o.supported !== undefined) lines.push(`Supported: ${o.supported}`)
  if (o.require !== undefined) lines.push(`Require: ${o.require}`)
  lines.push('User-Agent: test-ua/1.0')
  for (const x of o.extra ?? []) lines.push(x)
  lines.push('Content-Length: 0', '', '')
  const r = parseMessage(Buffer.from(lines.join('\r\n'), 'latin1'))
  if (!r.ok) throw new Error(`test request does not parse: ${r.error.reason}`)
  if (r.message.kind !== 'request') throw new Error('not a request')
  return r.message
}

export const udp = { address: '192.0.2.10', port: 5060, transport: 'udp' } as const
