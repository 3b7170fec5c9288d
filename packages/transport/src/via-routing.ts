/**
 * What the transport does with the top Via: fills in its sent-by on the way out (RFC 3261
 * §18.1.1), marks where a request really came from (§18.2.1, RFC 3581 §4), works out where a
 * response goes (§18.2.2, RFC 3581 §4) and checks that a response is for us (§18.1.2).
 */
import { type SipRequest, type SipResponse, Via, type ViaValue } from '@junction/sip'
import { sameIp } from './address.ts'
import { type Flow, type TransportName, viaTransport } from './flow.ts'

/** A Via host or `received` as an address: an IPv6 reference without its brackets (RFC 5118 §4.5). */
function unbracketed(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host
}

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
  return sameIp(unbracketed(host), address)
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
 * RFC 3581 §4): `received` (the source address), else the sent-by host itself (an IP address when
 * §18.2.1 had no reason to add `received`); over UDP to `rport` (the source port) when present,
 * else the sent-by port. On a reliable transport `rport` is not used (RFC 3581 §4 applies it to
 * unreliable transports only): a new connection goes to the sent-by port, where the client
 * listens, not to the ephemeral port its closed connection came from. `maddr` (multicast) is not
 * served: the unicast address is used.
 */
export function responseDestination(response: SipResponse, flow: Flow): ResponseDestination | undefined {
  const top: ViaValue | undefined = response.headers.first(Via)
  if (top === undefined) return undefined
  const port =
    flow.transport === 'udp' && typeof top.rport === 'number'
      ? top.rport
      : (top.port ?? defaultPort(flow.transport))
  return { address: unbracketed(top.received ?? top.host), port }
}

/** §18.1.2: a response whose top Via sent-by is not one we insert is discarded. */
export function isForUs(response: SipResponse, sentBy: ReadonlySet<string>): boolean {
  const top = response.headers.first(Via)
  if (top === undefined) return false
  return sentBy.has(`${top.host}:${top.port ?? ''}`)
}

/**
 * The source of the request a response answers, as §18.2.1 and RFC 3581 marked it (`received` and
 * `rport`), when both are there: on a stream, the remote end of the connection the request came
 * over (§18.2.2: the response goes back over it while it is open).
 */
export function requestSource(response: SipResponse): ResponseDestination | undefined {
  const top = response.headers.first(Via)
  if (top?.received === undefined || typeof top.rport !== 'number') return undefined
  return { address: unbracketed(top.received), port: top.rport }
}
