import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createRequest, createResponse } from '@junction/sip'
import { faultCodes, OpsError } from './errors.ts'
import { createLogger, redact, setLevel } from './logger.ts'

// biome-ignore lint/suspicious/noExplicitAny: log lines, which the assertions check
type Json = any

function capture(level: 'info' | 'debug' | 'trace' = 'info') {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    name: 'junction-test',
    level,
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  })
  return { log, lines }
}

const invite = () =>
  createRequest({
    method: 'INVITE',
    uri: 'sip:bob:secret@example.com;transport=tcp',
    from: 'sip:alice@example.com',
    to: 'sip:bob@example.com',
    callId: 'a84b4c76e66710@pc33.example.com',
    cseq: 314159,
    via: { transport: 'UDP', host: 'pc33.example.com', branch: 'z9hG4bK776asdhds' },
    headers: { Authorization: 'Digest username="alice", response="6629fae49393a05397450978507c4ef1"' },
    body: 'v=0\r\n',
    contentType: 'application/sdp',
  })

describe('createLogger', () => {
  test('JSON lines with the name, level and message', () => {
    const { log, lines } = capture()
    log.info({ port: 5060 }, 'listening')
    assert.equal(lines.length, 1)
    assert.equal(lines[0]!['name'], 'junction-test')
    assert.equal(lines[0]!['level'], 30)
    assert.equal(lines[0]!['msg'], 'listening')
    assert.equal(lines[0]!['port'], 5060)
  })

  test('an Authorization header shows [Redacted], at the top, one or two objects down', () => {
    const { log, lines } = capture()
    log.info(
      {
        authorization: 'Digest response="1"',
        'Proxy-Authorization': 'Digest response="0"',
        headers: { Authorization: 'Digest response="2"', 'Proxy-Authorization': 'Digest response="3"' },
        request: { headers: { 'proxy-authorization': 'Digest x', 'Call-ID': 'abc' } },
        peer: { headers: { authorization: 'Digest y' } },
      },
      'challenge',
    )
    const line = lines[0] as Record<string, Json>
    assert.equal(line['authorization'], '[Redacted]')
    assert.equal(line['Proxy-Authorization'], '[Redacted]')
    assert.equal(line['headers'].Authorization, '[Redacted]')
    assert.equal(line['headers']['Proxy-Authorization'], '[Redacted]')
    assert.equal(line['request'].headers['proxy-authorization'], '[Redacted]')
    assert.equal(line['request'].headers['Call-ID'], 'abc', 'other headers stay')
    assert.equal(line['peer'].headers.authorization, '[Redacted]')
    assert.doesNotMatch(JSON.stringify(line), /Digest/)
  })

  test('digest response, passwords, HA1 and AKA material are redacted; a SIP response is not', () => {
    const { log, lines } = capture()
    log.info(
      {
        credentials: { username: 'alice', response: '6629fae49393a05397450978507c4ef1' },
        user: { password: 'hunter2', ha1: 'abcd' },
        subscriber: { k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' },
        vector: { rand: '23553cbe', xres: 'a54211d5e3ba50bf', ck: 'b40ba9a3', ik: 'f769bcd7' },
        avps: { 'SIP-Authorization': 'x', 'Confidentiality-Key': 'y', 'Integrity-Key': 'z' },
        response: 200,
      },
      'secrets',
    )
    const line = lines[0] as Record<string, Json>
    assert.equal(line['credentials'].response, '[Redacted]')
    assert.equal(line['credentials'].username, 'alice')
    assert.equal(line['user'].password, '[Redacted]')
    assert.equal(line['user'].ha1, '[Redacted]')
    assert.equal(line['subscriber'].k, '[Redacted]')
    assert.equal(line['subscriber'].opc, '[Redacted]')
    assert.deepEqual(line['vector'], {
      rand: '23553cbe',
      xres: '[Redacted]',
      ck: '[Redacted]',
      ik: '[Redacted]',
    })
    assert.deepEqual(line['avps'], {
      'SIP-Authorization': '[Redacted]',
      'Confidentiality-Key': '[Redacted]',
      'Integrity-Key': '[Redacted]',
    })
    assert.equal(line['response'], 200)
  })

  test('redaction also applies to child bindings and to extra paths', () => {
    const lines: Record<string, Json>[] = []
    const log = createLogger({
      name: 't',
      redact: ['token'],
      destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
    })
    log.child({ mod: 'auth' }).info({ token: 't0k3n', user: { password: 'p' } }, 'x')
    assert.equal(lines[0]!['mod'], 'auth')
    assert.equal(lines[0]!['token'], '[Redacted]')
    assert.equal(lines[0]!['user'].password, '[Redacted]')
  })

  test('secrets deep down, in arrays, in any case; the logged object itself is not changed', () => {
    const { log, lines } = capture()
    const logged = {
      peer: { request: { headers: { AUTHORIZATION: 'Digest deep' } } },
      list: [{ name: 'a', password: 'p1' }, 'x', [{ ck: 'c' }]],
      auth: { response: 'f00d' },
      note: 'kept',
    }
    log.info(logged, 'deep')
    const line = lines[0] as Record<string, Json>
    assert.equal(line['peer'].request.headers.AUTHORIZATION, '[Redacted]')
    assert.deepEqual(line['list'], [{ name: 'a', password: '[Redacted]' }, 'x', [{ ck: '[Redacted]' }]])
    assert.equal(line['auth'].response, '[Redacted]')
    assert.equal(line['note'], 'kept')
    assert.equal(logged.peer.request.headers.AUTHORIZATION, 'Digest deep', 'copied, not changed in place')
    assert.equal(logged.list[0] !== undefined && (logged.list[0] as { password: string }).password, 'p1')
  })

  test('redact(): compound configuration keys ending in secret or password (gruuSecret, dbPassword)', () => {
    const config = { registrar: { gruuSecret: 'g', maxExpires: 3600 }, store: { dbPassword: 'p', url: 'x' } }
    assert.deepEqual(redact(config), {
      registrar: { gruuSecret: '[Redacted]', maxExpires: 3600 },
      store: { dbPassword: '[Redacted]', url: 'x' },
    })
  })

  test('redact(): the same object back when it holds no secret; cycles end at the depth bound', () => {
    const clean = { a: { b: [1, { c: 'd' }] } }
    assert.equal(redact(clean), clean)
    const cyclic: Record<string, unknown> = { name: 'x' }
    cyclic['self'] = cyclic
    assert.equal(redact(cyclic), cyclic)
  })

  test('child bindings with a secret key are redacted', () => {
    const { log, lines } = capture()
    log.child({ password: 'p', user: 'alice' }).info('bound')
    assert.equal(lines[0]!['password'], '[Redacted]')
    assert.equal(lines[0]!['user'], 'alice')
  })

  test('sipReq: method, Request-URI without password, Call-ID, CSeq; never headers or body', () => {
    const { log, lines } = capture('debug')
    log.debug({ sipReq: invite() }, 'forwarding')
    assert.deepEqual(lines[0]!['sipReq'], {
      method: 'INVITE',
      uri: 'sip:bob@example.com;transport=tcp',
      callId: 'a84b4c76e66710@pc33.example.com',
      cseq: '314159 INVITE',
    })
    const text = JSON.stringify(lines[0])
    assert.doesNotMatch(text, /secret|Digest|v=0|z9hG4bK/)
  })

  test('sipRes: status, Call-ID, CSeq; sipMsg takes either kind', () => {
    const { log, lines } = capture()
    const res = createResponse(invite(), 486)
    log.info({ sipRes: res }, 'busy')
    log.info({ sipMsg: res }, 'in')
    log.info({ sipMsg: invite() }, 'in')
    const expected = { status: 486, callId: 'a84b4c76e66710@pc33.example.com', cseq: '314159 INVITE' }
    assert.deepEqual(lines[0]!['sipRes'], expected)
    assert.deepEqual(lines[1]!['sipMsg'], expected)
    assert.equal((lines[2]!['sipMsg'] as { method: string }).method, 'INVITE')
  })

  test('serializers pass through what is not a SIP message', () => {
    const { log, lines } = capture()
    log.info({ sipReq: 'INVITE', sipRes: null }, 'odd')
    assert.equal(lines[0]!['sipReq'], 'INVITE')
    assert.equal(lines[0]!['sipRes'], null)
  })

  test('err: type, message and stack', () => {
    const { log, lines } = capture()
    log.error({ err: new TypeError('boom') }, 'failed')
    const err = lines[0]!['err'] as Record<string, unknown>
    assert.equal(err['type'], 'TypeError')
    assert.equal(err['message'], 'boom')
    assert.match(String(err['stack']), /TypeError: boom/)
  })

  test('pretty: human-readable lines (pino-pretty in a worker thread), still redacted', () => {
    const fixture = fileURLToPath(new URL('../test/fixtures/pretty.ts', import.meta.url))
    const out = execFileSync(process.execPath, ['--conditions=@junction/source', fixture], {
      encoding: 'utf8',
    })
    assert.match(out, /INFO.*\(junction-pretty\): listening/)
    assert.match(out, /port: 5060/)
    assert.match(out, /authorization: "\[Redacted\]"/)
    assert.doesNotMatch(out, /secret|^\{/m)
  })

  test('stdout lines are written when logged: in order at exit, even with the thread pool busy', () => {
    // the fixture's `async` mode (pino's default destination) printed "stopped" first in 6 runs of 6
    const fixture = fileURLToPath(new URL('../test/fixtures/exit-log.ts', import.meta.url))
    const out = execFileSync(process.execPath, ['--conditions=@junction/source', fixture], {
      encoding: 'utf8',
    })
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json)
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['shutting down', 'stopping', 'stopped'],
    )
  })

  test('an unknown level is a fault', () => {
    assert.throws(
      () => createLogger({ name: 'x', level: 'verbose' as 'info' }),
      (e: unknown) => e instanceof OpsError && e.code === faultCodes.INVALID_LEVEL,
    )
  })
})

describe('setLevel', () => {
  test('changes the level at run time, for the root and for children made before', () => {
    const { log, lines } = capture('info')
    const child = log.child({ mod: 'proxy' })
    child.debug('hidden')
    assert.equal(setLevel(log, 'debug'), 'info')
    assert.equal(log.level, 'debug')
    assert.equal(child.level, 'debug')
    assert.equal(child.isLevelEnabled('debug'), true)
    child.debug('shown')
    setLevel(log, 'warn')
    child.info('hidden again')
    assert.deepEqual(
      lines.map((l) => l['msg']),
      ['shown'],
    )
  })

  test('an unknown level is a fault and changes nothing', () => {
    const { log } = capture('info')
    assert.throws(
      () => setLevel(log, 'loud'),
      (e: unknown) => e instanceof OpsError && e.code === faultCodes.INVALID_LEVEL,
    )
    assert.equal(log.level, 'info')
  })
})
