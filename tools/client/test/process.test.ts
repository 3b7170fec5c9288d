/**
 * The junction-client process itself: `register --duration 0` stays registered until Ctrl-C
 * (SIGINT), then removes its binding and exits 0; `call --answer --count 0` waits until Ctrl-C and
 * exits 0 after unregistering. Against the in-process server of server.ts, over loopback UDP.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { DOMAIN, startServer, type TestServer } from './server.ts'

const bin = fileURLToPath(new URL('../bin/junction-client.js', import.meta.url))
let server: TestServer
before(async () => {
  server = await startServer([{ user: 'alice', password: 'alice-secret' }])
})
after(async () => {
  await server?.stop()
})

/** Runs the bin with --json; resolves each parsed line as it comes, and the exit code. */
function spawnClient(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  const waiters: Array<{ test: (l: Record<string, unknown>) => boolean; resolve: () => void }> = []
  let buffer = ''
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString()
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>
      buffer = buffer.slice(nl + 1)
      lines.push(line)
      for (const w of waiters.filter((w) => w.test(line))) w.resolve()
    }
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      clearTimeout(killer)
      r(code)
    }),
  )
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    until: (t: (l: Record<string, unknown>) => boolean) =>
      new Promise<void>((resolve) => {
        if (lines.some(t)) resolve()
        else waiters.push({ test: t, resolve })
      }),
  }
}

describe('the junction-client process and Ctrl-C', () => {
  test('register --duration 0: registered until SIGINT, then unregistered, exit 0', async () => {
    const p = spawnClient([
      'register',
      `sip:alice@${DOMAIN}`,
      '--proxy',
      server.uri,
      '--local',
      '127.0.0.1',
      '--password',
      'alice-secret',
      '--duration',
      '0',
    ])
    await p.until((l) => l['event'] === 'response' && l['status'] === 200)
    p.child.kill('SIGINT')
    assert.equal(await p.exited, 0, p.stderr())
    const removal = p.lines.find((l) => l['event'] === 'response' && l['unregister'] === true)
    assert.equal(removal?.['status'], 200, JSON.stringify(p.lines))
    assert.equal(p.lines.at(-1)?.['event'], 'result')
  })

  test('call --answer --register --count 0: waits until SIGINT, unregisters, exit 0', async () => {
    const p = spawnClient([
      'call',
      '--answer',
      '--from',
      `sip:alice@${DOMAIN}`,
      '--register',
      '--count',
      '0',
      '--proxy',
      server.uri,
      '--local',
      '127.0.0.1',
      '--password',
      'alice-secret',
    ])
    await p.until((l) => l['event'] === 'waiting')
    p.child.kill('SIGINT')
    assert.equal(await p.exited, 0, p.stderr())
    assert.ok(
      p.lines.some((l) => l['event'] === 'response' && l['unregister'] === true && l['status'] === 200),
      JSON.stringify(p.lines),
    )
  })
})
