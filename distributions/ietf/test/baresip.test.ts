/**
 * junction-ietf (a real process, its bin) with baresip (Debian's package, a real softphone) and a
 * JsSIP user in Node over WebSocket (see browser-clients.ts):
 *
 * - baresip registers as alice over UDP with digest MD5 (401 round), the binding is checked over
 *   the admin RPC (registrar.lookup);
 * - baresip calls the JsSIP user (bob) through junction-ietf: INVITE (407 round) → 200 → ACK → BYE;
 * - the JsSIP user calls baresip (auto-answer): INVITE → 200 → ACK → BYE.
 *
 * baresip runs headless: a temporary config folder (`-f`), no audio device (its aubridge module as
 * source and player), driven over its ctrl_tcp module (netstring JSON commands, and events
 * such as REGISTER_OK and CALL_ESTABLISHED), SIP trace on stdout (`-s`), with its own PID, stopped
 * in `after`. baresip 1.0 (libre 1.1) refuses a 401 that holds any non-MD5 challenge: junction-ietf's
 * default (MD5 alone) is what it needs.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  bounded,
  dump,
  installGlobals,
  type JsSipCall,
  JsSipUser,
  received,
  uninstallGlobals,
} from './browser-clients.ts'
import { type Ietf, startIetf } from './process.ts'

const hasBaresip = spawnSync('baresip', ['-h'], { timeout: 5000 }).error === undefined

if (!hasBaresip && process.env['CI'] === 'true') {
  test('baresip is installed (required under CI=true)', () => assert.fail('baresip is missing'))
}

const DOMAIN = '127.0.0.1'
/** The colour codes of baresip's trace (ESC [ ... m). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')
const WAIT = 15_000

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

/** A TCP port free on 127.0.0.1 right now (ctrl_tcp needs one up front). */
async function freeTcpPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

interface BaresipEvent {
  readonly type: string
  readonly [key: string]: unknown
}

/** baresip as a child process, driven over ctrl_tcp. */
class Baresip {
  readonly dir: string
  readonly child: ChildProcess
  /** stdout: the SIP trace (`-s`) and baresip's own lines. */
  stdout = ''
  readonly events: BaresipEvent[] = []
  #ctrl: Socket | undefined
  #buffer = ''
  #token = 0
  readonly #responses = new Map<string, (r: { ok: boolean; data?: string }) => void>()
  readonly #exited: Promise<number | null>

  constructor(account: string, ctrlPort: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'junction-baresip-'))
    writeFileSync(
      join(this.dir, 'config'),
      [
        'poll_method epoll',
        'sip_listen 127.0.0.1:0',
        'sip_trans_def udp',
        'call_local_timeout 120',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        // no audio device: the audio bridge module as source and player (ausine is 48 kHz only,
        // PCMU is 8 kHz: baresip would end the call with "start_source failed")
        'module aubridge.so',
        'audio_source aubridge,nil',
        'audio_player aubridge,nil',
        'audio_alert aubridge,nil',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        '',
      ].join('\n'),
    )
    writeFileSync(join(this.dir, 'accounts'), `${account}\n`)
    writeFileSync(join(this.dir, 'contacts'), '')
    this.child = spawn('baresip', ['-f', this.dir, '-s'], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString()
    })
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stdout += d.toString()
    })
    this.#exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)))
  }

  /** Connects to ctrl_tcp (retrying while baresip starts). */
  async connect(port: number): Promise<void> {
    const deadline = Date.now() + WAIT
    for (;;) {
      if (this.child.exitCode !== null)
        throw new Error(`baresip exited ${this.child.exitCode}:\n${this.stdout}`)
      try {
        this.#ctrl = await new Promise<Socket>((resolve, reject) => {
          const s = connect(port, '127.0.0.1')
          s.once('connect', () => resolve(s))
          s.once('error', reject)
        })
        break
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`ctrl_tcp not reachable: ${e}\n${this.stdout}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    this.#ctrl.on('data', (d: Buffer) => this.#read(d.toString()))
    this.#ctrl.on('error', () => {})
  }

  /** Netstrings (`len:json,`): events and command responses. */
  #read(text: string): void {
    this.#buffer += text
    for (;;) {
      const colon = this.#buffer.indexOf(':')
      if (colon < 0) return
      const len = Number(this.#buffer.slice(0, colon))
      if (this.#buffer.length < colon + 1 + len + 1) return
      const json = this.#buffer.slice(colon + 1, colon + 1 + len)
      this.#buffer = this.#buffer.slice(colon + 1 + len + 1)
      const msg = JSON.parse(json) as Record<string, unknown>
      if (msg['event'] === true) this.events.push(msg as unknown as BaresipEvent)
      else if (msg['response'] === true) {
        const token = String(msg['token'])
        this.#responses.get(token)?.({ ok: msg['ok'] === true, data: msg['data'] as string })
        this.#responses.delete(token)
      }
    }
  }

  /** Runs a ctrl_tcp command (`dial`, `hangup`...). */
  command(command: string, params = ''): Promise<{ ok: boolean; data?: string }> {
    const token = String(++this.#token)
    const json = JSON.stringify({ command, params, token })
    return bounded(
      new Promise((resolve) => {
        this.#responses.set(token, resolve)
        this.#ctrl!.write(`${Buffer.byteLength(json)}:${json},`)
      }),
      `baresip ${command} ${params}`,
    )
  }

  /** Resolves with the first event of `type` after index `from`, else rejects with the trace. */
  async event(type: string, from = 0): Promise<BaresipEvent> {
    const deadline = Date.now() + WAIT
    for (;;) {
      const e = this.events.slice(from).find((x) => x.type === type)
      if (e !== undefined) return e
      if (Date.now() > deadline) {
        throw new Error(
          `baresip: no ${type} event; got ${this.events.map((x) => x.type).join(' ')}\n${this.trace()}\n${dump()}`,
        )
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** The SIP messages of the trace (`-s`): `UDP from -> to`, then the message. */
  messages(): Array<{ from: string; to: string; first: string; cseq: string; text: string }> {
    const out: Array<{ from: string; to: string; first: string; cseq: string; text: string }> = []
    for (const block of this.plain().split(/^#\r?$/m)) {
      const m = /^\s*UDP (\S+) -> (\S+)\r?\n([^\r\n]*)/.exec(block)
      if (m === null) continue
      const cseq = /^CSeq:\s*\d+\s+(\w+)/im.exec(block)?.[1] ?? ''
      out.push({ from: m[1]!, to: m[2]!, first: m[3]!, cseq, text: block })
    }
    return out
  }

  /** What baresip received: a request's method, or a response's `status CSeq-method`. */
  received(): string[] {
    const local = this.localAddress()
    return this.messages()
      .filter((m) => m.to === local)
      .map((m) =>
        m.first.startsWith('SIP/2.0 ') ? `${m.first.split(' ')[1]} ${m.cseq}` : m.first.split(' ')[0]!,
      )
  }

  /** Resolves when baresip received `entry` (as `received` writes it) after index `from`. */
  async sees(entry: string, from = 0): Promise<void> {
    const deadline = Date.now() + WAIT
    while (!this.received().slice(from).includes(entry)) {
      if (Date.now() > deadline)
        throw new Error(`baresip never received ${entry}\n${this.trace()}\n${dump()}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Resolves when a REGISTER got its 200; rejects at once when baresip gave up on it. */
  async registered(): Promise<void> {
    const deadline = Date.now() + WAIT
    while (!this.received().includes('200 REGISTER')) {
      const failed = /reg: [^\n]*Register: [^\n]*/.exec(this.plain())
      if (failed !== null || Date.now() > deadline)
        throw new Error(`baresip did not register: ${failed?.[0] ?? 'timeout'}\n${this.trace()}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** baresip's SIP address (its first REGISTER's source in the trace). */
  localAddress(): string | undefined {
    return /UDP (\S+) -> \S+\r?\nREGISTER /.exec(this.stdout)?.[1]
  }

  /** stdout without colours. */
  plain(): string {
    return (
      this.stdout
        .replace(ANSI, '')
        // the status line of the menu module, redrawn several times a second during a call
        .replace(/\[\d+:\d\d:\d\d\] audio=\S+ \(bit\/s\)\s*/g, '')
    )
  }

  /** The SIP trace, its end, for failure messages. */
  trace(): string {
    return this.plain().slice(-6000)
  }

  async stop(): Promise<void> {
    this.#ctrl?.destroy()
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000)
    await this.#exited
    clearTimeout(timer)
    rmSync(this.dir, { recursive: true, force: true })
  }
}

describe('junction-ietf with baresip (UDP, digest MD5) and JsSIP (WS)', {
  skip: !hasBaresip,
  timeout: 180_000,
}, () => {
  let ietf: Ietf
  let bob: JsSipUser
  let baresip: Baresip

  before(async () => {
    installGlobals()
    // baresip 1.0 (libre 1.1) gives up with ENOSYS on a 401 holding any non-MD5 challenge, and
    // JsSIP reads only the last one: MD5 alone (junction-ietf's default)
    ietf = await startIetf({
      sip: { listen: ['udp:127.0.0.1:0', 'ws:127.0.0.1:0'], domains: [DOMAIN] },
      auth: { algorithms: ['MD5'] },
      admin: { port: 0 },
      log: { level: process.env['IETF_LOG'] === 'debug' ? 'debug' : 'info' },
    })
    bob = new JsSipUser('bob', 'bob-secret', `ws://127.0.0.1:${ietf.port('ws')}`, DOMAIN)
    await bob.register()
    const ctrlPort = await freeTcpPort()
    // the example user alice (loopback, no users configured); junction-ietf as outbound proxy
    baresip = new Baresip(
      `<sip:alice@${DOMAIN}>;auth_pass=alice-secret;outbound="sip:127.0.0.1:${ietf.port('udp')}";regint=600;audio_codecs=PCMU,PCMA;answermode=auto`,
      ctrlPort,
    )
    await baresip.connect(ctrlPort)
  })

  after(async () => {
    await Promise.allSettled([baresip?.stop(), bob?.stop()])
    await ietf?.stop()
    uninstallGlobals()
  })

  test('baresip registers over UDP with digest MD5', { timeout: 30_000 }, async () => {
    // (REGISTER_OK may come before ctrl_tcp is connected: the trace tells)
    await baresip.registered()
    const trace = baresip.plain()
    assert.match(trace, /SIP\/2\.0 401 Unauthorized[\s\S]*algorithm=MD5/, trace)
    assert.match(trace, /REGISTER sip:[\s\S]*Authorization: Digest [^\r\n]*username="alice"/, trace)
    const bindings = (await rpc(ietf, 'registrar.lookup', { aor: `sip:alice@${DOMAIN}` })) as Array<{
      contact: string
      received?: string
    }>
    assert.equal(bindings.length, 1, JSON.stringify(bindings))
    const local = baresip.localAddress()
    assert.ok(local !== undefined, trace)
    // its Contact, and the UDP source it registered from
    assert.match(bindings[0]!.contact, new RegExp(`^sip:alice-[^@]+@${local.replace(/\./g, '\\.')}`))
    assert.equal(bindings[0]!.received, `sip:${local};transport=udp`)
  })

  describe('baresip calls JsSIP', () => {
    let answered: JsSipCall | undefined
    let from = 0
    let start = 0

    test('the INVITE reaches JsSIP, which answers; baresip gets the 200 (call established)', {
      timeout: 40_000,
    }, async () => {
      from = baresip.events.length
      start = received('bob').length
      const incoming = bob.nextIncoming()
      const dialed = await baresip.command('dial', `sip:bob@${DOMAIN}`)
      assert.ok(dialed.ok, `dial: ${JSON.stringify(dialed)}`)
      // the callee got the INVITE over its WS flow, after baresip answered the proxy's 407
      const session = await incoming
      assert.match(baresip.trace(), /SIP\/2\.0 407 Proxy Authentication Required/)
      assert.match(baresip.trace(), /INVITE sip:bob@127\.0\.0\.1[\s\S]*Proxy-Authorization: Digest/)
      assert.deepEqual(
        received('bob')
          .slice(start)
          .filter((r) => !/^\d/.test(r)),
        ['INVITE'],
        dump('bob'),
      )
      answered = bob.answer(session)
      // the caller got the 200 (baresip sends its ACK with it)
      await baresip.event('CALL_ESTABLISHED', from)
    })

    test("the ACK and baresip's BYE reach JsSIP", { timeout: 40_000 }, async () => {
      assert.ok(answered !== undefined, 'no call established')
      try {
        await bounded(answered.acked, `JsSIP bob waiting for the ACK\n${baresip.trace()}`)
        await baresip.command('hangup')
        await bounded(answered.byeReceived, 'JsSIP bob waiting for the BYE')
        await baresip.event('CALL_CLOSED', from)
        assert.deepEqual(
          received('bob')
            .slice(start)
            .filter((r) => !/^\d/.test(r)),
          ['INVITE', 'ACK', 'BYE'],
          dump('bob'),
        )
      } finally {
        // whatever happened, no call is left for the next test
        if (!baresip.events.slice(from).some((e) => e.type === 'CALL_CLOSED')) {
          await baresip.command('hangup').catch(() => {})
          await baresip.event('CALL_CLOSED', from).catch(() => {})
        }
        bob.hangUp(answered.session)
      }
    })
  })

  test('JsSIP calls baresip: INVITE → 200 (auto-answer) → ACK → BYE', { timeout: 60_000 }, async () => {
    const from = baresip.events.length
    const before = baresip.received().length
    const start = received('bob').length
    // the INVITE reaches baresip at the UDP address it registered from; it answers by itself
    const session = await bob.call(`sip:alice@${DOMAIN}`)
    await baresip.sees('INVITE', before)
    assert.ok(received('bob').slice(start).includes('200 INVITE'), dump('bob'))
    // baresip got the ACK, then JsSIP hangs up: baresip got the BYE, JsSIP the 200 to it
    await baresip.sees('ACK', before)
    bob.hangUp(session)
    await baresip.event('CALL_CLOSED', from)
    const deadline = Date.now() + WAIT
    while (!received('bob').slice(start).includes('200 BYE')) {
      if (Date.now() > deadline) throw new Error(`JsSIP never got the 200 to its BYE\n${dump('bob')}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.deepEqual(
      baresip
        .received()
        .slice(before)
        .filter((r) => !/^\d/.test(r)),
      ['INVITE', 'ACK', 'BYE'],
      baresip.trace(),
    )
  })
})

describe('junction-ietf with its default challenge (MD5 alone) and baresip', {
  skip: !hasBaresip,
  timeout: 60_000,
}, () => {
  let ietf: Ietf
  let baresip: Baresip

  before(async () => {
    ietf = await startIetf({
      sip: { listen: ['udp:127.0.0.1:0'], domains: [DOMAIN] },
      admin: { port: 0 },
    })
    const ctrlPort = await freeTcpPort()
    baresip = new Baresip(
      `<sip:alice@${DOMAIN}>;auth_pass=alice-secret;outbound="sip:127.0.0.1:${ietf.port('udp')}";regint=600`,
      ctrlPort,
    )
    await baresip.connect(ctrlPort)
  })

  after(async () => {
    await baresip?.stop()
    await ietf?.stop()
  })

  test('baresip registers', {
    timeout: 30_000,
  }, async () => {
    await baresip.registered()
  })
})
