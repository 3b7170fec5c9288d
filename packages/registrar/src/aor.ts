/** Addresses-of-record in canonical form (RFC 3261 §10.3 step 5). */
import { formatUri, parseUri, sipUri, type Uri } from '@junction/sip'

/**
 * The canonical AOR of a SIP or SIPS URI, the index of its bindings: every URI parameter and the
 * headers removed, escapes resolved (RFC 3261 §10.3 step 5), the host in lower case, and the scheme
 * written `sip` (a SIPS AOR shares the bindings of its SIP form). Undefined for other URIs (tel,
 * absolute): they have no bindings here.
 */
export function aorOf(uri: Uri | string): string | undefined {
  const u = typeof uri === 'string' ? parseUri(uri) : uri
  if (u === undefined || u.kind !== 'sip') return undefined
  return formatUri(sipUri({ user: u.user, host: u.host, port: u.port }))
}
