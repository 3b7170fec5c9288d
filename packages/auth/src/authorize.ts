/**
 * The policy step a route calls: authenticate the request, or get the 401/407 to answer with
 * (RFC 3261 §22.2 for a UAS or registrar, §22.3 for a proxy).
 */
import { createResponse, type SipRequest, type SipResponse } from '@junction/sip'
import { type DigestAuth, needsAuth, type VerifyFailure } from './digest-auth.ts'

export interface AuthorizeOptions {
  /** Challenge as a proxy: 407 with Proxy-Authenticate, checking Proxy-Authorization. Default false (401). */
  readonly proxy?: boolean | undefined
}

export type AuthorizeResult =
  /** Authenticated; `user` is undefined for ACK and CANCEL, which are never challenged (see `needsAuth`). */
  | { readonly ok: true; readonly user: string | undefined; readonly realm: string }
  | { readonly ok: false; readonly reason: VerifyFailure; readonly response: SipResponse }

/**
 * Authenticates `request`, or builds the response to send: 400 for malformed credentials, else a
 * 401/407 challenge (with `stale=true` when the credentials were right but the nonce had expired or
 * was not ours, RFC 7616 §3.3).
 */
export async function authorize(
  request: SipRequest,
  auth: DigestAuth,
  options: AuthorizeOptions = {},
): Promise<AuthorizeResult> {
  if (!needsAuth(request)) return { ok: true, user: undefined, realm: auth.realm }
  const proxy = options.proxy === true
  const result = await auth.verify(request, { proxy })
  if (result.ok) return result
  if (result.reason === 'malformed') {
    return {
      ok: false,
      reason: result.reason,
      response: createResponse(request, 400, 'Malformed Credentials'),
    }
  }
  const headers = auth.challenge(request, { proxy, stale: result.stale === true })
  return {
    ok: false,
    reason: result.reason,
    response: createResponse(request, proxy ? 407 : 401, undefined, { headers }),
  }
}
