/**
 * Failover and failback with real processes (RFC 3539, RFC 6733 §5.5.4): a client node with two
 * server peers, each a Junction node in its own process (test/fixtures/hss-node.ts), priorities 1
 * and 2. The first is frozen with SIGSTOP: its TCP connection stays open (the kernel still acks),
 * so only the watchdog can notice. New requests must move to the second within 2 Tw. After
 * SIGCONT the first comes back through REOPEN (three DWAs) and takes the requests again.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createDiameterNode, type DiameterError, type DiameterNode } from '../src/index.ts'
import { mar } from './cx.ts'
import { host, record, sleep, until } from './helpers.ts'

const TW = 1000
const fixture = fileURLToPath(new URL('./fixtures/hss-node.ts', import.meta.url))
const children: ChildProcess[] = []

async function spawnHss(name: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--conditions=@junction/source', fixture, name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
  })
  return { child, port }
}

after(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.pid === undefined) continue
    process.kill(child.pid, 'SIGCONT')
    process.kill(child.pid, 'SIGKILL')
    await once(child, 'exit')
  }
})

test('SIGSTOP: new requests move to the priority-2 peer within 2 Tw; SIGCONT: back through REOPEN', async (t) => {
  const [hss1, hss2] = await Promise.all([spawnHss('hss1.ims.test'), spawnHss('hss2.ims.test')])
  const client: DiameterNode = createDiameterNode({
    originHost: 'scscf.ims.test',
    originRealm: 'ims.test',
    peers: [
      { host: 'hss1.ims.test', address: '127.0.0.1', port: hss1.port, priority: 1 },
      { host: 'hss2.ims.test', address: '127.0.0.1', port: hss2.port, priority: 2 },
    ],
    watchdog: { tw: TW, jitter: 0 },
    requestTimeout: 300,
    handshakeTimeout: 500,
    reconnect: { initialDelay: 200, maxDelay: 1000 },
  })
  const wd = record('junction:diameter:watchdog')
  const states = record('junction:diameter:peer-state')
  t.after(async () => {
    wd.stop()
    states.stop()
    await client.stop()
  })
  await client.start()
  await until(() => client.peers.every((p) => p.available), 3000, 'both peers open')
  const who = async () => {
    try {
      return (await client.request(mar())).originHost
    } catch (e) {
      return (e as DiameterError).code
    }
  }
  assert.equal(await who(), 'hss1.ims.test')

  // freeze hss1: requests go on every 50 ms until one is answered by hss2
  process.kill(hss1.child.pid!, 'SIGSTOP')
  const frozenAt = performance.now()
  let movedAt: number | undefined
  const seen: string[] = []
  while (movedAt === undefined && performance.now() - frozenAt < 5 * TW) {
    void who().then((h) => {
      seen.push(h ?? 'none')
      if (h === 'hss2.ims.test') movedAt ??= performance.now()
    })
    await sleep(50)
  }
  assert.ok(movedAt !== undefined, `never moved: ${seen.join(', ')}`)
  const failover = movedAt - frozenAt
  const suspect = wd.events.find((e) => host(e) === 'hss1.ims.test' && e['to'] === 'SUSPECT')
  const suspectAfter = (suspect?.['at'] as number) - frozenAt
  t.diagnostic(
    `SUSPECT ${Math.round(suspectAfter)} ms after SIGSTOP, first answer from hss2 after ${Math.round(failover)} ms (Tw ${TW} ms)`,
  )
  assert.ok(suspectAfter <= 2 * TW + 500, `SUSPECT after ${suspectAfter} ms`)
  // the timeouts meanwhile were the requests sent to the frozen peer before SUSPECT
  assert.ok(seen.every((s) => s === 'hss2.ims.test' || s === 'JUNCTION_ERR_DIAMETER_TIMEOUT'))
  // DWR at most Tw after the last message received, SUSPECT one Tw later; the first request after
  // that goes to hss2 (slack for the 50 ms polling and a loaded CI machine; DOWN comes at 3 Tw)
  assert.ok(failover <= 3 * TW, `failover after ${failover} ms`)
  assert.equal(client.peer('hss1.ims.test')?.watchdogState, 'SUSPECT')

  // one Tw later DOWN: the connection is closed; reconnects time out on the frozen process
  await until(() => client.peer('hss1.ims.test')?.watchdogState === 'DOWN', 2 * TW, 'DOWN')
  // the connection closes because of the watchdog (its close event follows DOWN; lastError may
  // already show a later reconnect attempt)
  await until(
    () =>
      states.events.some(
        (e) =>
          host(e) === 'hss1.ims.test' &&
          e['to'] === 'Closed' &&
          (e['error'] as { code?: string } | undefined)?.code === 'JUNCTION_ERR_DIAMETER_WATCHDOG_TIMEOUT',
      ),
    2 * TW,
    'closed with JUNCTION_ERR_DIAMETER_WATCHDOG_TIMEOUT',
  )
  await sleep(1500)
  assert.equal(await who(), 'hss2.ims.test')

  // thaw: REOPEN, three DWAs (one per Tw), then OKAY and requests back on hss1
  process.kill(hss1.child.pid!, 'SIGCONT')
  const thawedAt = performance.now()
  await until(() => client.peer('hss1.ims.test')?.watchdogState === 'REOPEN', 5 * TW, 'REOPEN')
  const reopenAt = performance.now()
  assert.equal(await who(), 'hss2.ims.test', 'no requests while REOPEN')
  await until(() => client.peer('hss1.ims.test')?.watchdogState === 'OKAY', 4 * TW, 'OKAY')
  const okayAt = performance.now()
  t.diagnostic(
    `REOPEN ${Math.round(reopenAt - thawedAt)} ms after SIGCONT, OKAY ${Math.round(okayAt - reopenAt)} ms later`,
  )
  assert.ok(okayAt - reopenAt >= 2 * TW - 100, 'three DWAs, one per Tw')
  assert.equal(await who(), 'hss1.ims.test')
  assert.deepEqual(
    wd.events.filter((e) => host(e) === 'hss1.ims.test').map((e) => e['to']),
    ['OKAY', 'SUSPECT', 'DOWN', 'REOPEN', 'OKAY'],
  )
})
