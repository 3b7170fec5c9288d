/**
 * `subscribe` against a third-party notifier: Kamailio 5.6 with its presence and presence_xml
 * modules (Debian kamailio-presence-modules; subscriptions and published state in memory, db_text
 * only for the table versions), started by the test on a loopback port and stopped by its PID.
 * A SUBSCRIBE to presence gets 200 and a NOTIFY; after a PUBLISH (RFC 3903) the NOTIFY carries the
 * published PIDF; an event package Kamailio does not serve gets 489.
 *
 * Skipped with a message when kamailio or its presence modules are missing, except under CI=true.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { kamailioModules, processGroup } from '@junction/test-support'
import { type ClientEvent, run, subscribe, withAgent } from '../src/index.ts'

const MODULES = kamailioModules() // per architecture, from dpkg

function available(): boolean {
  try {
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' })
  } catch {
    return false
  }
  return ['presence.so', 'presence_xml.so', 'db_text.so'].every((m) => existsSync(join(MODULES, m)))
}
const ci = process.env['CI'] === 'true'
const skip = !available() && !ci ? 'kamailio with kamailio-presence-modules is missing' : false

const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'junction-client-presence-'))
// Kamailio's output, for assertion messages
const peers = processGroup({ maxLog: 200_000 })
const log = () => peers.log('kamailio')
let uri = ''

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

function config(port: number): string {
  const db = `text://${join(dir, 'db')}`
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
auto_aliases=no
disable_tcp=yes
listen=udp:127.0.0.1:${port}
mpath="${MODULES}"
loadmodule "db_text.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
modparam("presence", "db_url", "${db}")
modparam("presence", "subs_db_mode", 0)
modparam("presence", "publ_cache", 2)
modparam("presence", "server_address", "sip:127.0.0.1:${port}")
modparam("presence_xml", "db_url", "${db}")
modparam("presence_xml", "force_active", 1)
request_route {
  if (is_method("SUBSCRIBE|PUBLISH")) {
    if (has_totag()) { loose_route(); }
    if (is_method("PUBLISH")) { handle_publish(); } else { handle_subscribe(); }
    exit;
  }
  if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
  sl_send_reply("404", "Not Here");
}
`
}

before(async () => {
  if (skip) return
  const port = await freeUdpPort()
  mkdirSync(join(dir, 'db'))
  // db_text tables the modules check the versions of (everything else stays in memory)
  writeFileSync(
    join(dir, 'db', 'version'),
    'table_name(str) table_version(int)\npresentity:5\nactive_watchers:12\nwatchers:3\nxcap:4\n',
  )
  for (const t of ['presentity', 'active_watchers', 'watchers', 'xcap'])
    writeFileSync(join(dir, 'db', t), 'id(int,auto)\n')
  writeFileSync(join(dir, 'kamailio.cfg'), config(port))
  mkdirSync(join(dir, 'run'))
  // in a process group of its own, stopped with every process it forks
  const c = peers.start('kamailio', 'kamailio', [
    '-f',
    join(dir, 'kamailio.cfg'),
    '-DD',
    '-E',
    '-m',
    '32',
    '-M',
    '4',
    '-Y',
    join(dir, 'run'),
    '-w',
    dir,
  ])
  uri = `sip:127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (c.exitCode !== null) throw new Error(`kamailio exited ${c.exitCode}:\n${log().slice(-3000)}`)
    const code = await run(['options', uri, '--local', '127.0.0.1', '--timeout', '500'], {
      stdout: () => {},
      stderr: () => {},
    })
    if (code === 0) break
    if (i > 40) throw new Error(`kamailio did not answer:\n${log().slice(-3000)}`)
  }
})

after(async () => {
  await peers.stopAll()
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

const pidf = (status: string) => `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@127.0.0.1">
  <tuple id="t1"><status><basic>${status}</basic></status><note>junction-client test</note></tuple>
</presence>
`

describe('subscribe against Kamailio presence', { skip }, () => {
  test('SUBSCRIBE presence: 200, a NOTIFY (active), then unsubscribed with 200', async () => {
    const events: ClientEvent[] = []
    const r = await subscribe(`sip:carol@127.0.0.1`, {
      proxy: uri,
      local: '127.0.0.1',
      from: 'sip:watcher@127.0.0.1',
      expires: 60,
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.exitCode, 0, `${JSON.stringify(events)}\n${log().slice(-2000)}`)
    assert.equal(events.find((e) => e.event === 'response')?.['status'], 200)
    assert.equal(events.find((e) => e.event === 'notify')?.['state'], 'active')
    assert.equal(events.find((e) => e.event === 'response' && e['unsubscribe'] === true)?.['status'], 200)
  })

  test('after a PUBLISH, the NOTIFY carries the published PIDF (the CLI, --json)', async () => {
    const published = await withAgent(
      { proxy: uri, local: '127.0.0.1', from: 'sip:alice@127.0.0.1' },
      uri,
      async (agent) => {
        const o = await agent.within(
          agent.ua.request('PUBLISH', 'sip:alice@127.0.0.1', {
            headers: { Event: 'presence', Expires: '60' },
            body: pidf('open'),
            contentType: 'application/pidf+xml',
          }),
        )
        return {
          ok: o.response.status === 200,
          exitCode: o.response.status === 200 ? 0 : 1,
          status: o.response.status,
        }
      },
    )
    assert.equal(published.status, 200, log().slice(-2000))
    const out: string[] = []
    const code = await run(
      [
        'subscribe',
        'sip:alice@127.0.0.1',
        '--proxy',
        uri,
        '--local',
        '127.0.0.1',
        '--from',
        'sip:watcher@127.0.0.1',
        '--json',
      ],
      {
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
      },
    )
    assert.equal(code, 0, out.join(''))
    const events = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ClientEvent)
    const notify = events.find((e) => e.event === 'notify')
    assert.match(String(notify?.['body']), /<basic>open<\/basic>/)
    assert.match(String(notify?.['contentType']), /application\/pidf\+xml/)
  })

  test('an event package the notifier does not serve: 489, exit code 1', async () => {
    const r = await subscribe('sip:alice@127.0.0.1', {
      proxy: uri,
      local: '127.0.0.1',
      event: 'no-such-package',
    })
    assert.equal(r.exitCode, 1)
    assert.equal(r.status, 489)
  })
})
