import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig, parseConfig } from './config.ts'

describe('junction-ietf configuration', () => {
  it('embedded defaults: loopback UDP and TCP 5060, localhost, no relaying, admin on loopback', () => {
    const r = parseConfig(undefined)
    assert.ok(r.ok)
    assert.deepEqual(r.config.sip.listen, ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'])
    assert.equal(r.config.routing.relay.dns, false)
    assert.equal(r.config.admin.host, '127.0.0.1')
    assert.equal(r.config.log.level, 'info')
  })

  it('keeps the example users (alice, bob) to loopback listeners', () => {
    const r = parseConfig(undefined)
    assert.ok(r.ok)
    assert.equal(r.config.auth.enabled, true)
    assert.equal(r.config.registrar.enabled, true)
    const open = parseConfig({ sip: { listen: ['udp:0.0.0.0:5060'] } })
    assert.equal(open.ok, false)
    assert.match(
      (open as { problems: readonly string[] }).problems.join('\n'),
      /auth\.usersFile: the example users/,
    )
    assert.ok(parseConfig({ sip: { listen: ['udp:[::1]:5060', 'tcp:127.0.0.2:5060'] } }).ok)
    assert.ok(parseConfig({ sip: { listen: ['udp:0.0.0.0:5060'] }, auth: { enabled: false } }).ok)
    assert.ok(
      parseConfig({ sip: { listen: ['udp:0.0.0.0:5060'] }, auth: { usersFile: '/etc/users.yaml' } }).ok,
    )
  })

  it('trusted peers are addresses or CIDR blocks', () => {
    assert.ok(parseConfig({ routing: { trusted: ['192.0.2.10', '10.0.0.0/8', '2001:db8::/32'] } }).ok)
    for (const bad of ['10.0.0.0/33', 'gateway.example.com', '10.0.0.0/x']) {
      assert.equal(parseConfig({ routing: { trusted: [bad] } }).ok, false, bad)
    }
  })

  it('routing.flood: off by default, its memory bound (maxSources) configurable', () => {
    const r = parseConfig(undefined)
    assert.ok(r.ok)
    assert.deepEqual(r.config.routing.flood, {
      enabled: false,
      maxRequests: 100,
      windowSec: 2,
      blockSec: 60,
      maxSources: 100_000,
    })
    const small = parseConfig({ routing: { flood: { enabled: true, maxSources: 1000 } } })
    assert.ok(small.ok)
    assert.equal(small.config.routing.flood.maxSources, 1000)
    const bad = parseConfig({ routing: { flood: { maxSources: 0 } } })
    assert.equal(bad.ok, false)
    assert.match((bad as { problems: readonly string[] }).problems.join('\n'), /routing\.flood\.maxSources/)
  })

  it('reads YAML; reports every problem with its path', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ietf-config-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const good = join(dir, 'good.yaml')
    writeFileSync(
      good,
      'sip:\n  listen: [udp:0.0.0.0:5060]\n  domains: [example.com]\nauth:\n  users: [{ user: carol, password: c4r0l }]\nrouting:\n  routes:\n    - { domain: example.com, user: "^[0-9]+$", to: [sip:192.0.2.5, sip:192.0.2.6] }\n',
    )
    const ok = await loadConfig(good)
    assert.ok(ok.ok)
    assert.deepEqual(ok.config.routing.routes[0]!.to, ['sip:192.0.2.5', 'sip:192.0.2.6'])
    const bad = parseConfig({
      routing: { routes: [{ user: '(', to: 'tel:+1' }], extra: 1 },
      log: { level: 'loud' },
    })
    assert.equal(bad.ok, false)
    const problems = (bad as { problems: readonly string[] }).problems.join('\n')
    assert.match(problems, /routing\.routes\.0\.user: not a valid regular expression/)
    assert.match(problems, /routing\.routes\.0\.to/)
    assert.match(problems, /routing: Unrecognized key/)
    assert.match(problems, /log\.level/)
    const notYaml = join(dir, 'bad.yaml')
    writeFileSync(notYaml, 'sip: [unclosed\n')
    assert.match(((await loadConfig(notYaml)) as { problems: readonly string[] }).problems[0]!, /not YAML/)
  })
})
