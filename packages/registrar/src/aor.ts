/** Addresses-of-record in canonical form (RFC 3261 §10.3 step 5). */
import { formatUri, parseUri, sipUri, type Uri } from '@junction/sip'

/**
 * The canonical AOR of a SIP or SIPS URI, the index of its bindings: every URI parameter and the
 * headers removed, escapes resolved (RFC 3261 §10.3 step 5), the host in lower case, the scheme
 * written `sip` (a SIPS AOR shares the bindings of its SIP form), and the port dropped. Undefined
 * for other URIs (tel, absolute): they have no bindings here.
 *
 * The port: §10.3 steps 1 and 5 decide whether a request is ours by its *domain* ("the domain
 * identified in the Request-URI", "valid for the domain in the Request-URI"), and an
 * address-of-record is "a SIP or SIPS URI that points to a domain with a location service" (§6);
 * the domain is the host (§19.1.1), a port only names one server of it. So the registrar serves a
 * To whatever its port, and the port is dropped from the index, as Kamailio and OpenSIPS key by
 * user@host. Keeping it (the letter of step 5, which removes only parameters and escapes) while
 * serving any port would let one user make 65,535 AORs (`sip:alice@example.com:1`, `:2`, ...),
 * each with `maxContacts` bindings, and a request for `sip:alice@example.com` would not reach the
 * bindings of `sip:alice@example.com:5060`. (Refusing a To whose port is not one we listen on,
 * with 404 under step 5, would bound the first but keep the second, and the registrar does not
 * know the listening ports.)
 */
export function aorOf(uri: Uri | string): string | undefined {
  const u = typeof uri === 'string' ? parseUri(uri) : uri
  if (u === undefined || u.kind !== 'sip') return undefined
  return formatUri(sipUri({ user: u.user, host: u.host }))
}
