/**
 * RFC 3263 resolution through a real DNS server: dnsmasq on a high loopback port serves a NAPTR
 * set, two SRV priorities (the first target dead) and A/AAAA records; the resolver asks it through
 * `node:dns/promises`. Outside CI the test is skipped, with a message, when dnsmasq is missing;
 * under CI=true a missing dnsmasq fails it (.ci/run installs it).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { Resolver } from 'node:dns/promises'
import { accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { resolveErrorCodes } from '../src/errors.ts'
import { createResolver, type Dns, type ResolvedTarget } from '../src/resolver.ts'

function findDnsmasq(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin']
  for (const dir of dirs) {
    if (dir === '') continue
    const file = join(dir, 'dnsmasq')
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {}
  }
  return undefined
}

/** A UDP port free on 127.0.0.1 right now. */
/**
 * A port free for UDP *and* TCP on 127.0.0.1: dnsmasq listens on both and exits at once when the
 * TCP one is taken (a test run that opened and closed many connections leaves ephemeral ports in
 * use or in TIME_WAIT: a port that was free for UDP only made it fail five times in a row).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, '127.0.0.1', resolve)
    })
    const { port } = socket.address()
    const tcp = createServer()
    const tcpFree = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false))
      tcp.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (tcpFree) await new Promise<void>((resolve) => tcp.close(() => resolve()))
    await new Promise<void>((resolve) => socket.close(() => resolve()))
    if (tcpFree) return port
  }
}

const dnsmasq = findDnsmasq()
const underCi = process.env['CI'] === 'true'
const skip =
  dnsmasq === undefined && !underCi
    ? 'dnsmasq is not installed (apt-get install dnsmasq): RFC 3263 resolution through a real DNS server not tested'
    : false

/** The zone. `dead` has an A record only, so that blocking its one target puts `live` first. */
const records = [
  '--local=/example.test/', // answer NXDOMAIN for other names under example.test instead of REFUSED
  // NAPTR <name>,<order>,<preference>,<flags>,<service>,<regexp>,<replacement>
  '--naptr-record=example.test,10,20,S,SIP+D2T,,_sip._tcp.example.test',
  '--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test',
  // SRV <name>,<target>,<port>,<priority>,<weight>
  '--srv-host=_sip._udp.example.test,live.example.test,5080,20,0',
  '--srv-host=_sip._udp.example.test,dead.example.test,5070,10,0',
  '--srv-host=_sip._tcp.example.test,live.example.test,5090,10,0',
  // host <name>,<IPv4>[,<IPv6>],<TTL>
  '--host-record=dead.example.test,127.0.0.2,120',
  '--host-record=live.example.test,127.0.0.3,::3,300',
]

function hops(targets: readonly ResolvedTarget[]): string[] {
  return targets.map(
    (t) => `${t.transport} ${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port}`,
  )
}

describe('RFC 3263 resolution through dnsmasq on loopback', { skip }, () => {
  let child: ChildProcess | undefined
  let port = 0
  let stderr = ''
  /** How the last attempt ended, for the error when none started. */
  let ended = 'never ready'

  before(async () => {
    if (dnsmasq === undefined)
      throw new Error('CI=true and dnsmasq is not installed: .ci/run must install it')
    for (let attempt = 0; attempt < 10 && child === undefined; attempt++) {
      port = await freePort()
      stderr = ''
      const proc = spawn(
        dnsmasq,
        [
          '--no-daemon', // foreground, no pid file, no change of user, logs on stderr
          `--port=${port}`,
          '--listen-address=127.0.0.1',
          '--bind-interfaces',
          '--no-resolv',
          '--no-hosts',
          '--conf-file=/dev/null',
          ...records,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      )
      proc.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      // 'close', not 'exit': its stderr (why it stopped) is read by then
      const exited = new Promise<'exited'>((resolve) =>
        proc.once('close', (code, signal) => {
          ended = `exit code ${code}, signal ${signal}, port ${port}, attempt ${attempt + 1}`
          resolve('exited')
        }),
      )
      proc.once('error', (e) => {
        ended = `${e.message} (port ${port})`
      })
      // Ready when it answers; a port taken in the meantime makes it exit, and we try another.
      const probe = new Resolver({ timeout: 200, tries: 1 })
      probe.setServers([`127.0.0.1:${port}`])
      for (let i = 0; i < 50; i++) {
        const outcome = await Promise.race([
          probe.resolve4('live.example.test').then(
            () => 'ready' as const,
            () => 'not yet' as const,
          ),
          exited,
        ])
        if (outcome === 'ready') {
          child = proc
          break
        }
        if (outcome === 'exited') break
      }
      if (child === undefined && proc.exitCode === null) proc.kill('SIGTERM')
    }
    if (child === undefined) throw new Error(`dnsmasq did not start (${ended}): ${stderr}`)
  })

  after(async () => {
    const proc = child
    if (proc?.pid === undefined || proc.exitCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    process.kill(proc.pid, 'SIGTERM')
    await exited
  })

  function resolver(now: () => number) {
    const dns = new Resolver({ timeout: 1000, tries: 1 })
    dns.setServers([`127.0.0.1:${port}`])
    // The real node:dns Resolver is the Dns port as is.
    const port_: Dns = dns
    // NAPTR and SRV TTLs are not reported by node:dns: keep them longer than the A/AAAA TTLs here,
    // so that the expiry of each target shows the TTL of its address record.
    return createResolver({ recordTtl: 3_600_000 }, { dns: port_, now })
  }

  test('NAPTR → SRV → A/AAAA: the preferred transport, SRV priorities in order, TTLs from the address records', async () => {
    let clock = 1_000
    const r = resolver(() => clock)

    const first = await r.resolve('sip:alice@example.test')
    assert.equal(first.ok, true, first.ok ? '' : `${first.error.code}: ${first.error.reason}`)
    // SIP+D2U (preference 10) before SIP+D2T (preference 20); within _sip._udp, priority 10 (dead)
    // before priority 20 (live); IPv4 before IPv6.
    assert.deepEqual(hops(first.targets), [
      'udp 127.0.0.2:5070',
      'udp 127.0.0.3:5080',
      'udp [::3]:5080',
      'tcp 127.0.0.3:5090',
      'tcp [::3]:5090',
    ])
    assert.deepEqual(
      first.targets.map((t) => t.expires),
      [1_000 + 120_000, 1_000 + 300_000, 1_000 + 300_000, 1_000 + 300_000, 1_000 + 300_000],
    )

    // The transaction to the dead target timed out: the proxy reports it, and the live one comes first.
    const dead = first.targets[0]!
    r.markFailed(dead)
    clock += 1_000
    const second = await r.resolve('sip:alice@example.test')
    assert.deepEqual(hops(second.targets), [
      'udp 127.0.0.3:5080',
      'udp [::3]:5080',
      'tcp 127.0.0.3:5090',
      'tcp [::3]:5090',
      'udp 127.0.0.2:5070',
    ])
  })

  test('an explicit transport asks its SRV set; a name that does not exist is DNS_NOT_FOUND', async () => {
    const r = resolver(() => 0)
    assert.deepEqual(hops((await r.resolve('sip:example.test;transport=tcp')).targets), [
      'tcp 127.0.0.3:5090',
      'tcp [::3]:5090',
    ])
    const missing = await r.resolve('sip:bob@nobody.example.test')
    assert.equal(missing.ok, false)
    assert.equal(!missing.ok && missing.error.code, resolveErrorCodes.DNS_NOT_FOUND)
  })
})
