/** Helpers of the process tests: junction-hss started as a real process, the client node, channels. */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDiameterNode, type DiameterNode } from '@junction/diameter'
import { until } from '@junction/test-support'
import { stringify } from 'yaml'
import type { HssConfigInput } from '../src/index.ts'

export const bin = fileURLToPath(new URL('../bin/junction-hss.js', import.meta.url))

/** TS 35.207 test set 2 (ims.md §3.2). */
export const K = '0396eb317b6d1c36f19c1c84cd6ffd16'
export const OP = 'ff53bade17df5d4e793073ce9d7579fa'
export const keys = { k: Buffer.from(K, 'hex'), op: Buffer.from(OP, 'hex') }

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `junction-hss-${name}-`))
}

export function writeConfig(dir: string, config: HssConfigInput, name = 'subscribers.yaml'): string {
  const file = join(dir, name)
  writeFileSync(file, stringify(config))
  return file
}

export interface HssProcess {
  readonly child: ChildProcess
  readonly port: number
  /** The JSON log lines so far. */
  readonly lines: Record<string, unknown>[]
  /** stderr so far. */
  readonly stderr: () => string
}

const started: ChildProcess[] = []

/** Starts `junction-hss <args>` and resolves once its 'junction-hss started' line gives the port. */
export async function startHss(args: readonly string[], timeout = 15000): Promise<HssProcess> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  const lines: Record<string, unknown>[] = []
  let err = ''
  let buf = ''
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`junction-hss did not start: ${err}`)), timeout)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`junction-hss exited (${code}): ${err}`))
    })
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString()
      let i = buf.indexOf('\n')
      while (i >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        i = buf.indexOf('\n')
        try {
          const j = JSON.parse(line) as Record<string, unknown>
          lines.push(j)
          if (j['msg'] === 'junction-hss started') {
            clearTimeout(timer)
            resolve(Number(String(j['listen']).split(':').pop()))
          }
        } catch {
          // not a log line
        }
      }
    })
  })
  return { child, port, lines, stderr: () => err }
}

/** SIGKILLs (after SIGCONT) every process started here that still runs. */
export async function killAll(): Promise<void> {
  for (const c of started) {
    if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue
    process.kill(c.pid, 'SIGCONT')
    process.kill(c.pid, 'SIGKILL')
    await once(c, 'exit')
  }
}

/** `until` and `record` are the repository's shared test helpers. */
export { record, until } from '@junction/test-support'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A CSCF-side node with the HSS processes as peers (priority in the order given), open. */
export async function clientNode(
  peers: readonly { host: string; port: number }[],
  options: { tw?: number; requestTimeout?: number; originHost?: string } = {},
): Promise<DiameterNode> {
  const node = createDiameterNode({
    originHost: options.originHost ?? 'scscf.ims.test',
    originRealm: 'ims.test',
    peers: peers.map((p, i) => ({ host: p.host, address: '127.0.0.1', port: p.port, priority: i + 1 })),
    requestTimeout: options.requestTimeout ?? 10000,
    handshakeTimeout: 2000,
    reconnect: { initialDelay: 200, maxDelay: 1000 },
    ...(options.tw === undefined ? {} : { watchdog: { tw: options.tw, jitter: 0 } }),
  })
  await node.start()
  await until(() => node.peers.every((p) => p.available), 10000, 'CEA from every HSS')
  return node
}

/** A subscriber file for the tests: alice (test set 2, OP), carol (OPc, unregistered services). */
export function subscribers(extraHss: Record<string, unknown> = {}): HssConfigInput {
  return {
    hss: { scscf: { name: 'sip:scscf.ims.test:6060' }, ...extraHss },
    subscribers: [
      {
        impi: 'alice@ims.test',
        impus: ['sip:alice@ims.test', 'tel:+15551230001'],
        k: K,
        op: OP,
        amf: 'af17',
        sqn: 'fd8eef40df7d',
        ifcs: [
          {
            priority: 10,
            trigger: { spts: [{ method: 'REGISTER', registrationType: ['INITIAL'] }] },
            applicationServer: { serverName: 'sip:as.ims.test:5060' },
            profilePartIndicator: 'REGISTERED',
          },
        ],
      },
      {
        impi: 'carol@ims.test',
        impus: ['sip:carol@ims.test'],
        k: K,
        opc: '53c15671c60a4b731c55b4a441c0bde2',
        ifcs: [{ priority: 1, applicationServer: { serverName: 'sip:vm.ims.test' } }],
      },
    ],
  }
}
