/**
 * Request validation (RFC 3261 §16.3) and Route information preprocessing (§16.4): what a proxy
 * does to every request before its route sees it.
 */
import {
  MaxForwards,
  Route,
  type SipRequest,
  type SipUri,
  type Uri,
  Via,
  validateRequest,
} from '@junction/sip'
import { checkLoop } from './branch.ts'
import type { Core } from './core.ts'

/** No Route value removed (one shared empty list). */
const none: readonly SipUri[] = Object.freeze([])

export type Preprocessed =
  | {
      readonly ok: true
      readonly receivedUri: Uri
      /**
       * The Route values of ours that §16.4 removed (the request follows a route set we recorded),
       * in the order they were removed: our Record-Route URI a strict router put in the
       * Request-URI, or the topmost Route values (two after double Record-Routing).
       */
      readonly poppedRoutes: readonly SipUri[]
    }
  | {
      readonly ok: false
      readonly status: number
      readonly reason: string
      readonly headers?: Readonly<Record<string, string>> | undefined
    }

/**
 * §16.3: syntax, URI scheme and Proxy-Require (400, 416, 420 with Unsupported, 505), Max-Forwards
 * (483), loop detection (482). Then §16.4: a Request-URI that is a Record-Route value of ours
 * (the previous hop is a strict router) is replaced by the last Route value, and Route values
 * naming us are removed (two of them after double Record-Routing).
 */
export function preprocess(core: Core, request: SipRequest): Preprocessed {
  const check = validateRequest(request, { role: 'proxy', supported: core.settings.supported })
  if (!check.ok) {
    return {
      ok: false,
      status: check.status,
      reason: check.reason,
      headers: check.unsupported === undefined ? undefined : { Unsupported: check.unsupported.join(', ') },
    }
  }
  const h = request.headers
  // step 3: Max-Forwards 0 ends here (validateRequest rejected an invalid value)
  if (h.get(MaxForwards) === 0) return { ok: false, status: 483, reason: 'Too Many Hops' }

  // step 4: a Via of ours means a loop or a spiral
  const vias = h.get(Via) ?? []
  const { locality } = core
  if (vias.length > 1 || (vias[0] !== undefined && locality.isOurSentBy(vias[0]))) {
    if (checkLoop(request, vias, (v) => locality.isOurSentBy(v)) === 'loop') {
      return { ok: false, status: 482, reason: 'Loop Detected' }
    }
  }

  const receivedUri = request.uri
  let popped: SipUri[] | undefined
  // §16.4: the previous hop strict-routed to our Record-Route URI: the real target is the last Route
  const ruri = request.uri
  if (ruri.kind === 'sip' && ruri.params.has('lr') && locality.isOurUri(ruri) && h.has(Route)) {
    const routes = h.get(Route) ?? []
    const last = routes.at(-1)
    if (last !== undefined) {
      request.uri = last.uri
      popped = [ruri]
      if (routes.length === 1) h.remove(Route)
      else h.set(Route, routes.slice(0, -1))
    }
  }
  // §16.4: our own Route values come off (loose routing, §16.12)
  for (let top = h.first(Route); top !== undefined && locality.isOurUri(top.uri); top = h.first(Route)) {
    h.shift(Route)
    const uri = top.uri as SipUri // isOurUri holds for SIP URIs only
    if (popped === undefined) popped = [uri]
    else popped.push(uri)
  }
  return { ok: true, receivedUri, poppedRoutes: popped ?? none }
}
