import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  type DigestAlgorithm,
  digestAlgorithms,
  digestLength,
  isAkaAlgorithm,
  isSessionAlgorithm,
  parseAlgorithm,
} from './algorithm.ts'
import {
  computeHA1,
  computeHA2,
  computeResponse,
  computeUserhash,
  formatNonceCount,
  safeEqualHex,
  verifyResponse,
} from './compute.ts'
import { DigestError, digestFaultCodes } from './errors.ts'

const md5 = (s: string | Uint8Array): string => createHash('md5').update(s).digest('hex')

const isInvalidArgument = (e: unknown): boolean =>
  e instanceof DigestError && e.code === digestFaultCodes.INVALID_ARGUMENT

describe('RFC fixtures', () => {
  test('RFC 2617 §3.5: Mufasa / Circle Of Life, qop=auth', () => {
    const input = {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    } as const
    assert.equal(computeResponse(input), '6629fae49393a05397450978507c4ef1')
    assert.equal(computeResponse({ ...input, nc: 1 }), '6629fae49393a05397450978507c4ef1')
    assert.equal(verifyResponse({ ...input, response: '6629fae49393a05397450978507c4ef1' }), true)
    assert.equal(verifyResponse({ ...input, response: '6629FAE49393A05397450978507C4EF1' }), true)
  })

  test('RFC 2069 §2.4 (no qop): Mufasa / CircleOfLife', () => {
    const response = computeResponse({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'CircleOfLife',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
    })
    assert.equal(response, '1949323746fe6a43ef61f9606e7febea')
  })

  // RFC 7616 §3.9.1 (password "Circle of Life" with a lower-case "of", erratum 4495).
  const rfc7616 = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  } as const

  test('RFC 7616 §3.9.1: MD5', () => {
    assert.equal(computeResponse({ ...rfc7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec')
  })

  test('RFC 7616 §3.9.1: SHA-256', () => {
    assert.equal(
      computeResponse({ ...rfc7616, algorithm: 'SHA-256' }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    )
  })

  // The following were computed independently with OpenSSL 3.0 (`printf '%s' "$data" | openssl
  // dgst -sha512-256` / `-sha256` / `-md5`), composing HA1, HA2 and the response by hand in the
  // shell: H=$(…) for each step, with the RFC 7616 §3.9.1 values above.
  test('SHA-512-256 (SHA-512/256, not a truncated SHA-512), checked with openssl', () => {
    assert.equal(
      computeHA1({
        algorithm: 'SHA-512-256',
        username: 'Mufasa',
        realm: rfc7616.realm,
        password: rfc7616.password,
      }),
      'fb174f5c3c7802721517cae13b98e2b8dae2e0118cb705d94ee29946319204ce',
    )
    assert.equal(
      computeHA2({ algorithm: 'SHA-512-256', method: 'GET', uri: '/dir/index.html', qop: 'auth' }),
      'c2cc924c647b13c41e0fb8825bdaa97d0a1f2a7afb15e1e03c994229b20e1c92',
    )
    assert.equal(
      computeResponse({ ...rfc7616, algorithm: 'SHA-512-256' }),
      '430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0',
    )
  })

  const sessAuthInt = {
    ...rfc7616,
    method: 'POST',
    qop: 'auth-int',
    nc: '0000000a',
    body: 'v=0',
  } as const
  for (const [algorithm, expected] of [
    ['MD5-sess', '5127a21009454da8b8833780925dbab0'],
    ['SHA-256-sess', 'aac36890a58c0bd64b595bd542b3c9ba1e4ba7938248958b0335f0370d0c7c53'],
    ['SHA-512-256-sess', 'bfef129073e451fb43b70f4efde067bb83c87d334376fb4b76b071cd5448c3c0'],
  ] as const) {
    test(`${algorithm} with qop=auth-int and a body, checked with openssl`, () => {
      assert.equal(computeResponse({ ...sessAuthInt, algorithm }), expected)
      assert.equal(verifyResponse({ ...sessAuthInt, algorithm, response: expected }), true)
      // The body is covered: another body gives another response.
      assert.notEqual(computeResponse({ ...sessAuthInt, algorithm, body: 'v=1' }), expected)
      assert.equal(verifyResponse({ ...sessAuthInt, algorithm, body: 'v=1', response: expected }), false)
      // So is the cnonce, through HA1-sess.
      assert.notEqual(computeResponse({ ...sessAuthInt, algorithm, cnonce: 'other' }), expected)
    })
  }

  for (const [algorithm, expected] of [
    ['MD5', '7b2cc3b30e75b4777ea31027084363fd'],
    ['SHA-256', 'a1306b0595a6c7fe96c448631fb5cfbd5107bd1fe1da729d978dd7446b812363'],
    ['SHA-512-256', '93e9122020ea0624d2ca801426d5bfbeb93d10ff4cc24cb410af3920fa4730e7'],
  ] as const) {
    test(`${algorithm} without qop, checked with openssl`, () => {
      const { qop: _q, nc: _n, cnonce: _c, ...noQop } = rfc7616
      assert.equal(computeResponse({ ...noQop, algorithm }), expected)
    })
  }

  test('userhash (RFC 7616 §3.4.4), checked with openssl', () => {
    // printf '%s' 'Jäsøn Doe:api@example.org' | openssl dgst -sha512-256 (UTF-8 input). The value
    // printed in RFC 7616 §3.9.2 differs from this (see errata for that section).
    assert.equal(
      computeUserhash({ algorithm: 'SHA-512-256', username: 'Jäsøn Doe', realm: 'api@example.org' }),
      '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
    )
    assert.equal(computeUserhash({ username: 'Mufasa', realm: 'r' }), md5('Mufasa:r'))
  })
})

describe('HA1 and HA2', () => {
  test('a stored HA1 gives the same response as the password', () => {
    const ha1 = md5('Mufasa:testrealm@host.com:Circle Of Life')
    assert.equal(
      computeResponse({
        username: 'Mufasa',
        realm: 'testrealm@host.com',
        ha1: ha1.toUpperCase(),
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: 1,
        cnonce: '0a4f113b',
      }),
      '6629fae49393a05397450978507c4ef1',
    )
  })

  test('-sess keys a stored HA1 with nonce and cnonce (RFC 7616 §3.4.2)', () => {
    const ha1 = md5('u:r:p')
    const sess = computeHA1({
      algorithm: 'MD5-sess',
      username: 'u',
      realm: 'r',
      ha1,
      nonce: 'n',
      cnonce: 'c',
    })
    assert.equal(sess, md5(`${ha1}:n:c`))
    assert.equal(
      computeHA1({
        algorithm: 'MD5-sess',
        username: 'u',
        realm: 'r',
        password: 'p',
        nonce: 'n',
        cnonce: 'c',
      }),
      sess,
    )
  })

  test('octet passwords are hashed raw, not as text (RFC 3310 §3.1)', () => {
    const res = Uint8Array.from([0xd3, 0xa6, 0x28, 0xed, 0x98, 0x86, 0x20, 0xf0])
    const expected = createHash('md5').update('alice:ims.test:').update(res).digest('hex')
    assert.equal(
      computeHA1({ algorithm: 'AKAv1-MD5', username: 'alice', realm: 'ims.test', password: res }),
      expected,
    )
    assert.notEqual(
      computeHA1({
        algorithm: 'AKAv1-MD5',
        username: 'alice',
        realm: 'ims.test',
        password: 'd3a628ed988620f0',
      }),
      expected,
    )
  })

  test('UTF-8 passwords (RFC 7616 §4)', () => {
    assert.equal(computeHA1({ username: 'ü', realm: 'r', password: 'ß' }), md5(Buffer.from('ü:r:ß', 'utf8')))
  })

  test('auth-int hashes the body; an absent body is the empty body', () => {
    const empty = md5('')
    assert.equal(empty, 'd41d8cd98f00b204e9800998ecf8427e')
    assert.equal(
      computeHA2({ method: 'REGISTER', uri: 'sip:ims.test', qop: 'auth-int' }),
      md5(`REGISTER:sip:ims.test:${empty}`),
    )
    assert.equal(
      computeHA2({ method: 'INVITE', uri: 'sip:b@x', qop: 'auth-int', body: Uint8Array.from([0, 1, 2]) }),
      md5(`INVITE:sip:b@x:${md5(Uint8Array.from([0, 1, 2]))}`),
    )
    assert.equal(
      computeHA2({ method: 'INVITE', uri: 'sip:b@x', qop: 'auth', body: 'ignored' }),
      md5('INVITE:sip:b@x'),
    )
  })

  test('programming errors throw JUNCTION_ERR_DIGEST_INVALID_ARGUMENT', () => {
    assert.throws(
      () => computeHA1({ algorithm: 'MD5-sess', username: 'u', realm: 'r', password: 'p' }),
      isInvalidArgument,
    )
    assert.throws(
      () => computeHA1({ algorithm: 'SHA-256', username: 'u', realm: 'r', ha1: md5('x') }),
      isInvalidArgument,
    )
    assert.throws(() => computeHA1({ username: 'u', realm: 'r', ha1: 'zz'.repeat(16) }), isInvalidArgument)
    assert.throws(() => computeHA1({ username: 'u', realm: 'r' } as never), isInvalidArgument)
    assert.throws(
      () => computeHA1({ algorithm: 'SHA-1' as never, username: 'u', realm: 'r', password: 'p' }),
      isInvalidArgument,
    )
    const base = { username: 'u', realm: 'r', password: 'p', nonce: 'n', method: 'GET', uri: '/' } as const
    assert.throws(() => computeResponse({ ...base, qop: 'auth', cnonce: 'c' }), isInvalidArgument)
    assert.throws(() => computeResponse({ ...base, qop: 'auth', nc: 1 }), isInvalidArgument)
    assert.throws(() => computeResponse({ ...base, qop: 'auth', nc: '1', cnonce: 'c' }), isInvalidArgument)
    assert.throws(() => computeResponse({ ...base, qop: 'auth', nc: 0, cnonce: 'c' }), isInvalidArgument)
    assert.throws(
      () => computeResponse({ ...base, qop: 'auth-conf' as never, nc: 1, cnonce: 'c' }),
      isInvalidArgument,
    )
    assert.throws(() => computeResponse({ ...base, algorithm: 'SHA-256-sess' }), isInvalidArgument)
  })
})

describe('verifyResponse', () => {
  const input = {
    algorithm: 'SHA-256',
    username: 'alice',
    realm: 'example.com',
    password: 'secret',
    nonce: 'abc',
    method: 'REGISTER',
    uri: 'sip:example.com',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'xyz',
  } as const
  const good = computeResponse(input)

  test('accepts the right response', () => {
    assert.equal(verifyResponse({ ...input, response: good }), true)
  })

  test('rejects a response that differs in any single digit', () => {
    for (let i = 0; i < good.length; i++) {
      const digit = good[i] === '0' ? '1' : '0'
      const wrong = good.slice(0, i) + digit + good.slice(i + 1)
      assert.equal(verifyResponse({ ...input, response: wrong }), false, `digit ${i}`)
    }
  })

  test('rejects responses of the wrong length, empty or not hex', () => {
    for (const response of [
      '',
      good.slice(0, -1),
      `${good}0`,
      good.slice(0, 32),
      'x'.repeat(64),
      `${good} `,
    ]) {
      assert.equal(verifyResponse({ ...input, response }), false, JSON.stringify(response))
    }
  })

  test('rejects the right digest for other inputs (password, method, uri, nonce, nc, algorithm)', () => {
    assert.equal(verifyResponse({ ...input, password: 'Secret', response: good }), false)
    assert.equal(verifyResponse({ ...input, method: 'INVITE', response: good }), false)
    assert.equal(verifyResponse({ ...input, uri: 'sip:other', response: good }), false)
    assert.equal(verifyResponse({ ...input, nonce: 'abd', response: good }), false)
    assert.equal(verifyResponse({ ...input, nc: '00000002', response: good }), false)
    assert.equal(verifyResponse({ ...input, algorithm: 'SHA-512-256', response: good }), false)
  })

  test('network directives that cannot give a response make it false, never throw', () => {
    assert.equal(verifyResponse({ ...input, nc: undefined, response: good }), false)
    assert.equal(verifyResponse({ ...input, nc: '1', response: good }), false)
    assert.equal(verifyResponse({ ...input, nc: '0000000g', response: good }), false)
    assert.equal(verifyResponse({ ...input, cnonce: undefined, response: good }), false)
    assert.equal(verifyResponse({ ...input, qop: 'bogus' as never, response: good }), false)
    assert.equal(
      verifyResponse({
        ...input,
        algorithm: 'SHA-256-sess',
        qop: undefined,
        cnonce: undefined,
        response: good,
      }),
      false,
    )
  })

  test('safeEqualHex', () => {
    assert.equal(safeEqualHex('abcd', 'ABCD'), true)
    assert.equal(safeEqualHex('abcd', 'abce'), false)
    assert.equal(safeEqualHex('abcd', 'abc'), false)
    assert.equal(safeEqualHex('', ''), true)
  })
})

describe('algorithms', () => {
  test('parseAlgorithm ignores case and returns the canonical name', () => {
    assert.equal(parseAlgorithm('md5'), 'MD5')
    assert.equal(parseAlgorithm('sha-512-256-SESS'), 'SHA-512-256-sess')
    assert.equal(parseAlgorithm('akav1-md5'), 'AKAv1-MD5')
    assert.equal(parseAlgorithm('SHA-1'), undefined)
    assert.equal(parseAlgorithm(''), undefined)
    for (const a of digestAlgorithms) assert.equal(parseAlgorithm(a), a)
  })

  test('properties of each algorithm', () => {
    assert.deepEqual(
      digestAlgorithms.filter((a) => isSessionAlgorithm(a)),
      ['MD5-sess', 'SHA-256-sess', 'SHA-512-256-sess'],
    )
    assert.deepEqual(
      digestAlgorithms.filter((a) => isAkaAlgorithm(a)),
      ['AKAv1-MD5', 'AKAv2-MD5'],
    )
    for (const a of digestAlgorithms) {
      const ha1 = computeHA1({
        algorithm: a,
        username: 'u',
        realm: 'r',
        password: 'p',
        nonce: 'n',
        cnonce: 'c',
      })
      assert.equal(ha1.length, digestLength(a), a)
    }
  })

  test('formatNonceCount', () => {
    assert.equal(formatNonceCount(1), '00000001')
    assert.equal(formatNonceCount(0xff), '000000ff')
    assert.equal(formatNonceCount(0xffffffff), 'ffffffff')
    for (const bad of [0, -1, 1.5, 0x100000000, Number.NaN])
      assert.throws(() => formatNonceCount(bad), isInvalidArgument)
  })
})

describe('HA2 of the last method and uri, kept', () => {
  test('any sequence of inputs gives H(method:uri) each time (the kept one never leaks into another)', () => {
    const input = fc.record({
      algorithm: fc.constantFrom(
        'MD5',
        'SHA-256',
        'SHA-512-256',
        'MD5-sess',
      ) as fc.Arbitrary<DigestAlgorithm>,
      method: fc.constantFrom('REGISTER', 'INVITE', 'MESSAGE'),
      uri: fc.constantFrom('sip:example.com', 'sip:example.org', 'sip:bob@example.com'),
    })
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 20 }), (inputs) => {
        for (const i of inputs) {
          const name = i.algorithm.startsWith('SHA-512-256')
            ? 'sha512-256'
            : i.algorithm.startsWith('SHA-256')
              ? 'sha256'
              : 'md5'
          const want = createHash(name).update(`${i.method}:${i.uri}`).digest('hex')
          assert.equal(computeHA2({ ...i, qop: 'auth' }), want)
        }
      }),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })
})
