/**
 * The Diameter side of junction-hss: a `createDiameterNode` listening on TCP (accepting any peer
 * that completes CER/CEA with Cx in common), the Cx handlers of hss.ts registered on it, and
 * graceful stop (DPR to every peer, RFC 6733 §5.4).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createDiameterNode, type DiameterNode, type DiameterPeer } from '@junction/diameter'
import { registerCxHandlers } from '@junction/diameter-cx'
import type { HssConfig } from './config.ts'
import { createHss, type HssLogger } from './hss.ts'
import type { StateStore } from './state.ts'

/** Peers coming and going are logged at info (one line per connection, not per message). */
export interface HssServerLogger extends HssLogger {
  info(obj: object, msg?: string): void
}

export interface HssServerDeps {
  readonly store: StateStore
  readonly log?: HssServerLogger | undefined
  readonly random?: (() => Uint8Array) | undefined
}

export interface HssServer {
  start(): Promise<void>
  /** DPR to the peers, waits for the DPAs, then the last state write. */
  stop(): Promise<void>
  readonly address: { readonly host: string; readonly port: number } | undefined
  readonly node: DiameterNode
}

/** host:port or [v6]:port */
export function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':')
  const host = s.slice(0, i)
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port: Number(s.slice(i + 1)) }
}

export function createHssServer(config: HssConfig, deps: HssServerDeps): HssServer {
  const hss = createHss(config, deps)
  const node = createDiameterNode(
    {
      originHost: config.hss.originHost,
      originRealm: config.hss.realm,
      listen: parseHostPort(config.hss.listen),
      productName: 'junction-hss',
      vendorId: 0,
      watchdog: { tw: config.hss.watchdogMs },
      disconnectCause: 'REBOOTING',
      // DPA wait, then the wait for the peer's close: 2 s each keeps a stop within the 10 s grace
      // period even with peers that never answer DPR (Kamailio 5.6 cdp does not)
      disconnectTimeout: 2000,
    },
    deps.log === undefined ? {} : { log: deps.log },
  )
  registerCxHandlers(node, hss.handlers)
  const log = deps.log
  const onPeerState = (m: unknown) => {
    const { peer, from, to, error } = m as {
      peer: DiameterPeer
      from: string
      to: string
      error?: { code?: string }
    }
    if (log === undefined || node.peer(peer.host) !== peer) return
    const open = (s: string) => s === 'I-Open' || s === 'R-Open'
    if (open(to) && !open(from)) log.info({ peer: peer.host, realm: peer.realm }, 'Diameter peer open')
    else if (to === 'Closed' && from !== 'Closed')
      log.info({ peer: peer.host, code: error?.code }, 'Diameter peer closed')
  }
  return {
    node,
    async start() {
      subscribe('junction:diameter:peer-state', onPeerState)
      await node.start()
    },
    async stop() {
      await node.stop()
      unsubscribe('junction:diameter:peer-state', onPeerState)
      await deps.store.flush()
    },
    get address() {
      return node.address
    },
  }
}
