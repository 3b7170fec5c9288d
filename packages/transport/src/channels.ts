/**
 * Diagnostics channels of the transport layer (`node:diagnostics_channel`): observers (metrics,
 * message capture, tracing) subscribe; nothing here changes what the transport does.
 */
import { channel } from 'node:diagnostics_channel'

/** `{ flow, size, message }` for every message received and parsed. */
export const messageIn = channel('junction:transport:message-in')
/** `{ flow, size, message }` for every message sent. */
export const messageOut = channel('junction:transport:message-out')
/**
 * `{ transport, kind, code }` for every message that could not be sent (`kind` request or
 * response; `code` the error's code: ECONNREFUSED, JUNCTION_ERR_TRANSPORT_FLOW_GONE, ...).
 */
export const sendError = channel('junction:transport:send-error')
/** `{ flow, code, reason }` for every input dropped: parse errors, limits. */
export const dropped = channel('junction:transport:drop')
/** `{ flow }` when a connection opens (either way). */
export const connectionOpen = channel('junction:transport:connection-open')
/** `{ flow, error? }` when a connection closes; the flow is gone (RFC 5626 flow failure). */
export const connectionClose = channel('junction:transport:connection-close')
/**
 * `{ transport, remote, reason }` when an inbound connection is closed before it became one:
 * `limit` (over `maxConnections` or `maxConnectionsPerIp` at its TCP accept) or `handshake-timeout`
 * (its TLS handshake or WebSocket upgrade not done within `handshakeTimeout`).
 */
export const connectionReject = channel('junction:transport:connection-reject')
/** `{ listener, error? }` after a TLS listener reloaded its certificate files (or failed to). */
export const certificatesReload = channel('junction:transport:certificates-reload')
