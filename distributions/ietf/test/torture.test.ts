/**
 * The RFC 4475 torture messages (and the RFC 5118 IPv6 ones) sent over UDP to a running
 * junction-ietf: it answers the valid ones, answers or drops the invalid ones, and keeps serving.
 * The messages name hosts such as example.com and 192.0.2.x: junction-ietf relays nowhere by
 * default (403 for other domains), so nothing leaves the machine; their Via is pointed at the
 * test's own socket so that the answers come back here.
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type Ietf, startIetf } from './process.ts'

const fixtures = fileURLToPath(new URL('../../../packages/sip/test/fixtures/', import.meta.url))
const index = JSON.parse(readFileSync(`${fixtures}index.json`, 'utf8')) as Array<{
  file: string
  kind: 'request' | 'response'
  class: string
  status: number | null
}>

let ietf: Ietf
const socket = createSocket('udp4')
let port = 0
const inbox: string[] = []

before(async () => {
  ietf = await startIetf({ sip: { listen: ['udp:127.0.0.1:0'] }, admin: { port: 0 } })
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r))
  port = socket.address().port
  socket.on('message', (m) => inbox.push(m.toString('latin1')))
})

after(async () => {
  socket.close()
  await ietf.stop()
})

/**
 * Points the first Via at our socket and makes its branch unique (many of the messages share
 * `z9hG4bKkdjuw`: with one sent-by they would match one transaction, §17.2.3); the rest of the
 * octets stay as they are.
 */
function aimVia(bytes: Buffer, n: number): Buffer {
  const text = bytes.toString('latin1').replace('z9hG4bK', `z9hG4bK${n}x`)
  // LWS may fold (CRLF + whitespace, RFC 3261 §25.1)
  const lws = '(?:[ \\t]|\\r\\n[ \\t])*'
  const via = new RegExp(
    `^(?:v|via)${lws}:${lws}SIP${lws}/${lws}2\\.0${lws}/${lws}[A-Za-z]+(?:[ \\t]|\\r\\n[ \\t])+([^;\\r\\n]+)([^\\r\\n]*)`,
    'im',
  )
  const m = via.exec(text)
  if (m === null) return bytes
  const start = m.index + m[0].length - m[1]!.length - m[2]!.length
  // a received= of the message (an address elsewhere) would take the answer away from loopback
  const params = m[2]!.replace(/;[ \t]*received[ \t]*=[^;,]*/i, '')
  return Buffer.from(
    `${text.slice(0, start)}127.0.0.1:${port}${params}${text.slice(m.index + m[0].length)}`,
    'latin1',
  )
}

async function answerTo(callIdHint: string, ms = 1500): Promise<string | undefined> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const hit = inbox.find((r) => r.includes(callIdHint))
    if (hit !== undefined) return hit
    await new Promise((r) => setTimeout(r, 20))
  }
  return undefined
}

describe('RFC 4475 / RFC 5118 messages through a running junction-ietf', () => {
  test('it answers every valid request and survives every message', async () => {
    let answered = 0
    let validRequests = 0
    const silent: string[] = []
    for (const [n, entry] of index.entries()) {
      const bytes = aimVia(readFileSync(`${fixtures}${entry.file}`), n)
      socket.send(bytes, ietf.port('udp'), '127.0.0.1')
      const text = bytes.toString('latin1')
      const callId = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1]
      if (
        entry.class !== 'V' ||
        entry.kind !== 'request' ||
        callId === undefined ||
        text.startsWith('ACK ')
      ) {
        await new Promise((r) => setTimeout(r, 10))
        continue
      }
      validRequests++
      if ((await answerTo(callId)) !== undefined) answered++
      else silent.push(entry.file)
    }
    assert.ok(validRequests > 10, `found the valid requests (${validRequests})`)
    assert.deepEqual(
      silent,
      [],
      `every valid request got a response; got ${inbox.length}: ${inbox.map((r) => r.split('\r\n')[0]).join(' / ')}`,
    )
    assert.equal(answered, validRequests)
    assert.equal(ietf.child.exitCode, null, 'still running')
    const health = await fetch(`http://127.0.0.1:${ietf.admin!.port}/health`)
    assert.equal(health.status, 200)
  })
})
