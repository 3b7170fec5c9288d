/**
 * @junction/transport: request/response round trips per second on loopback, over UDP, TCP, TLS
 * and WS: one process, a client transport and a server transport that answers each OPTIONS
 * with 200 (no transaction layer), 100 requests in flight, 30 000 round trips per transport.
 * Both ends share the machine's cores, so this is a floor, not what one server does alone.
 *
 *   ./junction pnpm --filter @junction/bench exec node --conditions=@junction/source transport.bench.ts
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequest, createResponse } from '@junction/sip'
import {
  createTransport,
  type ListenerOptions,
  type Transport,
  type TransportName,
} from '@junction/transport'

const ROUND_TRIPS = 30_000
const IN_FLIGHT = 100

function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bench.test',
      '-addext',
      'subjectAltName=DNS:bench.test,IP:127.0.0.1',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
    ],
    { cwd: dir, stdio: 'pipe' },
  )
  writeFileSync(join(dir, 'done'), '')
  return { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') }
}

async function run(transport: TransportName): Promise<string> {
  const tls = transport === 'tls' ? selfSigned() : undefined
  const listen: ListenerOptions[] = [
    { transport, host: '127.0.0.1', port: 0, ...(tls === undefined ? {} : { tls }) },
  ]
  let answered = 0
  let lastAnswer = process.hrtime.bigint()
  let done: () => void = () => {}
  let server: Transport | undefined
  server = createTransport(
    { listen },
    {
      receive(message, flow) {
        if (message.kind === 'request')
          server!.sendResponse(createResponse(message, 200), flow).catch(() => {})
      },
    },
  )
  let client: Transport | undefined
  let sent = 0
  const target = { transport, address: '127.0.0.1', port: 0, serverName: 'bench.test' }
  const sendOne = () => {
    if (sent >= ROUND_TRIPS) return
    sent++
    const req = createRequest({
      method: 'OPTIONS',
      uri: 'sip:bench@127.0.0.1',
      from: 'sip:a@bench.test',
      to: 'sip:b@bench.test',
      via: { transport: 'UDP', host: '127.0.0.1' },
    })
    client!.sendRequest(req, target).catch(() => {})
  }
  client = createTransport(
    {
      listen: [{ transport, host: '127.0.0.1', port: 0, ...(tls === undefined ? {} : { tls }) }],
      ...(tls === undefined ? {} : { tlsClient: { ca: tls.cert } }),
    },
    {
      receive(message) {
        if (message.kind !== 'response') return
        answered++
        lastAnswer = process.hrtime.bigint()
        if (answered === ROUND_TRIPS) done()
        else sendOne()
      },
    },
  )
  await server.start()
  await client.start()
  ;(target as { port: number }).port = server.listeners[0]!.port
  const finished = new Promise<void>((resolve) => {
    done = resolve
  })
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < IN_FLIGHT; i++) sendOne()
  // UDP loses datagrams when the socket buffer overflows, and nothing here retransmits: stop once
  // answers stop coming, and rate what was answered by the time of the last answer
  let seen = -1
  while (answered < ROUND_TRIPS && answered !== seen) {
    seen = answered
    await Promise.race([finished, new Promise((r) => setTimeout(r, 1000))])
  }
  const s = Number(lastAnswer - t0) / 1e9
  await client.stop()
  await server.stop()
  return `| ${transport} | ${answered.toLocaleString('en-US')} | ${Math.round(answered / s).toLocaleString('en-US')} |`
}

const lines = [
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}`,
  '',
  '| transport | round trips | round trips per second |',
  '|---|---:|---:|',
]
for (const t of ['udp', 'tcp', 'tls', 'ws'] as const) lines.push(await run(t))
console.log(lines.join('\n'))
