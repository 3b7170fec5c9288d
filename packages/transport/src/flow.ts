/**
 * Flows and targets: what the layers above the transport know about where a message came from and
 * where it goes (RFC 3261 §18, RFC 5626 §3, RFC 7118 for WebSocket).
 */

/** Transport protocols: UDP, TCP, TLS (§18, §26.2), WS and WSS (RFC 7118). */
export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss'

/** An IP address (IPv4 or IPv6, without brackets) and a port. */
export interface Endpoint {
  readonly address: string
  readonly port: number
}

/**
 * A flow (RFC 5626 §3): one connection, or one UDP 5-tuple. Its id is stable for the life of the
 * flow, so that a registrar can store it and route back to the user over it.
 */
export interface Flow {
  readonly id: string
  readonly transport: TransportName
  /** Stream transports (TCP, TLS, WS, WSS): no retransmissions (§17.1.1.2). */
  readonly reliable: boolean
  /** TLS or WSS. */
  readonly secure: boolean
  readonly local: Endpoint
  readonly remote: Endpoint
}

/** Where to send a request: a resolved target (RFC 3263), or an existing flow (RFC 5626 §5.3). */
export interface Target {
  readonly transport: TransportName
  readonly address: string
  readonly port: number
  /** Send over this flow when it is still up. */
  readonly flowId?: string | undefined
  /**
   * Only over `flowId` (a connection-oriented flow): when it is gone the send fails with
   * `JUNCTION_ERR_TRANSPORT_FLOW_GONE` instead of opening a new connection — a UA that registered
   * with Outbound is reachable over its flow only (RFC 5626 §5.3: the proxy answers 430 Flow
   * Failed). No effect on UDP.
   */
  readonly flowOnly?: boolean | undefined
  /** TLS: the domain of the URI the target was resolved from, for the certificate check (RFC 5922). */
  readonly serverName?: string | undefined
}

/** True for the stream transports. */
export function isReliable(transport: TransportName): boolean {
  return transport !== 'udp'
}

/** The Via transport token of a transport (§18.1.1, RFC 7118 §5.1). */
export function viaTransport(transport: TransportName): string {
  return transport.toUpperCase()
}

/** The transport of a Via transport token (UDP, TCP, TLS, WS, WSS; any case), or undefined (SCTP, ...). */
export function transportOfVia(token: string): TransportName | undefined {
  switch (token.toUpperCase()) {
    case 'UDP':
      return 'udp'
    case 'TCP':
      return 'tcp'
    case 'TLS':
      return 'tls'
    case 'WS':
      return 'ws'
    case 'WSS':
      return 'wss'
    default:
      return undefined
  }
}
