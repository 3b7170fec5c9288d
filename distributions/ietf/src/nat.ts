/**
 * NAT traversal steps for user agents that reach this proxy directly (RFC 3581 covers responses;
 * these cover requests towards them). A UA behind NAT advertises a Contact nobody can reach; it
 * is reached where its messages came from instead:
 *
 * - initial requests: through the flow or source address it registered from (registrar `received`
 *   and flow id, RFC 5626 §5.3 when it does Outbound, the same for any UA that registered directly);
 * - in-dialog requests: its Contact (the remote target, RFC 3261 §12.1) gets an `alias` URI
 *   parameter naming its source (`alias=198.51.100.7~40312~udp`), added here to dialog-creating
 *   requests and to their responses; a request whose Request-URI carries our alias is sent there,
 *   with the alias removed (what Kamailio calls add_contact_alias / handle_ruri_alias).
 *
 * The alias is only added for a UA adjacent to us (one Via on its request; for a response, a
 * branch we sent to a source address) whose Contact differs from its source or that uses a
 * connection (TCP, TLS, WS: its own listening port is not what the NAT opened).
 */

import { isIP } from 'node:net'
import { Contact, type ContactAddress, type SipMessage, type SipUri, Via } from '@junction/sip'
import type { Flow, Target, TransportName } from '@junction/transport'

const transports: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls', 'ws', 'wss'])

/** `host~port~transport` of a source (IPv6 in brackets, as URI hosts are written). */
export function aliasOf(source: { address: string; port: number; transport: string }): string {
  const host = source.address.includes(':') ? `[${source.address}]` : source.address
  return `${host}~${source.port}~${source.transport}`
}

/** The destination an `alias` value names, or undefined when it is not one of ours. */
export function parseAlias(value: string | null | undefined): Target | undefined {
  if (value === null || value === undefined) return undefined
  const m = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+)~(\d{1,5})~([a-z]+)$/.exec(value)
  if (m === null || !transports.has(m[3]!)) return undefined
  const port = Number(m[2])
  if (port === 0 || port > 65535) return undefined
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!
  if (isIP(host) === 0) return undefined
  return { transport: m[3] as TransportName, address: host, port }
}

function needsAlias(uri: SipUri, source: { address: string; port: number; transport: string }): boolean {
  if (source.transport !== 'udp') return true
  const host = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host
  return host !== source.address || (uri.port ?? 5060) !== source.port
}

/** Adds `alias` to the Contact URIs of `message` (a request or response from `source`); true when it did. */
export function addContactAlias(
  message: SipMessage,
  source: { address: string; port: number; transport: string },
): boolean {
  const contacts = message.headers.get(Contact)
  if (contacts === undefined || contacts.length === 0) return false
  let changed = false
  const alias = aliasOf(source)
  const updated = contacts.map((c) => {
    if (c === '*') return c
    const uri = c.uri
    if (uri.kind !== 'sip' || uri.params.has('alias') || !needsAlias(uri, source)) return c
    changed = true
    const params = new Map(uri.params)
    params.set('alias', alias)
    return { ...c, uri: { ...uri, params } } satisfies ContactAddress
  })
  if (changed) message.headers.set(Contact, updated)
  return changed
}

/** True when the request came straight from its UA (one Via: no proxy in between). */
export function fromAdjacentUa(message: SipMessage): boolean {
  return (message.headers.get(Via)?.length ?? 0) === 1
}

/** The source of a flow, as an alias names it. */
export function sourceOf(flow: Flow): { address: string; port: number; transport: string } {
  return { address: flow.remote.address, port: flow.remote.port, transport: flow.transport }
}

/** The Request-URI without our alias, and where the alias says to send it; undefined when it has none. */
export function resolveAlias(uri: SipUri): { uri: SipUri; destination: Target } | undefined {
  const destination = parseAlias(uri.params.get('alias'))
  if (destination === undefined) return undefined
  const params = new Map(uri.params)
  params.delete('alias')
  return { uri: { ...uri, params }, destination }
}
