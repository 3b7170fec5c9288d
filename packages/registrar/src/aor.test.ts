import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseUri } from '@junction/sip'
import { aorOf } from './aor.ts'

describe('aorOf (RFC 3261 §10.3 step 5: the canonical address-of-record)', () => {
  test('escaped characters are converted to their unescaped form: both spellings share bindings', () => {
    assert.equal(aorOf('sip:%2B12125551212@example.com'), aorOf('sip:+12125551212@example.com'))
    assert.equal(aorOf('sip:+12125551212@example.com'), 'sip:+12125551212@example.com')
    assert.equal(aorOf('sip:%61lice@example.com'), 'sip:alice@example.com')
    assert.equal(aorOf('sip:a%3Bb@example.com'), aorOf('sip:a;b@example.com'))
    // a char the user part cannot hold raw stays escaped in the text, as the grammar requires
    assert.equal(aorOf('sip:a%40b@example.com'), 'sip:a%40b@example.com')
  })

  test('parameters and headers removed, host in lower case, SIPS as SIP, the port dropped', () => {
    assert.equal(
      aorOf('sips:Alice@Example.COM:5061;transport=tcp;user=ip?subject=x'),
      'sip:Alice@example.com',
    )
    assert.equal(aorOf(parseUri('sip:bob@example.com;lr')!), 'sip:bob@example.com')
  })

  test('the port makes no other AOR: a domain is its host (§10.3 steps 1 and 5, §6)', () => {
    assert.equal(aorOf('sip:alice@example.com:1'), 'sip:alice@example.com')
    assert.equal(aorOf('sip:alice@example.com:65535'), aorOf('sip:alice@example.com'))
    assert.equal(aorOf('sip:alice@[2001:db8::1]:5060'), 'sip:alice@[2001:db8::1]')
    assert.equal(aorOf('sip:192.0.2.1:5080'), 'sip:192.0.2.1')
  })

  test('only SIP and SIPS URIs have an AOR here', () => {
    assert.equal(aorOf('tel:+1-201-555-0123'), undefined)
    assert.equal(aorOf('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), undefined)
    assert.equal(aorOf('not a uri'), undefined)
  })
})
