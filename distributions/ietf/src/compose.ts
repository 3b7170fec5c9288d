/**
 * The wiring of junction-ietf (the composition root): which services run, in which order, with
 * which dependencies. Started in order, stopped in reverse (DESIGN.md "Lifecycle").
 */
import { BlockList } from 'node:net'
import {
  createDigestAuth,
  createFailureGuard,
  credentialStoreOf,
  digestAuthOptions,
  failureGuardOptions,
  type ReloadResult,
} from '@junction/auth'
import { createAdminServer, type createLogger, createMetrics, type Metrics } from '@junction/ops'
import {
  createFloodGuard,
  createNextHopProber,
  createSipServer,
  type SipServer,
  serverOptions,
} from '@junction/proxy'
import {
  aorOf,
  createMemoryLocationStore,
  createRegistrar,
  memoryStoreOptions,
  type Registrar,
  registrarOptions,
} from '@junction/registrar'
import { exampleUsers, type IetfConfig, parseCidr, usesExampleUsers } from './config.ts'
import { createIetfRoute, staticNextHops } from './route.ts'

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
  /** Undefined when registrar.enabled is false. */
  readonly registrar: Registrar | undefined
  /** The admin server's address, once started (undefined when disabled). */
  adminAddress(): { readonly host: string; readonly port: number } | undefined
}

export function composeIetf(config: IetfConfig, deps: { readonly log: Logger }): Ietf {
  const { log } = deps
  // metrics subscribe to the diagnostics channels before any message flows; the process metrics
  // (and their event-loop timer) only where the admin server serves /metrics
  const metrics = createMetrics({ defaultMetrics: config.admin.enabled })
  let ready = false
  const domains = config.sip.domains

  const store = config.registrar.enabled
    ? createMemoryLocationStore(memoryStoreOptions(config.registrar))
    : undefined
  const registrar =
    store === undefined
      ? undefined
      : createRegistrar(
          // the server's own addresses are served too: UAs configured with an IP as their domain
          { ...registrarOptions(config.registrar, domains), isServed: (uri) => sip.info.isLocal(uri) },
          { store },
        )

  // a users file that no longer validates keeps the users loaded before: say so loudly, else an
  // edit that was meant to revoke somebody fails without anyone noticing
  const onReload = (r: ReloadResult): void => {
    if (r.ok) log.info({ users: r.users, file: config.auth.usersFile }, 'users file reloaded')
    else
      log.error(
        { err: r.error, file: config.auth.usersFile },
        'users file not reloaded: the previous users stay',
      )
  }
  const credentials = config.auth.enabled
    ? credentialStoreOf(config.auth, usesExampleUsers(config.auth) ? exampleUsers : [], { onReload })
    : undefined
  const authOptions = digestAuthOptions(config.auth, domains[0] ?? 'localhost')
  const auth = credentials === undefined ? undefined : createDigestAuth(authOptions, { credentials })
  // auth.realmPerDomain: one realm per served domain, sharing the users and the nonce key
  const realms =
    credentials === undefined || !config.auth.realmPerDomain
      ? undefined
      : new Map(
          domains.map((d) => [
            d.toLowerCase(),
            createDigestAuth({ ...authOptions, realm: d }, { credentials }),
          ]),
        )
  const guardOptions = auth === undefined ? undefined : failureGuardOptions(config.auth)
  const guard = guardOptions === undefined ? undefined : createFailureGuard(guardOptions)

  let trusted: BlockList | undefined
  if (config.routing.trusted.length > 0) {
    trusted = new BlockList()
    for (const t of config.routing.trusted) {
      const c = parseCidr(t)! // validated by the schema
      trusted.addSubnet(c.address, c.prefix, c.address.includes(':') ? 'ipv6' : 'ipv4')
    }
  }

  const f = config.routing.flood
  const flood = f.enabled
    ? createFloodGuard({
        maxRequests: f.maxRequests,
        windowSec: f.windowSec,
        blockSec: f.blockSec,
        maxSources: f.maxSources,
      })
    : undefined

  // routing.probe: OPTIONS to the static routes' next hops (sent by the SIP server made below)
  const hops = staticNextHops(config.routing)
  const nextHops =
    config.routing.probe.enabled && hops.length > 0
      ? createNextHopProber(
          {
            nextHops: hops,
            intervalMs: config.routing.probe.intervalSec * 1000,
            failures: config.routing.probe.failures,
            from: `sip:junction@${domains[0] ?? 'localhost'}`,
          },
          { send: (request) => sip.request(request), log: log.child({ component: 'probe' }) },
        )
      : undefined

  const sip = createSipServer(
    {
      ...serverOptions(config.sip),
      route: createIetfRoute(config.routing, { registrar, auth, realms, guard, trusted, nextHops, flood }),
    },
    {
      log: log.child({ component: 'proxy' }),
      // RFC 5626 §5.2: a connection that closed takes the bindings reachable only over it
      onFlowClosed: (flow) => {
        registrar?.flowFailed(flow.id).catch((error: unknown) => {
          log.warn({ err: error, flow: flow.id }, 'bindings of a closed flow not removed')
        })
      },
    },
  )
  const admin = config.admin.enabled
    ? createAdminServer({
        host: config.admin.host,
        port: config.admin.port,
        maxBodySize: config.admin.maxBodySize,
        token: config.admin.token,
        log,
        metrics,
        ready: () => ready,
        stats: () => ({ sip: sip.stats, transport: sip.transport.stats }),
        rpc: {
          'routes.list': () => config.routing.routes,
          'routes.nextHops': () => nextHops?.list() ?? [],
          'flood.stats': () => flood?.stats ?? { sources: 0, blocked: 0, blocks: 0 },
          'overload.stats': () => {
            const own = sip.overload?.stats ?? { enabled: false }
            // RFC 7339 client role (sip.overload.client): the next hops that ask us to shed
            const client = sip.overloadClient?.stats
            return client === undefined ? own : { ...own, client }
          },
          'registrar.lookup': async (params) => {
            const aor = (params as { aor?: unknown } | undefined)?.aor
            if (registrar === undefined || typeof aor !== 'string') return []
            const canonical = aorOf(aor)
            return canonical === undefined ? [] : registrar.bindings(canonical)
          },
          'registrar.stats': () => ({ aors: store?.aorCount ?? 0, bindings: store?.bindingCount ?? 0 }),
          'auth.stats': () => ({ users: credentials?.size ?? 0, ...guard?.stats }),
          // what an operator reads (the listener objects also hold their sockets and flow caches)
          'sip.listeners': () =>
            sip.transport.listeners.map(({ transport, host, port, advertise }) => ({
              transport,
              host,
              port,
              advertise: { host: advertise.host, port: advertise.port },
            })),
          'sip.domains': () => sip.info.domains,
        },
      })
    : undefined

  // started in this order, stopped in reverse (main.ts): on SIGTERM `/ready` turns 503 first,
  // then SIP drains its live transactions while the stores they may still need stay open, then
  // the stores close, then the admin server, and the metrics last
  const services: Service[] = [{ name: 'metrics', stop: async () => metrics.close() }]
  if (admin !== undefined) services.push(admin)
  services.push(
    {
      name: 'stores',
      stop: async () => {
        registrar?.close()
        store?.close()
        credentials?.close()
      },
    },
    {
      name: 'sip',
      start: () => sip.start(),
      stop: async () => {
        ready = false
        await sip.stop({ drainMs: config.shutdown.graceMs / 2 })
      },
    },
    {
      name: 'probe',
      start: async () => nextHops?.start(),
      stop: async () => nextHops?.stop(),
    },
    {
      name: 'ready',
      start: async () => {
        ready = true
      },
      stop: async () => {
        ready = false
      },
    },
  )
  return { services, sip, metrics, registrar, adminAddress: () => admin?.address() }
}
