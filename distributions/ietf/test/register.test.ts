/**
 * The registrar of a running junction-ietf (a real process, its bin) with real clients on loopback:
 *
 * - SIPp's REGISTER-with-digest scenario of the benchmark (REGISTER → 401 → REGISTER with
 *   Authorization → 200), 300 users, 0 failures, then the bindings counted over the admin RPC;
 * - sipsak registering with a password;
 * - NAT the way it looks on the wire: two UAs on loopback sockets whose Contacts name a private
 *   address nobody can reach register with digest and call each other; INVITE (with the 407
 *   round), 200, ACK and BYE all reach the UA where its own messages came from.
 */
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createCredentials, credentialsDirectives, parseChallenge } from '@junction/digest'
import {
  Authorization,
  ProxyAuthenticate,
  ProxyAuthorization,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  WwwAuthenticate,
} from '@junction/sip'
import { freeUdpPort, hasSipp, type Ietf, run, scenarios, startIetf } from './process.ts'

if (!hasSipp && process.env['CI'] === 'true') {
  test('sipp is installed (required under CI=true)', () => assert.fail('sipp is missing'))
}

const USERS = 300

async function rpc(ietf: Ietf, method: string, params?: unknown): Promise<unknown> {
  const { host, port } = ietf.admin!
  const res = await fetch(`http://${host}:${port}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: unknown; error?: unknown }
  assert.equal(body.error, undefined)
  return body.result
}

/** One sample of the admin server's /metrics. */
async function metric(ietf: Ietf, sample: string): Promise<number> {
  const { host, port } = ietf.admin!
  const text = await (await fetch(`http://${host}:${port}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  assert.ok(line !== undefined, `no ${sample} in /metrics`)
  return Number(line.slice(sample.length + 1))
}

describe('junction-ietf registrar with real clients', () => {
  let ietf: Ietf
  before(async () => {
    const users = [
      { user: 'alice', password: 'alice-secret' },
      { user: 'bob', password: 'bob-secret' },
    ]
    for (let i = 1; i <= USERS; i++)
      users.push({ user: `user${String(i).padStart(6, '0')}`, password: 'secret' })
    ietf = await startIetf({
      sip: { listen: ['udp:127.0.0.1:0'], domains: ['127.0.0.1'] },
      auth: { users },
      admin: { port: 0 },
    })
  })
  after(async () => {
    await ietf?.stop()
  })

  test(`SIPp: ${USERS} REGISTERs with digest, 0 failures`, { skip: !hasSipp }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ietf-register-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const csv = join(dir, 'users.csv')
    const made = await run('bash', [join(scenarios, 'make-users.sh'), String(USERS)], 10)
    writeFileSync(csv, made.stdout)
    const r = await run(
      'sipp',
      [
        `127.0.0.1:${ietf.port('udp')}`,
        '-sf',
        join(scenarios, 'register-auth.xml'),
        '-inf',
        csv,
        '-i',
        '127.0.0.1',
        '-p',
        String(await freeUdpPort()),
        '-m',
        String(USERS),
        '-r',
        '100',
        '-recv_timeout',
        '10000',
        '-nostdin',
        '-timeout',
        '40s',
        '-timeout_error',
        '-trace_stat',
        '-stf',
        join(dir, 'stat.csv'),
      ],
      50,
    )
    assert.equal(r.code, 0, `SIPp failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`)
    const stats = (await rpc(ietf, 'registrar.stats')) as { aors: number; bindings: number }
    assert.ok(stats.bindings >= USERS, `bindings: ${JSON.stringify(stats)}`)
    const one = (await rpc(ietf, 'registrar.lookup', { aor: 'sip:user000007@127.0.0.1' })) as unknown[]
    assert.equal(one.length, 1)
  })

  test('sipsak registers with a password (usrloc mode)', async () => {
    const added = () => metric(ietf, 'junction_registrar_binding_events_total{event="added"}')
    const before = await added()
    const port = ietf.port('udp')
    const r = await run(
      'sipsak',
      [
        '-U',
        '-C',
        'sip:bob@192.0.2.99:5999',
        '-s',
        `sip:bob@127.0.0.1:${port}`,
        '-u',
        'bob',
        '-a',
        'bob-secret',
        '-x',
        '300',
        '-vv',
      ],
      20,
    )
    assert.match(r.stdout, /All usrloc tests completed successful/, `${r.stdout}\n${r.stderr}`)
    assert.equal(await added(), before + 1)
  })

  test('two UAs behind NAT register and call each other: INVITE, 200, ACK, BYE', async () => {
    const port = ietf.port('udp')
    const alice = await ua('alice', 'alice-secret', port)
    const bob = await ua('bob', 'bob-secret', port)
    try {
      await alice.register()
      await bob.register()

      // INVITE: 407, then with credentials; bob gets it on his socket although his Contact is private
      const callId = `nat-${Date.now()}`
      const invite = (auth: string[]) =>
        alice.request(
          'INVITE',
          'sip:bob@127.0.0.1',
          callId,
          1,
          [...auth, 'Content-Type: application/sdp'],
          'v=0\r\n',
        )
      alice.send(invite([]))
      const challenge = await alice.response(407)
      alice.send(ack(challenge, 'sip:bob@127.0.0.1'))
      alice.send(invite([alice.answer(challenge, 'INVITE', 'sip:bob@127.0.0.1')]))
      const inv = await bob.request_('INVITE')
      const rr = inv.headers.raw('Record-Route')
      assert.ok(rr.length >= 1, 'record-routed')
      assert.match(inv.headers.raw('Contact')[0]!, /alias=127\.0\.0\.1~\d+~udp/)

      // 200 from bob: alice gets it with bob's Contact aliased
      bob.send(bob.reply(inv, 200, ['Contact: <sip:bob@10.99.0.2:5060>', `Record-Route: ${rr.join(', ')}`]))
      const ok = await alice.response(200)
      const bobTarget = ok.headers.raw('Contact')[0]!.replace(/^<|>.*$/g, '')
      assert.match(bobTarget, /alias=127\.0\.0\.1~\d+~udp/)
      const routeSet = ok.headers.raw('Record-Route').reverse()

      // ACK and BYE from alice along the route set reach bob at his NAT address
      const toTag = /tag=([^;>\s]+)/.exec(ok.headers.raw('To')[0]!)![1]!
      const inDialog = (method: string, cseq: number) =>
        alice.request(method, bobTarget, callId, cseq, [`Route: ${routeSet.join(', ')}`], '', toTag)
      alice.send(inDialog('ACK', 1))
      await bob.request_('ACK')
      alice.send(inDialog('BYE', 2))
      const bye = await bob.request_('BYE')
      bob.send(bob.reply(bye, 200))
      await alice.response(200)
    } finally {
      alice.close()
      bob.close()
    }
  })
})

/** A minimal UA on a loopback socket whose Contact names an unreachable private address (NAT). */
async function ua(user: string, password: string, proxyPort: number) {
  const socket: Socket = createSocket('udp4')
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  const local = socket.address().port
  const privateContact = `<sip:${user}@10.99.0.${user === 'alice' ? 1 : 2}:5060>`
  const inbox: SipMessage[] = []
  const waiters: Array<() => void> = []
  socket.on('message', (bytes) => {
    const r = parseMessage(bytes)
    if (r.ok) inbox.push(r.message)
    for (const w of waiters.splice(0)) w()
  })
  let branch = 0
  const tag = `${user}-tag`

  async function next<T extends SipMessage>(match: (m: SipMessage) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const i = inbox.findIndex(match)
      if (i >= 0) return inbox.splice(i, 1)[0] as T
      if (Date.now() > deadline) throw new Error(`${user}: no ${what}; got ${inbox.map(first).join(' | ')}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 200)
      })
    }
  }

  const self = {
    send(text: string) {
      socket.send(Buffer.from(text), proxyPort, '127.0.0.1')
    },
    request(
      method: string,
      uri: string,
      callId: string,
      cseq: number,
      extra: readonly string[] = [],
      body = '',
      toTag?: string,
    ) {
      const to = method === 'REGISTER' ? `sip:${user}@127.0.0.1` : uri.replace(/;.*$/, '')
      return [
        `${method} ${uri} SIP/2.0`,
        // the Via names the private address too: only rport tells where it really is (RFC 3581)
        `Via: SIP/2.0/UDP 10.99.0.9:5060;rport;branch=z9hG4bK${user}${++branch}${method === 'ACK' ? 'a' : ''}`,
        'Max-Forwards: 70',
        `From: <sip:${user}@127.0.0.1>;tag=${tag}`,
        `To: <${method === 'REGISTER' ? to : 'sip:bob@127.0.0.1'}>${toTag === undefined ? '' : `;tag=${toTag}`}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
        `Contact: ${privateContact}`,
        ...extra,
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n')
    },
    response(status: number): Promise<SipResponse> {
      return next((m) => m.kind === 'response' && m.status === status, `${status}`)
    },
    request_(method: string): Promise<SipRequest> {
      return next((m) => m.kind === 'request' && m.method === method, method)
    },
    reply(req: SipRequest, status: number, extra: readonly string[] = []) {
      const h = req.headers
      return [
        `SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Whatever'}`,
        ...h.raw('Via').map((v) => `Via: ${v}`),
        `From: ${h.raw('From')[0]}`,
        `To: ${h.raw('To')[0]}${/tag=/.test(h.raw('To')[0]!) ? '' : `;tag=${tag}`}`,
        `Call-ID: ${h.raw('Call-ID')[0]}`,
        `CSeq: ${h.raw('CSeq')[0]}`,
        ...extra,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
    },
    answer(challenge: SipResponse, method: string, uri: string): string {
      const proxy = challenge.status === 407
      const ch = (
        proxy ? challenge.headers.get(ProxyAuthenticate) : challenge.headers.get(WwwAuthenticate)
      )![0]!
      const c = parseChallenge(ch.params)
      assert.ok(c.ok)
      const cred = createCredentials({ challenge: c.value, username: user, password, method, uri, nc: 1 })
      assert.ok(cred.ok)
      const h = proxy ? ProxyAuthorization : Authorization
      return `${h.name}: ${h.format({ scheme: 'Digest', params: credentialsDirectives(cred.value) })}`
    },
    async register() {
      const callId = `reg-${user}-${local}`
      self.send(self.request('REGISTER', 'sip:127.0.0.1', callId, 1))
      const challenge = await self.response(401)
      self.send(
        self.request('REGISTER', 'sip:127.0.0.1', callId, 2, [
          self.answer(challenge, 'REGISTER', 'sip:127.0.0.1'),
        ]),
      )
      await self.response(200)
    },
    close() {
      socket.close()
    },
  }
  return self
}

function first(m: SipMessage): string {
  return m.kind === 'request' ? m.method : String(m.status)
}

/** The ACK for a non-2xx final response (RFC 3261 §17.1.1.3), as a UA sends it. */
function ack(res: SipResponse, uri: string): string {
  const h = res.headers
  return [
    `ACK ${uri} SIP/2.0`,
    `Via: ${h.raw('Via')[0]}`,
    'Max-Forwards: 70',
    `From: ${h.raw('From')[0]}`,
    `To: ${h.raw('To')[0]}`,
    `Call-ID: ${h.raw('Call-ID')[0]}`,
    `CSeq: ${h.raw('CSeq')[0]!.replace(/\w+$/, 'ACK')}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
}
