/**
 * Graceful shutdown as main.ts does it (the services stopped in reverse order): `/ready` turns
 * 503 at once, a call still ringing gets its final response relayed while SIP drains, a new
 * request meanwhile gets 503 with Retry-After, and the stores close only after the drain.
 * junction-ietf composed in process on loopback UDP, a static route to a UDP socket as the callee.
 */
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { after, test } from 'node:test'
import { createLogger } from '@junction/ops'
import { createResponse, parseMessage, type SipMessage, serialize } from '@junction/sip'
import { composeIetf } from '../src/compose.ts'
import { parseConfig } from '../src/config.ts'

const sockets: Socket[] = []
after(() => {
  for (const s of sockets) s.close()
})

async function udp(): Promise<Socket & { next(): Promise<SipMessage> }> {
  const s = createSocket('udp4')
  sockets.push(s)
  const queue: SipMessage[] = []
  const waiting: Array<(m: SipMessage) => void> = []
  s.on('message', (b) => {
    const p = parseMessage(b)
    if (!p.ok) return
    const w = waiting.shift()
    if (w === undefined) queue.push(p.message)
    else w(p.message)
  })
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  return Object.assign(s, {
    next: () => {
      const m = queue.shift()
      if (m !== undefined) return Promise.resolve(m)
      return new Promise<SipMessage>((r) => waiting.push(r))
    },
  })
}

function invite(uacPort: number, n: number): string {
  return [
    `INVITE sip:+4930${n}@example.com SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${uacPort};branch=z9hG4bKdrain${n};rport`,
    'Max-Forwards: 70',
    `From: <sip:gw@192.0.2.1>;tag=f${n}`,
    `To: <sip:+4930${n}@example.com>`,
    `Call-ID: drain-${n}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:gw@127.0.0.1:${uacPort}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
}

test('SIGTERM order: /ready 503 first, a ringing call is answered during the drain, the stores close last', {
  timeout: 60_000,
}, async () => {
  const uac = await udp()
  const callee = await udp()
  const config = parseConfig({
    sip: { listen: ['udp:127.0.0.1:0'], domains: ['example.com'] },
    // calls in to the callee: a route anyone may use
    routing: {
      routes: [{ domain: 'example.com', to: `sip:127.0.0.1:${callee.address().port}`, auth: 'none' }],
    },
    admin: { host: '127.0.0.1', port: 0 },
    shutdown: { graceMs: 10_000 },
    log: { level: 'silent' },
  })
  assert.ok(config.ok, JSON.stringify(config))
  const ietf = composeIetf(config.config, { log: createLogger({ name: 'shutdown', level: 'silent' }) })
  for (const s of ietf.services) await s.start?.()
  const port = ietf.sip.transport.listeners[0]!.port
  const admin = ietf.adminAddress()!
  const ready = async () => (await fetch(`http://127.0.0.1:${admin.port}/ready`)).status
  assert.equal(await ready(), 200)

  // a call that rings: the INVITE is at the callee, no final response yet
  uac.send(invite(uac.address().port, 1), port, '127.0.0.1')
  const atCallee = await callee.next()
  assert.equal(atCallee.kind === 'request' && atCallee.method, 'INVITE')

  // SIGTERM: main.ts stops the services in reverse order
  const stopped: string[] = []
  const stopping = (async () => {
    for (const s of [...ietf.services].reverse()) {
      await s.stop?.()
      stopped.push(s.name)
    }
  })()
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(await ready(), 503, '/ready turns 503 before the drain ends')
  // next-hop probing (started after SIP, whose transport it sends over) stops before the drain
  assert.deepEqual(stopped, ['ready', 'probe'], 'SIP is still draining: nothing it needs stopped')

  // a new request during the drain: 503 with Retry-After
  uac.send(invite(uac.address().port, 2), port, '127.0.0.1')
  let answer = await uac.next()
  while (answer.kind === 'response' && answer.status === 100) answer = await uac.next()
  assert.equal(answer.kind === 'response' && answer.status, 503)
  assert.ok(answer.headers.raw('Retry-After').length === 1)

  // the ringing call is answered: the 200 still goes upstream
  if (atCallee.kind !== 'request') throw new Error('not a request')
  const ok = createResponse(atCallee, 200, undefined, { toTag: 'callee' })
  callee.send(serialize(ok), ietf.sip.transport.listeners[0]!.port, '127.0.0.1')
  let up = await uac.next()
  while (up.kind === 'response' && up.status < 200) up = await uac.next()
  assert.equal(up.kind === 'response' && up.status, 200)

  await stopping
  assert.deepEqual(stopped, ['ready', 'probe', 'sip', 'stores', 'admin', 'metrics'])
})
