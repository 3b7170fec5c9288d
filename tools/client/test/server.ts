/**
 * An in-process Junction server for the client's tests, composed as a flavor composes one: the
 * proxy (`@junction/proxy`) with a route that authenticates (`@junction/auth`: 401 for REGISTER,
 * 407 for requests from our users), registers (`@junction/registrar`, Outbound on) and routes to
 * the registered contacts with record-routing; OPTIONS to the server itself get 200; requests for
 * `redirect@` get 302 to bob.
 */
import { authorize, createDigestAuth, createMemoryCredentialStore } from '@junction/auth'
import { createSipServer, type ForwardTarget, type Route, type SipServer } from '@junction/proxy'
import { type Target as Binding, createMemoryLocationStore, createRegistrar } from '@junction/registrar'
import { parseUri } from '@junction/sip'
import type { TransportName } from '@junction/transport'

export const DOMAIN = 'junction.test'

export interface TestServer {
  readonly server: SipServer
  /** `sip:127.0.0.1:<port>` of the UDP listener (its TCP listener has the same port when free). */
  readonly uri: string
  port(transport: TransportName): number
  stop(): Promise<void>
}

function bindingTarget(b: Binding): ForwardTarget | undefined {
  const uri = parseUri(b.uri)
  if (uri === undefined) return undefined
  const received = b.received === undefined ? undefined : parseUri(b.received)
  if (received?.kind !== 'sip') return { uri }
  return {
    uri,
    destination: {
      transport: (received.params.get('transport') ?? 'udp') as TransportName,
      address: received.host,
      port: received.port ?? 5060,
      flowId: b.flowId,
    },
  }
}

export async function startServer(
  users: ReadonlyArray<{ user: string; password: string }>,
  options: {
    algorithms?: Array<'MD5' | 'SHA-256' | 'SHA-512-256'>
    /** TLS, WSS: certificate and key files for extra listeners. */
    tls?: { cert: string; key: string }
  } = {},
): Promise<TestServer> {
  const registrar = createRegistrar(
    { domains: [DOMAIN], outbound: true, minExpires: 1 },
    { store: createMemoryLocationStore() },
  )
  const auth = createDigestAuth(
    {
      realm: DOMAIN,
      secret: 'a test secret of 32 octets.....',
      algorithms: options.algorithms ?? ['MD5', 'SHA-256'],
    },
    {
      credentials: createMemoryCredentialStore(
        users.map((u) => ({ user: u.user, secret: { password: u.password } })),
      ),
    },
  )
  const route: Route = {
    async onRequest(ctx) {
      const req = ctx.request
      if (ctx.inDialog) return ctx.forwardInDialog()
      const local = ctx.server.isLocal(req.uri)
      if (req.method === 'OPTIONS' && req.uri.kind === 'sip' && req.uri.user === undefined && local)
        return ctx.reply(200)
      // a redirect server for one user (RFC 3261 §8.1.3.4): to bob
      if (req.uri.kind === 'sip' && req.uri.user === 'redirect' && req.method !== 'ACK')
        return ctx.reply(302, undefined, { headers: { Contact: `<sip:bob@${DOMAIN}>` } })
      const source = {
        address: ctx.flow.remote.address,
        port: ctx.flow.remote.port,
        transport: ctx.flow.transport,
      }
      if (req.method === 'REGISTER') {
        const a = await authorize(req, auth)
        if (!a.ok) return ctx.respond(a.response)
        return ctx.respond(await registrar.register(req, { flowId: ctx.flow.id, source, user: a.user }))
      }
      if (req.method !== 'ACK' && req.method !== 'CANCEL') {
        const a = await authorize(req, auth, { proxy: true })
        if (!a.ok) return ctx.respond(a.response)
      }
      const targets = (await registrar.lookup(req.uri)).map(bindingTarget).filter((t) => t !== undefined)
      if (targets.length === 0) return req.method === 'ACK' ? ctx.drop() : ctx.reply(480)
      return ctx.forward(targets, { recordRoute: req.method === 'INVITE' })
    },
  }
  const tls = options.tls
  const listen = [
    'udp:127.0.0.1:0',
    'tcp:127.0.0.1:0',
    ...(tls === undefined
      ? []
      : [
          'ws:127.0.0.1:0',
          { transport: 'tls' as const, host: '127.0.0.1', port: 0, tls },
          { transport: 'wss' as const, host: '127.0.0.1', port: 0, tls },
        ]),
  ]
  const server = createSipServer({ listen, domains: [DOMAIN], route })
  await server.start()
  const port = (t: TransportName) => server.transport.listeners.find((l) => l.transport === t)!.port
  return {
    server,
    uri: `sip:127.0.0.1:${port('udp')}`,
    port,
    async stop() {
      registrar.close()
      await server.stop()
    },
  }
}
