/**
 * Headers that list tokens: option tags (Supported §20.37, Require §20.32, Proxy-Require §20.29,
 * Unsupported §20.40), methods (Allow §20.5) and event types (Allow-Events, RFC 6665 §8.2.2).
 */
import { scan, TOKEN } from '../chars.ts'
import { defineHeader } from '../header.ts'

function parseToken(s: string, start: number, end: number): string | undefined {
  return scan(s, start, end, TOKEN) === end && end > start ? s.slice(start, end) : undefined
}
const format = (v: string): string => v

/** Supported (compact `k`): extensions the sender supports; may be empty (§20.37). */
export const Supported = defineHeader({
  name: 'Supported',
  kind: 'list',
  allowEmpty: true,
  parse: parseToken,
  format,
})

/** Require: extensions the UAS must support (§20.32). */
export const Require = defineHeader({ name: 'Require', kind: 'list', parse: parseToken, format })

/** Proxy-Require: extensions every proxy must support, else 420 (§20.29). */
export const ProxyRequire = defineHeader({ name: 'Proxy-Require', kind: 'list', parse: parseToken, format })

/** Unsupported: the extensions a 420 response refuses (§20.40). */
export const Unsupported = defineHeader({ name: 'Unsupported', kind: 'list', parse: parseToken, format })

/** Allow: methods the sender supports; may be empty (§20.5). */
export const Allow = defineHeader({
  name: 'Allow',
  kind: 'list',
  allowEmpty: true,
  parse: parseToken,
  format,
})

/** Allow-Events (compact `u`): event packages the sender supports (RFC 6665 §8.2.2). */
export const AllowEvents = defineHeader({ name: 'Allow-Events', kind: 'list', parse: parseToken, format })
