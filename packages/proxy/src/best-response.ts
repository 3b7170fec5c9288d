/**
 * Choosing the response to send upstream once every branch has ended without a 2xx (RFC 3261
 * §16.7 steps 6–7).
 */
import {
  createResponse,
  ProxyAuthenticate,
  type SipRequest,
  type SipResponse,
  WwwAuthenticate,
} from '@junction/sip'

/**
 * §16.7 step 6: within 4xx, 401, 407, 415, 420 and 484 are preferred: the UAC can retry with
 * credentials, another body, without the extension, or a complete address.
 */
function within(s: number): number {
  if (s === 401 || s === 407) return 0 // a challenge first, so that step 7 can merge them
  if (s === 415 || s === 420 || s === 484) return 1
  if (s === 408 || s === 503) return 3 // the 408 of a branch that never answered, an unreachable one
  return 2
}

/** §16.7 step 6: a 6xx wins; otherwise the lowest class, and within it the order of {@link within}. */
function rank(r: SipResponse): number {
  const s = r.status
  const cls = s >= 600 ? 0 : Math.floor(s / 100)
  return cls * 10 + within(s)
}

/** §16.7 step 6: the best of the final responses (in arrival order: the first wins ties). */
export function selectBest(responses: readonly SipResponse[]): SipResponse | undefined {
  let best: SipResponse | undefined
  let bestRank = Number.POSITIVE_INFINITY
  for (const r of responses) {
    const k = rank(r)
    if (k < bestRank) {
      best = r
      bestRank = k
    }
  }
  return best
}

/**
 * The response to relay: step 6 turns a 503 into a 500 (a 503 means this proxy is overloaded,
 * which it is not); step 7 adds the challenges of every other 401 and 407 to a 401 or 407, so the
 * UAC can answer them all in one retry.
 */
export function responseToRelay(
  best: SipResponse,
  responses: readonly SipResponse[],
  request: SipRequest,
): SipResponse {
  if (best.status === 503) return createResponse(request, 500)
  if (best.status !== 401 && best.status !== 407) return best
  for (const r of responses) {
    if (r === best || (r.status !== 401 && r.status !== 407)) continue
    for (const text of r.headers.raw(WwwAuthenticate)) best.headers.appendRaw('WWW-Authenticate', text)
    for (const text of r.headers.raw(ProxyAuthenticate)) best.headers.appendRaw('Proxy-Authenticate', text)
  }
  return best
}
