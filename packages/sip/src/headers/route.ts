/**
 * Route, Record-Route (RFC 3261 §20.30, §20.34), Path (RFC 3327) and Service-Route (RFC 3608):
 *
 *   name-addr *( SEMI rr-param )     (the angle brackets are mandatory)
 */
import { defineHeader } from '../header.ts'
import { formatNameAddr, type NameAddr, nameAddr, readNameAddr } from '../name-addr.ts'
import { formatParams, type Params, readParams } from '../params.ts'

export interface RouteValue extends NameAddr {
  readonly params?: Params | undefined
}

export function parseRoute(s: string, start: number, end: number): RouteValue | undefined {
  if (!readNameAddr(s, start, end, false)) return undefined
  const { displayName, uri } = nameAddr
  const rest = readParams(s, nameAddr.end, end)
  return rest === undefined ? undefined : { displayName, uri, params: rest }
}

export function formatRoute(v: RouteValue): string {
  return formatNameAddr(v) + formatParams(v.params)
}

/** Route: the path a request must take, topmost next (§20.34, loose routing §16.12). */
export const Route = defineHeader({ name: 'Route', kind: 'list', parse: parseRoute, format: formatRoute })

/** Record-Route: proxies that stay in the dialog's path (§20.30). */
export const RecordRoute = defineHeader({
  name: 'Record-Route',
  kind: 'list',
  parse: parseRoute,
  format: formatRoute,
})

/** Path: proxies between a registering UA and the registrar (RFC 3327). */
export const Path = defineHeader({ name: 'Path', kind: 'list', parse: parseRoute, format: formatRoute })

/** Service-Route: the route set a registrar hands back for requests from the UA (RFC 3608). */
export const ServiceRoute = defineHeader({
  name: 'Service-Route',
  kind: 'list',
  parse: parseRoute,
  format: formatRoute,
})
