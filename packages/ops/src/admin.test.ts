import assert from 'node:assert/strict'
import { channel } from 'node:diagnostics_channel'
import { request as httpRequest } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { createRequest } from '@junction/sip'
import { z } from 'zod'
import { samples } from '../test/exposition.ts'
import { type AdminServer, createAdminServer } from './admin.ts'
import { faultCodes, OpsError } from './errors.ts'
import { createLogger } from './logger.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { RpcError, rpcMethod } from './rpc.ts'

const lines: Record<string, unknown>[] = []
const log = createLogger({
  name: 'junction-test',
  level: 'info',
  destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
})

let metrics: Metrics
let server: AdminServer
let base: string
let isReady = false

before(async () => {
  metrics = createMetrics({ defaultMetrics: false })
  server = createAdminServer({
    host: '127.0.0.1',
    port: 0,
    log,
    metrics,
    ready: () => isReady,
    stats: () => ({ transactions: 3, registrations: 7 }),
    maxBodySize: 4096,
    maxBatchSize: 5,
    rpc: {
      'routes.list': () => [{ domain: 'example.com', next: ['sip:192.0.2.10'] }],
      'test.echo': (params) => params,
      'test.fail': () => {
        throw new Error('the store is down')
      },
      'test.fault': () => {
        throw Object.assign(new Error('bad state'), { code: 'JUNCTION_ERR_TEST_STATE' })
      },
      'test.custom': () => {
        throw new RpcError(-32001, 'no such route', { domain: 'example.org' })
      },
      'test.async': async () => {
        await new Promise((r) => setTimeout(r, 5))
        return 'later'
      },
      'test.void': () => undefined,
      'test.bigint': () => 1n,
      'routes.get': rpcMethod(z.strictObject({ domain: z.string().min(1) }), ({ domain }) => ({ domain })),
    },
  })
  await server.start()
  const a = server.address()!
  base = `http://${a.host}:${a.port}`
})

after(async () => {
  await server.stop()
  metrics.close()
})

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, which the assertions check
type Json = any

async function rpc(body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) }
}

const call = (method: string, params?: unknown, id: unknown = 1) =>
  rpc(params === undefined ? { jsonrpc: '2.0', method, id } : { jsonrpc: '2.0', method, params, id })

/** A raw HTTP request, for what fetch does not do (a body larger than declared, chunked bodies). */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string | number>; chunks?: Buffer[] },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const a = server.address()!
    const req = httpRequest(
      { host: a.host, port: a.port, path, method: options.method ?? 'POST', headers: options.headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    for (const c of options.chunks ?? []) req.write(c)
    req.end()
  })
}

describe('admin server: probes and metrics', () => {
  test('listens on loopback, on the port it was given (0: a free one)', () => {
    const a = server.address()!
    assert.equal(a.host, '127.0.0.1')
    assert.ok(a.port > 0)
    assert.ok(lines.some((l) => l['msg'] === 'admin server listening' && l['mod'] === 'admin'))
  })

  test('GET /health is 200 while the process runs', async () => {
    const res = await fetch(`${base}/health`)
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { status: 'ok' })
    assert.equal(res.headers.get('cache-control'), 'no-store')
  })

  test('GET /ready is 503 until ready() is true, then 200', async () => {
    isReady = false
    let res = await fetch(`${base}/ready`)
    assert.equal(res.status, 503)
    assert.deepEqual(await res.json(), { status: 'not ready' })
    isReady = true
    res = await fetch(`${base}/ready`)
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { status: 'ready' })
    const head = await fetch(`${base}/ready`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(await head.text(), '')
  })

  test('GET /metrics serves the text exposition, fed by published channel events', async () => {
    const invite = createRequest({
      method: 'INVITE',
      uri: 'sip:bob@example.com',
      from: 'sip:alice@example.com',
      to: 'sip:bob@example.com',
    })
    channel('junction:transport:message-in').publish({ flow: {}, size: 1, message: invite })
    channel('junction:transport:message-in').publish({ flow: {}, size: 1, message: invite })
    channel('junction:transport:drop').publish({ flow: {}, code: 'JUNCTION_ERR_SIP_TRUNCATED', reason: 'x' })
    const res = await fetch(`${base}/metrics`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
    const s = samples(await res.text())
    assert.equal(s.get('junction_sip_requests_total{method="INVITE"}'), 2)
    assert.equal(s.get('junction_transport_drops_total{code="JUNCTION_ERR_SIP_TRUNCATED"}'), 1)
    assert.equal(s.get('junction_transactions_live{kind="server"}'), 0)
  })

  test('unknown paths are 404; wrong methods are 405 with Allow', async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404)
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
    const get = await fetch(`${base}/rpc`)
    assert.equal(get.status, 405)
    assert.equal(get.headers.get('allow'), 'POST')
    assert.equal((await fetch(`${base}/health?x=1`)).status, 200, 'a query string is ignored')
  })
})

describe('admin server: JSON-RPC 2.0', () => {
  test('core.uptime: seconds since the process started', async () => {
    const { status, json } = await call('core.uptime')
    assert.equal(status, 200)
    assert.equal(json.jsonrpc, '2.0')
    assert.equal(json.id, 1)
    assert.equal(typeof json.result.uptime, 'number')
    assert.ok(json.result.uptime > 0)
    assert.ok(!Number.isNaN(Date.parse(json.result.since)))
  })

  test("core.stats: process figures and the flavor's", async () => {
    const { json } = await call('core.stats', undefined, 'stats-1')
    assert.equal(json.id, 'stats-1')
    assert.equal(json.result.transactions, 3)
    assert.equal(json.result.registrations, 7)
    assert.equal(json.result.process.pid, process.pid)
    assert.ok(json.result.process.rss > 0)
  })

  test('core.methods lists built-in and flavor methods', async () => {
    const { json } = await call('core.methods')
    assert.ok(json.result.includes('core.stats'))
    assert.ok(json.result.includes('log.level.set'))
    assert.ok(json.result.includes('routes.list'))
    assert.deepEqual(json.result, [...json.result].sort())
    assert.deepEqual(server.methods, json.result)
  })

  test('log.level.get / log.level.set change the root level at run time (by name or position)', async () => {
    const child = log.child({ mod: 'proxy' })
    assert.deepEqual((await call('log.level.get')).json.result, { level: 'info' })
    assert.deepEqual((await call('log.level.set', { level: 'debug' })).json.result, {
      level: 'debug',
      previous: 'info',
    })
    assert.equal(log.level, 'debug')
    assert.equal(child.isLevelEnabled('debug'), true)
    const changed = lines.find((l) => l['msg'] === 'log level changed')
    assert.equal(changed?.['level'], 30)
    assert.equal(changed?.['logLevel'], 'debug')
    assert.deepEqual((await call('log.level.set', ['info'])).json.result, {
      level: 'info',
      previous: 'debug',
    })
    assert.equal(child.isLevelEnabled('debug'), false)
    const bad = await call('log.level.set', { level: 'loud' })
    assert.equal(bad.json.error.code, -32602)
    assert.match(bad.json.error.message, /level must be one of/)
    assert.equal((await call('log.level.set')).json.error.code, -32602)
    assert.equal(log.level, 'info')
  })

  test("the flavor's methods: results, params, async, undefined → null", async () => {
    assert.deepEqual((await call('routes.list')).json.result, [
      { domain: 'example.com', next: ['sip:192.0.2.10'] },
    ])
    assert.deepEqual((await call('test.echo', { a: 1 })).json.result, { a: 1 })
    assert.deepEqual((await call('test.echo', [1, 'x'])).json.result, [1, 'x'])
    assert.equal((await call('test.async')).json.result, 'later')
    const v = await call('test.void')
    assert.ok('result' in v.json)
    assert.equal(v.json.result, null)
  })

  test('params checked by a schema: -32602 with the issues', async () => {
    assert.deepEqual((await call('routes.get', { domain: 'example.com' })).json.result, {
      domain: 'example.com',
    })
    const bad = await call('routes.get', { domain: '', extra: 1 })
    assert.equal(bad.json.error.code, -32602)
    assert.equal(bad.json.error.message, 'invalid params')
    assert.ok(bad.json.error.data.some((i: { path: string }) => i.path === 'domain'))
    assert.equal((await call('routes.get')).json.error.code, -32602)
  })

  test('parse error -32700 (id null)', async () => {
    const { status, json } = await rpc('{"jsonrpc": "2.0", "method": "foobar", "params": "bar", "baz]')
    assert.equal(status, 200)
    assert.equal(json.error.code, -32700)
    assert.equal(json.id, null)
  })

  test('invalid request -32600: not an object, bad jsonrpc, method or params, bad id', async () => {
    for (const body of [
      1,
      '"x"',
      { jsonrpc: '1.0', method: 'core.uptime', id: 1 },
      { method: 'core.uptime', id: 1 },
      { jsonrpc: '2.0', method: 1, id: 1 },
      { jsonrpc: '2.0', method: 'core.uptime', params: 'bar', id: 1 },
      { jsonrpc: '2.0', method: 'core.uptime', id: { a: 1 } },
    ]) {
      const { json } = await rpc(body)
      assert.equal(json.error.code, -32600, JSON.stringify(body))
    }
    const { json } = await rpc({ jsonrpc: '2.0', method: 1, id: 7 })
    assert.equal(json.id, 7, 'the id is kept when it can be read')
  })

  test('unknown method -32601', async () => {
    const { json } = await call('no.such.method')
    assert.equal(json.error.code, -32601)
    assert.match(json.error.message, /no\.such\.method/)
  })

  test('a handler that throws: -32603 with its message, never its stack; RpcError keeps its code', async () => {
    const fail = await call('test.fail')
    assert.equal(fail.json.error.code, -32603)
    assert.equal(fail.json.error.message, 'the store is down')
    assert.doesNotMatch(JSON.stringify(fail.json), /at |\.ts:/)
    assert.ok(lines.some((l) => l['msg'] === 'rpc method failed' && l['method'] === 'test.fail'))
    const fault = await call('test.fault')
    assert.deepEqual(fault.json.error, {
      code: -32603,
      message: 'bad state',
      data: { code: 'JUNCTION_ERR_TEST_STATE' },
    })
    const custom = await call('test.custom')
    assert.deepEqual(custom.json.error, {
      code: -32001,
      message: 'no such route',
      data: { domain: 'example.org' },
    })
    const big = await call('test.bigint')
    assert.equal(big.json.error.code, -32603)
  })

  test('notifications get no answer: 204', async () => {
    const { status, json } = await rpc({ jsonrpc: '2.0', method: 'log.level.get' })
    assert.equal(status, 204)
    assert.equal(json, undefined)
    const unknown = await rpc({ jsonrpc: '2.0', method: 'no.such.method' })
    assert.equal(unknown.status, 204)
  })

  test('batch: answers in order, notifications left out, invalid members answered -32600', async () => {
    const { status, json } = await rpc([
      { jsonrpc: '2.0', method: 'test.echo', params: [1], id: '1' },
      { jsonrpc: '2.0', method: 'log.level.get' },
      { jsonrpc: '2.0', method: 'no.such.method', id: '2' },
      1,
      { jsonrpc: '2.0', method: 'test.fail', id: 3 },
    ])
    assert.equal(status, 200)
    assert.equal(json.length, 4)
    assert.deepEqual(json[0], { jsonrpc: '2.0', id: '1', result: [1] })
    assert.equal(json[1].error.code, -32601)
    assert.equal(json[1].id, '2')
    assert.deepEqual(json[2], {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'a request must be an object' },
    })
    assert.equal(json[3].error.code, -32603)
  })

  test('batch: empty is one -32600; only notifications is 204; more than maxBatchSize is -32600', async () => {
    const empty = await rpc([])
    assert.equal(empty.json.error.code, -32600)
    assert.equal(Array.isArray(empty.json), false)
    const notes = await rpc([
      { jsonrpc: '2.0', method: 'log.level.get' },
      { jsonrpc: '2.0', method: 'core.uptime' },
    ])
    assert.equal(notes.status, 204)
    const many = await rpc(
      Array.from({ length: 6 }, (_, i) => ({ jsonrpc: '2.0', method: 'core.uptime', id: i })),
    )
    assert.equal(many.json.error.code, -32600)
  })

  test('a body larger than maxBodySize: 413, declared or streamed; the server keeps serving', async () => {
    const big = Buffer.alloc(5000, 0x20)
    const declared = await raw('/rpc', {
      headers: { 'content-type': 'application/json', 'content-length': big.length },
      chunks: [big],
    })
    assert.equal(declared.status, 413)
    assert.equal(JSON.parse(declared.body).error.code, -32600)
    assert.equal(declared.headers['connection'], 'close')
    // chunked: no length up front, the limit is found while reading
    const streamed = await raw('/rpc', {
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: [Buffer.alloc(3000, 0x20), Buffer.alloc(3000, 0x20)],
    })
    assert.equal(streamed.status, 413)
    // just under the limit is fine
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'test.echo', params: ['x'.repeat(3900)], id: 1 })
    assert.ok(body.length <= 4096)
    assert.equal((await rpc(body)).json.result[0].length, 3900)
    assert.equal((await fetch(`${base}/health`)).status, 200)
  })
})

describe('admin server: construction and lifecycle', () => {
  test('the rpc map may not take a built-in name or the reserved rpc. space', () => {
    for (const name of ['core.stats', 'log.level.set', 'rpc.discover']) {
      assert.throws(
        () => createAdminServer({ log, metrics, rpc: { [name]: () => 1 } }),
        (e: unknown) => e instanceof OpsError && e.code === faultCodes.RPC_METHOD_TAKEN,
      )
    }
  })

  test('an address in use rejects start() with JUNCTION_ERR_OPS_ADMIN_LISTEN', async () => {
    const other = createAdminServer({ log, metrics, port: server.address()!.port })
    await assert.rejects(
      other.start(),
      (e: unknown) => e instanceof OpsError && e.code === faultCodes.ADMIN_LISTEN && e.cause !== undefined,
    )
  })

  test('stop() closes the port, also with a keep-alive connection open; stopping twice is fine', async () => {
    const s = createAdminServer({ log, metrics, port: 0 })
    await s.start()
    const url = `http://127.0.0.1:${s.address()!.port}/health`
    assert.equal((await fetch(url)).status, 200)
    await s.stop()
    await s.stop()
    assert.equal(s.address(), undefined)
    await assert.rejects(fetch(url))
  })

  test('with a token, /rpc answers only a request that bears it (RFC 6750); the probes and /metrics stay open', async () => {
    const token = 'a-token-of-32-characters-or-so!!'
    const s = createAdminServer({ log, metrics, port: 0, token })
    await s.start()
    try {
      const at = `http://127.0.0.1:${s.address()!.port}`
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'core.uptime', id: 1 })
      const post = (authorization?: string) =>
        fetch(`${at}/rpc`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(authorization === undefined ? {} : { authorization }),
          },
          body,
        })
      for (const bad of [undefined, 'Bearer wrong', `Basic ${token}`, `Bearer ${token}x`, 'Bearer']) {
        const res = await post(bad)
        assert.equal(res.status, 401, String(bad))
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="junction-admin"')
        await res.text()
      }
      for (const good of [`Bearer ${token}`, `bearer ${token}`]) {
        const res = await post(good)
        assert.equal(res.status, 200, good)
        assert.equal(typeof ((await res.json()) as Json).result.uptime, 'number')
      }
      assert.equal((await fetch(`${at}/health`)).status, 200)
      assert.equal((await fetch(`${at}/metrics`)).status, 200)
    } finally {
      await s.stop()
    }
  })
})
