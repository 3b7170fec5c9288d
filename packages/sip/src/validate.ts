/**
 * The checks that decide whether a request can be processed at all, before any routing
 * (RFC 3261 §8.2.1–§8.2.2 for a UAS, §16.3 for a proxy), and whether a response is well-formed
 * enough to be matched to a transaction (§17.1.3, §18.1.2).
 */
import type { SingleHeader } from './header.ts'
import { CallId } from './headers/call-id.ts'
import { CSeq } from './headers/cseq.ts'
import { From, To } from './headers/from-to.ts'
import { MaxForwards } from './headers/numbers.ts'
import { ProxyRequire, Require } from './headers/option-tags.ts'
import { Route } from './headers/route.ts'
import { Via } from './headers/via.ts'
import type { SipRequest, SipResponse } from './message.ts'

export type RequestCheck =
  | { readonly ok: true }
  | {
      readonly ok: false
      /** The status to answer with: 400, 416, 420 or 505. */
      readonly status: number
      readonly reason: string
      /** For 420: the option tags to list in Unsupported (§8.2.2.3). */
      readonly unsupported?: readonly string[]
    }

export interface ValidateOptions {
  /**
   * `proxy` checks Proxy-Require (§16.3 step 5), `uas` checks Require (§8.2.2.3, never for ACK
   * and CANCEL). Default `proxy`.
   */
  readonly role?: 'proxy' | 'uas'
  /** Option tags this element supports. Default: none. */
  readonly supported?: readonly string[]
  /** URI schemes accepted in the Request-URI, else 416 (§8.2.2.1). Default: sip, sips, tel. */
  readonly uriSchemes?: readonly string[]
}

const defaultSchemes = ['sip', 'sips', 'tel']

/** The headers every request carries once (§8.1.1), with the name used in the reason phrase. */
const single: ReadonlyArray<readonly [SingleHeader<unknown>, string]> = [
  [From, 'From'],
  [To, 'To'],
  [CallId, 'Call-ID'],
  [CSeq, 'CSeq'],
]

/** SIP/2.0, "SIP" in any case (§7.1); as sent, without a new string. */
function isSip20(version: string): boolean {
  return version === 'SIP/2.0' || version.toUpperCase() === 'SIP/2.0'
}

function bad(status: number, reason: string, unsupported?: readonly string[]): RequestCheck {
  return unsupported === undefined
    ? { ok: false, status, reason }
    : { ok: false, status, reason, unsupported }
}

/**
 * Decides 400 / 416 / 420 / 505 for a parsed request (413/414/513 come from the parser). A request
 * that passes has a valid Via list, From, To, Call-ID, CSeq (matching the method), Max-Forwards
 * when present (§16.6 step 3 adds it when absent, RFC 4475 §3.4.1) and Route list.
 */
export function validateRequest(req: SipRequest, options: ValidateOptions = {}): RequestCheck {
  const h = req.headers
  // §8.2 / §16.3 step 1: version first — anything else may be another protocol's syntax
  if (!isSip20(req.version)) return bad(505, 'Version Not Supported')

  const vias = h.get(Via)
  if (vias === undefined) return bad(400, 'Invalid Via')
  if (vias.length === 0) return bad(400, 'Missing Via')
  for (const [header, label] of single) {
    if (!h.has(header)) return bad(400, `Missing ${label}`)
    if (h.get(header) === undefined) return bad(400, `Invalid ${label}`)
  }
  if (h.get(CSeq)!.method !== req.method) return bad(400, 'CSeq method does not match the request method')
  if (h.has(MaxForwards) && h.get(MaxForwards) === undefined) return bad(400, 'Invalid Max-Forwards')
  if (h.has(Route) && h.get(Route) === undefined) return bad(400, 'Invalid Route')

  // §19.1.1 table: a Request-URI carries no headers component
  const uri = req.uri
  if (uri.kind === 'sip' && uri.headers.length > 0) return bad(400, 'Request-URI holds headers')
  if (!(options.uriSchemes ?? defaultSchemes).includes(uri.scheme)) return bad(416, 'Unsupported URI Scheme')

  const role = options.role ?? 'proxy'
  if (role === 'uas' && (req.method === 'ACK' || req.method === 'CANCEL')) return { ok: true }
  const required = h.get(role === 'proxy' ? ProxyRequire : Require)
  if (required === undefined) return bad(400, `Invalid ${role === 'proxy' ? 'Proxy-Require' : 'Require'}`)
  const supported = options.supported ?? []
  const unsupported = required.filter((tag) => !supported.includes(tag))
  if (unsupported.length > 0) return bad(420, 'Bad Extension', unsupported)
  return { ok: true }
}

export type ResponseCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/**
 * Whether a response can be processed: SIP/2.0, a valid top Via and valid From, To, Call-ID and
 * CSeq. A response that fails is discarded (§18.1.2; RFC 4475 §3.1.2.5, §3.1.2.19).
 */
export function validateResponse(res: SipResponse): ResponseCheck {
  const h = res.headers
  if (!isSip20(res.version)) return { ok: false, reason: 'Version Not Supported' }
  if (h.first(Via) === undefined) return { ok: false, reason: 'missing or invalid top Via' }
  if (h.get(From) === undefined) return { ok: false, reason: 'missing or invalid From' }
  if (h.get(To) === undefined) return { ok: false, reason: 'missing or invalid To' }
  if (h.get(CallId) === undefined) return { ok: false, reason: 'missing or invalid Call-ID' }
  if (h.get(CSeq) === undefined) return { ok: false, reason: 'missing or invalid CSeq' }
  return { ok: true }
}
