/**
 * Requests the server sends on its own (`server.request`, RFC 3261 §8.1): our Via, the final
 * response, 408 and 503 made here (§8.1.3.1), the next RFC 3263 destination after a failure.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRequest, generateCallId, generateTag, parseUri, type SipRequest, Via } from '@junction/sip'
import { createNet, tableResolver, wire } from './harness.ts'

const never = { onRequest: () => assert.fail('no request comes in') } as never

function options(uri: string): SipRequest {
  const u = parseUri(uri)!
  return createRequest({
    method: 'OPTIONS',
    uri: u,
    from: { uri: parseUri('sip:junction@example.com')!, tag: generateTag() },
    to: { uri: u },
    callId: generateCallId(),
    cseq: 1,
  })
}

describe('server.request: requests of our own (§8.1)', () => {
  it('goes out with our Via and resolves with the final response', async () => {
    const net = createNet(never)
    const answer = net.server.request(options('sip:192.0.2.20'))
    const out = await net.forwarded('OPTIONS', '192.0.2.20')
    const vias = wire(out).headers.get(Via)!
    assert.equal(vias.length, 1)
    assert.match(vias[0]!.branch!, /^z9hG4bK/)
    net.answer(out, 100)
    net.answer(out, 404)
    assert.equal((await answer).status, 404)
  })

  it('408 when nobody answers (Timer F), 503 when there is nowhere to send it', async () => {
    const net = createNet(never)
    const answer = net.server.request(options('sip:192.0.2.20'))
    await net.forwarded('OPTIONS', '192.0.2.20')
    net.clock.advance(32_000)
    assert.equal((await answer).status, 408)

    const nowhere = createNet(never, {}, tableResolver({}))
    assert.equal((await nowhere.server.request(options('sip:gw.example.net'))).status, 503)
  })

  it('tries the next destination after a 503 or a timeout (RFC 3263 §4.3)', async () => {
    const pool = {
      'pool.example.com': [
        { transport: 'udp', address: '192.0.2.71', port: 5060 },
        { transport: 'udp', address: '192.0.2.72', port: 5060 },
      ],
    } as const
    const net = createNet(never, {}, tableResolver(pool))
    const answer = net.server.request(options('sip:pool.example.com'))
    net.answer(await net.forwarded('OPTIONS', '192.0.2.71'), 503)
    net.answer(await net.forwarded('OPTIONS', '192.0.2.72'), 200)
    assert.equal((await answer).status, 200)

    const silent = createNet(never, {}, tableResolver(pool))
    const second = silent.server.request(options('sip:pool.example.com'))
    await silent.forwarded('OPTIONS', '192.0.2.71')
    silent.clock.advance(32_000)
    const retried = await silent.forwarded('OPTIONS', '192.0.2.72')
    silent.answer(retried, 503)
    assert.equal((await second).status, 503, 'the last destination answers for itself')
  })
})
