/**
 * Answering challenges (RFC 3261 §22.2, §22.3): the UAC retries a request that got 401 or 407 with
 * credentials for the challenges it can answer. Where the credentials come from is pluggable: a
 * `CredentialsProvider` gets each parsed challenge and returns the credentials, or nothing when it
 * cannot answer it. `createDigestProvider` answers Digest with a password (RFC 7616, RFC 8760);
 * an AKA provider (RFC 3310, e.g. with `@junction/aka`) implements the same interface.
 */
import {
  createCredentials,
  createNonceCounter,
  credentialsDirectives,
  type DigestAlgorithm,
  type DigestChallenge,
  type DigestCredentials,
  type NonceCounter,
  parseChallenge,
} from '@junction/digest'
import {
  Authorization,
  type AuthValue,
  CSeq,
  formatUri,
  generateBranch,
  ProxyAuthenticate,
  ProxyAuthorization,
  type SipRequest,
  type SipResponse,
  Via,
  WwwAuthenticate,
} from '@junction/sip'

/** What a provider is asked to answer. */
export interface ChallengeInput {
  readonly challenge: DigestChallenge
  /** True for a Proxy-Authenticate in a 407 (§22.3). */
  readonly proxy: boolean
  readonly method: string
  /** The digest-uri: the Request-URI (§22.4). */
  readonly uri: string
  readonly body: Uint8Array
  /** nonce-count to use with this nonce. */
  readonly nc: number
}

export interface CredentialsProvider {
  /** Credentials for the challenge, or undefined when this provider cannot answer it. */
  answer(input: ChallengeInput): DigestCredentials | undefined
}

export interface DigestProviderOptions {
  /** The authentication username (often the AOR's user part, §22.4). */
  readonly username: string
  readonly password: string
  /** Answer only challenges of this realm. Default: any realm. */
  readonly realm?: string | undefined
  /**
   * Answer only this algorithm. Default: the first challenge the server offers whose algorithm is
   * MD5, SHA-256 or SHA-512-256 (RFC 8760 §2.4: the server lists them in its order of preference).
   */
  readonly algorithm?: DigestAlgorithm | undefined
}

const passwordAlgorithms: ReadonlySet<string> = new Set([
  'MD5',
  'SHA-256',
  'SHA-512-256',
  'MD5-sess',
  'SHA-256-sess',
  'SHA-512-256-sess',
])

/** A provider that answers Digest challenges with a password (RFC 7616 §3.4, RFC 8760). */
export function createDigestProvider(options: DigestProviderOptions): CredentialsProvider {
  return {
    answer({ challenge, method, uri, body, nc }) {
      const algorithm = challenge.algorithm ?? 'MD5'
      if (!passwordAlgorithms.has(algorithm)) return undefined
      if (options.algorithm !== undefined && algorithm !== options.algorithm) return undefined
      if (options.realm !== undefined && challenge.realm !== options.realm) return undefined
      const r = createCredentials({
        challenge,
        username: options.username,
        password: options.password,
        method,
        uri,
        body,
        nc,
      })
      return r.ok ? r.value : undefined
    },
  }
}

/** The state one UA keeps across retries: nonce-counts (RFC 7616 §3.4), bounded. */
export interface AuthState {
  readonly counter: NonceCounter
}

export function createAuthState(): AuthState {
  return { counter: createNonceCounter({ max: 64 }) }
}

function toAuthValue(credentials: DigestCredentials): AuthValue {
  return { scheme: 'Digest', params: credentialsDirectives(credentials) }
}

/** The nonces of the credentials a request already carries for a kind of challenge. */
function answeredNonces(request: SipRequest, proxy: boolean): Set<string> {
  const values = request.headers.get(proxy ? ProxyAuthorization : Authorization) ?? []
  return new Set(values.map((v) => v.params.get('nonce') ?? ''))
}

/**
 * The request to send after `response` (401 or 407) challenged `request` (§22.2, §22.3): a copy with
 * CSeq + 1, a new branch, and for each realm challenged the credentials of the first challenge the
 * provider can answer, replacing those of a previous attempt. Undefined when nothing can be answered,
 * or when a challenge repeats a nonce already answered without `stale=true` (the credentials were
 * wrong: retrying would loop).
 */
export function retryWithCredentials(
  request: SipRequest,
  response: SipResponse,
  provider: CredentialsProvider,
  state: AuthState,
): SipRequest | undefined {
  const proxy = response.status === 407
  if (!proxy && response.status !== 401) return undefined
  const values = response.headers.get(proxy ? ProxyAuthenticate : WwwAuthenticate) ?? []
  const previous = answeredNonces(request, proxy)
  const byRealm = new Map<string, DigestCredentials>()
  const uri = formatUri(request.uri)
  for (const value of values) {
    if (value.scheme.toLowerCase() !== 'digest') continue
    const parsed = parseChallenge(value.params)
    if (!parsed.ok) continue
    const challenge = parsed.value
    if (byRealm.has(challenge.realm)) continue
    if (previous.has(challenge.nonce) && challenge.stale !== true) continue
    const credentials = provider.answer({
      challenge,
      proxy,
      method: request.method,
      uri,
      body: request.body,
      nc: state.counter.next(challenge.nonce),
    })
    if (credentials !== undefined) byRealm.set(challenge.realm, credentials)
  }
  if (byRealm.size === 0) return undefined
  const retry = request.clone()
  const h = retry.headers
  // keep the credentials for realms not challenged now (another proxy's), replace the others
  const header = proxy ? ProxyAuthorization : Authorization
  const kept = (h.get(header) ?? []).filter((v) => !byRealm.has(v.params.get('realm') ?? ''))
  h.remove(header)
  for (const v of kept) h.append(header, v)
  for (const c of byRealm.values()) h.append(header, toAuthValue(c))
  const cseq = h.get(CSeq)
  if (cseq !== undefined) h.set(CSeq, { seq: cseq.seq + 1, method: cseq.method })
  // §8.1.1.7: a new request, a new branch (the transport fills in sent-by again)
  const top = h.first(Via)
  h.remove(Via)
  h.prepend(Via, {
    transport: top?.transport ?? 'UDP',
    host: top?.host ?? '0.0.0.0',
    branch: generateBranch(),
  })
  return retry
}
