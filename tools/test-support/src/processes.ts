/**
 * Real peers as child processes: started with their output captured by name, shown by
 * `diagnose()` when a test fails, and stopped by their PID (SIGTERM, then SIGKILL after a grace).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'

export interface StartOptions {
  readonly cwd?: string
}

export interface ProcessGroup {
  /** Starts `command args` with stdin closed; its stdout and stderr go to `log(name)`. */
  start(name: string, command: string, args: readonly string[], options?: StartOptions): ChildProcess
  /** The output of the process started as `name` (its last `maxLog` characters); '' if none. */
  log(name: string): string
  /** The last `lines` lines of every log, each under a `--- name` line (for assertion messages). */
  diagnose(lines?: number): string
  /** Stops every process started here that still runs (see {@link stop}). */
  stopAll(grace?: number): Promise<void>
}

/** A group of child processes whose output is kept (at most `maxLog` characters each, the latest). */
export function processGroup(options: { readonly maxLog?: number } = {}): ProcessGroup {
  const maxLog = options.maxLog ?? 500_000
  const children: ChildProcess[] = []
  const logs = new Map<string, string>()
  return {
    start(name, command, args, startOptions = {}) {
      const child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(startOptions.cwd === undefined ? {} : { cwd: startOptions.cwd }),
      })
      children.push(child)
      logs.set(name, '')
      const collect = (chunk: string) => {
        const log = (logs.get(name) ?? '') + chunk
        logs.set(name, log.length > maxLog ? log.slice(-maxLog) : log)
      }
      child.stdout!.setEncoding('utf8').on('data', collect)
      child.stderr!.setEncoding('utf8').on('data', collect)
      child.on('error', (e) => collect(`\n${command}: ${e.message}\n`))
      return child
    },
    log: (name) => logs.get(name) ?? '',
    diagnose(lines = 60) {
      return [...logs]
        .map(([name, log]) => `\n--- ${name}\n${log.split('\n').slice(-lines).join('\n')}`)
        .join('')
    },
    async stopAll(grace) {
      for (const child of children) await stop(child, grace)
    },
  }
}

/**
 * Stops a child by its PID: SIGTERM, then SIGKILL when it still runs after `grace` ms; resolves
 * once it has exited. Nothing to do when it has exited already or never started.
 */
export async function stop(child: ChildProcess, grace = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), grace)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Polls `cond` every 10 ms until it holds; rejects after `timeout` ms with what was awaited and,
 * when given, `detail()` (the logs of the processes involved).
 */
export async function until(
  cond: () => boolean,
  timeout: number,
  what = 'condition',
  detail?: () => string,
): Promise<void> {
  const start = performance.now()
  while (!cond()) {
    if (performance.now() - start > timeout)
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail?.() ?? ''}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
