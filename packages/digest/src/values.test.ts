import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { digestErrorCodes } from './errors.ts'
import {
  challengeDirectives,
  credentialsDirectives,
  type DigestChallenge,
  type DigestCredentials,
  parseChallenge,
  parseCredentials,
} from './values.ts'

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; reason: string } }): T {
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.reason}`)
  return r.value
}

function errorCode(r: { ok: boolean; error?: { code: string } }): string | undefined {
  return r.ok ? undefined : r.error?.code
}

describe('parseChallenge', () => {
  test('RFC 7616 §3.9.1 challenge', () => {
    const challenge = ok(
      parseChallenge(
        new Map([
          ['realm', 'http-auth@example.org'],
          ['qop', 'auth, auth-int'],
          ['algorithm', 'SHA-256'],
          ['nonce', '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'],
          ['opaque', 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS'],
        ]),
      ),
    )
    assert.deepEqual(challenge, {
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
    })
  })

  test('flags, domain, charset, case of algorithm and qop; a plain record works too', () => {
    const challenge = ok(
      parseChallenge({
        realm: 'r',
        nonce: 'n',
        algorithm: 'akav1-md5',
        qop: 'AUTH',
        stale: 'TRUE',
        userhash: 'false',
        domain: ' sip:a.example  sip:b.example ',
        charset: 'UTF-8',
      }),
    )
    assert.deepEqual(challenge, {
      realm: 'r',
      nonce: 'n',
      algorithm: 'AKAv1-MD5',
      qop: ['auth'],
      stale: true,
      userhash: false,
      domain: ['sip:a.example', 'sip:b.example'],
      charset: 'UTF-8',
    })
  })

  test('a record is read by its own properties only', () => {
    const inherited = Object.create({ realm: 'r', nonce: 'n' }) as Record<string, string>
    assert.equal(errorCode(parseChallenge(inherited)), digestErrorCodes.MISSING_DIRECTIVE)
  })

  test('failures', () => {
    assert.equal(errorCode(parseChallenge(new Map([['nonce', 'n']]))), digestErrorCodes.MISSING_DIRECTIVE)
    assert.equal(errorCode(parseChallenge(new Map([['realm', 'r']]))), digestErrorCodes.MISSING_DIRECTIVE)
    assert.equal(
      errorCode(parseChallenge({ realm: 'r', nonce: 'n', algorithm: 'SHA-1' })),
      digestErrorCodes.UNSUPPORTED_ALGORITHM,
    )
  })

  test('directives round trip', () => {
    const challenge: DigestChallenge = {
      realm: 'ims.test',
      nonce: 'n==',
      opaque: 'o',
      algorithm: 'SHA-512-256-sess',
      qop: ['auth', 'auth-int'],
      stale: true,
      domain: ['sip:a', 'sip:b'],
      userhash: true,
      charset: 'UTF-8',
    }
    const directives = challengeDirectives(challenge)
    assert.deepEqual(
      [...directives.keys()],
      ['realm', 'nonce', 'opaque', 'algorithm', 'qop', 'stale', 'domain', 'userhash', 'charset'],
    )
    assert.equal(directives.get('qop'), 'auth,auth-int')
    assert.deepEqual(ok(parseChallenge(directives)), challenge)
  })
})

describe('parseCredentials', () => {
  const base = {
    username: 'Mufasa',
    realm: 'testrealm@host.com',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    uri: '/dir/index.html',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
    response: '6629fae49393a05397450978507c4ef1',
    opaque: '5ccc069c403ebaf9f0171e9517f40e41',
  }

  test('RFC 2617 §3.5 credentials', () => {
    assert.deepEqual(ok(parseCredentials(base)), base)
  })

  test('AKA directives: algorithm, auts, empty response (RFC 3310 §3.3, §3.4)', () => {
    const c = ok(
      parseCredentials({ ...base, algorithm: 'AKAv1-MD5', auts: 'uoU/PBI8z0TpNZbjVcY=', response: '' }),
    )
    assert.equal(c.algorithm, 'AKAv1-MD5')
    assert.equal(c.auts, 'uoU/PBI8z0TpNZbjVcY=')
    assert.equal(c.response, '')
  })

  test("username* (RFC 7616 §3.4.4, RFC 5987): UTF-8''J%C3%A4s%C3%B8n%20Doe", () => {
    const { username: _, ...rest } = base
    const c = ok(parseCredentials({ ...rest, 'username*': "UTF-8''J%C3%A4s%C3%B8n%20Doe" }))
    assert.equal(c.username, 'Jäsøn Doe')
    assert.equal(
      errorCode(parseCredentials({ ...rest, 'username*': "ISO-8859-1''J%E4" })),
      digestErrorCodes.BAD_DIRECTIVE,
    )
    assert.equal(
      errorCode(parseCredentials({ ...rest, 'username*': "UTF-8''%C3" })),
      digestErrorCodes.BAD_DIRECTIVE,
    )
    assert.equal(
      errorCode(parseCredentials({ ...rest, 'username*': "UTF-8''a b" })),
      digestErrorCodes.BAD_DIRECTIVE,
    )
    assert.equal(
      errorCode(parseCredentials({ ...base, 'username*': "UTF-8''x" })),
      digestErrorCodes.BAD_DIRECTIVE,
    )
  })

  test('failures', () => {
    for (const name of ['username', 'realm', 'nonce', 'uri', 'response', 'nc', 'cnonce']) {
      const params = new Map(Object.entries(base))
      params.delete(name)
      const r = parseCredentials(params)
      assert.equal(errorCode(r), digestErrorCodes.MISSING_DIRECTIVE, name)
      assert.match(r.ok ? '' : r.error.reason, new RegExp(`\\b${name}\\b`))
    }
    // several missing: the first in the order username, realm, nonce, uri, response is named
    const { nonce: _n, uri: _u, ...twoMissing } = base
    const r = parseCredentials(twoMissing)
    assert.equal(r.ok ? '' : r.error.reason, 'the credentials have no nonce')
    assert.equal(errorCode(parseCredentials({ ...base, qop: 'auth-conf' })), digestErrorCodes.BAD_DIRECTIVE)
    assert.equal(errorCode(parseCredentials({ ...base, nc: '1' })), digestErrorCodes.BAD_DIRECTIVE)
    assert.equal(errorCode(parseCredentials({ ...base, nc: '0000000x' })), digestErrorCodes.BAD_DIRECTIVE)
    assert.equal(
      errorCode(parseCredentials({ ...base, algorithm: 'MD6' })),
      digestErrorCodes.UNSUPPORTED_ALGORITHM,
    )
  })

  test('without qop, nc and cnonce may be absent (RFC 2069 compatibility)', () => {
    const { qop: _q, nc: _n, cnonce: _c, ...rest } = base
    assert.deepEqual(ok(parseCredentials(rest)), rest)
  })

  test('qop is matched without regard to case', () => {
    assert.equal(ok(parseCredentials({ ...base, qop: 'AUTH-INT' })).qop, 'auth-int')
  })

  test('directives round trip', () => {
    const credentials: DigestCredentials = {
      username: 'u',
      realm: 'r',
      nonce: 'n',
      uri: 'sip:r',
      response: 'ab',
      algorithm: 'AKAv2-MD5',
      cnonce: 'c',
      opaque: 'o',
      qop: 'auth-int',
      nc: '0000000a',
      userhash: false,
      auts: 'YQ==',
    }
    const directives = credentialsDirectives(credentials)
    assert.deepEqual(
      [...directives.keys()],
      [
        'username',
        'realm',
        'nonce',
        'uri',
        'response',
        'algorithm',
        'cnonce',
        'opaque',
        'qop',
        'nc',
        'userhash',
        'auts',
      ],
    )
    assert.deepEqual(ok(parseCredentials(directives)), credentials)
  })
})
