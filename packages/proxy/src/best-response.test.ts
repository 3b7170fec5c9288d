import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRequest, createResponse, parseUri, type SipResponse } from '@junction/sip'
import fc from 'fast-check'
import { responseToRelay, selectBest } from './best-response.ts'

const req = createRequest({
  method: 'INVITE',
  uri: parseUri('sip:bob@example.com')!,
  from: { uri: parseUri('sip:alice@example.com')!, tag: 'a' },
  to: { uri: parseUri('sip:bob@example.com')! },
  callId: 'c',
  cseq: 1,
  via: { transport: 'UDP', host: '192.0.2.10', branch: 'z9hG4bK1' },
})
const res = (status: number, headers?: Record<string, string>): SipResponse =>
  createResponse(req, status, undefined, { headers })
const runs = Number(process.env['FC_NUM_RUNS'] ?? 10_000)

describe('selectBest (§16.7 step 6)', () => {
  it('picks a 6xx whenever there is one, else a response of the lowest class', () => {
    const status = fc.integer({ min: 300, max: 699 })
    fc.assert(
      fc.property(fc.array(status, { minLength: 1, maxLength: 8 }), (statuses) => {
        const best = selectBest(statuses.map((s) => res(s)))!
        const six = statuses.filter((s) => s >= 600)
        if (six.length > 0) assert.ok(best.status >= 600)
        else
          assert.equal(Math.floor(best.status / 100), Math.min(...statuses.map((s) => Math.floor(s / 100))))
      }),
      { numRuns: runs },
    )
  })

  it('prefers a challenge within 4xx, then 415, 420 and 484, and anything to a 408 or 503', () => {
    assert.equal(selectBest([res(404), res(407), res(486)])!.status, 407)
    assert.equal(selectBest([res(408), res(486)])!.status, 486)
    assert.equal(selectBest([res(503), res(500)])!.status, 500)
    assert.equal(selectBest([res(404), res(486)])!.status, 404, 'ties: the first received')
    assert.equal(selectBest([res(486), res(484)])!.status, 484)
    assert.equal(selectBest([res(480), res(415)])!.status, 415)
    assert.equal(selectBest([res(486), res(420), res(408)])!.status, 420)
    assert.equal(selectBest([res(484), res(401)])!.status, 401, 'a challenge still first (step 7)')
    assert.equal(selectBest([]), undefined)
  })
})

describe('responseToRelay (§16.7 steps 6–7)', () => {
  it('turns a 503 into a 500', () => {
    assert.equal(responseToRelay(res(503), [res(503)], req).status, 500)
  })

  it('adds every other challenge to a 401/407 without changing them', () => {
    const a = res(401, { 'WWW-Authenticate': 'Digest realm="a", nonce="1"' })
    const b = res(407, { 'Proxy-Authenticate': 'Digest realm="b", nonce="2"' })
    const c = res(401, { 'WWW-Authenticate': 'Digest realm="c", nonce="3", algorithm=SHA-256' })
    const out = responseToRelay(a, [a, b, c, res(404)], req)
    assert.deepEqual(out.headers.raw('WWW-Authenticate'), [
      'Digest realm="a", nonce="1"',
      'Digest realm="c", nonce="3", algorithm=SHA-256',
    ])
    assert.deepEqual(out.headers.raw('Proxy-Authenticate'), ['Digest realm="b", nonce="2"'])
  })

  it('relays anything else as it is', () => {
    const r = res(486)
    assert.equal(responseToRelay(r, [r], req), r)
  })
})
