import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { challengeDirectives, createChallenge, parseCredentials, verifyCredentials } from '@junction/digest'
import {
  Authorization,
  CallId,
  CSeq,
  formatUri,
  ProxyAuthorization,
  Via,
  WwwAuthenticate,
} from '@junction/sip'
import { setup } from '../test/harness.ts'
import { createDigestProvider } from './credentials.ts'

function header(c: ReturnType<typeof createChallenge>): string {
  return WwwAuthenticate.format({ scheme: 'Digest', params: challengeDirectives(c) })
}

describe('authentication retry (RFC 3261 §22.2, §22.3)', () => {
  test('401: the retry has CSeq + 1, the same Call-ID, a new branch, and credentials the server verifies', async () => {
    const h = setup({ credentials: createDigestProvider({ username: 'alice', password: 'secret' }) })
    await h.ua.start()
    const pending = h.ua.request('OPTIONS', 'sip:bob@192.0.2.20')
    const first = await h.sent('OPTIONS')
    const challenge = createChallenge({ realm: '192.0.2.1', algorithm: 'SHA-256' })
    h.answer(first, 401, { extra: { 'WWW-Authenticate': header(challenge) } })
    const second = await h.sent('OPTIONS')
    assert.notEqual(second, first)
    assert.equal(second.headers.get(CallId), first.headers.get(CallId))
    assert.equal(second.headers.get(CSeq)?.seq, 2)
    assert.notEqual(second.headers.first(Via)?.branch, first.headers.first(Via)?.branch)
    const auth = second.headers.get(Authorization)?.[0]
    assert.ok(auth !== undefined)
    const creds = parseCredentials(auth.params)
    assert.ok(creds.ok)
    assert.equal(creds.value.algorithm, 'SHA-256')
    assert.equal(creds.value.uri, formatUri(second.uri))
    assert.ok(verifyCredentials(creds.value, { method: 'OPTIONS', password: 'secret' }))
    assert.ok(!verifyCredentials(creds.value, { method: 'OPTIONS', password: 'wrong' }))
    h.answer(second, 200)
    assert.equal((await pending).response.status, 200)
    await h.ua.stop()
  })

  test('the first challenge the provider can answer wins; a chosen algorithm picks its own', async () => {
    for (const [algorithm, expected] of [
      [undefined, 'SHA-512-256'],
      ['MD5', 'MD5'],
    ] as const) {
      const h = setup({ credentials: createDigestProvider({ username: 'alice', password: 's', algorithm }) })
      await h.ua.start()
      const a = createChallenge({ realm: 'r', algorithm: 'SHA-512-256' })
      const b = createChallenge({ realm: 'r', algorithm: 'MD5' })
      const pending = h.ua.request('OPTIONS', 'sip:bob@192.0.2.20')
      const first2 = await h.sent('OPTIONS')
      // two WWW-Authenticate fields, SHA-512-256 first (RFC 8760 §2.4)
      const text = [
        'SIP/2.0 401 Unauthorized',
        ...first2.headers.raw('Via').map((v) => `Via: ${v}`),
        `From: ${first2.headers.raw('From')[0]}`,
        `To: ${first2.headers.raw('To')[0]};tag=x`,
        `Call-ID: ${first2.headers.raw('Call-ID')[0]}`,
        `CSeq: ${first2.headers.raw('CSeq')[0]}`,
        `WWW-Authenticate: ${header(a)}`,
        `WWW-Authenticate: ${header(b)}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
      h.inject(text)
      const retry = await h.sent('OPTIONS')
      const creds = parseCredentials(retry.headers.get(Authorization)![0]!.params)
      assert.ok(creds.ok)
      assert.equal(creds.value.algorithm, expected)
      h.answer(retry, 200)
      assert.equal((await pending).response.status, 200)
      await h.ua.stop()
    }
  })

  test('407 is answered with Proxy-Authorization; a repeated nonce without stale ends the retries', async () => {
    const h = setup({ credentials: createDigestProvider({ username: 'alice', password: 'bad' }) })
    await h.ua.start()
    const pending = h.ua.message('sip:bob@192.0.2.20', 'hi')
    const first = await h.sent('MESSAGE')
    const challenge = header(createChallenge({ realm: 'proxy' }))
    h.answer(first, 407, { extra: { 'Proxy-Authenticate': challenge } })
    const second = await h.sent('MESSAGE')
    assert.equal(second.headers.get(ProxyAuthorization)?.length, 1)
    assert.equal(second.headers.get(Authorization)?.length, 0)
    h.answer(second, 407, { extra: { 'Proxy-Authenticate': challenge } })
    const outcome = await pending
    assert.equal(outcome.response.status, 407)
    assert.equal(h.all('MESSAGE').length, 2, 'no third attempt with the same nonce')
    await h.ua.stop()
  })

  test('without a provider the 401 is the outcome', async () => {
    const h = setup()
    await h.ua.start()
    const pending = h.ua.request('OPTIONS', 'sip:bob@192.0.2.20')
    const first = await h.sent('OPTIONS')
    h.answer(first, 401, { extra: { 'WWW-Authenticate': header(createChallenge({ realm: 'r' })) } })
    assert.equal((await pending).response.status, 401)
    await h.ua.stop()
  })
})
