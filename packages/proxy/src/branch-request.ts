/**
 * The request a branch sends (RFC 3261 §16.6 steps 1–8): a copy of the received request with the
 * target as Request-URI, Max-Forwards decremented, pre-loaded Route values, the strict-router
 * rewrite when the next hop does not loose-route, and a new top Via with our branch.
 */
import { MaxForwards, type Params, Route, type SipRequest, type SipUri, type Uri, Via } from '@junction/sip'

/** Max-Forwards a proxy adds when the request has none (§16.6 step 3). */
export const defaultMaxForwards = 70

/** Steps 1–3 and the Route pre-loading of step 6: the branch request before its Via. */
export function createBranchRequest(
  received: SipRequest,
  targetUri: Uri | undefined,
  route: readonly SipUri[] | undefined,
): SipRequest {
  const req = received.clone() // step 1
  if (targetUri !== undefined) req.uri = targetUri // step 2
  const h = req.headers
  const mf = h.get(MaxForwards) // step 3 (a request with 0 was answered 483 in §16.3)
  h.set(MaxForwards, mf === undefined ? defaultMaxForwards : Math.max(0, mf - 1))
  if (route !== undefined) for (let i = route.length - 1; i >= 0; i--) h.prepend(Route, { uri: route[i]! })
  return req
}

/**
 * Steps 6–7: the URI to resolve for the next hop. The top Route when it loose-routes (`lr`);
 * for a strict router (§16.6 step 6) the Request-URI goes to the end of the Route header and the
 * top Route becomes the Request-URI; without Route, the Request-URI.
 */
export function nextHopUri(req: SipRequest): Uri {
  const h = req.headers
  const top = h.first(Route)
  if (top === undefined) return req.uri
  if (top.uri.kind === 'sip' && top.uri.params.has('lr')) return top.uri
  h.shift(Route)
  h.append(Route, { uri: req.uri })
  req.uri = top.uri
  return top.uri
}

/**
 * Step 8: our Via on top, with `branch` (and `params`: RFC 7339's `oc` when we take part in
 * overload control); the transport fills in the transport and sent-by (§18.1.1).
 */
export function addVia(req: SipRequest, branch: string, params?: Params): void {
  req.headers.prepend(
    Via,
    params === undefined
      ? { transport: 'UDP', host: '0.0.0.0', branch }
      : { transport: 'UDP', host: '0.0.0.0', branch, params },
  )
}
