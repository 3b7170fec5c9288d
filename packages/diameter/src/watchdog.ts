/**
 * The transport failure detection of RFC 3539 §3.4 (used by RFC 6733 §5.5): one watchdog per peer,
 * across its connections.
 *
 * - OKAY: a DWR is sent after Tw without any message received; when Tw passes again with the DWR
 *   unanswered, the peer is SUSPECT (failover: no new requests go to it), and after one more Tw
 *   without anything received it is DOWN and the connection is closed.
 * - A peer whose connection went down comes back through REOPEN: a DWR at once and then every Tw,
 *   and only after three DWAs in a row is it OKAY again (failback), so that a flapping peer does
 *   not take traffic.
 * - Tw is jittered on every arming (§3.4.1: "Tw = TwInit +/- 2 s"; TwInit of 30 s by default,
 *   which the RFC wants no lower than 6 s).
 *
 * Not taken from the RFC's pseudo-code: reconnecting (AttemptOpen in INITIAL and DOWN) is the
 * peer's reconnect schedule (exponential backoff, peer.ts), not a Tw timer. Any message received
 * in OKAY restarts Tw; the timer is re-armed lazily on expiry (from the time of the last receipt)
 * rather than on every message.
 */
import type { Clock, Timer } from './clock.ts'

export type WatchdogState = 'INITIAL' | 'OKAY' | 'SUSPECT' | 'DOWN' | 'REOPEN'

export interface WatchdogOptions {
  /** TwInit, in ms (default 30000; RFC 3539 §3.4.1: SHOULD NOT be lower than 6000). */
  readonly tw?: number
  /** Tw is drawn from [tw - jitter, tw + jitter], in ms (default 2000, at most tw / 2). */
  readonly jitter?: number
}

export const defaultWatchdogOptions = Object.freeze({ tw: 30_000, jitter: 2_000 })

export interface WatchdogActions {
  /** Send a DWR on the open connection. */
  sendWatchdog(): void
  /** Close the connection: the peer is DOWN. */
  closeConnection(): void
  /** The state changed; failover is OKAY→SUSPECT/DOWN, failback SUSPECT/REOPEN→OKAY. */
  stateChange(from: WatchdogState, to: WatchdogState): void
}

export interface WatchdogDeps {
  readonly clock: Clock
  /** In [0, 1) (default Math.random), for the jitter. */
  readonly random?: () => number
}

export interface Watchdog {
  readonly state: WatchdogState
  /** A DWR is outstanding. */
  readonly pending: boolean
  /** REOPEN: the DWAs received in a row (−1 after a Tw without one). */
  readonly numDwa: number
  /** OnConnectionUp: the peer reached I-Open or R-Open. */
  connectionUp(): void
  /** OnConnectionDown: the connection of an open peer went away. */
  connectionDown(): void
  /** OnReceive: any message from the peer; `isDwa` for a Device-Watchdog-Answer. */
  received(isDwa: boolean): void
  /** Cancels the timer (the peer is being removed); the state is kept. */
  stop(): void
}

export function createWatchdog(
  options: WatchdogOptions | undefined,
  actions: WatchdogActions,
  deps: WatchdogDeps,
): Watchdog {
  const tw = options?.tw ?? defaultWatchdogOptions.tw
  const jitter = Math.min(options?.jitter ?? defaultWatchdogOptions.jitter, tw / 2)
  const { clock } = deps
  const random = deps.random ?? Math.random
  let state: WatchdogState = 'INITIAL'
  let pending = false
  let numDwa = 0
  let timer: Timer | undefined
  /** When the current Tw ends, for OKAY's lazy re-arming. */
  let current = tw
  let lastReceived = 0

  const setState = (to: WatchdogState) => {
    if (to === state) return
    const from = state
    state = to
    actions.stateChange(from, to)
  }

  /** SetWatchdog(): a fresh jittered Tw from now. */
  const setWatchdog = () => {
    timer?.cancel()
    current = tw + (random() * 2 - 1) * jitter
    timer = clock.setTimer(current, onTimerElapsed)
  }

  const sendWatchdog = () => {
    pending = true
    actions.sendWatchdog()
  }

  function onTimerElapsed(): void {
    timer = undefined
    switch (state) {
      case 'OKAY': {
        // a message received since the timer was armed restarts Tw from that message
        const since = clock.now() - lastReceived
        if (since < current) {
          timer = clock.setTimer(current - since, onTimerElapsed)
          return
        }
        if (!pending) {
          setWatchdog()
          sendWatchdog()
          return
        }
        setWatchdog()
        setState('SUSPECT') // Failover()
        return
      }
      case 'SUSPECT':
        setState('DOWN')
        actions.closeConnection()
        return
      case 'REOPEN':
        if (pending) {
          if (numDwa < 0) {
            setState('DOWN')
            actions.closeConnection()
            return
          }
          numDwa = -1
        } else {
          sendWatchdog()
        }
        setWatchdog()
        return
      default:
        return
    }
  }

  return {
    get state() {
      return state
    },
    get pending() {
      return pending
    },
    get numDwa() {
      return numDwa
    },
    connectionUp() {
      pending = false
      lastReceived = clock.now()
      if (state === 'INITIAL') {
        setWatchdog()
        setState('OKAY')
      } else if (state === 'DOWN') {
        numDwa = 0
        setWatchdog()
        setState('REOPEN')
        sendWatchdog()
      }
    },
    connectionDown() {
      timer?.cancel()
      timer = undefined
      pending = false
      if (state === 'OKAY' || state === 'SUSPECT' || state === 'REOPEN') setState('DOWN')
    },
    received(isDwa) {
      if (isDwa) pending = false
      switch (state) {
        case 'OKAY':
          lastReceived = clock.now()
          return
        case 'SUSPECT':
          lastReceived = clock.now()
          setWatchdog()
          setState('OKAY') // Failback()
          return
        case 'REOPEN':
          if (!isDwa) return
          if (numDwa === 2) {
            lastReceived = clock.now()
            setState('OKAY') // Failback()
          } else numDwa++
          return
        default:
          return
      }
    },
    stop() {
      timer?.cancel()
      timer = undefined
    },
  }
}
