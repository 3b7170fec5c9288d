/**
 * Requests the server sends on its own behalf, as a UAC (RFC 3261 §8.1): an OPTIONS probe of a next
 * hop, say. One client transaction per RFC 3263 destination, the next one tried when a destination
 * times out, fails in the transport or answers 503 (RFC 3263 §4.3); the answer is the final
 * response, or one made here as §8.1.3.1 says a UAC treats those failures: 408 for Timer B or F,
 * 503 for a transport error or no destination at all.
 */
import { createResponse, generateBranch, type SipRequest, type SipResponse } from '@junction/sip'
import type { Target } from '@junction/transport'
import { addVia, nextHopUri } from './branch-request.ts'
import type { Core } from './core.ts'
import { isThenable } from './thenable.ts'

/**
 * Sends `request` (made with `createRequest`: Max-Forwards, From tag, Call-ID and CSeq set; no Via,
 * the transport fills in ours) to its top Route or Request-URI. Never rejects.
 */
export function originate(core: Core, request: SipRequest): Promise<SipResponse> {
  return new Promise((resolve) => {
    const local = (status: number): void => resolve(createResponse(request, status))
    const tryFrom = (targets: readonly Target[], i: number): void => {
      const target = targets[i]
      if (target === undefined) {
        local(503) // no destination at all
        return
      }
      const last = i === targets.length - 1
      const req = last ? request : request.clone()
      addVia(req, generateBranch())
      let timedOut = false
      let moved = false
      const next = (): void => {
        if (moved) return // a timeout after a transport error, say: one move per destination
        moved = true
        if (last) local(timedOut ? 408 : 503)
        else tryFrom(targets, i + 1)
      }
      try {
        core.layer.request(req, target, {
          onResponse(response) {
            if (response.status < 200) return
            if (response.status === 503 && !last) next()
            else resolve(response)
          },
          onTimeout() {
            timedOut = true
            next()
          },
          onTransportError: next,
        })
      } catch {
        next() // the layer refused it (stopped, overloaded): as a transport error
      }
    }
    const start = (targets: readonly Target[]): void => tryFrom(targets, 0)
    try {
      const hop = nextHopUri(request)
      const targets = core.destinations(hop)
      if (!isThenable(targets)) start(targets)
      else targets.then(start, () => start([]))
    } catch {
      local(503)
    }
  })
}
