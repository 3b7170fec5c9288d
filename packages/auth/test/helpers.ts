/** Requests with credentials, as a SIP client would answer a challenge. */
import { Buffer } from 'node:buffer'
import {
  createCredentials,
  credentialsDirectives,
  type DigestCredentials,
  parseChallenge,
} from '@junction/digest'
import {
  Authorization,
  ProxyAuthorization,
  parseMessage,
  type SipRequest,
  WwwAuthenticate,
} from '@junction/sip'

export function sipRequest(method: string, extra: readonly string[] = [], body = ''): SipRequest {
  const text = [
    `${method} sip:example.com SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1',
    'Max-Forwards: 70',
    'To: <sip:alice@example.com>',
    'From: <sip:alice@example.com>;tag=1',
    'Call-ID: auth-test@192.0.2.1',
    `CSeq: 2 ${method}`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
  const r = parseMessage(Buffer.from(text, 'utf8'))
  if (!r.ok || r.message.kind !== 'request')
    throw new Error(`bad test request: ${r.ok ? 'response' : r.error.reason}`)
  return r.message
}

export function authorizationLine(credentials: DigestCredentials, proxy = false): string {
  const h = proxy ? ProxyAuthorization : Authorization
  return `${h.name}: ${h.format({ scheme: 'Digest', params: credentialsDirectives(credentials) })}`
}

/** The credentials a client would send for the challenge header value `challenge`. */
export function answer(
  challenge: string,
  o: {
    username: string
    password: string
    method?: string
    nc?: number
    body?: string
    qop?: 'auth' | 'auth-int'
  },
): DigestCredentials {
  const parsed = WwwAuthenticate.parse(challenge, 0, challenge.length)
  if (parsed === undefined) throw new Error('challenge does not parse')
  const c = parseChallenge(parsed.params)
  if (!c.ok) throw new Error(c.error.reason)
  const r = createCredentials({
    challenge: c.value,
    username: o.username,
    password: o.password,
    method: o.method ?? 'REGISTER',
    uri: 'sip:example.com',
    nc: o.nc ?? 1,
    body: o.body,
    qop: o.qop,
  })
  if (!r.ok) throw new Error(r.error.reason)
  return r.value
}
