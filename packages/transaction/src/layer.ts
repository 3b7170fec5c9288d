/**
 * The transaction layer (RFC 3261 §17): matches every message to its transaction, creates server
 * transactions for new requests, runs client transactions for the transaction user, and bounds
 * how many live at once.
 */
import { channel } from 'node:diagnostics_channel'
import { getHeapStatistics } from 'node:v8'
import {
  createResponse,
  generateBranch,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  ToTag,
  Via,
} from '@junction/sip'
import { type Flow, type Target, viaTransport } from '@junction/transport'
import {
  type ClientTransaction,
  InviteClientTransaction,
  NonInviteClientTransaction,
} from './client-transaction.ts'
import { type Clock, systemClock } from './clock.ts'
import { faultCodes, TransactionError } from './errors.ts'
import { clientKey, clientKeyOfResponse, isRfc3261Branch, serverKey } from './keys.ts'
import type { ClientHandler, TransactionTransport, TransactionUser } from './ports.ts'
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  ServerTransaction,
} from './server-transaction.ts'
import { TransactionTable } from './table.ts'
import { createTimerLanes, defaultSlack } from './timer-lanes.ts'
import { resolveTimers, type TimerSettings } from './timers.ts'
import type { Context, Transaction } from './transaction.ts'

export interface TransactionLayerOptions {
  /** T1, T2, T4 and Timer D (defaults 500 ms, 4 s, 5 s, 32 s). */
  readonly timers?: Partial<TimerSettings> | undefined
  /** Default: the system clock. Tests pass a manual clock. */
  readonly clock?: Clock | undefined
  /**
   * Let a timer fire a little late (1/32 of its duration, at most 100 ms: {@link defaultSlack}) so
   * that timers due close together fire in one event-loop turn. Default: on with the system clock,
   * off with any other (tests get exact times).
   */
  readonly timerSlack?: boolean | undefined
  /**
   * Most live transactions; past it a new request is answered 503 with Retry-After. Default: the
   * V8 heap limit / 4 KiB (about 1 million with Node's default heap on a 64-bit machine), see
   * {@link defaultMaxTransactions}.
   */
  readonly maxTransactions?: number | undefined
  /**
   * Most transactions still holding their request (a server transaction not yet answered with a
   * final response, a client transaction without one): past it a new request is answered 503 with
   * Retry-After too. Such a transaction holds its message (a proxied INVITE that rings holds
   * about 5 KiB per transaction with the proxy's copy), where one waiting out its last timer holds
   * about 1 KiB. Default: the V8 heap limit / 32 KiB (about 130 000 with Node's default heap).
   */
  readonly maxUnanswered?: number | undefined
  /**
   * Most octets of final responses kept to be resent on retransmissions (a server transaction in
   * Completed over UDP, up to 32 s) and of server transactions' matching keys: past it a new
   * request is answered 503 with Retry-After too. The peer controls their size (a response copies
   * the request's Vias, From, To and Call-ID, §8.2.6.2: up to the 64 KiB of a message; a key holds
   * its branch, or for RFC 2543 matching its Request-URI and top Via, §17.2.3), so a count of
   * transactions alone does not bound them. Default: the V8 heap limit / 4 (the ~300 octets of a usual response, times
   * `maxTransactions`, stay well under it).
   */
  readonly maxRetainedBytes?: number | undefined
  /**
   * Admission control, asked for each new request that the limits above let in (not for a
   * retransmission, an ACK, or the CANCEL of a live INVITE): false answers it 503 with Retry-After
   * without keeping state (§21.5.4), counted in `overloaded`. A load shedder plugs in here
   * (`createOverloadControl` of @junction/proxy).
   */
  readonly admit?: ((request: SipRequest) => boolean) | undefined
  /** Seconds in that Retry-After. Default 5. */
  readonly retryAfter?: number | undefined
  /**
   * RFC 7339 §5.1 (server side of overload control): called with every response sent for a
   * request whose top Via carries `oc` (a client that supports overload control), the stateless
   * 503 of `admit` included, before it is sent; it adds the server's overload control parameters
   * to that Via (the response's top Via). Requests without `oc` cost one look at the parameters of
   * the top Via, which matching parsed already (a Via of the usual spelling has none).
   */
  readonly overloadFeedback?: ((response: SipResponse) => void) | undefined
  /**
   * Milliseconds before an INVITE server transaction sends 100 Trying by itself: 200 (default,
   * §17.2.1 lets the TU answer first within 200 ms), 0 for at once, -1 for never.
   */
  readonly tryingDelay?: number | undefined
}

export interface TransactionLayerDeps {
  readonly transport: TransactionTransport
  readonly user: TransactionUser
}

export interface TransactionLayer {
  /** Hands a message received from the transport to its transaction (or the TU). */
  receive(message: SipMessage, flow: Flow): void
  /** Starts a client transaction for `request` to `target` (§17.1). Not for an ACK to a 2xx. */
  request(request: SipRequest, target: Target, handler: ClientHandler): ClientTransaction
  /** Live transactions. */
  readonly size: number
  /** Messages the layer dropped because matching needs what they lack (a valid top Via, CSeq, ...). */
  readonly dropped: number
  /** Live transactions that still hold their request (see `maxUnanswered`). */
  readonly unanswered: number
  /**
   * New requests answered 503 because `maxTransactions` were live, `maxUnanswered` unanswered,
   * `maxRetainedBytes` of responses kept (§21.5.4), or `admit` refused them.
   */
  readonly overloaded: number
  /**
   * ACKs dropped because they acknowledge a final response this layer sent without a transaction
   * (a 400 or 503 above): its To tag says so, and no transaction or TU has anything to do with it.
   */
  readonly absorbedAcks: number
  /** Ends every transaction and stops every timer. */
  close(): void
}

/** Published with `{ transaction }` when a transaction is created and when it ends. */
export const transactionCreated = channel('junction:transaction:create')
export const transactionEnded = channel('junction:transaction:end')

/**
 * The default cap on live transactions: one per 4 KiB of the V8 heap limit, at least 10 000. A
 * transaction waiting out its last timer (Timers D, J, K, L, M: most of the live ones under load,
 * for 32 s each) holds about 1 KiB, so the cap leaves most of the heap to the rest. Those still
 * holding their request (a few KiB each with the message) have a cap of their own,
 * `maxUnanswered` (bench/proxy-memory.bench.ts measures both).
 */
export function defaultMaxTransactions(): number {
  return Math.max(10_000, Math.floor(getHeapStatistics().heap_size_limit / 4096))
}

/**
 * The default cap on transactions still holding their request (`maxUnanswered`): one per 32 KiB
 * of the V8 heap limit, at least 1 000.
 */
export function defaultMaxUnanswered(): number {
  return Math.max(1000, Math.floor(getHeapStatistics().heap_size_limit / 32_768))
}

/**
 * RFC 7339 §5.1: the client supports overload control when its (top) Via carries `oc`. The Via
 * was parsed for matching; one of the usual spelling has no other parameters (an empty map).
 */
function wantsOverloadFeedback(request: SipRequest): boolean {
  const params = request.headers.first(Via)?.params
  return params !== undefined && params.size !== 0 && params.has('oc')
}

export function createTransactionLayer(
  deps: TransactionLayerDeps,
  options: TransactionLayerOptions = {},
): TransactionLayer {
  const servers = new TransactionTable<ServerTransaction>()
  const clients = new TransactionTable<ClientTransaction>()
  const maxTransactions = options.maxTransactions ?? defaultMaxTransactions()
  const maxUnanswered = options.maxUnanswered ?? defaultMaxUnanswered()
  let unanswered = 0
  const maxRetainedBytes = options.maxRetainedBytes ?? Math.floor(getHeapStatistics().heap_size_limit / 4)
  let retainedBytes = 0
  const retryAfter = String(options.retryAfter ?? 5)
  const admit = options.admit
  const overloadFeedback = options.overloadFeedback
  let dropped = 0
  let overloaded = 0
  let absorbedAcks = 0
  // The To tag of every response sent without a transaction starts with this: the ACK of such a
  // (non-2xx) response finds no transaction, and the tag lets it be dropped here rather than
  // routed as an ACK for a 2xx (§17.1.1.3: it goes hop by hop, to us, and ends here)
  const statelessTagPrefix = `${generateBranch().slice(7, 15)}.sl`
  let statelessTags = 0
  function statelessResponse(
    request: SipRequest,
    status: number,
    reason?: string,
    headers?: Record<string, string>,
  ): SipResponse {
    // createResponse uses the tag only when the request had none (§8.2.6.2)
    const toTag = `${statelessTagPrefix}${(statelessTags++ & 0xffffff).toString(36)}`
    return createResponse(request, status, reason, { toTag, headers })
  }

  const clock = options.clock ?? systemClock
  const ctx: Context = {
    // the transactions' timers, in lanes: one clock timer per duration (see timer-lanes.ts)
    clock: createTimerLanes(clock, {
      slack: (options.timerSlack ?? clock === systemClock) ? defaultSlack : undefined,
    }),
    timers: resolveTimers(options.timers),
    transport: deps.transport,
    user: deps.user,
    tryingDelay: options.tryingDelay ?? 200,
    overloadFeedback,
    settled() {
      unanswered--
    },
    retained(octets: number) {
      retainedBytes += octets
    },
    ended(tx: Transaction) {
      if (tx instanceof ServerTransaction) {
        if (servers.delete(tx)) retainedBytes -= tx.key.length
      } else clients.delete(tx as ClientTransaction)
      if (transactionEnded.hasSubscribers) transactionEnded.publish({ transaction: tx })
    },
  }

  function created(tx: Transaction): void {
    if (transactionCreated.hasSubscribers) transactionCreated.publish({ transaction: tx })
  }

  function receiveAck(ack: SipRequest, flow: Flow): void {
    const key = serverKey(ack, 'INVITE')
    const tx = key === undefined ? undefined : servers.get(key)
    if (tx instanceof InviteServerTransaction) {
      // RFC 2543 matching also compares the To tag with the one of the response (§17.2.3)
      const rfc2543 = !isRfc3261Branch(ack.headers.first(Via)?.branch)
      const sameDialog = !rfc2543 || ack.headers.get(ToTag) === tx.finalToTag
      if (sameDialog && tx.ack()) return
      if (sameDialog && tx.state === 'accepted') {
        deps.user.onAck?.(ack, flow, tx)
        return
      }
    }
    if (tx === undefined && ack.headers.get(ToTag)?.startsWith(statelessTagPrefix) === true) {
      absorbedAcks++
      return
    }
    deps.user.onAck?.(ack, flow, undefined)
  }

  function receiveRequest(request: SipRequest, flow: Flow): void {
    const method = request.method
    if (method === 'ACK') {
      receiveAck(request, flow)
      return
    }
    const key = serverKey(request, method)
    if (key === undefined) {
      // no valid top Via (or, without a magic-cookie branch, no CSeq/Call-ID/From tag to match
      // on): no transaction can hold it, but it still gets its 400 statelessly (§8.2, §16.3 step
      // 1), back to where it came from when the Via cannot say (§18.2.2)
      dropped++
      const reason = request.headers.first(Via) === undefined ? 'Invalid Via' : 'Bad Request'
      deps.transport.sendResponse(statelessResponse(request, 400, reason), flow).catch(() => {})
      return
    }
    const existing = servers.get(key)
    if (existing !== undefined) {
      existing.retransmitted()
      return
    }
    const feedback = overloadFeedback !== undefined && wantsOverloadFeedback(request)
    // §9.2: a CANCEL is matched to the INVITE transaction it cancels
    let cancels: InviteServerTransaction | undefined
    if (method === 'CANCEL') {
      const inviteKey = serverKey(request, 'INVITE')
      const invite = inviteKey === undefined ? undefined : servers.get(inviteKey)
      if (invite instanceof InviteServerTransaction) cancels = invite
    }
    if (
      cancels === undefined &&
      (servers.size + clients.size >= maxTransactions ||
        unanswered >= maxUnanswered ||
        retainedBytes >= maxRetainedBytes ||
        (admit !== undefined && !admit(request)))
    ) {
      // overload: answer without keeping state (§21.5.4), and keep memory bounded. A CANCEL of a
      // live INVITE still goes through: the INVITE was accepted, and ending it sheds load (at most
      // one CANCEL transaction per INVITE transaction, so the limits still hold within a factor)
      overloaded++
      const busy = statelessResponse(request, 503, undefined, { 'Retry-After': retryAfter })
      if (feedback) overloadFeedback?.(busy)
      deps.transport.sendResponse(busy, flow).catch(() => {})
      return
    }
    const tx: ServerTransaction =
      method === 'INVITE'
        ? new InviteServerTransaction(key, ctx, request, flow)
        : new NonInviteServerTransaction(key, ctx, request, flow, cancels)
    if (feedback) tx.overloadFeedback = true
    servers.add(tx)
    retainedBytes += key.length // peer-chosen (a branch of up to a line, 8 KiB), kept to the end
    unanswered++
    created(tx)
    if (tx instanceof InviteServerTransaction) tx.start()
    try {
      deps.user.onRequest(tx)
    } catch (error) {
      // A TU that throws would leave the transaction unanswered for ever: a non-INVITE in Trying
      // and an INVITE in Proceeding have no timer that ends them (§17.2.1, §17.2.2), so it would
      // hold a slot of maxUnanswered and silently absorb every retransmission. Answer it 500
      // (§21.5.1; §8.2: a UAS answers every request) so nothing accepted is lost; the error is
      // still the caller's to see.
      if (!tx.ended && (tx.state === 'trying' || tx.state === 'proceeding'))
        tx.respond(createResponse(request, 500))
      throw error
    }
  }

  function receiveResponse(response: SipResponse, flow: Flow): void {
    const key = clientKeyOfResponse(response)
    const tx = key === undefined ? undefined : clients.get(key)
    if (tx !== undefined) tx.receive(response)
    else if (key === undefined) dropped++
    else deps.user.onStrayResponse?.(response, flow)
  }

  return {
    receive(message, flow) {
      if (message.kind === 'request') receiveRequest(message, flow)
      else receiveResponse(message, flow)
    },

    request(request, target, handler) {
      if (request.method === 'ACK') {
        throw new TransactionError(
          faultCodes.ACK_NOT_A_TRANSACTION,
          'an ACK to a 2xx is sent without a transaction (§17.1.1.3)',
        )
      }
      const h = request.headers
      const top = h.first(Via)
      let branch = top?.branch
      if (!isRfc3261Branch(branch)) {
        branch = generateBranch()
        // §8.1.1.7: the transport fills in sent-by (§18.1.1); the branch is ours
        const via = top ?? { transport: viaTransport(target.transport), host: '0.0.0.0' }
        h.replaceFirst(Via, { ...via, branch })
      }
      const key = clientKey(branch, request.method)
      if (clients.get(key) !== undefined) {
        throw new TransactionError(
          faultCodes.DUPLICATE_BRANCH,
          `a client transaction with branch ${branch} is live`,
        )
      }
      const tx =
        request.method === 'INVITE'
          ? new InviteClientTransaction(key, ctx, request, target, handler)
          : new NonInviteClientTransaction(key, ctx, request, target, handler)
      clients.add(tx)
      unanswered++
      created(tx)
      tx.start()
      return tx
    },

    get size() {
      return servers.size + clients.size
    },

    get dropped() {
      return dropped
    },

    get unanswered() {
      return unanswered
    },

    get overloaded() {
      return overloaded
    },

    get absorbedAcks() {
      return absorbedAcks
    },

    close() {
      for (const tx of [...servers.values(), ...clients.values()]) tx.end()
      ctx.clock.close()
    },
  }
}
