import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isReliable, viaTransport } from './flow.ts'

test('stream transports are reliable (RFC 3261 §17.1.1.2), UDP is not', () => {
  assert.equal(isReliable('udp'), false)
  for (const t of ['tcp', 'tls', 'ws', 'wss'] as const) assert.equal(isReliable(t), true)
})

test('Via transport tokens (§18.1.1, RFC 7118 §5.1)', () => {
  assert.deepEqual((['udp', 'tcp', 'tls', 'ws', 'wss'] as const).map(viaTransport), [
    'UDP',
    'TCP',
    'TLS',
    'WS',
    'WSS',
  ])
})
