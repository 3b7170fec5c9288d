/**
 * Diagnostics channels of the Diameter node (`node:diagnostics_channel`): observers (metrics, logs,
 * message capture) subscribe; nothing here changes what the node does.
 */
import { channel } from 'node:diagnostics_channel'

/** `{ peer, from, to, error? }` on every RFC 6733 §5.6 state change of a peer (`error`: why it closed). */
export const peerState = channel('junction:diameter:peer-state')
/** `{ peer, from, to }` on every RFC 3539 watchdog state change (OKAY→SUSPECT is a failover). */
export const watchdogState = channel('junction:diameter:watchdog')
/** `{ peer, message, size }` for every message received and decoded (`peer` undefined before the CER). */
export const messageIn = channel('junction:diameter:message-in')
/** `{ peer, message, size }` for every message sent. */
export const messageOut = channel('junction:diameter:message-out')
/** `{ peer, code, reason }` for every input dropped or answered with an error: decode errors, unmatched answers. */
export const dropped = channel('junction:diameter:drop')
/** `{ peer, remoteAddress, remotePort, initiator, error? }` when a connection closes. */
export const connectionClose = channel('junction:diameter:connection-close')
