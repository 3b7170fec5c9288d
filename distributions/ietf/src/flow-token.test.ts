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

  it('name the flow they were made for; a stream flow is to be used alone (flowOnly)', () => {
    const t = tokens.encode(tcp)
    assert.match(t, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/, 'a valid SIP URI user part')
    assert.deepEqual(tokens.decode(t), {
      transport: 'tcp',
      address: '198.51.100.7',
      port: 40312,
      flowId: 'tcp:17',
      flowOnly: true,
    })
    assert.deepEqual(tokens.decode(tokens.encode(udp6)), {
      transport: 'udp',
      address: '2001:db8::7',
      port: 5060,
      flowId: 'udp:0:[2001:db8::7]:5060',
      flowOnly: false,
    })
  })

  it('refuse a token of another key, an edited one and anything else', () => {
    const t = tokens.encode(tcp)
    assert.equal(createFlowTokens(randomBytes(32)).decode(t), undefined)
    const [payload, mac] = t.split('.') as [string, string]
    const forged = Buffer.from('tcp~203.0.113.1~5060~tcp:17').toString('base64url')
    assert.equal(tokens.decode(`${forged}.${mac}`), undefined)
    assert.equal(tokens.decode(`${payload}.${mac.slice(1)}`), undefined)
    assert.equal(tokens.decode('alice'), undefined)
    assert.equal(tokens.decode(`${'a'.repeat(300)}.${mac}`), undefined)
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => tokens.decode(s) === undefined))
  })
})
