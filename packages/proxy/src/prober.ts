/**
 * Next-hop probing, as Kamailio's dispatcher pings its destinations: an OPTIONS (RFC 3261 §11) to
 * each next hop every `intervalMs`. `failures` probes in a row that time out, fail in the transport
 * or get a 503 (the answers §8.1.3.1 and RFC 3263 §4.3 treat as "not there") mark a hop down; one
 * answer of any other kind (a 200, and as much a 404 or 405 from a gateway that does not do
 * OPTIONS: it answered) marks it up again. A route asks `isUp` and skips the hops that are down.
 * Changes are published on `junction:proxy:next-hop` (`{ nextHop, up, status }`); a hop starts up,
 * and is published so when probing starts.
 */
import {
  createRequest,
  generateCallId,
  generateTag,
  parseUri,
  type SipRequest,
  type SipResponse,
  type SipUri,
} from '@junction/sip'
import { proxyNextHop } from './channels.ts'
import type { Log } from './core.ts'
import { faultCodes, ProxyError } from './errors.ts'

export interface NextHopProberOptions {
  /** The next hops (SIP URIs as text, e.g. `sip:gw1.example.com;transport=tcp`); duplicates count once. */
  readonly nextHops: readonly string[]
  /** Between two probes of a hop, ms. Default 30 000. */
  readonly intervalMs?: number | undefined
  /** Failed probes in a row that mark a hop down. Default 2. */
  readonly failures?: number | undefined
  /** The From of the probes. Default `sip:junction@localhost`. */
  readonly from?: string | undefined
}

export interface NextHopProberDeps {
  /** Sends a request of ours: `SipServer.request`. */
  readonly send: (request: SipRequest) => Promise<SipResponse>
  readonly log?: Log | undefined
}

export interface NextHopState {
  readonly nextHop: string
  readonly up: boolean
  /** The status of the last answer (408/503 made here for a timeout or a transport error). */
  readonly lastStatus: number | undefined
  /** Failed probes in a row. */
  readonly failures: number
}

export interface NextHopProber {
  /** False only for a hop probing found down; a hop it does not probe is up. */
  isUp(nextHop: string): boolean
  /** Every probed hop's state, in the order given. */
  list(): readonly NextHopState[]
  /** Probes every hop now (one at a time per hop: a hop whose probe is still out is skipped). */
  round(): Promise<void>
  /** Publishes every hop up, probes at once, then every `intervalMs`. */
  start(): Promise<void>
  stop(): Promise<void>
}

interface Hop {
  readonly nextHop: string
  readonly uri: SipUri
  up: boolean
  lastStatus: number | undefined
  failures: number
  inFlight: boolean
  cseq: number
  readonly callId: string
}

/** Answers that mean the hop is not there (§8.1.3.1: a timeout is a 408, a transport error a 503). */
function isFailure(status: number): boolean {
  return status === 408 || status === 503
}

export function createNextHopProber(options: NextHopProberOptions, deps: NextHopProberDeps): NextHopProber {
  const intervalMs = options.intervalMs ?? 30_000
  const threshold = options.failures ?? 2
  const from = parseUri(options.from ?? 'sip:junction@localhost')
  if (from === undefined)
    throw new ProxyError(faultCodes.INVALID_TARGET, `the probes' From is not a URI: ${options.from}`)
  const hops = new Map<string, Hop>()
  for (const nextHop of options.nextHops) {
    const uri = parseUri(nextHop)
    if (uri?.kind !== 'sip') {
      throw new ProxyError(faultCodes.INVALID_TARGET, `a next hop to probe is not a SIP URI: ${nextHop}`)
    }
    if (!hops.has(nextHop)) {
      // one Call-ID per hop, the CSeq counting up (§11.1: like any request outside a dialog)
      hops.set(nextHop, {
        nextHop,
        uri,
        up: true,
        lastStatus: undefined,
        failures: 0,
        inFlight: false,
        cseq: 0,
        callId: generateCallId(),
      })
    }
  }
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  function publish(hop: Hop): void {
    if (proxyNextHop.hasSubscribers) {
      proxyNextHop.publish({ nextHop: hop.nextHop, up: hop.up, status: hop.lastStatus })
    }
  }

  function record(hop: Hop, status: number): void {
    hop.lastStatus = status
    if (!isFailure(status)) {
      hop.failures = 0
      if (!hop.up) {
        hop.up = true
        deps.log?.info({ nextHop: hop.nextHop, status }, 'next hop is up again')
        publish(hop)
      }
      return
    }
    hop.failures++
    if (hop.up && hop.failures >= threshold) {
      hop.up = false
      deps.log?.warn({ nextHop: hop.nextHop, status, failures: hop.failures }, 'next hop is down')
      publish(hop)
    }
  }

  async function probe(hop: Hop): Promise<void> {
    if (hop.inFlight) return
    hop.inFlight = true
    try {
      const request = createRequest({
        method: 'OPTIONS',
        uri: hop.uri,
        from: { uri: from!, tag: generateTag() },
        to: { uri: hop.uri },
        callId: hop.callId,
        cseq: ++hop.cseq,
      })
      const response = await deps.send(request)
      if (!stopped) record(hop, response.status)
    } catch (error) {
      deps.log?.warn({ err: error, nextHop: hop.nextHop }, 'next hop probe failed')
    } finally {
      hop.inFlight = false
    }
  }

  async function round(): Promise<void> {
    await Promise.all([...hops.values()].map(probe))
  }

  return {
    isUp(nextHop) {
      return hops.get(nextHop)?.up ?? true
    },
    list() {
      return [...hops.values()].map(({ nextHop, up, lastStatus, failures }) => ({
        nextHop,
        up,
        lastStatus,
        failures,
      }))
    },
    round,
    async start() {
      if (timer !== undefined || hops.size === 0) return
      stopped = false
      for (const hop of hops.values()) publish(hop)
      void round()
      timer = setInterval(() => void round(), intervalMs)
      timer.unref()
    },
    async stop() {
      stopped = true
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
  }
}
