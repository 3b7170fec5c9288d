import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { challengeDirectives, createChallenge, type DigestAlgorithm } from '@junction/digest'
import { WwwAuthenticate } from '@junction/sip'
import fc from 'fast-check'
import { createChallengeWriter } from './challenge.ts'

/** What the writer must produce: the challenge formatted in full (RFC 7616 §3.3). */
function reference(
  realm: string,
  algorithm: DigestAlgorithm,
  qop: readonly ('auth' | 'auth-int')[],
  nonce: string,
  stale: boolean,
): string {
  const c = createChallenge({ realm, nonce, algorithm, qop, stale: stale ? true : undefined })
  return WwwAuthenticate.format({ scheme: 'Digest', params: challengeDirectives(c) })
}

describe('createChallengeWriter', () => {
  test('one value per algorithm, in order, with the nonce quoted', () => {
    const write = createChallengeWriter({
      realm: 'example.com',
      algorithms: ['MD5', 'SHA-256'],
      qop: ['auth'],
    })
    assert.deepEqual(write('abc-_09', false), [
      'Digest realm="example.com", nonce="abc-_09", algorithm=MD5, qop="auth"',
      'Digest realm="example.com", nonce="abc-_09", algorithm=SHA-256, qop="auth"',
    ])
    assert.deepEqual(write('xyz', true), [
      'Digest realm="example.com", nonce="xyz", algorithm=MD5, qop="auth", stale=true',
      'Digest realm="example.com", nonce="xyz", algorithm=SHA-256, qop="auth", stale=true',
    ])
  })

  test('writes what formatting the whole challenge writes, for any realm, qop and nonce', () => {
    const algorithms: DigestAlgorithm[] = ['MD5', 'SHA-256', 'SHA-512-256']
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((r) => !r.includes('"')),
        fc.subarray(algorithms, { minLength: 1 }),
        fc.constantFrom<('auth' | 'auth-int')[]>(['auth'], ['auth-int'], ['auth', 'auth-int']),
        fc.oneof(
          fc.base64String({ minLength: 1 }),
          fc.string({ minLength: 1 }).filter((n) => !n.includes('"')),
        ),
        fc.boolean(),
        (realm, algs, qop, nonce, stale) => {
          const write = createChallengeWriter({ realm, algorithms: algs, qop })
          assert.deepEqual(
            write(nonce, stale),
            algs.map((a) => reference(realm, a, qop, nonce, stale)),
          )
        },
      ),
    )
  })

  test('a realm that holds the placeholder text still gets the nonce in the right place', () => {
    const realm = 'nonce=NONCE, nonce="NONCE'.replaceAll('"', '')
    const write = createChallengeWriter({ realm, algorithms: ['MD5'], qop: ['auth'] })
    assert.deepEqual(write('n1', false), [reference(realm, 'MD5', ['auth'], 'n1', false)])
  })

  test('a nonce with a double quote is refused, as createChallenge refuses it', () => {
    const write = createChallengeWriter({ realm: 'example.com', algorithms: ['MD5'], qop: ['auth'] })
    assert.throws(() => write('a"b', false), /double quote/)
  })
})
