import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createLogger } from './logger.ts'
import { onShutdown } from './shutdown.ts'

/** A process stand-in: signals are emitted by the test, exit codes recorded. */
function fakeProcess() {
  const emitter = new EventEmitter()
  const exits: number[] = []
  let onExit: (code: number) => void = () => {}
  return {
    exits,
    exited: () => new Promise<number>((resolve) => (onExit = resolve)),
    signal: (s: NodeJS.Signals) => emitter.emit(s, s),
    listeners: (s: NodeJS.Signals) => emitter.listenerCount(s),
    proc: {
      on: (s: NodeJS.Signals, l: (s: NodeJS.Signals) => void) => emitter.on(s, l),
      off: (s: NodeJS.Signals, l: (s: NodeJS.Signals) => void) => emitter.off(s, l),
      exit(code: number) {
        exits.push(code)
        onExit(code)
      },
    },
  }
}

function logger() {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    name: 't',
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  })
  return { log, lines }
}

function deferred() {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('onShutdown', () => {
  test('first signal: logs at info, calls stop(signal), exits 0 when it resolves', async () => {
    const p = fakeProcess()
    const { log, lines } = logger()
    const stopped: NodeJS.Signals[] = []
    const d = deferred()
    const handle = onShutdown({
      log,
      graceMs: 5000,
      process: p.proc,
      stop: (signal) => {
        stopped.push(signal)
        return d.promise
      },
    })
    assert.equal(p.listeners('SIGTERM'), 1)
    assert.equal(p.listeners('SIGINT'), 1)
    const exited = p.exited()
    p.signal('SIGTERM')
    assert.equal(handle.stopping, true)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(stopped, ['SIGTERM'])
    assert.deepEqual(p.exits, [], 'waits for stop()')
    d.resolve()
    assert.equal(await exited, 0)
    assert.deepEqual(p.exits, [0])
    const shutting = lines.find((l) => l['msg'] === 'shutting down')
    assert.equal(shutting?.['level'], 30)
    assert.equal(shutting?.['signal'], 'SIGTERM')
    assert.ok(lines.some((l) => l['msg'] === 'stopped'))
    handle.dispose()
  })

  test('SIGINT is handled the same way', async () => {
    const p = fakeProcess()
    const handle = onShutdown({ log: logger().log, process: p.proc, stop: async () => {} })
    const exited = p.exited()
    p.signal('SIGINT')
    assert.equal(await exited, 0)
    handle.dispose()
  })

  test('stop() longer than graceMs: exits 1, and not again when stop() ends later', async () => {
    const p = fakeProcess()
    const { log, lines } = logger()
    const d = deferred()
    const handle = onShutdown({ log, graceMs: 20, process: p.proc, stop: () => d.promise })
    const exited = p.exited()
    p.signal('SIGTERM')
    assert.equal(await exited, 1)
    const late = lines.find((l) => l['msg'] === 'shutdown took longer than the grace period: exiting')
    assert.equal(late?.['level'], 50)
    d.resolve()
    await new Promise((r) => setTimeout(r, 5))
    assert.deepEqual(p.exits, [1])
    handle.dispose()
  })

  test('stop() that fails: exits 1, the error logged', async () => {
    const p = fakeProcess()
    const { log, lines } = logger()
    const handle = onShutdown({
      log,
      process: p.proc,
      stop: async () => {
        throw new Error('could not close')
      },
    })
    const exited = p.exited()
    p.signal('SIGTERM')
    assert.equal(await exited, 1)
    const failed = lines.find((l) => l['msg'] === 'shutdown failed')
    assert.equal((failed?.['err'] as { message: string } | undefined)?.message, 'could not close')
    handle.dispose()
  })

  test('a second signal exits 1 at once, without waiting for stop()', async () => {
    const p = fakeProcess()
    const { log, lines } = logger()
    let calls = 0
    const d = deferred()
    const handle = onShutdown({
      log,
      graceMs: 60_000,
      process: p.proc,
      stop: () => {
        calls++
        return d.promise
      },
    })
    p.signal('SIGTERM')
    await new Promise((r) => setImmediate(r))
    p.signal('SIGINT')
    assert.deepEqual(p.exits, [1])
    assert.equal(calls, 1)
    assert.ok(lines.some((l) => l['msg'] === 'second signal: exiting now' && l['level'] === 40))
    d.resolve()
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(p.exits, [1], 'stop() resolving later exits no more')
    handle.dispose() // also clears the 60 s grace timer, so the test runner is not held
  })

  test('shutdown() starts it without a signal; dispose() removes the handlers', async () => {
    const p = fakeProcess()
    const stopped: NodeJS.Signals[] = []
    const handle = onShutdown({
      log: logger().log,
      process: p.proc,
      signals: ['SIGTERM', 'SIGHUP'],
      stop: async (s) => void stopped.push(s),
    })
    assert.equal(p.listeners('SIGHUP'), 1)
    const exited = p.exited()
    handle.shutdown()
    assert.equal(await exited, 0)
    assert.deepEqual(stopped, ['SIGTERM'])
    handle.dispose()
    assert.equal(p.listeners('SIGTERM'), 0)
    assert.equal(p.listeners('SIGHUP'), 0)
  })
})

describe('onShutdown in a real process', () => {
  const fixture = new URL('../test/fixtures/shutdown-child.ts', import.meta.url)

  function run(stopMs: number, signals: NodeJS.Signals[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=@junction/source', fileURLToPath(fixture), String(stopMs)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      let out = ''
      child.stdout.setEncoding('utf8')
      // each signal once the process logged that it handled the one before (the OS merges
      // signals of one kind that are pending together)
      const marks = ['"msg":"ready"', '"msg":"shutting down"']
      let sent = 0
      child.stdout.on('data', (c: string) => {
        out += c
        while (sent < signals.length && out.includes(marks[sent]!)) child.kill(signals[sent++])
      })
      child.on('error', reject)
      child.on('exit', (code) => resolve({ code, out }))
    })
  }

  test('SIGTERM: stop() finishes within graceMs, exit 0', async () => {
    const { code, out } = await run(10, ['SIGTERM'])
    assert.equal(code, 0)
    assert.match(out, /"msg":"shutting down"/)
    assert.match(out, /"msg":"stopped"/)
  })

  test('SIGTERM: stop() takes longer than graceMs, exit 1', async () => {
    const { code, out } = await run(5000, ['SIGTERM'])
    assert.equal(code, 1)
    assert.match(out, /grace period/)
  })

  test('SIGINT twice: exit 1 at once', async () => {
    const { code, out } = await run(5000, ['SIGINT', 'SIGINT'])
    assert.equal(code, 1)
    assert.match(out, /second signal/)
  })
})
