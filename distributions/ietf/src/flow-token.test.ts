import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { Flow } from '@junction/transport'
import fc from 'fast-check'
import { createFlowTokens } from './flow-token.ts'

const tcp: Flow = {
  id: 'tcp:17',
  transport: 'tcp',
  reliable: true,
  secure: false,
  local: { address: '127.0.0.1', port: 5060 },
  remote: { address: '198.51.100.7', port: 40312 },
}
const udp6: Flow = {
  ...tcp,
  id: 'udp:0:[2001:db8::7]:5060',
  transport: 'udp',
  reliable: false,
  remote: { address: '2001:db8::7', port: 5060 },
}

describe('flow tokens (RFC 5626 §5.2)', () => {
  const tokens = createFlowTokens(randomBytes(32))
  const callId = 'a84b4c76e66710@pc33.atlanta.com'

  it('name the flow they were made for; a stream flow is to be used alone (flowOnly)', () => {
    const t = tokens.encode(tcp, callId)
    assert.match(t, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/, 'a valid SIP URI user part')
    assert.deepEqual(tokens.decode(t, callId), {
      transport: 'tcp',
      address: '198.51.100.7',
      port: 40312,
      flowId: 'tcp:17',
      flowOnly: true,
    })
    assert.deepEqual(tokens.decode(tokens.encode(udp6, callId), callId), {
      transport: 'udp',
      address: '2001:db8::7',
      port: 5060,
      flowId: 'udp:0:[2001:db8::7]:5060',
      flowOnly: false,
    })
  })

  it('refuse a token of another key, another Call-ID, an edited one and anything else', () => {
    const t = tokens.encode(tcp, callId)
    assert.equal(createFlowTokens(randomBytes(32)).decode(t, callId), undefined)
    assert.equal(tokens.decode(t, 'another-call@pc33.atlanta.com'), undefined, 'good for its dialog only')
    assert.equal(tokens.decode(t, ''), undefined)
    const [payload, mac] = t.split('.') as [string, string]
    const forged = Buffer.from('tcp~203.0.113.1~5060~tcp:17').toString('base64url')
    assert.equal(tokens.decode(`${forged}.${mac}`, callId), undefined)
    assert.equal(tokens.decode(`${payload}.${mac.slice(1)}`, callId), undefined)
    assert.equal(tokens.decode('alice', callId), undefined)
    assert.equal(tokens.decode(`${'a'.repeat(300)}.${mac}`, callId), undefined)
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => tokens.decode(s, callId) === undefined))
  })

  it('encodeTarget: the token of a registered flow, the same as encode for that flow', () => {
    const target = { transport: 'tcp' as const, address: '198.51.100.7', port: 40312, flowId: 'tcp:17' }
    const t = tokens.encodeTarget(target, callId)
    assert.ok(t !== undefined)
    assert.equal(tokens.decode(t, callId)?.flowId, 'tcp:17')
    assert.equal(tokens.encodeTarget({ ...target, flowId: undefined }, callId), undefined)
  })
})
