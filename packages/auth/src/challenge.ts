/**
 * The values of the WWW-Authenticate / Proxy-Authenticate header fields of a challenge (RFC 7616
 * §3.3, RFC 8760 §2.4: one per algorithm). Everything but the nonce is fixed by the config, so each
 * value is formatted once, around a placeholder nonce, and a challenge only puts its nonce in.
 */
import { challengeDirectives, createChallenge, type DigestAlgorithm } from '@junction/digest'
import { WwwAuthenticate } from '@junction/sip'

export interface ChallengeWriterOptions {
  readonly realm: string
  readonly algorithms: readonly DigestAlgorithm[]
  readonly qop: readonly ('auth' | 'auth-int')[]
}

/** The header values of one challenge, in the order of `algorithms`. */
export type ChallengeWriter = (nonce: string, stale: boolean) => string[]

/** Nonces written into a template as they are: they need no quoted-pair (RFC 3261 §25.1). */
const PLAIN_NONCE = /^[A-Za-z0-9_\-+/=.~]+$/
const PLACEHOLDER = 'NONCE'

/** The header value formatted in full, as the template must write it. */
function formatted(
  options: ChallengeWriterOptions,
  algorithm: DigestAlgorithm,
  nonce: string,
  stale: boolean,
): string {
  const c = createChallenge({
    realm: options.realm,
    nonce,
    algorithm,
    qop: options.qop,
    stale: stale ? true : undefined,
  })
  // Proxy-Authenticate formats the same (both are RFC 7616 challenges)
  return WwwAuthenticate.format({ scheme: 'Digest', params: challengeDirectives(c) })
}

/** The value around the nonce `PLACEHOLDER`, or undefined when it cannot be found once exactly. */
function template(
  options: ChallengeWriterOptions,
  algorithm: DigestAlgorithm,
  stale: boolean,
): readonly [before: string, after: string] | undefined {
  const text = formatted(options, algorithm, PLACEHOLDER, stale)
  const marker = `nonce="${PLACEHOLDER}"`
  const at = text.indexOf(marker)
  if (at === -1 || text.lastIndexOf(marker) !== at) return undefined
  return [text.slice(0, at + 7), text.slice(at + marker.length - 1)]
}

export function createChallengeWriter(options: ChallengeWriterOptions): ChallengeWriter {
  const fresh = options.algorithms.map((a) => template(options, a, false))
  const stale = options.algorithms.map((a) => template(options, a, true))
  return (nonce, isStale) => {
    const templates = isStale ? stale : fresh
    const out: string[] = []
    for (let i = 0; i < templates.length; i++) {
      const t = templates[i]
      out.push(
        t !== undefined && PLAIN_NONCE.test(nonce)
          ? t[0] + nonce + t[1]
          : formatted(options, options.algorithms[i]!, nonce, isStale),
      )
    }
    return out
  }
}
