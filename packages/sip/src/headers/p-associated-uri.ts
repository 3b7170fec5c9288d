/**
 * P-Associated-URI, RFC 7315 §4.1: the other public identities (IMPUs) of a registered user.
 *
 *   p-aso-uri-spec = name-addr *( SEMI ai-param )
 */
import { defineHeader } from '../header.ts'
import { formatRoute, parseRoute, type RouteValue } from './route.ts'

export type AssociatedUriValue = RouteValue

/** P-Associated-URI: sent by the registrar (S-CSCF) in the 200 OK to REGISTER (RFC 7315 §4.1). */
export const PAssociatedUri = defineHeader({
  name: 'P-Associated-URI',
  kind: 'list',
  parse: parseRoute,
  format: formatRoute,
})
