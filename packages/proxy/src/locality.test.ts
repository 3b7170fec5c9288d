import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseUri, type Uri } from '@junction/sip'
import type { BoundListener } from '@junction/transport'
import { canonicalHost, createLocality } from './locality.ts'

const u = (s: string): Uri => parseUri(s)!
const listeners: BoundListener[] = [
  { transport: 'udp', host: '0.0.0.0', port: 5060, advertise: { host: '203.0.113.5', port: 5060 } },
  { transport: 'tls', host: '::1', port: 5061, advertise: { host: '::1', port: 5061 } },
]

describe('locality', () => {
  const loc = createLocality(() => listeners, ['Example.COM'], ['sip.example.net', '198.51.100.1:5080'])

  it('knows our URIs by advertised address and port, default ports by scheme', () => {
    assert.equal(loc.isOurUri(u('sip:203.0.113.5;lr')), true)
    assert.equal(loc.isOurUri(u('sip:203.0.113.5:5070;lr')), false)
    assert.equal(loc.isOurUri(u('sips:[::1];lr')), true)
    assert.equal(loc.isOurUri(u('sip:[::1]:5061;transport=tls;lr')), true)
    assert.equal(loc.isOurUri(u('sip:0.0.0.0;lr')), false)
    assert.equal(loc.isOurUri(u('tel:+123')), false)
  })

  it('takes aliases (any port for a bare host) and our domains on our ports', () => {
    assert.equal(loc.isOurUri(u('sip:sip.example.net:9999;lr')), true)
    assert.equal(loc.isOurUri(u('sip:198.51.100.1:5080;lr')), true)
    assert.equal(loc.isOurUri(u('sip:198.51.100.1;lr')), false)
    assert.equal(loc.isOurUri(u('sip:example.com;lr')), true)
    assert.equal(loc.isOurUri(u('sip:example.com:7000;lr')), false)
  })

  it('isLocal: our domains and addresses, any user and port', () => {
    assert.equal(loc.isLocal(u('sip:bob@example.com')), true)
    assert.equal(loc.isLocal(u('sip:bob@203.0.113.5:7000')), true)
    assert.equal(loc.isLocal(u('sip:bob@example.org')), false)
  })

  it('isOurSentBy compares the Via sent-by', () => {
    assert.equal(loc.isOurSentBy({ transport: 'UDP', host: '203.0.113.5' }), true)
    assert.equal(loc.isOurSentBy({ transport: 'TLS', host: '[::1]' }), true)
    assert.equal(loc.isOurSentBy({ transport: 'UDP', host: '203.0.113.5', port: 5062 }), false)
  })

  it('knows every spelling of our names and addresses (no From of ours passes for a stranger)', () => {
    const local = createLocality(
      () => [{ ...listeners[0]!, advertise: { host: '127.0.0.1', port: 5060 } }],
      ['example.com'],
    )
    for (const from of [
      'sip:alice@EXAMPLE.com.',
      'sip:alice@127.000.000.001',
      'sip:alice@[::ffff:127.0.0.1]',
      'sip:alice@[0:0:0:0:0:ffff:7f00:1]',
    ]) {
      assert.equal(local.isLocal(u(from)), true, from)
    }
    assert.equal(loc.isLocal(u('sip:bob@[0:0:0:0:0:0:0:1]')), true)
    assert.equal(loc.isOurUri(u('sip:[0000::1]:5061;transport=tls;lr')), true)
    assert.equal(loc.isLocal(u('sip:bob@example.com.evil.net')), false)
    assert.equal(loc.isLocal(u('sip:bob@127.0.0.10')), false)
  })
})

describe('canonicalHost', () => {
  it('one text per host', () => {
    const cases: Array<[string, string]> = [
      ['Example.COM', 'example.com'],
      ['example.com.', 'example.com'],
      ['[2001:DB8:0:0:0:0:0:1]', '2001:db8::1'],
      ['2001:db8::1', '2001:db8::1'],
      ['[::FFFF:192.0.2.1]', '192.0.2.1'],
      ['::ffff:c000:201', '192.0.2.1'],
      ['192.000.002.001', '192.0.2.1'],
      ['010.0.0.1', '10.0.0.1'],
      ['10.0.0.1', '10.0.0.1'],
      ['10.0.0.100', '10.0.0.100'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
      ['.', '.'],
      ['1234.0.0.01', '1234.0.0.01'],
    ]
    for (const [input, expected] of cases) assert.equal(canonicalHost(input), expected, input)
  })
})
