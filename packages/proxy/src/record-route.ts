/**
 * Record-Route (RFC 3261 §16.6 step 4, §20.30): a proxy that wants to stay in the path of the
 * dialog adds a URI that resolves to itself, with `lr` (loose routing, §16.12). When the request
 * leaves over another transport, address family or interface than it came in on, the proxy adds
 * two values (RFC 5658 "double Record-Routing"): the one facing the callee on top, the one facing
 * the caller below it, so that each side reaches the proxy over its own side.
 */
import {
  RecordRoute,
  Route,
  type RouteValue,
  type SipRequest,
  type SipUri,
  sipUri,
  ToTag,
} from '@junction/sip'
import type { BoundListener, Flow, Target, Transport } from '@junction/transport'

/** Methods whose out-of-dialog request creates a dialog: INVITE (§12), SUBSCRIBE (RFC 6665), REFER (RFC 3515). */
const dialogCreating: ReadonlySet<string> = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

/**
 * Whether a branch request goes out for a SIPS URI (§16.6 step 4): its Request-URI, or its top Route
 * after the Route pre-loading and strict-router rewrite (steps 6–7), is a `sips:` URI.
 */
export function isSipsBranch(req: SipRequest): boolean {
  const u = req.uri
  if (u.kind === 'sip' && u.scheme === 'sips') return true
  const top = req.headers.first(Route)?.uri
  return top !== undefined && top.kind === 'sip' && top.scheme === 'sips'
}

/**
 * Whether the caller's side of the dialog is secure (§12.1.2: the UAC's "secure" flag is set when its
 * request went over TLS with a SIPS Request-URI): only then does the value facing the caller need a
 * SIPS URI. A SIPS request that came in the clear gets a `sip:` value on its side (the hop it
 * really uses; a `sips:` URI of a UDP listener would resolve to a TLS port where nothing listens)
 * and, by `mustRecordRoute`, a `sips:` value on the callee's.
 */
export function isSipsDialog(received: SipRequest, receivedOverTls: boolean): boolean {
  return receivedOverTls && received.uri.kind === 'sip' && received.uri.scheme === 'sips'
}

/**
 * §16.6 step 4: a proxy MUST record-route a request it forwards for a SIPS URI that it did not receive
 * over TLS, and one it received over TLS and forwards without a SIPS URI (so that the dialog's
 * later requests come back through the proxy that changes the hop's security). Only a request that
 * can create a dialog is concerned: Record-Route means nothing to others (§16.6 step 4, §12.1).
 */
export function mustRecordRoute(req: SipRequest, receivedOverTls: boolean, calleeSips: boolean): boolean {
  return receivedOverTls !== calleeSips && dialogCreating.has(req.method) && !req.headers.get(ToTag)
}

/**
 * `<sip:host:port;transport=x;lr>` for a listener; `sips:` for the side of a SIPS URI (§16.6 step 4),
 * where a TLS listener needs no transport parameter (§19.1.2: sips implies TLS).
 */
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
 * listener, two (RFC 5658 §3.2) when they differ. `callerSips`/`calleeSips`: whether each side's
 * value is a SIPS URI (§16.6 step 4: `isSipsDialog` for the caller's side, `isSipsBranch` of the
 * branch for the callee's); two values when they differ, so that each side keeps its own
 * scheme. `user`: a user part for the value facing the caller, such as an RFC 5626 flow token (§5.3)
 * that the request will bring back in its Route; `outboundUser` for the value facing the callee
 * (undefined: `user`). Two values are added as well when the two sides need different user parts (a
 * flow token for each of two Outbound UAs).
 */
export function addRecordRoute(
  request: SipRequest,
  inbound: BoundListener | undefined,
  outbound: BoundListener | undefined,
  callerSips: boolean,
  calleeSips: boolean,
  user?: string,
  outboundUser: string | undefined = user,
): void {
  const h = request.headers
  const facing = outbound ?? inbound
  if (inbound !== undefined && (facing !== inbound || outboundUser !== user || callerSips !== calleeSips)) {
    h.prepend(RecordRoute, recordRouteValue(inbound, callerSips, user))
  }
  if (facing !== undefined) h.prepend(RecordRoute, recordRouteValue(facing, calleeSips, outboundUser))
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

/**
 * §16.6 step 4 for one branch request about to leave for `dest`: our Record-Route when the route
 * asked for it (`asked`) or the hop changes its security (`mustRecordRoute`), facing the caller
 * from the listener `flow` came in on and the callee from the one `dest` is sent from, each side
 * with its scheme; `user`/`outboundUser` as for `addRecordRoute`.
 */
export function recordRouteBranch(
  transport: Pick<Transport, 'listenerOf' | 'localFor'>,
  received: SipRequest,
  flow: Flow,
  branch: SipRequest,
  dest: Target,
  asked: boolean,
  user: string | undefined,
  outboundUser: string | undefined,
): void {
  const calleeSips = isSipsBranch(branch)
  if (!asked && !mustRecordRoute(branch, flow.secure, calleeSips)) return
  const inbound = transport.listenerOf(flow)
  const outbound = transport.localFor(dest)
  addRecordRoute(
    branch,
    inbound,
    outbound,
    isSipsDialog(received, flow.secure),
    calleeSips,
    user,
    outboundUser ?? user,
  )
}
