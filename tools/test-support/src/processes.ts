/**
 * Real peers as child processes: started with their output captured by name, shown by
 * `diagnose()` when a test fails, and stopped by their PID (SIGTERM, then SIGKILL after a grace).
 * A group's children each run in a process group of their own (their PID is its id), so that
 * stopping one also ends what it forked: Kamailio's worker processes can outlive the process we
 * started (one deadlocked in shared memory, SIGTERM pending, after a stop during start-up), and
 * an orphan holding the output pipe would keep the test process from ever exiting.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'

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
  /** The PIDs of the running processes (zombies excluded) in the process groups of the children started here. */
  members(): number[]
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
        detached: true, // a process group of its own: see stop()
        ...(startOptions.cwd === undefined ? {} : { cwd: startOptions.cwd }),
      })
      children.push(child)
      if (child.pid !== undefined) grouped.add(child)
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
    members() {
      const leaders = new Set(children.map((c) => c.pid).filter((pid) => pid !== undefined))
      return leaders.size === 0 ? [] : processesIn(leaders)
    },
  }
}

/** The PIDs of the running processes whose process group is one of `groups` (from /proc). */
function processesIn(groups: ReadonlySet<number>): number[] {
  const out: number[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return out // no procfs
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ")"
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (state !== 'Z' && groups.has(Number(pgrp))) out.push(Number(entry)) // not a zombie
    } catch {
      // exited meanwhile
    }
  }
  return out
}

/** Children started by a {@link processGroup}: each leads a process group of its own. */
const grouped = new WeakSet<ChildProcess>()

/**
 * Stops a child by its PID: SIGTERM, then SIGKILL when it still runs after `grace` ms; resolves
 * once it has exited. Nothing to do when it has exited already or never started. A child started
 * by a {@link processGroup} is stopped with its process group (the processes it forked): each
 * signal goes to the group, and once the child has exited, what is left of the group has the
 * rest of the grace, then gets SIGKILL. Its output pipes are closed last.
 */
export async function stop(child: ChildProcess, grace = 5000): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  const group = grouped.has(child)
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (group) process.kill(-pid, sig)
      else child.kill(sig)
    } catch {
      // gone already
    }
  }
  const started = performance.now()
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit')
    signal('SIGTERM')
    const timer = setTimeout(() => signal('SIGKILL'), grace)
    try {
      await exited
    } finally {
      clearTimeout(timer)
    }
  }
  if (group) {
    // what the child forked got the same SIGTERM: it has the rest of the grace
    while (groupAlive(pid) && performance.now() - started < grace) await sleep(20)
    if (groupAlive(pid)) signal('SIGKILL')
    while (groupAlive(pid) && performance.now() - started < grace + 5000) await sleep(20)
  }
  child.stdout?.destroy()
  child.stderr?.destroy()
}

/** True while some process of the process group `pgid` runs (signal 0 checks, sends nothing). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

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
