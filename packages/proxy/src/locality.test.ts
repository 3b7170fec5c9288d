import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseUri, type Uri } from '@junction/sip'
import type { BoundListener } from '@junction/transport'
import { createLocality } from './locality.ts'

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
})
