/**
 * What every transaction shares: its key, its timers on the injected clock, and how it ends.
 */
import type { SipResponse } from '@junction/sip'
import { faultCodes, TransactionError } from './errors.ts'
import type { TransactionTransport, TransactionUser } from './ports.ts'
import { fireTimer, type LaneHandle, type TimerLanes } from './timer-lanes.ts'
import type { TimerSettings } from './timers.ts'

/** The low bit of a timer's tag: which of the two timers it is; the rest counts the timers set. */
const RETRANSMIT = 0
const TIMEOUT = 1
/** Tags stay small integers (Smis): the count wraps long before that. */
const TAG_MASK = 0x3ffffffe

/** What a transaction needs from its layer. */
export interface Context {
  readonly clock: TimerLanes
  readonly timers: TimerSettings
  readonly transport: TransactionTransport
  readonly user: TransactionUser
  /** Milliseconds before an INVITE server transaction sends 100 Trying on its own (§17.2.1). */
  readonly tryingDelay: number
  /** RFC 7339 §5.1: adds the server's overload control parameters to a response's top Via. */
  readonly overloadFeedback?: ((response: SipResponse) => void) | undefined
  /** Removes an ended transaction from the layer's tables. */
  ended(tx: Transaction): void
  /** A transaction let go of its request (a final response, or the end): it is cheap from now on. */
  settled(): void
  /** A server transaction keeps (positive) or let go of (negative) that many octets of response. */
  retained(octets: number): void
}

export abstract class Transaction {
  /** The matching key (§17.1.3, §17.2.3). */
  readonly key: string
  /**
   * Whatever the transaction user keeps with this transaction (a proxy: its response context,
   * §16.5); the transaction never reads it. A field, not a WeakMap beside the transaction: weak
   * tables cost the garbage collector at every scavenge.
   */
  userData: unknown = undefined
  protected readonly ctx: Context
  /**
   * The tag of the armed retransmission timer (A, E or G) and of the armed state timer, 0 when
   * none: the lanes hold no object per timer, so a timer is stopped by forgetting its tag, and a
   * timer that fires with any other tag (stopped, or set again since) is ignored.
   */
  #retransmit = 0
  #timeout = 0
  /** Where the armed timers wait (shared lanes: no object per timer), told when one is stopped. */
  #retransmitLane: LaneHandle | undefined
  #timeoutLane: LaneHandle | undefined
  #timersSet = 0
  #ended = false
  #holding = true

  constructor(key: string, ctx: Context) {
    this.key = key
    this.ctx = ctx
  }

  /** The current state, named as in RFC 3261 §17 and RFC 6026. */
  abstract readonly state: string

  /** True for the stream transports: no retransmissions, and the wait timers are zero (§17). */
  protected abstract readonly reliable: boolean

  /** True once the transaction reached Terminated. */
  get ended(): boolean {
    return this.#ended
  }

  /** A new tag for a timer of `kind`: never 0, never the tag of a timer still queued. */
  #tag(kind: number): number {
    this.#timersSet = (this.#timersSet + 2) & TAG_MASK || 2
    return this.#timersSet | kind
  }

  /** Starts (or restarts) the retransmission timer (A, E or G); it calls {@link retransmitTimer}. */
  protected setRetransmit(ms: number): void {
    // the timer calls back this transaction, no closure: a closure made in a state method would
    // keep that method's locals (the messages) alive as long as the timer waits, up to 32 s
    this.#retransmitLane?.release()
    this.#retransmit = this.#tag(RETRANSMIT)
    this.#retransmitLane = this.ctx.clock.setTimerFor(ms, this, this.#retransmit)
  }

  protected stopRetransmit(): void {
    this.#retransmitLane?.release()
    this.#retransmitLane = undefined
    this.#retransmit = 0
  }

  /**
   * Starts (or restarts) the timer that ends a state (B, D, F, H, I, J, K, L, M, or the 100 Trying
   * delay); it calls {@link timeoutTimer}, which tells them apart by the state.
   */
  protected setTimeout(ms: number): void {
    this.#timeoutLane?.release()
    this.#timeout = this.#tag(TIMEOUT)
    this.#timeoutLane = this.ctx.clock.setTimerFor(ms, this, this.#timeout)
  }

  /**
   * @internal From the timer lanes: runs the timer of `tag` if it is still the armed one (and says
   * so); a stale tag is ignored.
   */
  [fireTimer](tag: number): boolean {
    if (tag === this.#retransmit) {
      this.#retransmit = 0
      this.#retransmitLane = undefined
      this.retransmitTimer()
      return true
    }
    if (tag === this.#timeout) {
      this.#timeout = 0
      this.#timeoutLane = undefined
      this.timeoutTimer()
      return true
    }
    return false
  }

  protected stopTimeout(): void {
    this.#timeoutLane?.release()
    this.#timeoutLane = undefined
    this.#timeout = 0
  }

  /** The retransmission timer fired. */
  protected retransmitTimer(): void {}

  /** The state timer fired. */
  protected abstract timeoutTimer(): void

  /** Waits `ms` (zero on a reliable transport, §17) in the current state, then terminates. */
  protected lingerThenEnd(ms: number): void {
    if (ms <= 0) this.end()
    else this.setTimeout(ms)
  }

  /** The transaction let go of its request: the layer stops counting it as unanswered. */
  protected letGo(): void {
    if (!this.#holding) return
    this.#holding = false
    this.ctx.settled()
  }

  /** Moves to Terminated: stops every timer and leaves the layer's tables. */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    this.stopRetransmit()
    this.stopTimeout()
    this.onEnd()
    this.letGo()
    this.ctx.ended(this)
  }

  /** For subclasses: record the Terminated state. */
  protected abstract onEnd(): void
}

/** The message a transaction let go of (see `request` of the transactions). */
export function releasedError(what: string): TransactionError {
  return new TransactionError(
    faultCodes.RELEASED,
    `the transaction let go of its ${what} when it reached its final state`,
  )
}
