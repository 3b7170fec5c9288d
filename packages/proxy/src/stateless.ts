/**
 * Stateless forwarding (RFC 3261 §16.11): no transaction, one target, a branch that is the same for
 * every retransmission; and the stateless relaying of responses no transaction matched (§16.7
 * step 1 "if none is found, forward statelessly", §18.2.2).
 */
import { type SipRequest, type SipResponse, Via } from '@junction/sip'
import type { Flow, Target } from '@junction/transport'
import { statelessBranch } from './branch.ts'
import { addVia, createBranchRequest, nextHopUri } from './branch-request.ts'
import type { Core } from './core.ts'
import { recordRouteBranch } from './record-route.ts'
import { isThenable } from './thenable.ts'
import type { ForwardOptions, ForwardTarget } from './verdict.ts'

/**
 * Forwards `request` (as received, after §16.4) to `target` (undefined: its Request-URI or top
 * Route) without keeping state. Resolves false when there is nowhere to send it.
 */
export function forwardStateless(
  core: Core,
  request: SipRequest,
  target: ForwardTarget | undefined,
  options: ForwardOptions,
  flow: Flow,
): Promise<boolean> {
  const upstream = request.headers.first(Via)
  const branch = statelessBranch(request, upstream)
  const req = createBranchRequest(request, target?.uri, target?.route)
  const hop = nextHopUri(req)
  const send = (dest: Target | undefined): Promise<boolean> => {
    if (dest === undefined) {
      core.stats.dropped++
      return Promise.resolve(false)
    }
    recordRouteBranch(
      core.transport,
      request,
      flow,
      req,
      dest,
      options.recordRoute === true && request.method !== 'ACK',
      options.recordRouteUser,
      target?.recordRouteUser,
    )
    addVia(req, branch)
    core.stats.stateless++
    // the datagram leaves within this call (the transport writes before its first await), so
    // requests forwarded one after the other leave in that order
    return core.transport.sendRequest(req, dest).then(() => true)
  }
  if (target?.destination !== undefined) return send(target.destination)
  const list = core.destinations(target?.nextHop ?? hop)
  return isThenable(list) ? Promise.resolve(list).then((l) => send(l[0])) : send(list[0])
}

/**
 * A response no client transaction matched (a 2xx retransmission after the transaction ended, or
 * the answer to a statelessly forwarded request): our Via off, then by the next Via (§18.2.2).
 * A response with no Via left was for us and is dropped.
 */
export async function forwardResponseStateless(core: Core, response: SipResponse): Promise<boolean> {
  core.stats.strayResponses++
  const top = response.headers.first(Via)
  if (top === undefined || !core.locality.isOurSentBy(top)) return false
  response.headers.shift(Via)
  if (response.headers.first(Via) === undefined) return false
  await core.transport.forwardResponse(response)
  return true
}
