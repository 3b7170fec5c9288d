/**
 * End-to-end helpers: junction-ietf as a real child process (its bin, a config file in a temp
 * folder), read from its JSON log lines, stopped by its PID with SIGTERM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const bin = fileURLToPath(new URL('../bin/junction-ietf.js', import.meta.url))
export const scenarios = fileURLToPath(new URL('../../../bench/proxy/sipp/', import.meta.url))

export const hasSipp = spawnSync('sipp', ['-v']).error === undefined

export interface Ietf {
  readonly child: ChildProcess
  /** Bound listeners, as logged at start: `udp:127.0.0.1:40000`. */
  readonly listen: readonly string[]
  readonly admin: { host: string; port: number } | undefined
  readonly lines: Array<Record<string, unknown>>
  port(transport: string): number
  stop(): Promise<number | null>
}

/** Starts junction-ietf with `config` (an object written as JSON, which is YAML). */
export async function startIetf(config: object, args: readonly string[] = []): Promise<Ietf> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-ietf-'))
  const file = join(dir, 'config.json')
  writeFileSync(file, JSON.stringify(config))
  const child = spawn(process.execPath, [bin, '-c', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Array<Record<string, unknown>> = []
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  let buffer = ''
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL') // never left running when the test gives up on it
      reject(new Error(`junction-ietf did not start:\n${stderr}`))
    }, 15_000)
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString()
      let nl = buffer.indexOf('\n')
      while (nl !== -1) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        nl = buffer.indexOf('\n')
        try {
          const obj = JSON.parse(line) as Record<string, unknown>
          lines.push(obj)
          if (obj['msg'] === 'junction-ietf started') {
            clearTimeout(timer)
            resolve(obj)
          }
        } catch {
          // not JSON: ignore
        }
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`junction-ietf exited with ${code}:\n${stderr}`))
    })
  })
  const info = await started
  const listen = info['listen'] as string[]
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    listen,
    admin: info['admin'] as { host: string; port: number } | undefined,
    lines,
    port(transport) {
      const l = listen.find((s) => s.startsWith(`${transport}:`))
      if (l === undefined) throw new Error(`no ${transport} listener`)
      return Number(l.slice(l.lastIndexOf(':') + 1))
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      const code = await exited
      rmSync(dir, { recursive: true, force: true })
      return code
    },
  }
}

/** A UDP port free on 127.0.0.1 right now (for SIPp, which needs a port number up front). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command bounded by `seconds` (coreutils timeout). */
export function run(cmd: string, args: readonly string[], seconds: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('timeout', [String(seconds), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Starts a SIPp UAS with the bench scenario on 127.0.0.1:port; resolves when it ended. */
export function sippUas(
  port: number,
  transport: 'u1' | 't1',
  calls: number,
  seconds: number,
  scenario = 'uas-call.xml',
) {
  return run(
    'sipp',
    [
      '-sf',
      join(scenarios, scenario),
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-t',
      transport,
      '-m',
      String(calls),
      '-nostdin',
      '-timeout',
      `${seconds}s`,
      '-timeout_error',
    ],
    seconds + 5,
  )
}
