/**
 * Request routing (RFC 6733 §6.1): the peer a request originated here goes to. With a
 * Destination-Host whose peer is available, that peer (§6.1.4: the request is for that host);
 * otherwise the available peers of the Destination-Realm that support the request's application
 * (§6.1.5, the realm routing table), the best priority first (lower numbers are preferred), peers of
 * equal priority in turn. A peer is available when it is I-Open or R-Open and its watchdog is
 * OKAY (RFC 3539: a SUSPECT peer has failed over, a REOPEN one has not failed back yet).
 *
 * No peer: the node answers 3002 DIAMETER_UNABLE_TO_DELIVER itself (§6.1.3, §7.1.3).
 */
import { RELAY_APPLICATION_ID } from './capabilities.ts'

export interface RouteCandidate {
  readonly host: string
  /** The peer's realm (configured, or learned from its CER/CEA). */
  readonly realm: string | undefined
  /** Lower is preferred. */
  readonly priority: number
  readonly available: boolean
  /** The Application-Ids common to both sides (the relay id: all). */
  readonly applications: readonly number[]
}

export interface RouteTarget {
  readonly destinationHost: string | undefined
  readonly destinationRealm: string | undefined
  readonly applicationId: number
}

function supports(peer: RouteCandidate, applicationId: number): boolean {
  return (
    applicationId === 0 ||
    peer.applications.includes(applicationId) ||
    peer.applications.includes(RELAY_APPLICATION_ID)
  )
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase()

/**
 * The peer for a request, or undefined. `turn` spreads requests over peers of the same priority
 * (the caller increments it).
 */
export function selectPeer<P extends RouteCandidate>(
  peers: Iterable<P>,
  target: RouteTarget,
  turn = 0,
): P | undefined {
  const { destinationHost, destinationRealm, applicationId } = target
  let best: P[] = []
  let bestPriority = Number.POSITIVE_INFINITY
  for (const p of peers) {
    if (!p.available || !supports(p, applicationId)) continue
    if (destinationHost !== undefined && same(p.host, destinationHost)) return p
    if (destinationRealm !== undefined && !same(p.realm, destinationRealm)) continue
    if (p.priority < bestPriority) {
      bestPriority = p.priority
      best = [p]
    } else if (p.priority === bestPriority) best.push(p)
  }
  if (best.length === 0) return undefined
  return best[turn % best.length]
}
