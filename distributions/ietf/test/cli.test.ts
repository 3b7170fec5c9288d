/**
 * The junction-ietf process as an operator meets it: --help, --version, --check-config, clear
 * start-up errors with exit codes, JSON logs, /health and /ready, graceful stop on SIGTERM.
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { bin, run, startIetf } from './process.ts'

const node = process.execPath

describe('junction-ietf command line', () => {
  test('--help describes the options and exits 0; --version prints the version', async () => {
    const help = await run(node, [bin, '--help'], 20)
    assert.equal(help.code, 0)
    for (const flag of ['--config', '--listen', '--domain', '--check-config', '--admin', '--log-level']) {
      assert.ok(help.stdout.includes(flag), `--help mentions ${flag}`)
    }
    const version = await run(node, [bin, '--version'], 20)
    assert.equal(version.code, 0)
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/)
  })

  test('--check-config prints the effective configuration with its defaults', async () => {
    const r = await run(node, [bin, '--check-config', '-d', 'example.com'], 20)
    assert.equal(r.code, 0)
    const config = JSON.parse(r.stdout)
    assert.deepEqual(config.sip.domains, ['example.com'])
    assert.deepEqual(config.sip.listen, ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'])
    assert.equal(config.routing.relay.dns, false, 'never an open relay by default')
  })

  test('--listen is repeatable: every listener given, in order, replaces the defaults', async () => {
    const r = await run(
      node,
      [
        bin,
        '--check-config',
        '--listen',
        'udp:127.0.0.1:5071',
        '--listen',
        'tcp:[::1]:5072',
        '-l',
        'ws:127.0.0.1:5073',
      ],
      20,
    )
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout).sip.listen, [
      'udp:127.0.0.1:5071',
      'tcp:[::1]:5072',
      'ws:127.0.0.1:5073',
    ])
  })

  test('--admin off and --no-admin: no admin server; --admin host:port moves it', async () => {
    for (const flags of [['--admin', 'off'], ['--no-admin']]) {
      const r = await run(node, [bin, '--check-config', ...flags], 20)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(JSON.parse(r.stdout).admin.enabled, false, flags.join(' '))
    }
    const moved = await run(node, [bin, '--check-config', '--admin', '[::1]:9091'], 20)
    const admin = JSON.parse(moved.stdout).admin
    assert.deepEqual([admin.host, admin.port], ['::1', 9091])
  })

  test('the environment sets the common keys, the command line wins; secrets are not printed', async () => {
    const r = await run(
      'env',
      [
        'JUNCTION_DOMAINS=a.example.com, b.example.com',
        'JUNCTION_LISTEN=udp:127.0.0.1:5071',
        'JUNCTION_LOG_LEVEL=debug',
        'JUNCTION_ADMIN=off',
        'JUNCTION_DIALOG_SECRET=sixteen chars or more',
        'JUNCTION_ADMIN_TOKEN=an admin token of some length',
        node,
        bin,
        '--check-config',
        '--log-level',
        'warn',
      ],
      20,
    )
    assert.equal(r.code, 0, r.stderr)
    const config = JSON.parse(r.stdout)
    assert.deepEqual(config.sip.domains, ['a.example.com', 'b.example.com'])
    assert.deepEqual(config.sip.listen, ['udp:127.0.0.1:5071'])
    assert.equal(config.log.level, 'warn', 'the command line wins')
    assert.equal(config.admin.enabled, false)
    assert.equal(config.routing.dialog.secret, '[Redacted]')
    assert.ok(!r.stdout.includes('sixteen chars'), 'the secret itself is not printed')
    assert.equal(config.admin.token, '[Redacted]')
    assert.ok(!r.stdout.includes('an admin token'), 'the token itself is not printed')
  })

  test('an invalid configuration exits 2 and lists every problem with its path', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ietf-cli-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'bad.yaml')
    writeFileSync(
      file,
      'sip:\n  listen: [udp:nowhere]\n  colour: blue\nrouting:\n  routes: [{ to: "http://x" }]\n',
    )
    const r = await run(node, [bin, '-c', file], 20)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /JUNCTION_ERR_IETF_CONFIG/)
    assert.match(r.stderr, /sip\.listen\.0/)
    assert.match(r.stderr, /colour/)
    assert.match(r.stderr, /routing\.routes\.0\.to/)
    const missing = await run(node, [bin, '-c', join(dir, 'nope.yaml')], 20)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /nope\.yaml/)
    const usage = await run(node, [bin, '--no-such-flag'], 20)
    assert.equal(usage.code, 2)
  })

  test('a port in use is a clear start-up error, exit 1', async () => {
    const blocker = createSocket('udp4')
    await new Promise<void>((r) => blocker.bind(0, '127.0.0.1', r))
    const port = blocker.address().port
    try {
      const r = await run(node, [bin, '-l', `udp:127.0.0.1:${port}`, '--no-admin'], 20)
      assert.equal(r.code, 1)
      assert.match(r.stderr, /cannot start sip: .*(EADDRINUSE|in use)/)
      assert.match(r.stderr, /JUNCTION_ERR_IETF_START/)
    } finally {
      blocker.close()
    }
  })

  test('runs on its defaults (other ports), serves /health and /ready, stops on SIGTERM with exit 0', async () => {
    const ietf = await startIetf({
      sip: { listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'] },
      admin: { port: 0 },
    })
    try {
      assert.equal(ietf.lines[0]?.['name'], 'junction-ietf', 'JSON log lines')
      const base = `http://127.0.0.1:${ietf.admin!.port}`
      assert.equal((await fetch(`${base}/health`)).status, 200)
      assert.equal((await fetch(`${base}/ready`)).status, 200)
      const rpc = await fetch(`${base}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sip.domains' }),
      })
      assert.deepEqual(((await rpc.json()) as { result: unknown }).result, ['localhost'])
    } finally {
      assert.equal(await ietf.stop(), 0)
    }
    assert.ok(ietf.lines.some((l) => l['msg'] === 'stopped'))
    assert.ok(
      !ietf.lines.some((l) => String(l['msg']).includes('beyond loopback')),
      'admin on loopback: no warning',
    )
  })

  test('an admin server beyond loopback is a warning at start (/rpc has no authentication)', async () => {
    const ietf = await startIetf({
      sip: { listen: ['udp:127.0.0.1:0'] },
      admin: { host: '0.0.0.0', port: 0 },
    })
    try {
      const find = () => ietf.lines.find((l) => String(l['msg']).includes('beyond loopback'))
      // logged right after the start line, which startIetf waited for
      for (let i = 0; i < 100 && find() === undefined; i++) await new Promise((r) => setTimeout(r, 20))
      const warning = find()
      assert.equal(warning?.['level'], 40, 'pino warn')
    } finally {
      assert.equal(await ietf.stop(), 0)
    }
  })
})
