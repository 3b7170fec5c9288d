import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { CallId, CSeq, createResponse, type SipRequest, type SipResponse } from '@junction/sip'
import { faultCodes, ProxyError } from './errors.ts'
import { createNextHopProber } from './prober.ts'

/** A `send` that answers each probe with the next status of the hop's script. */
function scripted(script: Record<string, number[]>) {
  const sent: SipRequest[] = []
  const send = async (request: SipRequest): Promise<SipResponse> => {
    sent.push(request)
    const hop = request.uri.kind === 'sip' ? `sip:${request.uri.host}` : ''
    const status = script[hop]?.shift() ?? 200
    return createResponse(request, status)
  }
  return { send, sent }
}

describe('next-hop probing', () => {
  it('OPTIONS to each hop (once per distinct hop), its Call-ID kept and the CSeq counting up', async () => {
    const { send, sent } = scripted({})
    const p = createNextHopProber(
      { nextHops: ['sip:gw1.example.com', 'sip:gw2.example.com', 'sip:gw1.example.com'] },
      { send },
    )
    await p.round()
    await p.round()
    assert.deepEqual(
      sent.map((r) => [r.method, r.uri.kind === 'sip' ? r.uri.host : '']),
      [
        ['OPTIONS', 'gw1.example.com'],
        ['OPTIONS', 'gw2.example.com'],
        ['OPTIONS', 'gw1.example.com'],
        ['OPTIONS', 'gw2.example.com'],
      ],
    )
    assert.equal(sent[0]!.headers.get(CallId), sent[2]!.headers.get(CallId))
    assert.deepEqual([sent[0]!.headers.get(CSeq)!.seq, sent[2]!.headers.get(CSeq)!.seq], [1, 2])
  })

  it('down after `failures` timeouts, transport errors or 503s in a row; up again at any other answer', async () => {
    const { send } = scripted({ 'sip:gw1.example.com': [408, 200, 503, 503, 408, 404] })
    const p = createNextHopProber({ nextHops: ['sip:gw1.example.com'], failures: 2 }, { send })
    const events: unknown[] = []
    const listener = (m: unknown) => events.push(m)
    subscribe('junction:proxy:next-hop', listener)
    try {
      await p.round() // 408: one failure
      assert.equal(p.isUp('sip:gw1.example.com'), true)
      await p.round() // 200: the count starts over
      await p.round() // 503
      assert.equal(p.isUp('sip:gw1.example.com'), true)
      await p.round() // 503: down
      assert.equal(p.isUp('sip:gw1.example.com'), false)
      await p.round() // 408: still down, no second event
      await p.round() // 404: it answered, so it is there
      assert.equal(p.isUp('sip:gw1.example.com'), true)
      assert.deepEqual(events, [
        { nextHop: 'sip:gw1.example.com', up: false, status: 503 },
        { nextHop: 'sip:gw1.example.com', up: true, status: 404 },
      ])
      assert.deepEqual(p.list(), [{ nextHop: 'sip:gw1.example.com', up: true, lastStatus: 404, failures: 0 }])
    } finally {
      unsubscribe('junction:proxy:next-hop', listener)
    }
  })

  it('a hop it does not probe is up; a probe still out is not sent again', async () => {
    let release: (r: SipResponse) => void = () => {}
    let calls = 0
    const send = (request: SipRequest) =>
      new Promise<SipResponse>((resolve) => {
        calls++
        release = () => resolve(createResponse(request, 200))
      })
    const p = createNextHopProber({ nextHops: ['sip:gw1.example.com'] }, { send })
    assert.equal(p.isUp('sip:elsewhere.example.com'), true)
    const first = p.round()
    const second = p.round()
    release(undefined as never)
    await Promise.all([first, second])
    assert.equal(calls, 1)
  })

  it('start() publishes every hop up and probes at once; stop() ends it; bad URIs are refused', async () => {
    const { send, sent } = scripted({})
    const p = createNextHopProber({ nextHops: ['sip:gw1.example.com'], intervalMs: 60_000 }, { send })
    const events: unknown[] = []
    const listener = (m: unknown) => events.push(m)
    subscribe('junction:proxy:next-hop', listener)
    try {
      await p.start()
      await new Promise((r) => setImmediate(r))
      assert.equal(sent.length, 1)
      assert.deepEqual(events, [{ nextHop: 'sip:gw1.example.com', up: true, status: undefined }])
      await p.stop()
    } finally {
      unsubscribe('junction:proxy:next-hop', listener)
    }
    for (const bad of ['tel:+123', 'not a uri']) {
      assert.throws(
        () => createNextHopProber({ nextHops: [bad] }, { send }),
        (e: unknown) => e instanceof ProxyError && e.code === faultCodes.INVALID_TARGET,
      )
    }
  })
})
