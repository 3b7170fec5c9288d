/**
 * What the transport does with the top Via: fills in its sent-by on the way out (RFC 3261
 * §18.1.1), marks where a request really came from (§18.2.1, RFC 3581 §4), works out where a
 * response goes (§18.2.2, RFC 3581 §4) and checks that a response is for us (§18.1.2).
 */
import { type SipRequest, type SipResponse, Via, type ViaValue } from '@junction/sip'
import { sameIp } from './address.ts'
import { type Flow, type TransportName, viaTransport } from './flow.ts'

/**
 * §18.1.1: the transport fills in the top Via of a request it sends (transport and sent-by: the
 * address it advertises); RFC 3581 §3: and asks for `rport`.
 */
export function fillSentBy(
  request: SipRequest,
  transport: TransportName,
  advertise: { readonly host: string; readonly port: number },
): void {
  const top = request.headers.first(Via)
  request.headers.replaceFirst(Via, {
    ...top,
    transport: viaTransport(transport),
    host: advertise.host.includes(':') ? `[${advertise.host}]` : advertise.host,
    port: advertise.port,
    rport: top?.rport ?? null,
  })
}

/**
 * §18.2.1: when the top Via's sent-by host is not the source address, add `received`; RFC 3581:
 * when the client asked with `rport`, fill in the source port (and `received` always). Edits only
 * when needed, so most requests keep their Via octets.
 */
export function markReceived(request: SipRequest, flow: Flow): void {
  const top = request.headers.first(Via)
  if (top === undefined) return
  const source = flow.remote.address
  const wantsPort = top.rport === null
  if (!wantsPort && sameAddress(top.host, source)) return
  request.headers.replaceFirst(Via, {
    ...top,
    received: source,
    rport: wantsPort ? flow.remote.port : top.rport,
  })
}

function sameAddress(host: string, address: string): boolean {
  return sameIp(host.startsWith('[') ? host.slice(1, -1) : host, address)
}

export interface ResponseDestination {
  readonly address: string
  readonly port: number
}

/** Default port of a transport (§19.1.2, RFC 7118 uses 80/443 only for the HTTP side). */
export function defaultPort(transport: TransportName): number {
  return transport === 'tls' || transport === 'wss' ? 5061 : 5060
}

/**
 * Where a response goes when the connection of its request is gone, or over UDP (§18.2.2,
 * RFC 3581 §4): `received` (the source address) with `rport` (the source port) when present, else
 * the sent-by port; without `received`, the sent-by host itself (an IP address when §18.2.1 had no
 * reason to add `received`). `maddr` (multicast) is not served: the unicast address is used.
 */
export function responseDestination(response: SipResponse, flow: Flow): ResponseDestination | undefined {
  const top: ViaValue | undefined = response.headers.first(Via)
  if (top === undefined) return undefined
  const port = typeof top.rport === 'number' ? top.rport : (top.port ?? defaultPort(flow.transport))
  const received = top.received
  if (received !== undefined) {
    const address = received.startsWith('[') ? received.slice(1, -1) : received
    return { address, port }
  }
  const host = top.host.startsWith('[') ? top.host.slice(1, -1) : top.host
  return { address: host, port }
}

/** §18.1.2: a response whose top Via sent-by is not one we insert is discarded. */
export function isForUs(response: SipResponse, sentBy: ReadonlySet<string>): boolean {
  const top = response.headers.first(Via)
  if (top === undefined) return false
  return sentBy.has(`${top.host}:${top.port ?? ''}`)
}
