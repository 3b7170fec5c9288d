/**
 * Overload control: when the event loop is busy nearly all the time, the server refuses a share of
 * the new requests with 503 and Retry-After (RFC 3261 §21.5.4), statelessly, so that the calls it
 * accepted still finish. A proxy that takes every request past its capacity loses datagrams
 * instead: retransmissions add load, every call slows down, and it ends up completing fewer calls
 * than it could (RFC 6357 §3, "congestion collapse"). A 503 also tells an RFC 3263 client to try
 * another server, which is how a pool of proxies spreads an overload.
 *
 * The signal is the event loop's utilization (`performance.eventLoopUtilization`): the share of
 * wall time spent running rather than waiting for I/O, measured every `intervalMs` (100) and
 * smoothed (an exponential average, 0.15 of each new window: about 0.6 s). While the smoothed
 * value is at `utilization` (0.95) or above, the share of new requests admitted falls by a tenth
 * each window (at least `minAdmit` stay admitted); under `utilization - 0.05` it rises by 0.05 a
 * window until every request is admitted again; in between it holds. Refused requests are spread
 * evenly (a credit counter, not chance). The constants are measured: bench/README.md "Overload".
 *
 * Where the UDP receive queue can be read (Linux, `udpBacklog` of @junction/transport), a busy loop
 * sheds only while the queue fills (2 % of the buffer or more) and admits more once it is as good
 * as empty (under 0.5 %): Node counts the time the main thread waits for a shared CPU as busy, and
 * a server that drains its queue keeps up however busy it looks. A queue half full sheds at once,
 * before the smoothed utilization has caught up with a sudden overload (a quarter fired on the
 * compile backlog of a fresh process's first second; three quarters let a sudden 8 000 calls/s
 * collapse: bench/README.md "Overload"). The queue is read after a window busy half the time or
 * more: a loop that waited for I/O longer than that emptied it at every wake-up.
 *
 * What is never refused (RFC 7339 §5.10.1: work already accepted, and emergency calls, come first):
 * requests inside a dialog (a To tag: the BYE that ends a call frees resources), CANCEL, ACK (the
 * transaction layer asks only for a CANCEL that matches no live INVITE, never for an ACK), and
 * emergency requests (a Request-URI of RFC 5031's `urn:service:sos` family).
 *
 * Every window publishes `{ utilization, smoothed, admitRatio, refused }` on `junction:proxy:overload`
 * (`refused`: requests refused in that window), for metrics.
 *
 * RFC 7339 (server side, `feedback`): a client whose Via carries `oc` supports overload control;
 * every response it gets from us carries in that Via the share it should shed before sending
 * (§5.1, §5.2: `oc` = round((1 − admitRatio) · 100), `oc-algo="loss"`, `oc-validity`, `oc-seq`).
 * Not overloaded, the answer is `oc=0;oc-validity=0` (nothing to shed): a client that asked always
 * learns that we support overload control (§5.1; two other implementations read it so too), and one
 * that was shedding stops at once rather than when our last value lapses.
 */
import { performance } from 'node:perf_hooks'
import { type SipRequest, type SipResponse, ToTag, Via } from '@junction/sip'
import { proxyOverload } from './channels.ts'
import { defaultOcValidity, formatOcSeq, offersLoss, withOc } from './rfc7339.ts'

export interface OverloadControlOptions {
  /**
   * Event-loop utilization (0 to 1, smoothed over the last windows) from which new requests are
   * refused. Default 0.95.
   */
  readonly utilization?: number | undefined
  /** Milliseconds between two measurements. Default 100. */
  readonly intervalMs?: number | undefined
  /** The least share of new requests admitted while overloaded. Default 0.05. */
  readonly minAdmit?: number | undefined
  /** RFC 7339 `oc-validity` (ms) in the answers to clients that support overload control. Default 500. */
  readonly ocValidity?: number | undefined
}

export interface OverloadControlDeps {
  /**
   * The event loop's utilization (0 to 1) since the previous call. Default: from
   * `performance.eventLoopUtilization()`. Tests pass their own.
   */
  readonly sample?: (() => number) | undefined
  /**
   * How far behind the UDP listeners are (0 to 1 of the receive buffer, see @junction/transport
   * `udpBacklog`); undefined when not known. When given, a busy loop sheds only while datagrams
   * pile up: busy on a shared CPU while keeping up is not overload.
   */
  readonly backlog?: (() => number | undefined) | undefined
  /** Wall-clock milliseconds, for RFC 7339's `oc-seq` and `oc-validity`. Default `Date.now`. */
  readonly now?: (() => number) | undefined
}

export interface OverloadStats {
  /** The utilization of the last window. */
  readonly utilization: number
  /** The utilization smoothed over the last windows (what decides). */
  readonly smoothed: number
  /** The UDP receive queue's share of its buffer at the last window, when known. */
  readonly backlog: number | undefined
  /** The share of new requests admitted now: 1 when not overloaded. */
  readonly admitRatio: number
  /** Requests refused since start. */
  readonly refused: number
  /** RFC 7339: the `oc` (percentage to shed) told to clients that support overload control. */
  readonly oc: number
}

export interface OverloadControl {
  /** Whether to accept `request` (false: answer 503, see the transaction layer's `admit`). */
  admit(request: SipRequest): boolean
  /** Measures every `intervalMs` (an unref'd timer). */
  start(): void
  stop(): void
  /** One measurement and step of the control (what the timer calls). */
  tick(): void
  /**
   * RFC 7339 §5.1, §5.2: adds our overload control parameters to the top Via of a response for a
   * client that supports overload control (the transaction layer's `overloadFeedback`).
   */
  feedback(response: SipResponse): void
  readonly stats: OverloadStats
}

/**
 * RFC 7339 §5.10.1: what overload control never sheds, in either role: CANCEL and ACK, requests
 * inside a dialog (a To tag; or no readable To, which validation answers 400) and emergency calls.
 */
export function neverShed(request: SipRequest): boolean {
  const method = request.method
  if (method === 'CANCEL' || method === 'ACK') return true
  if (request.headers.get(ToTag) !== '') return true
  return isEmergency(request)
}

/**
 * Spreads what is admitted evenly over the requests (a credit counter, not chance), for both
 * roles: adds `share` (0 to 1) of a request to `state.credit` and admits once a whole one is there.
 */
export function admitEvenly(state: { credit: number }, share: number): boolean {
  state.credit += share
  // (0.1 added ten times is 0.9999999999999999)
  if (state.credit < 0.999_999) return false
  state.credit -= 1
  return true
}

/** RFC 5031 §4.2: `urn:service:sos` and its sub-services (`urn:service:sos.police`). */
function isEmergency(request: SipRequest): boolean {
  const uri = request.uri
  if (uri.kind !== 'absolute' || uri.scheme !== 'urn') return false
  const v = uri.value.toLowerCase()
  return v === 'service:sos' || v.startsWith('service:sos.')
}

function eventLoopSampler(): () => number {
  let last = performance.eventLoopUtilization()
  return () => {
    const now = performance.eventLoopUtilization()
    const u = performance.eventLoopUtilization(now, last).utilization
    last = now
    return u
  }
}

export function createOverloadControl(
  options: OverloadControlOptions = {},
  deps: OverloadControlDeps = {},
): OverloadControl {
  const high = options.utilization ?? 0.95
  const intervalMs = options.intervalMs ?? 100
  const minAdmit = options.minAdmit ?? 0.05
  const smoothing = 0.15
  // shares of the receive buffer: datagrams piling up, and a queue as good as empty
  const queueHigh = 0.02
  const queueFlood = 0.5
  const queueLow = 0.005
  // a window at least this busy reads the receive queue
  const busyWindow = 0.5
  let sample = deps.sample
  let timer: NodeJS.Timeout | undefined
  let utilization = 0
  let admitRatio = 1
  let smoothed = 0
  let backlog: number | undefined
  const even = { credit: 0 }
  let refused = 0
  let refusedInWindow = 0
  // RFC 7339: the oc value told to clients and its oc-seq (newer with every new value)
  const now = deps.now ?? Date.now
  const ocValidity = options.ocValidity ?? defaultOcValidity
  let oc = 0
  let ocSeqMs = Math.floor(now())
  let ocSeq = formatOcSeq(ocSeqMs)

  function setOc(value: number): void {
    if (value === oc) return
    oc = value
    // increasing even if the wall clock steps back (§5.1)
    ocSeqMs = Math.max(Math.floor(now()), ocSeqMs + 1)
    ocSeq = formatOcSeq(ocSeqMs)
  }

  function tick(): void {
    sample ??= eventLoopSampler()
    utilization = sample()
    // smoothed over ~0.6 s: a GC pause, a burst or a fresh process's compiling is not overload
    // (the receive buffer holds that much), a loop busy for a second is
    smoothed += smoothing * (utilization - smoothed)
    // with the receive queue known, a busy loop that still drains it keeps up (it may only be
    // waiting for a shared CPU): shed while datagrams pile up, admit more once they do not
    // (read after a busy window only, once known: a loop that waited for I/O half the window or more
    // emptied the queue at each wake-up, and a reading is a file read of every UDP socket of the
    // machine)
    backlog = utilization >= busyWindow || backlog === undefined ? deps.backlog?.() : 0
    const piling = backlog === undefined || backlog >= queueHigh
    const drained = backlog !== undefined && backlog < queueLow
    // half the buffer taken: drops are near, whatever the smoothed loop says yet
    const flooding = backlog !== undefined && backlog >= queueFlood
    if ((smoothed >= high && piling) || flooding) admitRatio = Math.max(minAdmit, admitRatio * 0.9)
    else if ((smoothed < high - 0.05 || drained) && admitRatio < 1)
      admitRatio = Math.min(1, admitRatio + 0.05)
    if (admitRatio === 1) even.credit = 0
    setOc(Math.round((1 - admitRatio) * 100))
    if (proxyOverload.hasSubscribers)
      proxyOverload.publish({ utilization, smoothed, backlog, admitRatio, refused: refusedInWindow })
    refusedInWindow = 0
  }

  return {
    admit(request) {
      if (admitRatio === 1 || neverShed(request)) return true
      if (admitEvenly(even, admitRatio)) return true
      refused++
      refusedInWindow++
      return false
    },
    start() {
      if (timer !== undefined) return
      sample ??= eventLoopSampler()
      sample() // the first window starts now
      timer = setInterval(tick, intervalMs)
      timer.unref()
    },
    stop() {
      clearInterval(timer)
      timer = undefined
      admitRatio = 1
      smoothed = 0
      setOc(0)
    },
    tick,
    feedback(response) {
      const h = response.headers
      const top = h.first(Via)
      if (top === undefined || !offersLoss(top.params?.get('oc-algo'))) return
      // not overloaded: oc=0 and an oc-validity of 0 (no throttling, and any still running ends now)
      h.replaceFirst(Via, { ...top, params: withOc(top.params, oc, oc > 0 ? ocValidity : 0, ocSeq) })
    },
    get stats() {
      return { utilization, smoothed, backlog, admitRatio, refused, oc }
    },
  }
}
