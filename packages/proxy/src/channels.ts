/**
 * Diagnostics channels of the proxy (`node:diagnostics_channel`): metrics, call logs and tracing
 * subscribe here. Observers watch; only the route decides.
 */
import { channel } from 'node:diagnostics_channel'

/** `{ request, branches }` each time a request is forwarded: the request as received, how many branches. */
export const proxyForward = channel('junction:proxy:forward')
/**
 * `{ request, response, elapsedMs }` for every final response sent upstream — relayed, chosen by
 * §16.7 or made by the route — with the milliseconds since the request arrived.
 */
export const proxyResponse = channel('junction:proxy:response')
/** `{ request, reason }` for a request the proxy dropped without an answer (a route's drop(), an ACK it could not route). */
export const proxyDrop = channel('junction:proxy:drop')
/**
 * `{ nextHop, up, status }` when next-hop probing (createNextHopProber) finds a hop down or up
 * again, and for every hop when probing starts (up): `status` is the last probe's answer.
 */
export const proxyNextHop = channel('junction:proxy:next-hop')
/** `{ address, source, untilMs }` when flood protection (createFloodGuard) blocks a source. */
export const proxyFloodBlock = channel('junction:proxy:flood-block')
/**
 * `{ utilization, smoothed, backlog, admitRatio, refused }` every window of overload control
 * (createOverloadControl): the event loop's utilization in that window and smoothed, the UDP
 * receive queue's share of its buffer (when known), the share of new requests admitted, and how
 * many it refused (503) in that window.
 */
export const proxyOverload = channel('junction:proxy:overload')
/**
 * `{ peer, reduction, validity, seq, reason }` when a next hop that supports RFC 7339 overload
 * control (createSipServer's `overloadClient`) starts asking us to shed requests or changes the
 * percentage (`reason: 'update'`), ends it (`'end'`: `oc=0` or `oc-validity=0`), or its last
 * answer lapses (`'lapse'`). `peer` is `transport:address:port`.
 */
export const proxyOverloadPeer = channel('junction:proxy:overload-peer')
