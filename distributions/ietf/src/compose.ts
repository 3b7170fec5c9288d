/**
 * The wiring of junction-ietf (the composition root): which services run, in which order, with
 * which dependencies. Started in order, stopped in reverse (DESIGN.md "Lifecycle").
 */
import { createAdminServer, type createLogger, createMetrics, type Metrics } from '@junction/ops'
import { createSipServer, type SipServer, serverOptions } from '@junction/proxy'
import type { IetfConfig } from './config.ts'
import { createIetfRoute } from './route.ts'

type Logger = ReturnType<typeof createLogger>

export interface Service {
  readonly name: string
  start?(): Promise<void>
  stop?(): Promise<void>
}

export interface Ietf {
  /** In start order. */
  readonly services: readonly Service[]
  readonly sip: SipServer
  readonly metrics: Metrics
  /** The admin server's address, once started (undefined when disabled). */
  adminAddress(): { readonly host: string; readonly port: number } | undefined
}

export function composeIetf(config: IetfConfig, deps: { readonly log: Logger }): Ietf {
  const { log } = deps
  // metrics subscribe to the diagnostics channels before any message flows
  const metrics = createMetrics()
  let ready = false
  const sip = createSipServer(
    { ...serverOptions(config.sip), route: createIetfRoute(config.routing) },
    { log: log.child({ component: 'proxy' }) },
  )
  const admin = config.admin.enabled
    ? createAdminServer({
        host: config.admin.host,
        port: config.admin.port,
        maxBodySize: config.admin.maxBodySize,
        log,
        metrics,
        ready: () => ready,
        stats: () => ({ sip: sip.stats, transport: sip.transport.stats }),
        rpc: {
          'routes.list': () => config.routing.routes,
          'sip.listeners': () => sip.transport.listeners,
          'sip.domains': () => sip.info.domains,
        },
      })
    : undefined

  const services: Service[] = []
  if (admin !== undefined) services.push(admin)
  services.push(
    {
      name: 'sip',
      start: () => sip.start(),
      stop: async () => {
        ready = false
        await sip.stop({ drainMs: config.shutdown.graceMs / 2 })
      },
    },
    {
      name: 'ready',
      start: async () => {
        ready = true
      },
      stop: async () => {
        metrics.close()
      },
    },
  )
  return { services, sip, metrics, adminAddress: () => admin?.address() }
}
