import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRequest, createResponse, type SipMessage, type SipRequest, Via } from '@junction/sip'
import type { Flow } from './flow.ts'
import { createMemoryTransport } from './memory.ts'

function setup() {
  const got: Array<{ message: SipMessage; flow: Flow }> = []
  const t = createMemoryTransport({}, { receive: (message, flow) => got.push({ message, flow }) })
  return { t, got }
}

const text = [
  'OPTIONS sip:b@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKm1',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:b@example.com>',
  'Call-ID: m1',
  'CSeq: 1 OPTIONS',
  'Content-Length: 0',
  '',
  '',
].join('\r\n')

describe('the in-memory transport', () => {
  it('delivers through the wire format and marks received/rport (§18.2.1, RFC 3581)', () => {
    const { t, got } = setup()
    const flow = t.receive(text, { address: '192.0.2.10', port: 40000 })
    assert.equal(got.length, 1)
    const via = (got[0]!.message as SipRequest).headers.first(Via)!
    assert.equal(via.received, '192.0.2.10')
    assert.equal(via.rport, 40000)
    assert.equal(flow.id, 'udp:0:192.0.2.10:40000')
    assert.equal(
      t.receive(text, { address: '192.0.2.10', port: 40000 }).id,
      flow.id,
      'same 5-tuple, same flow',
    )
    assert.equal(t.receive(text, { transport: 'tcp' }).reliable, true)
  })

  it('drops what does not parse and responses whose top Via is not ours (§18.1.2)', () => {
    const { t, got } = setup()
    t.receive('garbage\r\n\r\n')
    const res = createResponse(
      createRequest({
        method: 'OPTIONS',
        uri: 'sip:b@x',
        from: 'sip:a@x',
        to: 'sip:b@x',
        via: { transport: 'UDP', host: '10.9.9.9', branch: 'z9hG4bKq' },
      }),
      200,
    )
    t.receive(res)
    assert.equal(got.length, 0)
    assert.equal(t.stats.drops['not-for-us'], 1)
    assert.equal(
      Object.values(t.stats.drops).reduce((a, b) => a + b, 0),
      2,
    )
  })

  it('fills in the Via sent-by of requests it sends and records them; next() waits for one', async () => {
    const { t } = setup()
    const waiting = t.next((m) => m.kind === 'request')
    const req = createRequest({
      method: 'OPTIONS',
      uri: 'sip:b@192.0.2.20',
      from: 'sip:a@x',
      to: 'sip:b@x',
      via: { transport: 'UDP', host: '0.0.0.0', branch: 'z9hG4bKs' },
    })
    await t.sendRequest(req, { transport: 'tcp', address: '192.0.2.20', port: 5060 })
    const sent = await waiting
    assert.equal(sent.kind, 'request')
    const via = req.headers.first(Via)!
    assert.deepEqual([via.transport, via.host, via.port, via.branch], ['TCP', '127.0.0.1', 5060, 'z9hG4bKs'])
    await assert.rejects(
      t.next(() => false, { timeout: 20 }),
      /no matching message/,
    )
  })

  it('closeFlow: flowClosed hears of it, and a flowOnly target over it fails with FLOW_GONE (RFC 5626 §5.3)', async () => {
    const closed: string[] = []
    const t = createMemoryTransport({}, { receive: () => {}, flowClosed: (f) => closed.push(f.id) })
    const flow = t.receive(text.replace('SIP/2.0/UDP', 'SIP/2.0/TCP'), { transport: 'tcp', port: 40001 })
    const req = () =>
      createRequest({
        method: 'OPTIONS',
        uri: 'sip:ua@192.0.2.10',
        from: 'sip:a@x',
        to: 'sip:ua@x',
        via: { transport: 'TCP', host: '0.0.0.0', branch: 'z9hG4bKf' },
      })
    const target = {
      transport: 'tcp',
      address: '192.0.2.10',
      port: 40001,
      flowId: flow.id,
      flowOnly: true,
    } as const
    await t.sendRequest(req(), target) // the flow is up
    t.closeFlow(flow.id)
    assert.deepEqual(closed, [flow.id])
    await assert.rejects(t.sendRequest(req(), target), { code: 'JUNCTION_ERR_TRANSPORT_FLOW_GONE' })
    await t.sendRequest(req(), { ...target, flowOnly: false }) // a new connection would be opened
    assert.equal(t.sent.filter((m) => m.kind === 'request').length, 2)
  })

  it('refuse: requests to that address fail as a refused connection, others still go', async () => {
    const { t } = setup()
    const req = () =>
      createRequest({
        method: 'OPTIONS',
        uri: 'sip:b@192.0.2.20',
        from: 'sip:a@x',
        to: 'sip:b@x',
        via: { transport: 'UDP', host: '0.0.0.0', branch: 'z9hG4bKr' },
      })
    t.refuse('192.0.2.20')
    await assert.rejects(t.sendRequest(req(), { transport: 'tcp', address: '192.0.2.20', port: 5060 }), {
      code: 'ECONNREFUSED',
    })
    await t.sendRequest(req(), { transport: 'tcp', address: '192.0.2.21', port: 5060 })
    assert.deepEqual(
      t.sent.map((m) => (m.kind === 'request' ? m.target.address : '')),
      ['192.0.2.21'],
    )
    assert.equal(t.stats.sendErrors, 1)
  })
})
