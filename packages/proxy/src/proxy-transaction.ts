/**
 * A stateful proxy transaction (RFC 3261 §16.2): one server transaction, the response context of
 * §16.5 and the client transactions of its branches. It carries out the route's verdicts —
 * forwarding to a target set by q-value, in parallel or in series (§16.6), relaying provisional
 * and 2xx responses as they come and the best final response when every branch has ended (§16.7),
 * Timer C (§16.8), CANCEL (§16.10) — and moves a branch to the next RFC 3263 destination when one
 * fails (RFC 3263 §4.3).
 */
import {
  CallId,
  createResponse,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type Uri,
  Via,
} from '@junction/sip'
import {
  type ClientHandler,
  type ClientTransaction,
  createCancel,
  type RespondOptions,
  type ServerTransaction,
  type Timer,
} from '@junction/transaction'
import { type Flow, type Target, TransportError, faultCodes as transportFaults } from '@junction/transport'
import { responseToRelay, selectBest } from './best-response.ts'
import { branchOf, loopHash } from './branch.ts'
import { addVia, createBranchRequest, nextHopUri } from './branch-request.ts'
import { proxyDrop, proxyForward, proxyResponse } from './channels.ts'
import type { Core } from './core.ts'
import { faultCodes, SipError } from './errors.ts'
import { recordRouteBranch } from './record-route.ts'
import { BranchContext, FailureContext, RequestContext, ResponseContext } from './route.ts'
import { parseSlimRequest, slimRequest } from './slim-request.ts'
import { forwardStateless } from './stateless.ts'
import { isThenable } from './thenable.ts'
import type { Action, ForwardOptions, ForwardTarget, ReplyOptions, StatelessOption } from './verdict.ts'
import { Verdict } from './verdict.ts'

/** Targets tried together; `undefined` stands for the Request-URI as it is. */
type Group = Array<ForwardTarget | undefined>

const noop: ClientHandler = { onResponse() {} }
/**
 * What a released proxy transaction holds instead of its forward options, target groups, final
 * responses and branches, and a released branch instead of its destinations: one shared empty
 * value each, where a fresh one per transaction would be an object more for the garbage collector
 * to mark while the transaction waits out its timers (up to 32 s). Frozen: nothing may add to them.
 */
const noOptions: ForwardOptions = Object.freeze({})
const noGroups: Group[] = Object.freeze([]) as unknown as Group[]
const noFinals: SipResponse[] = Object.freeze([]) as unknown as SipResponse[]
const noBranches: Branch[] = Object.freeze([]) as unknown as Branch[]
const noTargets: readonly Target[] = Object.freeze([])

/**
 * The final statuses that mean a target failed rather than answered (the failover option): no
 * response (408), unreachable or unavailable (503, RFC 3263 §4.3), its flow gone (430, RFC 5626).
 */
function isFailure(status: number): boolean {
  return status === 408 || status === 503 || status === 430
}

/** §16.6: the targets in groups to try one after another — by q-value, highest first; equal q in parallel. */
function groupTargets(targets: readonly ForwardTarget[] | undefined, serial: boolean): Group[] {
  // no targets: one branch to the Request-URI as it is
  if (targets === undefined || targets.length === 0) return [[undefined]]
  if (serial) return targets.map((t) => [t])
  const sorted = [...targets].sort((a, b) => (b.q ?? 1) - (a.q ?? 1))
  const groups: ForwardTarget[][] = []
  let q: number | undefined
  for (const t of sorted) {
    if ((t.q ?? 1) !== q) {
      groups.push([])
      q = t.q ?? 1
    }
    groups.at(-1)!.push(t)
  }
  return groups
}

/** One branch of the target set (§16.6): its request and its client transaction(s). */
class Branch implements ClientHandler {
  readonly pt: ProxyTransaction
  /** undefined: the Request-URI as it is (forwarding in a dialog, or no target given). */
  target: ForwardTarget | undefined
  /** The branch request without its Via (steps 1–7), cloned for each destination tried. */
  base: SipRequest | undefined
  /** The request of the current attempt, as sent (with our Via). */
  sent: SipRequest | undefined
  /** Once the proxy transaction is released: a 2xx branch's request, slim (see slim-request.ts). */
  slim: Uint8Array | undefined
  client: ClientTransaction | undefined
  destinations: readonly Target[] = noTargets
  nextDestination = 0
  destination: Target | undefined
  provisional = false
  /** The status of the branch's final response (the best of its 2xx: the first); 0 while none. */
  final = 0
  cancelPending = false
  cancelSent = false
  /** Timer C fired: the 487 that follows the CANCEL stands for a 408 (§16.8). */
  timedOut = false
  timerC: Timer | undefined
  /**
   * When Timer C falls due, in whole milliseconds (a small integer: a fraction would be a heap
   * number of its own); a provisional response moves it (the running timer re-checks).
   */
  timerCDue = 0
  cancelWait: Timer | undefined

  constructor(pt: ProxyTransaction, target: ForwardTarget | undefined) {
    this.pt = pt
    this.target = target
  }

  onResponse(response: SipResponse, tx: ClientTransaction): void {
    if (tx === this.client) this.pt.branchResponse(this, response)
  }

  onTimeout(tx: ClientTransaction): void {
    if (tx === this.client) this.pt.branchFailed(this, 408)
  }

  onTransportError(tx: ClientTransaction, error: unknown): void {
    // RFC 5626 §5.3: the flow of a UA reachable over that flow only is gone: 430 Flow Failed
    const flowGone = error instanceof TransportError && error.code === transportFaults.FLOW_GONE
    if (tx === this.client) this.pt.branchFailed(this, flowGone ? 430 : 503)
  }

  /** The request a released branch kept, parsed from its slim octets. */
  slimRequest(): SipRequest | undefined {
    return this.slim === undefined ? undefined : parseSlimRequest(this.slim)
  }

  stopTimers(): void {
    this.timerC?.cancel()
    this.timerC = undefined
    this.cancelWait?.cancel()
    this.cancelWait = undefined
  }
}

const STATELESS: RespondOptions = Object.freeze({ stateless: true })

/**
 * A copy of `s` that does not share the octets of the message it was read from: a string cut
 * from a message keeps the whole message text alive.
 */
function detached(s: string | undefined): string | undefined {
  return s === undefined ? undefined : (JSON.parse(JSON.stringify(s)) as string)
}

/**
 * §16.7 step 3: takes our Via off a response to relay; false when no Via is left (the response
 * was meant for this element and MUST NOT be forwarded).
 */
function viaLeftAfterOurs(response: SipResponse): boolean {
  response.headers.shift(Via)
  return response.headers.first(Via) !== undefined
}

export class ProxyTransaction {
  readonly tx: ServerTransaction
  /** The request as received, after §16.4; undefined once released (see #release). */
  #request: SipRequest | undefined
  readonly #core: Core
  readonly #invite: boolean
  readonly #started: number
  /** The Request-URI before §16.4, for the loop hash. */
  #receivedUri: Uri | undefined
  /** The Call-ID for log lines once the request is released. */
  #releasedCallId: string | undefined
  #hash: string | undefined
  #branches: Branch[] = []
  #groups: Group[] = noGroups
  #options: ForwardOptions = {}
  #finals: SipResponse[] = []
  #finalSent = false
  #cancelled = false
  #sixxx = false
  /** With the failover option: every branch so far failed (see {@link ForwardOptions.failover}). */
  #onlyFailures = true
  /**
   * A group's branches are being started: a branch that ends at once (no destination, onBranch
   * threw) must not end the transaction while the rest of its group is still to be started
   * (§16.7 step 6: the best response goes only when every client transaction has ended).
   */
  #starting = false
  #trying: Timer | undefined

  /** Our Route values that §16.4 removed (none: empty), until the request is let go. */
  #poppedRoutes: readonly SipUri[] | undefined

  constructor(core: Core, tx: ServerTransaction, receivedUri: Uri, poppedRoutes: readonly SipUri[]) {
    this.#core = core
    this.tx = tx
    this.#request = tx.request
    this.#invite = tx.request.method === 'INVITE'
    this.#started = core.clock.now()
    this.#receivedUri = receivedUri
    this.#poppedRoutes = poppedRoutes
    core.pending.count++
  }

  /** The request as received, after §16.4 (while the proxy transaction still decides). */
  get request(): SipRequest {
    if (this.#request === undefined) throw new Error('proxy transaction already released its request')
    return this.#request
  }

  /** For log lines: every per-call line carries the Call-ID. */
  #callId(): string | undefined {
    return this.#request === undefined ? this.#releasedCallId : this.#request.headers.get(CallId)
  }

  /** The request is answered (or will never be): it no longer holds a stop() back. */
  #markFinal(): void {
    if (this.#finalSent) return
    this.#finalSent = true
    this.#core.pending.count--
  }

  get flow(): Flow {
    return this.tx.flow
  }

  /** Runs the route's onRequest and carries out its verdict. */
  run(): void {
    const core = this.#core
    const ctx = new RequestContext(this.request, this.tx.flow, core.server, this.#poppedRoutes)
    let verdict: Verdict | Promise<Verdict>
    try {
      verdict = core.route.onRequest(ctx)
    } catch (error) {
      this.#routeError(error)
      return
    }
    if (!isThenable(verdict)) {
      this.#decide(verdict)
      return
    }
    // §16.2: an INVITE that waits for an asynchronous route gets 100 Trying within 200 ms
    if (this.#invite) this.#trying = core.clock.setTimer(200, () => this.#sendTrying())
    verdict.then(
      (v) => this.#decide(v),
      (error) => this.#routeError(error),
    )
  }

  /** §16.10: a CANCEL matched this INVITE. */
  cancel(): void {
    if (this.#finalSent || this.#cancelled) return
    this.#cancelled = true
    this.#groups = noGroups
    if (this.#branches.length === 0) {
      this.#sendFinal(this.#local(487))
      return
    }
    for (const b of this.#branches) this.#cancelBranch(b)
  }

  /** The server transaction failed (no ACK, or the response could not be sent): stop the branches. */
  serverFailed(): void {
    this.#markFinal()
    this.#cancelled = true
    this.#groups = noGroups
    for (const b of this.#branches) this.#cancelBranch(b)
  }

  // --- verdicts

  #decide(verdict: Verdict): void {
    this.#trying?.cancel()
    this.#trying = undefined
    if (this.#finalSent) return // cancelled while the route was deciding
    this.#apply(Verdict.actionOf(verdict), false)
  }

  #apply(action: Action, failure: boolean): void {
    switch (action.kind) {
      case 'reply':
        this.#reply(action.status, action.reason, action.options)
        return
      case 'respond':
        if (action.response.status < 200) {
          if (!this.#finalSent) this.tx.respond(action.response)
          return
        }
        this.#core.stats.replies++
        this.#sendFinal(action.response, action.stateless)
        return
      case 'forward':
      case 'forward-in-dialog': {
        const targets = action.kind === 'forward' ? action.targets : undefined
        // §16.10: a CANCEL that matched no INVITE is forwarded statelessly
        if ((action.options.stateless === true || this.request.method === 'CANCEL') && !failure) {
          this.#forwardStateless(targets?.[0], action.options)
          return
        }
        if (failure && (this.#cancelled || this.#sixxx)) {
          this.#relayBest() // §16.7 step 5: no new branches after a 6xx or a CANCEL
          return
        }
        this.#options = action.options
        this.#onlyFailures = true
        const oneByOne = action.options.serial === true || action.options.failover === true
        this.#groups = groupTargets(targets, oneByOne)
        if (this.#invite) this.#sendTrying()
        this.#nextGroup()
        return
      }
      case 'relay-best':
        this.#relayBest()
        return
      case 'drop':
        this.#core.stats.dropped++
        if (proxyDrop.hasSubscribers) proxyDrop.publish({ request: this.request, reason: 'route' })
        this.#markFinal()
        this.tx.end()
        return
    }
  }

  /**
   * The route threw or rejected: its SipError answers the request, anything else a 500. A route
   * that fails after the request was answered (an async route still deciding when a CANCEL got the
   * INVITE its 487, §16.10) has nothing left to answer: the request may be released by then.
   */
  #routeError(error: unknown): void {
    this.#trying?.cancel()
    this.#trying = undefined
    const core = this.#core
    if (this.#finalSent) {
      core.log?.debug({ err: error, callId: this.#callId() }, 'route failed after the final response')
      return
    }
    if (error instanceof SipError) {
      this.#reply(error.status, error.reason, { headers: error.headers })
      return
    }
    core.stats.routeErrors++
    core.log?.error(
      { err: error, code: faultCodes.ROUTE_FAILED, method: this.request.method, callId: this.#callId() },
      'route failed: answering 500',
    )
    this.#reply(500, undefined, {})
  }

  #reply(status: number, reason: string | undefined, options: ReplyOptions): void {
    if (status < 200) {
      if (!this.#finalSent) this.tx.respond(this.#response(status, reason, options))
      return
    }
    this.#core.stats.replies++
    this.#sendFinal(this.#response(status, reason, options), options.stateless === true)
  }

  #response(status: number, reason: string | undefined, options: ReplyOptions): SipResponse {
    return createResponse(this.request, status, reason, {
      headers: options.headers,
      body: options.body,
      contentType: options.contentType,
    })
  }

  #local(status: number): SipResponse {
    return createResponse(this.request, status)
  }

  #sendTrying(): void {
    this.#trying?.cancel()
    this.#trying = undefined
    const tx = this.tx
    if ('trying' in tx && typeof tx.trying === 'function') tx.trying()
  }

  /** `stateless`: RFC 3261 §8.2.7, see {@link StatelessOption}. */
  #sendFinal(response: SipResponse, stateless = false): void {
    if (this.#finalSent) return
    this.#markFinal()
    this.#trying?.cancel()
    this.tx.respond(response, stateless ? STATELESS : undefined)
    if (proxyResponse.hasSubscribers) {
      proxyResponse.publish({
        request: this.request,
        response,
        elapsedMs: this.#core.clock.now() - this.#started,
      })
    }
    if (this.#branches.length === 0) this.#release()
  }

  // --- forwarding (§16.6)

  #forwardStateless(target: ForwardTarget | undefined, options: ForwardOptions): void {
    this.#markFinal()
    this.tx.end() // §16.11: no state; a retransmission runs the route again
    forwardStateless(this.#core, this.request, target, options, this.tx.flow).catch((error: unknown) => {
      this.#core.log?.debug({ err: error, callId: this.#callId() }, 'stateless forward failed')
    })
  }

  #nextGroup(): void {
    if (this.#groups.length === 0) return
    const group = this.#groups.shift()
    if (group === undefined) return
    const core = this.#core
    if (proxyForward.hasSubscribers) proxyForward.publish({ request: this.request, branches: group.length })
    this.#starting = true
    let started = 0
    for (const target of group) {
      // a branch that ended at once with a 6xx closes the target set (§16.7 step 5)
      if (this.#closed()) break
      if (this.#branches.length >= core.settings.maxBranches) {
        core.log?.warn(
          { max: core.settings.maxBranches, callId: this.#callId() },
          'branch limit reached: target ignored',
        )
        continue
      }
      const branch = new Branch(this, target)
      this.#branches.push(branch)
      core.stats.branches++
      started++
      this.#startBranch(branch)
    }
    this.#starting = false
    if (started === 0 && !this.#closed()) {
      // the branch limit left nothing to try: the best response goes upstream, without asking
      // onFailure again (it would ask for more targets, again and again)
      this.#groups = noGroups
      this.#relayBest()
      return
    }
    this.#checkDone()
  }

  #startBranch(branch: Branch): void {
    const core = this.#core
    const t = branch.target
    const req = createBranchRequest(this.request, t?.uri, t?.route)
    branch.base = req
    const proceed = (): void => {
      if (t?.destination !== undefined) {
        nextHopUri(req) // a strict router still gets its rewrite (§16.6 step 6)
        this.#withDestinations(branch, [t.destination])
        return
      }
      const hop = nextHopUri(req)
      const list = core.destinations(t?.nextHop ?? hop)
      if (!isThenable(list)) this.#withDestinations(branch, list)
      else
        list.then(
          (l) => this.#withDestinations(branch, l),
          () => this.#withDestinations(branch, []),
        )
    }
    const hook = core.route.onBranch
    if (hook === undefined) {
      proceed()
      return
    }
    let r: void | Promise<void>
    try {
      r = hook.call(core.route, new BranchContext(req, t ?? { uri: req.uri }))
    } catch (error) {
      this.#branchHookFailed(branch, error)
      return
    }
    if (isThenable(r)) r.then(proceed, (error: unknown) => this.#branchHookFailed(branch, error))
    else proceed()
  }

  #branchHookFailed(branch: Branch, error: unknown): void {
    const status = error instanceof SipError ? error.status : 500
    if (!(error instanceof SipError)) {
      this.#core.stats.routeErrors++
      this.#core.log?.error(
        { err: error, code: faultCodes.ROUTE_FAILED, callId: this.#callId() },
        'onBranch failed',
      )
    }
    this.#branchFinal(branch, this.#local(status))
  }

  #withDestinations(branch: Branch, list: readonly Target[]): void {
    branch.destinations = list
    if (list.length === 0) {
      // no way to reach the target: as a transport failure (§8.1.3.1: like a 503)
      this.#branchFinal(branch, this.#local(503))
      return
    }
    this.#attempt(branch)
  }

  /**
   * No new client transaction once the request was CANCELled (§16.10), a 6xx came (§16.7 step 5:
   * "MUST NOT create any new branches") or a final response went upstream (a 2xx: step 10 CANCELs
   * every pending branch; a failover attempt after that would ring a callee that is cancelled at
   * once). A resolution or an onBranch hook may finish after any of these.
   */
  #closed(): boolean {
    return this.#cancelled || this.#sixxx || this.#finalSent
  }

  /** Sends the branch to its next destination (a new client transaction, a new branch id). */
  #attempt(branch: Branch): void {
    const core = this.#core
    if (this.#closed() || branch.cancelPending) {
      this.#branchFinal(branch, this.#local(487))
      return
    }
    const dest = branch.destinations[branch.nextDestination++]
    if (dest === undefined || branch.base === undefined) {
      this.#branchFinal(branch, this.#local(503))
      return
    }
    // RFC 7339 §5.10.2: a next hop that asked us to shed gets fewer new requests; a shed one fails
    // as that hop's 503 would (the next destination, else the branch ends with 503 just above), the
    // hop not marked down
    if (core.overloadClient !== undefined && !core.overloadClient.admit(dest, this.request)) {
      this.#attempt(branch)
      return
    }
    // the last destination gets the base itself: no copy left to make for another one
    const last = branch.nextDestination >= branch.destinations.length
    const req = last ? branch.base : branch.base.clone()
    if (last) branch.base = undefined
    recordRouteBranch(
      core.transport,
      this.request,
      this.tx.flow,
      req,
      dest,
      this.#options.recordRoute === true,
      this.#options.recordRouteUser,
      branch.target?.recordRouteUser,
    )
    this.#hash ??= loopHash(this.request, this.request.headers.first(Via), this.#receivedUri)
    addVia(req, branchOf(this.#hash, core.nextSuffix()), core.overloadClient?.viaParams)
    branch.sent = req
    branch.destination = dest
    branch.provisional = false
    branch.client = core.layer.request(req, dest, branch)
    if (this.#invite) this.#armTimerC(branch)
  }

  /**
   * §16.6 step 11: Timer C, restarted by every provisional response but 100 (§16.7 step 2). A restart only
   * moves the due time; the clock timer, when it fires early, waits for the rest.
   */
  #armTimerC(branch: Branch): void {
    const clock = this.#core.clock
    branch.timerCDue = Math.ceil(clock.now()) + this.#core.settings.timerC
    if (branch.timerC === undefined)
      branch.timerC = clock.setTimer(this.#core.settings.timerC, () => this.#timerC(branch))
  }

  #timerC(branch: Branch): void {
    const clock = this.#core.clock
    const left = branch.timerCDue - clock.now()
    if (left > 0) {
      branch.timerC = clock.setTimer(left, () => this.#timerC(branch))
      return
    }
    branch.timerC = undefined
    // §16.8: with a provisional response, CANCEL the branch; without one, behave as on a 408 —
    // as on Timer B's, the next destination of the target is tried (RFC 3263 §4.3)
    if (branch.provisional) {
      branch.timedOut = true
      this.#sendCancel(branch)
    } else {
      branch.client?.end()
      if (!this.#tryNext(branch)) this.#branchFinal(branch, this.#local(408))
    }
  }

  // --- responses (§16.7)

  /** @internal From a branch's client transaction. */
  branchResponse(branch: Branch, response: SipResponse): void {
    const status = response.status
    // RFC 7339 §5.3: the next hop's overload answer is in our Via (parsed already, for matching)
    const oc = this.#core.overloadClient
    if (oc !== undefined && branch.destination !== undefined)
      oc.observe(branch.destination, response.headers.first(Via))
    if (status < 200) {
      if (branch.final !== 0) return
      branch.provisional = true
      // step 2: a 101–199 restarts Timer C; a 100 Trying does not (it only says the hop is alive)
      if (this.#invite && status > 100) this.#armTimerC(branch)
      if (branch.cancelPending) this.#sendCancel(branch)
      // step 5: 101–199 go upstream at once; 100 Trying is hop by hop
      if (status === 100 || this.#finalSent || !viaLeftAfterOurs(response)) return
      this.#relay(branch, response, (r) => this.tx.respond(r))
      return
    }
    if (!viaLeftAfterOurs(response)) {
      // a final response that cannot go upstream still ends its branch: as a 502, the answer for
      // an invalid response from downstream (§21.5.3)
      if (branch.final === 0) this.#branchFinal(branch, this.#local(502))
      return
    }
    branch.timerC?.cancel()
    branch.timerC = undefined
    if (status < 300) {
      // step 5: every 2xx goes upstream at once (to INVITE: each one, RFC 6026 §7.2)
      const first = branch.final === 0
      if (first) branch.final = status
      if (!this.#invite && (!first || this.#finalSent)) return
      this.#relay(branch, response, (r) => {
        if (this.#finalSent) this.tx.respond(r)
        else this.#sendFinal(r)
        // step 10: a final response went upstream: CANCEL the pending branches
        this.#groups = noGroups
        if (this.#invite) for (const b of this.#branches) if (b !== branch) this.#cancelBranch(b)
        this.#checkDone()
      })
      return
    }
    if (branch.final !== 0) return
    // RFC 3263 §4.3: a 503 before any provisional response moves on to the next destination
    if (status === 503 && !branch.provisional && this.#tryNext(branch)) return
    this.#relay(branch, response, (r) => this.#branchFinal(branch, r))
  }

  /** @internal A branch's client transaction timed out (408) or could not send (503). */
  branchFailed(branch: Branch, status: 408 | 430 | 503): void {
    if (branch.final !== 0) return
    if (!branch.provisional && this.#tryNext(branch)) return
    branch.timerC?.cancel()
    this.#branchFinal(branch, this.#local(status))
  }

  /** Puts the failed destination on the resolver's blocklist and tries the next one, if any. */
  #tryNext(branch: Branch): boolean {
    const dest = branch.destination
    if (dest !== undefined && branch.target?.destination === undefined) this.#core.resolver.markFailed(dest)
    if (this.#closed() || branch.cancelPending || branch.nextDestination >= branch.destinations.length)
      return false
    branch.client = undefined
    this.#attempt(branch)
    return true
  }

  /** The route's onResponse (step 3 took our Via off already), then `then` with the response. */
  #relay(branch: Branch, response: SipResponse, then: (r: SipResponse) => void): void {
    const hook = this.#core.route.onResponse
    const request = hook === undefined ? undefined : (branch.sent ?? branch.slimRequest())
    if (hook === undefined || request === undefined) {
      then(response)
      return
    }
    let r: void | Promise<void>
    try {
      r = hook.call(this.#core.route, new ResponseContext(response, request, branch.target))
    } catch (error) {
      this.#core.log?.error({ err: error, callId: this.#callId() }, 'onResponse failed')
      then(response)
      return
    }
    if (isThenable(r))
      r.then(
        () => then(response),
        (error: unknown) => {
          this.#core.log?.error({ err: error, callId: this.#callId() }, 'onResponse failed')
          then(response)
        },
      )
    else then(response)
  }

  #branchFinal(branch: Branch, response: SipResponse): void {
    if (branch.final !== 0) return
    branch.stopTimers()
    if (this.#nextFlow(branch, response.status)) return
    // §16.8: the 487 that ends a branch cancelled by Timer C counts as the 408 it stands for; a
    // branch of a CANCELled request that never answered (its CANCEL waited for a provisional
    // response, §9.1) ends as the 487 the caller waits for, not as the 408 of its Timer B
    const final =
      branch.timedOut && response.status === 487
        ? this.#local(408)
        : this.#cancelled && response.status === 408 && branch.final === 0 && !branch.timedOut
          ? this.#local(487)
          : response
    branch.final = final.status
    this.#finals.push(final)
    if (!isFailure(final.status) || branch.provisional) this.#onlyFailures = false
    if (final.status >= 600) {
      // step 5: a 6xx is not sent at once, but no new branches, and the others are cancelled
      this.#sixxx = true
      this.#groups = noGroups
      if (this.#invite) for (const b of this.#branches) this.#cancelBranch(b)
    }
    this.#checkDone()
  }

  /**
   * RFC 5626 §7: a flow of a UA instance failed (430) or did not answer (408) before any
   * provisional response: the branch goes on with the same instance over its next flow.
   */
  #nextFlow(branch: Branch, status: number): boolean {
    const alternates = branch.target?.alternates
    if ((status !== 430 && status !== 408) || alternates === undefined || alternates.length === 0)
      return false
    if (branch.provisional || branch.cancelPending || this.#closed() || this.#request === undefined)
      return false
    const [next, ...rest] = alternates as [ForwardTarget, ...ForwardTarget[]]
    branch.target = { ...next, alternates: rest }
    branch.client = undefined
    branch.sent = undefined
    branch.destinations = noTargets
    branch.nextDestination = 0
    branch.destination = undefined
    branch.timedOut = false
    this.#startBranch(branch)
    return true
  }

  #checkDone(): void {
    if (this.#starting) return // #nextGroup checks once its group is started
    for (const b of this.#branches) if (b.final === 0) return
    if (this.#finalSent) {
      this.#cleanup()
      return
    }
    // with the failover option, a target that answered (rather than failed) ends the list
    if (this.#groups.length > 0 && this.#options.failover === true && !this.#onlyFailures)
      this.#groups = noGroups
    if (this.#groups.length > 0) {
      this.#nextGroup()
      return
    }
    this.#failure()
  }

  /** Step 6: every branch ended without a 2xx: the route may try more targets, else the best goes up. */
  #failure(): void {
    const best = selectBest(this.#finals) ?? this.#local(408)
    const hook = this.#core.route.onFailure
    if (hook === undefined || this.#sixxx || this.#cancelled) {
      this.#relayBest()
      return
    }
    let v: Verdict | Promise<Verdict>
    try {
      v = hook.call(this.#core.route, new FailureContext(this.request, this.#finals, best))
    } catch (error) {
      this.#routeError(error)
      return
    }
    const apply = (verdict: Verdict) => {
      if (!this.#finalSent) this.#apply(Verdict.actionOf(verdict), true)
    }
    if (isThenable(v)) v.then(apply, (error: unknown) => this.#routeError(error))
    else apply(v)
  }

  #relayBest(): void {
    const best = selectBest(this.#finals) ?? this.#local(408)
    // RFC 4320 §4.2: a stateful proxy never sends a 408 to a non-INVITE request (the client has
    // timed out by then anyway); the transaction ends without a response
    if (!this.#invite && best.status === 408) {
      this.#markFinal()
      this.tx.end()
      this.#cleanup()
      return
    }
    this.#sendFinal(responseToRelay(best, this.#finals, this.request))
    this.#cleanup()
  }

  // --- CANCEL (§16.10)

  #cancelBranch(branch: Branch): void {
    if (branch.final !== 0) return
    // §9.1: a CANCEL goes only after a provisional response; before that, it waits for one
    if (branch.provisional && branch.client !== undefined) this.#sendCancel(branch)
    else branch.cancelPending = true
  }

  #sendCancel(branch: Branch): void {
    if (branch.cancelSent || branch.sent === undefined || branch.destination === undefined) return
    branch.cancelSent = true
    branch.cancelPending = false
    const core = this.#core
    try {
      core.layer.request(createCancel(branch.sent), branch.destination, noop)
    } catch (error) {
      core.log?.debug({ err: error, callId: this.#callId() }, 'CANCEL not sent')
    }
    // a branch that never answers its CANCEL ends after 64·T1 (§9.1, §16.8) as a 408
    branch.cancelWait = core.clock.setTimer(core.settings.cancelWait, () => {
      branch.cancelWait = undefined
      branch.client?.end()
      branch.timedOut = false
      this.#branchFinal(branch, this.#local(408))
    })
  }

  #cleanup(): void {
    this.#trying?.cancel()
    this.#trying = undefined
    for (const b of this.#branches) if (b.final !== 0) b.stopTimers()
    this.#release()
  }

  /**
   * The final response went upstream and every branch has ended: from now on the proxy
   * transaction only relays further 2xx to an INVITE (RFC 6026 §7.2) while its client
   * transactions wait out their timers (up to 32 s). It lets go of the messages and the target
   * set; a branch keeps the request it sent and its target only when the route's onResponse may
   * want to see them.
   */
  #release(): void {
    if (this.#request === undefined || !this.#finalSent) return
    for (const b of this.#branches) if (b.final === 0) return
    this.#releasedCallId = detached(this.#request.headers.get(CallId))
    this.#request = undefined
    this.#receivedUri = undefined
    this.#poppedRoutes = undefined
    this.#finals = noFinals
    this.#groups = noGroups
    this.#hash = undefined
    this.#options = noOptions
    const route = this.#core.route
    const keepSent = this.#invite && route.onResponse !== undefined
    const withFields = route.retransmittedRequest !== 'line'
    for (const b of this.#branches) {
      b.base = undefined
      b.destinations = noTargets
      // onResponse sees the 2xx retransmissions of a branch that got a 2xx (RFC 6026 §7.2), with
      // its target and a slim copy of its request; no other branch hears anything more
      if (keepSent && b.final >= 200 && b.final < 300 && b.sent !== undefined)
        b.slim = slimRequest(b.sent, withFields)
      else b.target = undefined
      b.sent = undefined
    }
    // a branch that relays 2xx retransmissions is its client transaction's handler: the list of
    // branches is not needed for that
    this.#branches = noBranches
  }
}
