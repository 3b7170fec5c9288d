import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type AdminServer, createAdminServer, createLogger, createMetrics, RpcError } from '@junction/ops'

const bin = fileURLToPath(new URL('../bin/junction-ctl.js', import.meta.url))
const log = createLogger({ name: 'junction-test', level: 'info', destination: { write: () => {} } })
const metrics = createMetrics({ defaultMetrics: false })
let server: AdminServer
let url: string

before(async () => {
  server = createAdminServer({
    port: 0,
    log,
    metrics,
    stats: () => ({ transactions: 2 }),
    rpc: {
      'routes.list': () => [{ domain: 'example.com', next: ['sip:192.0.2.10:5060'] }],
      'test.echo': (params) => params ?? null,
      'test.fail': () => {
        throw new RpcError(-32001, 'no such route', { domain: 'example.org' })
      },
      'test.slow': () => new Promise((r) => setTimeout(r, 2000, 'late')),
    },
  })
  await server.start()
  url = `http://127.0.0.1:${server.address()!.port}/rpc`
})

after(async () => {
  await server.stop()
  metrics.close()
})

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the junction-ctl bin in a child process (async: the server runs in this one). */
function ctl(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('junction-ctl against a real admin server', () => {
  test('core.stats: pretty JSON of the result, exit 0', async () => {
    const r = await ctl(['--url', url, 'core.stats'])
    assert.equal(r.code, 0, r.stderr)
    const result = JSON.parse(r.stdout)
    assert.equal(result.transactions, 2)
    assert.equal(typeof result.process.pid, 'number')
    assert.match(r.stdout, /^\{\n {2}"process": \{\n/, 'indented')
  })

  test('log.level.set level=debug changes the level of the running server', async () => {
    const r = await ctl(['--url', url, 'log.level.set', 'level=debug'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), { level: 'debug', previous: 'info' })
    assert.equal(log.level, 'debug')
    const back = await ctl(['--url', url, 'log.level.set', 'info'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(log.level, 'info')
    const json = await ctl(['--url', url, 'log.level.get', '{}'])
    assert.deepEqual(JSON.parse(json.stdout), { level: 'info' })
  })

  test("the flavor's methods, params by name, by position and as JSON", async () => {
    const routes = await ctl(['--url', url, 'routes.list'])
    assert.deepEqual(JSON.parse(routes.stdout), [{ domain: 'example.com', next: ['sip:192.0.2.10:5060'] }])
    const named = await ctl(['--url', url, 'test.echo', 'a=1', 'b=x', 'c=true'])
    assert.deepEqual(JSON.parse(named.stdout), { a: 1, b: 'x', c: true })
    const positional = await ctl(['--url', url, 'test.echo', 'x', '2'])
    assert.deepEqual(JSON.parse(positional.stdout), ['x', 2])
    const raw = await ctl(['--url', url, 'test.echo', '{"nested":{"k":[1]}}'])
    assert.deepEqual(JSON.parse(raw.stdout), { nested: { k: [1] } })
  })

  test('--json prints the response as received, on one line', async () => {
    const r = await ctl(['--url', url, '--json', 'test.echo', 'a=1'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '{"jsonrpc":"2.0","id":1,"result":{"a":1}}\n')
  })

  test('a JSON-RPC error: message on stderr, exit 1 (unknown method, invalid params, handler error)', async () => {
    const unknown = await ctl(['--url', url, 'no.such.method'])
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stdout, '')
    assert.match(unknown.stderr, /error -32601: method not found: no\.such\.method/)
    const invalid = await ctl(['--url', url, 'log.level.set', 'level=loud'])
    assert.equal(invalid.code, 1)
    assert.match(invalid.stderr, /error -32602/)
    const failed = await ctl(['--url', url, 'test.fail'])
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, /error -32001: no such route/)
    assert.match(failed.stderr, /"domain": "example.org"/)
    const json = await ctl(['--url', url, '--json', 'no.such.method'])
    assert.equal(json.code, 1)
    assert.equal(JSON.parse(json.stdout).error.code, -32601)
  })

  test('JUNCTION_CTL_URL sets the default URL; a URL without a path gets /rpc', async () => {
    const env = await ctl(['core.uptime'], { JUNCTION_CTL_URL: url })
    assert.equal(env.code, 0, env.stderr)
    assert.equal(typeof JSON.parse(env.stdout).uptime, 'number')
    const bare = await ctl(['--url', url.replace(/\/rpc$/, ''), 'core.uptime'])
    assert.equal(bare.code, 0, bare.stderr)
  })

  test('usage errors exit 2: no method, bad params, bad URL, unknown option', async () => {
    for (const args of [
      [],
      ['--url', url, 'test.echo', '{"a":'],
      ['--url', url, 'test.echo', 'a=1', 'b'],
      ['--url', 'not a url', 'core.stats'],
      ['--url', 'ftp://127.0.0.1/rpc', 'core.stats'],
      ['--timeout', '0', 'core.stats'],
      ['--bogus', 'core.stats'],
    ]) {
      const r = await ctl(args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.notEqual(r.stderr, '', args.join(' '))
      assert.equal(r.stdout, '')
    }
    const env = await ctl(['core.stats'], { JUNCTION_CTL_URL: 'nope' })
    assert.equal(env.code, 2)
    assert.match(env.stderr, /JUNCTION_CTL_URL/)
  })

  test('connection errors exit 2: nothing listening, not an RPC endpoint, no answer in time', async () => {
    const stopped = createAdminServer({ port: 0, log, metrics })
    await stopped.start()
    const port = stopped.address()!.port
    await stopped.stop()
    const refused = await ctl(['--url', `http://127.0.0.1:${port}/rpc`, 'core.stats'])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /cannot call .*ECONNREFUSED/)
    const notRpc = await ctl(['--url', url.replace(/\/rpc$/, '/nope'), 'core.stats'])
    assert.equal(notRpc.code, 2)
    assert.match(notRpc.stderr, /HTTP 404/)
    const slow = await ctl(['--url', url, '--timeout', '100', 'test.slow'])
    assert.equal(slow.code, 2)
    assert.match(slow.stderr, /no answer in time/)
  })

  test('a token from --token or JUNCTION_CTL_TOKEN; a server that wants one says so (exit 2)', async () => {
    const token = 'the-admin-token-of-this-test'
    const guarded = createAdminServer({ port: 0, log, metrics, token })
    await guarded.start()
    try {
      const at = `http://127.0.0.1:${guarded.address()!.port}/rpc`
      const none = await ctl(['--url', at, 'core.uptime'])
      assert.equal(none.code, 2)
      assert.match(none.stderr, /needs a token .*HTTP 401/)
      const wrong = await ctl(['--url', at, '--token', 'not-the-admin-token', 'core.uptime'])
      assert.equal(wrong.code, 2)
      assert.match(wrong.stderr, /refused the token/)
      const flag = await ctl(['--url', at, '--token', token, 'core.uptime'])
      assert.equal(flag.code, 0, flag.stderr)
      assert.match(flag.stdout, /"uptime"/)
      const env = await ctl(['--url', at, 'core.uptime'], { JUNCTION_CTL_TOKEN: token })
      assert.equal(env.code, 0, env.stderr)
    } finally {
      await guarded.stop()
    }
  })

  test('--help and --version exit 0', async () => {
    const help = await ctl(['--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /Usage: junction-ctl \[options\] <method> \[params\.\.\.\]/)
    assert.match(help.stdout, /Exit codes: 0 result, 1 JSON-RPC error, 2 usage or connection error/)
    const version = await ctl(['--version'])
    assert.equal(version.code, 0)
    assert.match(version.stdout, /^\d+\.\d+\.\d+/)
  })
})
