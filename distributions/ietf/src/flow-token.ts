/**
 * RFC 5626 §5.2 flow tokens: what an edge proxy puts in the user part of its Record-Route (§5.3)
 * so that in-dialog requests towards a UA behind NAT go back over the flow its dialog came from.
 * A token names the flow (transport, remote address and port, flow id) and carries an HMAC
 * (HMAC-SHA-256, truncated to 96 bits) so that nobody can make us send over a flow of their
 * choosing. The HMAC covers the dialog's Call-ID too: a token is good for the dialog it was
 * recorded in, so that a UA cannot take the token of its own flow from one call and send
 * "in-dialog" requests of other Call-IDs through us to anywhere. The key lives as long as the
 * process: so do its flows.
 */
import { isIP } from 'node:net'
import type { Flow, Target, TransportName } from '@junction/transport'
import { createMac, sameMac } from './mac.ts'

const transports: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls', 'ws', 'wss'])
/** Longer user parts are not ours: nothing is decoded or hashed for them. */
const maxTokenLength = 256
/** base64url characters of the MAC: 96 bits. */
const macChars = 16

export interface FlowTokens {
  /**
   * The token of a flow in the dialog of `callId`: base64url text and a dot, a valid SIP URI user
   * part (RFC 3261 §25.1 unreserved).
   */
  encode(flow: Flow, callId: string): string
  /** The token of the flow a target goes over (a registered Outbound binding); undefined without a flow id. */
  encodeTarget(target: Target, callId: string): string | undefined
  /**
   * The target a token names (over that flow only on a stream), or undefined when it is not one of
   * ours or was made for another Call-ID.
   */
  decode(token: string, callId: string): Target | undefined
}

export function createFlowTokens(key: Uint8Array): FlowTokens {
  const mac = createMac(key, macChars) // the payload is base64url text: latin1 as it is
  // the payload is base64url (no "."), so "payload.callId" reads one way only
  const macOf = (payload: string, callId: string): string => mac(`${payload}.${callId}`)
  const encode = (
    transport: string,
    address: string,
    port: number,
    flowId: string,
    callId: string,
  ): string => {
    const payload = Buffer.from(`${transport}~${address}~${port}~${flowId}`, 'utf8').toString('base64url')
    return `${payload}.${macOf(payload, callId)}`
  }
  return {
    encode: (flow, callId) => encode(flow.transport, flow.remote.address, flow.remote.port, flow.id, callId),
    encodeTarget: (t, callId) =>
      t.flowId === undefined ? undefined : encode(t.transport, t.address, t.port, t.flowId, callId),
    decode(token, callId) {
      if (token.length > maxTokenLength) return undefined
      const dot = token.lastIndexOf('.')
      if (dot <= 0) return undefined
      const payload = token.slice(0, dot)
      if (!sameMac(token.slice(dot + 1), macOf(payload, callId))) return undefined
      const parts = Buffer.from(payload, 'base64url').toString('utf8').split('~')
      if (parts.length !== 4) return undefined
      const [transport, address, portText, flowId] = parts as [string, string, string, string]
      const port = Number(portText)
      if (
        !transports.has(transport) ||
        isIP(address) === 0 ||
        !Number.isInteger(port) ||
        port < 1 ||
        port > 65535
      )
        return undefined
      return {
        transport: transport as TransportName,
        address,
        port,
        flowId,
        flowOnly: transport !== 'udp',
      }
    },
  }
}
