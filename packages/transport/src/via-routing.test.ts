import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { test } from 'node:test'
import { parseMessage, type SipResponse } from '@junction/sip'
import type { Flow, TransportName } from './flow.ts'
import { requestSource, responseDestination } from './via-routing.ts'

function response(via: string): SipResponse {
  const r = parseMessage(
    Buffer.from(
      `SIP/2.0 200 OK\r\nVia: ${via}\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\n` +
        'Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      'latin1',
    ),
  )
  assert.ok(r.ok && r.message.kind === 'response')
  return r.message as SipResponse
}

const flow = (transport: TransportName): Flow => ({
  id: `${transport}:1`,
  transport,
  reliable: transport !== 'udp',
  secure: false,
  local: { address: '127.0.0.1', port: 5060 },
  remote: { address: '198.51.100.1', port: 40000 },
})

test('a response whose connection is gone goes to the sent-by port on TCP, to rport on UDP (§18.2.2, RFC 3581 §4)', () => {
  const tcp = response('SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bK1;received=198.51.100.1;rport=40000')
  assert.deepEqual(responseDestination(tcp, flow('tcp')), { address: '198.51.100.1', port: 5070 })
  assert.deepEqual(requestSource(tcp), { address: '198.51.100.1', port: 40000 })
  const noPort = response('SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1;received=198.51.100.1;rport=40000')
  assert.deepEqual(responseDestination(noPort, flow('tls')), { address: '198.51.100.1', port: 5061 })
  const udp = response('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;received=198.51.100.1;rport=40000')
  assert.deepEqual(responseDestination(udp, flow('udp')), { address: '198.51.100.1', port: 40000 })
})
