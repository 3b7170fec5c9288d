/**
 * forwardResponse (RFC 3261 §18.2.2, §16.11): a response sent by its top Via alone reaches the
 * client over UDP, and over the client's own TCP connection when that is still open.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createRequest, createResponse, type SipMessage, type SipRequest } from '@junction/sip'
import type { Flow } from '../src/flow.ts'
import { createTransport, type Transport } from '../src/transport.ts'

interface Got {
  message: SipMessage
  flow: Flow
}

function box() {
  const got: Got[] = []
  let wake: (() => void) | undefined
  return {
    got,
    push(g: Got) {
      got.push(g)
      wake?.()
    },
    async next(n: number): Promise<Got> {
      const until = Date.now() + 3000
      while (got.length < n) {
        if (Date.now() > until) throw new Error('timed out')
        await new Promise<void>((r) => {
          wake = r
          setTimeout(r, 50)
        })
      }
      return got[n - 1]!
    },
  }
}

const proxyBox = box()
const uacBox = box()
let proxy: Transport
let uac: Transport

before(async () => {
  proxy = createTransport(
    { listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'] },
    { receive: (message, flow) => proxyBox.push({ message, flow }) },
  )
  uac = createTransport(
    { listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'] },
    { receive: (message, flow) => uacBox.push({ message, flow }) },
  )
  await proxy.start()
  await uac.start()
})

after(async () => {
  await proxy.stop()
  await uac.stop()
})

function options(): SipRequest {
  return createRequest({
    method: 'OPTIONS',
    uri: 'sip:b@127.0.0.1',
    from: 'sip:a@example.com',
    to: 'sip:b@example.com',
    via: { transport: 'UDP', host: '0.0.0.0', rport: null },
  })
}

describe('forwardResponse', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    test(`${transport}: reaches the client by its Via`, async () => {
      const listener = proxy.listeners.find((l) => l.transport === transport)!
      const n = proxyBox.got.length + 1
      await uac.sendRequest(options(), { transport, address: '127.0.0.1', port: listener.port })
      const { message, flow: inbound } = await proxyBox.next(n)
      assert.equal(message.kind, 'request')
      const m = uacBox.got.length + 1
      await proxy.forwardResponse(createResponse(message as SipRequest, 200))
      const got = await uacBox.next(m)
      assert.equal(got.message.kind, 'response')
      if (transport === 'tcp') {
        // over the connection the request came on: the proxy's side of it is the inbound flow
        assert.equal(got.flow.remote.port, inbound.local.port)
        assert.equal(proxy.stats.connectionsOpen, 1)
      }
    })
  }

  test('a Via with an unknown transport is refused, not thrown past the promise', async () => {
    const req = options()
    const res = createResponse(req, 200)
    res.headers.setRaw('Via', 'SIP/2.0/SCTP 127.0.0.1:5999;branch=z9hG4bKx')
    await assert.rejects(proxy.forwardResponse(res))
  })
})
