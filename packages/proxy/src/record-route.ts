/**
 * Record-Route (RFC 3261 §16.6 step 4, §20.30): a proxy that wants to stay in the path of the
 * dialog adds a URI that resolves to itself, with `lr` (loose routing, §16.12). When the request
 * leaves over another transport, address family or interface than it came in on, the proxy adds
 * two values (RFC 5658 "double Record-Routing"): the one facing the callee on top, the one facing
 * the caller below it, so that each side reaches the proxy over its own side.
 */
import { RecordRoute, type RouteValue, type SipRequest, type SipUri, sipUri } from '@junction/sip'
import type { BoundListener } from '@junction/transport'

/** `<sip:host:port;transport=x;lr>` for a listener; `sips:` when the request is for a SIPS URI (§16.6 step 4). */
export function recordRouteUri(listener: BoundListener, sips: boolean): SipUri {
  const host = listener.advertise.host.includes(':')
    ? `[${listener.advertise.host}]`
    : listener.advertise.host
  const params = new Map<string, string | null>()
  const t = listener.transport
  if (t !== 'udp' && !(sips && t === 'tls')) params.set('transport', t)
  params.set('lr', null)
  return sipUri({ scheme: sips ? 'sips' : 'sip', host, port: listener.advertise.port, params })
}

/**
 * Adds our Record-Route to a branch request: one value when `inbound` and `outbound` are the same
 * listener, two (RFC 5658 §3.2) when they differ. `user`: a user part for the value facing the
 * caller, such as an RFC 5626 flow token (§5.3) that the request will bring back in its Route;
 * `outboundUser` for the value facing the callee (undefined: `user`). Two values are added as well
 * when the two sides need different user parts (a flow token for each of two Outbound UAs).
 */
export function addRecordRoute(
  request: SipRequest,
  inbound: BoundListener | undefined,
  outbound: BoundListener | undefined,
  sips: boolean,
  user?: string,
  outboundUser: string | undefined = user,
): void {
  const h = request.headers
  const facing = outbound ?? inbound
  if (inbound !== undefined && (facing !== inbound || outboundUser !== user)) {
    h.prepend(RecordRoute, recordRouteValue(inbound, sips, user))
  }
  if (facing !== undefined) h.prepend(RecordRoute, recordRouteValue(facing, sips, outboundUser))
}

/** The Record-Route values of a listener, [sip, sips], made once (a listener's address does not change). */
const values = new WeakMap<BoundListener, [RouteValue | undefined, RouteValue | undefined]>()

function recordRouteValue(listener: BoundListener, sips: boolean, user: string | undefined): RouteValue {
  let pair = values.get(listener)
  if (pair === undefined) {
    pair = [undefined, undefined]
    values.set(listener, pair)
  }
  const i = sips ? 1 : 0
  pair[i] ??= Object.freeze({ uri: recordRouteUri(listener, sips) })
  // with a user part (a token per dialog or flow): the listener's URI with it, its params shared
  return user === undefined ? pair[i] : { uri: { ...(pair[i].uri as SipUri), user } }
}
