/**
 * What the transaction layer needs from the layers around it: a transport below (RFC 3261 §18) and
 * a transaction user above (§17: the UAC/UAS core or the proxy core).
 */
import type { SipRequest, SipResponse } from '@junction/sip'
import type { Flow, Target } from '@junction/transport'
import type { ClientTransaction } from './client-transaction.ts'
import type { InviteServerTransaction, ServerTransaction } from './server-transaction.ts'

/** The transport layer, as the transactions use it. */
export interface TransactionTransport {
  /**
   * Sends a request to a resolved target (§18.1.1: the transport fills in the top Via's transport
   * and sent-by). Rejects on a transport error, which the transaction reports (§8.1.3.1).
   */
  sendRequest(request: SipRequest, target: Target): Promise<void>
  /**
   * Sends a response the way §18.2.2 says: over the request's flow, or to its Via received/rport.
   * `octets`, when given, are the response already serialized (a final response the transaction
   * keeps for retransmissions is serialized once).
   */
  sendResponse(response: SipResponse, flow: Flow, octets?: Uint8Array): Promise<void>
}

/** Why a transaction ended without its final exchange. */
export type FailureReason = 'timeout' | 'transport'

/** The transaction user: what the transaction layer hands requests, ACKs and stray responses to. */
export interface TransactionUser {
  /**
   * A new request (not a retransmission): answer it with `tx.respond()` (§17.2). A CANCEL comes
   * with `tx.cancels`, the INVITE server transaction it matched, if any (§9.2).
   */
  onRequest(tx: ServerTransaction): void
  /**
   * An ACK no server transaction absorbed: the ACK for a 2xx, end to end (§13.2.2.4, §16.7), with
   * the INVITE transaction while it is in the Accepted state (RFC 6026 §7.1).
   */
  onAck?(ack: SipRequest, flow: Flow, tx: InviteServerTransaction | undefined): void
  /** A response no client transaction matched, e.g. a 2xx retransmission (§13.2.2.4, §16.7 step 5). */
  onStrayResponse?(response: SipResponse, flow: Flow): void
  /** A server transaction failed: no ACK before Timer H, or its response could not be sent (§17.2.4). */
  onServerFailure?(tx: ServerTransaction, reason: FailureReason): void
}

/** Per request: what the client transaction reports (§17.1). */
export interface ClientHandler {
  /** Provisional and final responses; in the Accepted state, every further 2xx (RFC 6026 §7.2). */
  onResponse(response: SipResponse, tx: ClientTransaction): void
  /** Timer B or F fired: handle as a 408 (§8.1.3.1, §16.7 step 6). */
  onTimeout?(tx: ClientTransaction): void
  /** The transport could not send: handle as a 503 (§8.1.3.1). */
  onTransportError?(tx: ClientTransaction, error: unknown): void
}
