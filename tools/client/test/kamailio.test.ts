/**
 * junction-client against a third-party server: Kamailio 5.6 (Debian `kamailio`) as a registrar
 * and proxy with digest authentication (auth module, one fixed password checked with
 * pv_www_authenticate/pv_proxy_authenticate), usrloc in memory, record-routing — started by the
 * test from a configuration written into a temporary directory, on loopback with free ports, and
 * stopped by its PID. Covers options, register (MD5 and SHA-256, wrong password, unregister),
 * message and a call between a calling and an answering client (UDP and TCP).
 *
 * Skipped with a message when kamailio is not installed, except under CI=true, where that fails.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { freePort, processGroup } from '@junction/test-support'
import { answer, type ClientEvent, call, message, ping, register } from '../src/index.ts'

const PASSWORD = 'kamailio-secret'
const DOMAIN = 'kamailio.test'

function available(): boolean {
  try {
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const ci = process.env['CI'] === 'true'
const skip = !available() && !ci ? 'kamailio is not installed (Debian package kamailio)' : false

function config(port: number, algorithm: string): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=2
auto_aliases=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
alias="${DOMAIN}"

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"

modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", 1)
modparam("auth", "algorithm", "${algorithm}")
modparam("auth", "nonce_count", 1)
modparam("auth", "qop", "auth")

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
    sl_send_reply("404", "Not Here"); exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
  # the client's outbound-proxy Route names us: consume it
  if (is_present_hf("Route")) { loose_route(); }
  if (is_method("OPTIONS") && $rU == $null) { sl_send_reply("200", "Keepalive"); exit; }
  if (is_method("REGISTER")) {
    if (!pv_www_authenticate("$td", "${PASSWORD}", "0")) { www_challenge("$td", "1"); exit; }
    consume_credentials();
    if (!save("location")) { sl_reply_error(); }
    exit;
  }
  if (!pv_proxy_authenticate("$fd", "${PASSWORD}", "0")) { proxy_challenge("$fd", "1"); exit; }
  consume_credentials();
  if (is_method("INVITE")) { record_route(); }
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  if (!t_relay()) { sl_reply_error(); }
}
`
}

interface Kamailio {
  readonly proxy: string
  readonly port: number
  readonly child: ChildProcess
  /** Its output so far (the latest 200 000 chars). */
  readonly log: string
}

const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'junction-client-kamailio-'))
// each Kamailio in a process group of its own, stopped with every process it forked
const kamailios = processGroup({ maxLog: 200_000 })

async function startKamailio(algorithm: 'MD5' | 'SHA-256'): Promise<Kamailio> {
  const port = await freePort()
  const cfg = join(dir, `kamailio-${algorithm}.cfg`)
  writeFileSync(cfg, config(port, algorithm))
  const run = join(dir, `run-${algorithm}`)
  execFileSync('mkdir', ['-p', run])
  const name = `kamailio-${algorithm}`
  const child = kamailios.start(name, 'kamailio', [
    '-f',
    cfg,
    '-DD',
    '-E',
    '-m',
    '32',
    '-M',
    '4',
    '-Y',
    run,
    '-w',
    dir,
  ])
  const k: Kamailio = {
    proxy: `sip:127.0.0.1:${port}`,
    port,
    child,
    get log() {
      return kamailios.log(name)
    },
  }
  // ready when it answers OPTIONS (bounded)
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`kamailio exited ${child.exitCode}:\n${k.log.slice(-3000)}`)
    const r = await ping(k.proxy, { local: '127.0.0.1', timeout: 500 })
    if (r.status === 200) return k
  }
  throw new Error(`kamailio did not answer OPTIONS:\n${k.log.slice(-3000)}`)
}

let md5: Kamailio
let sha: Kamailio
before(async () => {
  if (skip) return
  md5 = await startKamailio('MD5')
  sha = await startKamailio('SHA-256')
})
after(async () => {
  await kamailios.stopAll()
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

const alice = `sip:alice@${DOMAIN}`
const bob = `sip:bob@${DOMAIN}`

describe('junction-client against Kamailio 5.6 (registrar + proxy, digest auth)', { skip }, () => {
  test('options: 200 from Kamailio', async () => {
    const r = await ping(md5.proxy, { local: '127.0.0.1' })
    assert.equal(r.status, 200, md5.log.slice(-2000))
  })

  test('register with MD5 and with SHA-256 (RFC 8760), then unregister; a wrong password gets 401', async () => {
    for (const k of [md5, sha]) {
      const events: ClientEvent[] = []
      const r = await register(alice, {
        proxy: k.proxy,
        local: '127.0.0.1',
        password: PASSWORD,
        expires: 120,
        onEvent: (e) => events.push(e),
      })
      assert.equal(r.status, 200, `${JSON.stringify(events)}\n${k.log.slice(-2000)}`)
      assert.equal(
        events.find((e) => e.event === 'authenticate')?.['algorithm'],
        k === md5 ? 'MD5' : 'SHA-256',
      )
      assert.ok(Number(events.find((e) => e.event === 'response')?.['expires']) > 0)
      const removed = await register(alice, {
        proxy: k.proxy,
        local: '127.0.0.1',
        password: PASSWORD,
        unregister: true,
      })
      assert.equal(removed.status, 200)
    }
    const wrong = await register(alice, { proxy: md5.proxy, local: '127.0.0.1', password: 'wrong' })
    assert.equal(wrong.exitCode, 1)
    assert.equal(wrong.status, 401)
  })

  test('register --duration over TCP: refreshed before expiry, then removed', async () => {
    const events: ClientEvent[] = []
    const r = await register(alice, {
      proxy: `${md5.proxy};transport=tcp`,
      transport: 'tcp',
      local: '127.0.0.1',
      password: PASSWORD,
      expires: 2,
      duration: 3,
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.exitCode, 0, `${JSON.stringify(events)}\n${md5.log.slice(-2000)}`)
    assert.ok(
      events.some((e) => e.event === 'refresh' && e['state'] === 'registered'),
      JSON.stringify(events),
    )
  })

  for (const transport of ['udp', 'tcp'] as const) {
    test(`message and call over ${transport}: bob answers (registered with Kamailio), alice sends a MESSAGE and calls`, async () => {
      const proxy = transport === 'udp' ? md5.proxy : `${md5.proxy};transport=tcp`
      const common = { proxy, transport, local: '127.0.0.1', password: PASSWORD, timeout: 15_000 }
      const bobEvents: ClientEvent[] = []
      let ready: () => void = () => {}
      const waiting = new Promise<void>((r) => {
        ready = r
      })
      const answering = answer(bob, {
        ...common,
        register: true,
        expires: 60,
        count: 1,
        onEvent: (e) => {
          bobEvents.push(e)
          if (e.event === 'waiting') ready()
        },
      })
      await Promise.race([waiting, answering])
      const events: ClientEvent[] = []
      const m = await message(alice, bob, `hello over ${transport}`, {
        ...common,
        onEvent: (e) => events.push(e),
      })
      assert.equal(
        m.status,
        200,
        `${JSON.stringify(events)}\n${JSON.stringify(bobEvents)}\n${md5.log.slice(-3000)}`,
      )
      assert.ok(bobEvents.some((e) => e.event === 'message' && e['text'] === `hello over ${transport}`))
      const c = await call(bob, { ...common, from: alice, duration: 1, onEvent: (e) => events.push(e) })
      assert.equal(c.exitCode, 0, `${JSON.stringify(events)}\n${md5.log.slice(-3000)}`)
      assert.equal(events.find((e) => e.event === 'response' && e['method'] === 'INVITE')?.['status'], 200)
      assert.equal(events.find((e) => e.event === 'response' && e['method'] === 'BYE')?.['status'], 200)
      const b = await answering
      assert.equal(b.exitCode, 0, JSON.stringify(bobEvents))
      assert.ok(bobEvents.some((e) => e.event === 'ended' && e['by'] === 'remote'))
    })
  }

  test('a call to a user who is not registered: 404 from Kamailio, exit code 1', async () => {
    const r = await call(`sip:carol@${DOMAIN}`, {
      proxy: md5.proxy,
      local: '127.0.0.1',
      from: alice,
      password: PASSWORD,
    })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 404)
  })
})
