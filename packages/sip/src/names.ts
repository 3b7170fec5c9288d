/**
 * Header field names: case-insensitive, with the compact forms of RFC 3261 §7.3.3 and of the
 * extensions that define one (RFC 3515 r, RFC 3892 b, RFC 6665 o/u, RFC 3841 a/j/d, RFC 4028 x,
 * RFC 4474 y/n).
 */

/** Canonical spelling of every header Junction knows by name, keyed by its lower-case form. */
const canonical = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'Flow-Timer',
  'From',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Access-Network-Info',
  'P-Asserted-Identity',
  'P-Associated-URI',
  'P-Called-Party-ID',
  'P-Charging-Function-Addresses',
  'P-Charging-Vector',
  'P-Preferred-Identity',
  'P-Visited-Network-ID',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
]

const compact: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
}

const canonicalByKey = new Map<string, string>()
/** Exact spellings seen on the wire (canonical, lower case, compact) → key. */
const keyBySpelling = new Map<string, string>()

for (const name of canonical) {
  const key = name.toLowerCase()
  canonicalByKey.set(key, name)
  keyBySpelling.set(name, key)
  keyBySpelling.set(key, key)
  keyBySpelling.set(name.toUpperCase(), key)
}
for (const [c, key] of Object.entries(compact)) {
  keyBySpelling.set(c, key)
  keyBySpelling.set(c.toUpperCase(), key)
}

const compactByKey = new Map<string, string>(Object.entries(compact).map(([c, key]) => [key, c]))

/** The compact form of a header key (`via` → `v`), if it has one. */
export function compactOf(key: string): string | undefined {
  return compactByKey.get(key)
}

/**
 * The key of a header name: its lower-case full name, compact forms expanded (`v` → `via`,
 * `Call-Id` → `call-id`). Unknown names are lower-cased.
 */
export function headerKey(name: string): string {
  const hit = keyBySpelling.get(name)
  if (hit !== undefined) return hit
  const lower = name.toLowerCase()
  if (lower.length === 1) return compact[lower] ?? lower
  return lower
}

/** The spelling used when Junction writes a header: canonical for known names, else as given. */
export function canonicalName(name: string): string {
  return canonicalByKey.get(headerKey(name)) ?? name
}
