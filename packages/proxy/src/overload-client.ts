/**
 * RFC 7339, client role: the proxy tells each next hop that it supports overload control (`oc`
 * and `oc-algo="loss"` in its Via, §5.1), reads the answer a next hop puts in that Via of its
 * responses (§5.3), and while that answer holds sheds the share of new requests it asks for before
 * sending them (§5.4, §5.6, the loss algorithm of §7).
 *
 * - A next hop is the destination a branch was sent to: transport, address and port.
 * - An answer with an older `oc-seq` than the one kept is ignored (§5.3); one with the same
 *   `oc-seq` renews its validity (a server repeats the value while it holds); `oc=0` or
 *   `oc-validity=0` ends the throttling. Past its validity an answer lapses.
 * - Never shed (§5.10.1): requests inside a dialog, CANCEL, ACK, emergency calls
 *   (`urn:service:sos`). The rest are shed evenly (a credit counter, not chance).
 * - A shed request fails its branch as a 503 of that hop would, without marking the hop down
 *   (§5.10.2): the branch moves on to its next destination, the proxy to its next target, and
 *   when none is left the best response goes upstream (a 503 becomes 500, §16.7 step 6).
 *
 * Changes (a next hop starts or stops being throttled, or its percentage changes) are published
 * on `junction:proxy:overload-peer`.
 */
import type { Params, SipRequest, ViaValue } from '@junction/sip'
import type { Target } from '@junction/transport'
import { proxyOverloadPeer } from './channels.ts'
import { admitEvenly, neverShed } from './overload.ts'
import { lossAlgo, ocSeqKey, readOc } from './rfc7339.ts'

export interface OverloadClientOptions {
  /** Most next hops remembered at once (answers from more are ignored). Default 10 000. */
  readonly maxPeers?: number | undefined
  /**
   * The longest a next hop's answer is honoured (ms), whatever `oc-validity` it gives (up to ten
   * digits). A next hop that asks for 100 % gets no new request to answer until its value lapses,
   * so this bounds how long it stays cut off after it has recovered. Default 60 000.
   */
  readonly maxValidityMs?: number | undefined
}

export interface OverloadClientDeps {
  /** Milliseconds, for `oc-validity`. Default `Date.now`. */
  readonly now?: (() => number) | undefined
}

/** A next hop that asked us to shed (RFC 7339 §5.3), as `stats` shows it. */
export interface OverloadPeer {
  /** `transport:address:port`. */
  readonly peer: string
  /** The percentage of new requests shed. */
  readonly reduction: number
  /** Its `oc-validity` (ms) and `oc-seq`, as the next hop sent them. */
  readonly validity: number
  readonly seq: string
  /** When the answer lapses (ms, `now()`'s clock). */
  readonly until: number
  /** Requests shed for this next hop since it started throttling. */
  readonly refused: number
}

export interface OverloadClientStats {
  /** The next hops throttled now. */
  readonly peers: readonly OverloadPeer[]
  /** Requests shed since start, all next hops. */
  readonly refused: number
}

export interface OverloadClient {
  /** §5.1: the parameters of our Via on a forwarded request (`oc`, `oc-algo="loss"`). */
  readonly viaParams: Params
  /** §5.3: the top Via (ours) of a response from `peer`. */
  observe(peer: Target, via: ViaValue | undefined): void
  /** §5.6, §5.10: whether to send `request` to `peer` now (false: shed it). */
  admit(peer: Target, request: SipRequest): boolean
  readonly stats: OverloadClientStats
}

interface PeerState {
  reduction: number
  validity: number
  seq: string
  seqKey: string
  until: number
  credit: number
  refused: number
}

function peerKey(t: Target): string {
  return `${t.transport}:${t.address}:${t.port}`
}

export function createOverloadClient(
  options: OverloadClientOptions = {},
  deps: OverloadClientDeps = {},
): OverloadClient {
  const now = deps.now ?? Date.now
  const maxPeers = options.maxPeers ?? 10_000
  const maxValidity = options.maxValidityMs ?? 60_000
  const peers = new Map<string, PeerState>()
  let refused = 0

  /** Forgets the answers that lapsed (a next hop no request went to since). */
  function sweep(): void {
    const t = now()
    for (const [key, s] of peers) if (t >= s.until) peers.delete(key)
  }

  function publish(peer: string, s: PeerState | undefined, reason: 'update' | 'end' | 'lapse'): void {
    if (!proxyOverloadPeer.hasSubscribers) return
    proxyOverloadPeer.publish({
      peer,
      reduction: s?.reduction ?? 0,
      validity: s?.validity ?? 0,
      seq: s?.seq,
      reason,
    })
  }

  return {
    viaParams: new Map([
      ['oc', null],
      ['oc-algo', lossAlgo],
    ]),

    observe(peer, via) {
      const v = readOc(via)
      if (v === undefined) return
      const key = peerKey(peer)
      const seqKey = ocSeqKey(v.seq)
      const s = peers.get(key)
      if (s !== undefined && seqKey < s.seqKey) return // §5.3: an older answer
      const end = v.reduction === 0 || v.validity === 0
      const until = now() + Math.min(v.validity, maxValidity)
      if (s === undefined) {
        if (end) return
        if (peers.size >= maxPeers) sweep()
        if (peers.size >= maxPeers) return
        const fresh: PeerState = {
          reduction: v.reduction,
          validity: v.validity,
          seq: v.seq,
          seqKey,
          until,
          credit: 0,
          refused: 0,
        }
        peers.set(key, fresh)
        publish(key, fresh, 'update')
        return
      }
      if (end) {
        peers.delete(key)
        publish(key, undefined, 'end')
        return
      }
      const changed = v.reduction !== s.reduction
      s.reduction = v.reduction
      s.validity = v.validity
      s.seq = v.seq
      s.seqKey = seqKey
      s.until = until
      if (changed) publish(key, s, 'update')
    },

    admit(peer, request) {
      if (peers.size === 0) return true
      const key = peerKey(peer)
      const s = peers.get(key)
      if (s === undefined) return true
      if (now() >= s.until) {
        peers.delete(key)
        publish(key, undefined, 'lapse')
        return true
      }
      if (neverShed(request)) return true
      if (admitEvenly(s, (100 - s.reduction) / 100)) return true
      s.refused++
      refused++
      return false
    },

    get stats() {
      const t = now()
      const list: OverloadPeer[] = []
      for (const [peer, s] of peers) {
        if (t >= s.until) continue
        list.push({
          peer,
          reduction: s.reduction,
          validity: s.validity,
          seq: s.seq,
          until: s.until,
          refused: s.refused,
        })
      }
      return { peers: list, refused }
    },
  }
}
