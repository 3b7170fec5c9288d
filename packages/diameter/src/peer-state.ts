/**
 * The peer state machine of RFC 6733 §5.6, as a table: states, events and actions named as the
 * RFC names them. Sans-I/O: `transition(state, event)` gives the next state and the actions to
 * run, in order; the peer (peer.ts) runs them on its connections. An event that has no row in a
 * state is not expected there and changes nothing (`undefined`).
 *
 * Connections: "I-" is the initiator connection (the one this node opened), "R-" the responder
 * connection (the one the peer opened). Both may exist at once while an election (§5.6.4) is
 * pending; in I-Open only the initiator connection is left, in R-Open only the responder one.
 *
 * The rows are RFC 6733's, including its change from RFC 3588: on a DPR the receiver answers and
 * goes to Closing, where it waits for the DPR sender to close the transport (§5.4.2: "upon receipt
 * of this message [DPA], the transport connection is shut down").
 */
import { Buffer } from 'node:buffer'

export type PeerState =
  | 'Closed'
  | 'Wait-Conn-Ack'
  | 'Wait-I-CEA'
  | 'Wait-Conn-Ack/Elect'
  | 'Wait-Returns'
  | 'R-Open'
  | 'I-Open'
  | 'Closing'

export const peerStates: readonly PeerState[] = [
  'Closed',
  'Wait-Conn-Ack',
  'Wait-I-CEA',
  'Wait-Conn-Ack/Elect',
  'Wait-Returns',
  'R-Open',
  'I-Open',
  'Closing',
]

/** The events of RFC 6733 §5.6.2. */
export type PeerEvent =
  /** The node wants to connect (administrative start, or the reconnect timer). */
  | 'Start'
  /** The node wants to disconnect (administrative stop). */
  | 'Stop'
  /** A timer of the current state expired (connect, CEA, DPA). */
  | 'Timeout'
  /** The election was won (§5.6.4). */
  | 'Win-Election'
  /** A CER arrived on a new responder connection (R-Conn-CER). */
  | 'R-Conn-CER'
  | 'I-Rcv-Conn-Ack'
  | 'I-Rcv-Conn-Nack'
  | 'I-Rcv-CER'
  | 'R-Rcv-CER'
  | 'I-Rcv-CEA'
  | 'R-Rcv-CEA'
  /** A message other than CEA on the initiator connection while waiting for the CEA. */
  | 'I-Rcv-Non-CEA'
  | 'I-Peer-Disc'
  | 'R-Peer-Disc'
  | 'I-Rcv-DWR'
  | 'R-Rcv-DWR'
  | 'I-Rcv-DWA'
  | 'R-Rcv-DWA'
  | 'I-Rcv-DPR'
  | 'R-Rcv-DPR'
  | 'I-Rcv-DPA'
  | 'R-Rcv-DPA'
  | 'I-Rcv-Message'
  | 'R-Rcv-Message'
  | 'Send-Message'

/** The actions of RFC 6733 §5.6.3. */
export type PeerAction =
  /** Open a transport connection to the peer. */
  | 'I-Snd-Conn-Req'
  /** Take the incoming connection as the responder connection. */
  | 'R-Accept'
  /** Read the capabilities of the received CER. */
  | 'Process-CER'
  | 'R-Snd-CEA'
  | 'I-Snd-CEA'
  | 'I-Snd-CER'
  /** Read the capabilities of the received CEA. */
  | 'Process-CEA'
  /** Compare the Origin-Hosts (§5.6.4); issues Win-Election when the local one is higher. */
  | 'Elect'
  /** Close the initiator connection. */
  | 'I-Disc'
  /** Close the responder connection. */
  | 'R-Disc'
  /** Refuse a further responder connection (one is in use already). */
  | 'R-Reject'
  /** Clean up after a connection attempt that failed. */
  | 'Cleanup'
  /** A transport failure or protocol error: close every connection. */
  | 'Error'
  | 'I-Snd-Message'
  | 'R-Snd-Message'
  /** Hand a received message to the node (answers to requests, requests to handlers). */
  | 'Process'
  | 'Process-DWR'
  | 'Process-DWA'
  | 'I-Snd-DWA'
  | 'R-Snd-DWA'
  | 'I-Snd-DPR'
  | 'R-Snd-DPR'
  | 'I-Snd-DPA'
  | 'R-Snd-DPA'

export interface Transition {
  readonly next: PeerState
  readonly actions: readonly PeerAction[]
}

type Row = readonly [PeerState, readonly PeerAction[]]

/** RFC 6733 §5.6, row for row. */
const TABLE: Readonly<Record<PeerState, Partial<Record<PeerEvent, Row>>>> = {
  Closed: {
    Start: ['Wait-Conn-Ack', ['I-Snd-Conn-Req']],
    'R-Conn-CER': ['R-Open', ['R-Accept', 'Process-CER', 'R-Snd-CEA']],
  },
  'Wait-Conn-Ack': {
    'I-Rcv-Conn-Ack': ['Wait-I-CEA', ['I-Snd-CER']],
    'I-Rcv-Conn-Nack': ['Closed', ['Cleanup']],
    'R-Conn-CER': ['Wait-Conn-Ack/Elect', ['R-Accept', 'Process-CER']],
    Timeout: ['Closed', ['Error']],
  },
  'Wait-I-CEA': {
    'I-Rcv-CEA': ['I-Open', ['Process-CEA']],
    'R-Conn-CER': ['Wait-Returns', ['R-Accept', 'Process-CER', 'Elect']],
    'I-Peer-Disc': ['Closed', ['I-Disc']],
    'I-Rcv-Non-CEA': ['Closed', ['Error']],
    Timeout: ['Closed', ['Error']],
  },
  'Wait-Conn-Ack/Elect': {
    'I-Rcv-Conn-Ack': ['Wait-Returns', ['I-Snd-CER', 'Elect']],
    'I-Rcv-Conn-Nack': ['R-Open', ['R-Snd-CEA']],
    'R-Peer-Disc': ['Wait-Conn-Ack', ['R-Disc']],
    'R-Conn-CER': ['Wait-Conn-Ack/Elect', ['R-Reject']],
    Timeout: ['Closed', ['Error']],
  },
  'Wait-Returns': {
    'Win-Election': ['R-Open', ['I-Disc', 'R-Snd-CEA']],
    'I-Peer-Disc': ['R-Open', ['I-Disc', 'R-Snd-CEA']],
    'I-Rcv-CEA': ['I-Open', ['R-Disc']],
    'R-Peer-Disc': ['Wait-I-CEA', ['R-Disc']],
    'R-Conn-CER': ['Wait-Returns', ['R-Reject']],
    Timeout: ['Closed', ['Error']],
  },
  'R-Open': {
    'Send-Message': ['R-Open', ['R-Snd-Message']],
    'R-Rcv-Message': ['R-Open', ['Process']],
    'R-Rcv-DWR': ['R-Open', ['Process-DWR', 'R-Snd-DWA']],
    'R-Rcv-DWA': ['R-Open', ['Process-DWA']],
    'R-Conn-CER': ['R-Open', ['R-Reject']],
    Stop: ['Closing', ['R-Snd-DPR']],
    'R-Rcv-DPR': ['Closing', ['R-Snd-DPA']],
    'R-Peer-Disc': ['Closed', ['R-Disc']],
    'R-Rcv-CER': ['R-Open', ['R-Snd-CEA']],
    'R-Rcv-CEA': ['R-Open', ['Process-CEA']],
  },
  'I-Open': {
    'Send-Message': ['I-Open', ['I-Snd-Message']],
    'I-Rcv-Message': ['I-Open', ['Process']],
    'I-Rcv-DWR': ['I-Open', ['Process-DWR', 'I-Snd-DWA']],
    'I-Rcv-DWA': ['I-Open', ['Process-DWA']],
    'R-Conn-CER': ['I-Open', ['R-Reject']],
    Stop: ['Closing', ['I-Snd-DPR']],
    'I-Rcv-DPR': ['Closing', ['I-Snd-DPA']],
    'I-Peer-Disc': ['Closed', ['I-Disc']],
    'I-Rcv-CER': ['I-Open', ['I-Snd-CEA']],
    'I-Rcv-CEA': ['I-Open', ['Process-CEA']],
  },
  Closing: {
    'I-Rcv-DPA': ['Closed', ['I-Disc']],
    'R-Rcv-DPA': ['Closed', ['R-Disc']],
    Timeout: ['Closed', ['Error']],
    'I-Peer-Disc': ['Closed', ['I-Disc']],
    'R-Peer-Disc': ['Closed', ['R-Disc']],
  },
}

/** The next state and the actions for `event` in `state`; undefined when the RFC has no such row. */
export function transition(state: PeerState, event: PeerEvent): Transition | undefined {
  const row = TABLE[state][event]
  return row === undefined ? undefined : { next: row[0], actions: row[1] }
}

/** Every row of the table, for tests and documentation: [state, event, next, actions]. */
export function transitionRows(): [PeerState, PeerEvent, PeerState, readonly PeerAction[]][] {
  const rows: [PeerState, PeerEvent, PeerState, readonly PeerAction[]][] = []
  for (const state of peerStates) {
    for (const [event, row] of Object.entries(TABLE[state]) as [PeerEvent, Row][]) {
      rows.push([state, event, row[0], row[1]])
    }
  }
  return rows
}

/** I-Open or R-Open: messages other than the base ones may be exchanged. */
export function isOpen(state: PeerState): boolean {
  return state === 'I-Open' || state === 'R-Open'
}

/**
 * The election of §5.6.4: the local node wins when its Origin-Host, compared with the received
 * one as two strings of octets, is the higher.
 */
export function winsElection(localOriginHost: string, remoteOriginHost: string): boolean {
  return Buffer.compare(Buffer.from(localOriginHost, 'utf8'), Buffer.from(remoteOriginHost, 'utf8')) > 0
}
