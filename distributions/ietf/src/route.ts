/**
 * The policy of junction-ietf, top to bottom like a Kamailio request_route:
 *
 * 1. in-dialog requests follow their route set (RFC 3261 §16.12) when it names us, else 404;
 * 2. OPTIONS to the server itself are answered 200 (keep-alives, monitoring);
 * 3. a static route that matches sends the request to its next hop;
 * 4. other requests for our domains have nowhere to go (no location service): 404;
 * 5. requests for other domains are relayed by DNS only when `relay.dns` is on — never an open
 *    relay by default: 403.
 */
import type { ForwardOptions, Route } from '@junction/proxy'
import { parseUri, type SipUri, type Uri } from '@junction/sip'
import type { RoutingConfig } from './config.ts'

/** Methods that create a dialog: Record-Route makes us stay in it (§16.6 step 4). */
const dialogCreating: ReadonlySet<string> = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

interface CompiledRoute {
  readonly domain: string | undefined
  readonly user: RegExp | undefined
  /** Next hops, tried one after another (serial forking, §16.6) when one fails. */
  readonly to: readonly SipUri[]
}

function compile(routing: RoutingConfig): readonly CompiledRoute[] {
  return routing.routes.map((r) => ({
    domain: r.domain === '*' ? undefined : r.domain.toLowerCase(),
    user: r.user === undefined ? undefined : new RegExp(r.user),
    to: (Array.isArray(r.to) ? r.to : [r.to]).map((t) => parseUri(t) as SipUri), // validated by the schema
  }))
}

function matches(route: CompiledRoute, uri: Uri): boolean {
  if (uri.kind !== 'sip') return route.domain === undefined && route.user === undefined
  if (route.domain !== undefined && uri.host !== route.domain) return false
  return route.user === undefined || route.user.test(uri.user ?? '')
}

export function createIetfRoute(routing: RoutingConfig): Route {
  const routes = compile(routing)
  const stateless = routing.stateless
  return {
    onRequest(ctx) {
      const req = ctx.request
      const uri = req.uri
      const options: ForwardOptions = {
        recordRoute: routing.recordRoute && dialogCreating.has(req.method),
        stateless,
      }

      if (ctx.inDialog) {
        // only along a route set we recorded: a To tag alone proves nothing (no open relay)
        if (ctx.looseRouted) return ctx.forwardInDialog({ stateless })
        return req.method === 'ACK' ? ctx.drop() : ctx.reply(404, 'Not Here')
      }

      if (
        req.method === 'OPTIONS' &&
        uri.kind === 'sip' &&
        uri.user === undefined &&
        ctx.server.isLocal(uri)
      ) {
        return ctx.reply(200, undefined, {
          headers: {
            Allow:
              'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, REFER, INFO, UPDATE, PRACK',
            Accept: 'application/sdp',
          },
        })
      }

      for (const route of routes) {
        if (!matches(route, uri)) continue
        const targets = route.to.map((nextHop) => ({ uri, nextHop }))
        return ctx.forward(targets, { ...options, serial: true })
      }

      if (ctx.server.isLocal(uri)) return ctx.reply(404, 'Not Found')
      if (routing.relay.dns) return ctx.forward(undefined, options)
      return ctx.reply(403, 'Relaying Denied')
    },
  }
}
