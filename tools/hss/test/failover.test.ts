/**
 * Peer failover between two junction-hss processes (RFC 3539 watchdog, RFC 6733 §5.5.4): a
 * diameter-cx client with both as peers of one realm, priorities 1 and 2, and a short Tw. The
 * first is frozen with SIGSTOP: its TCP connection stays open (the kernel still acknowledges), so
 * only the watchdog can notice. New MARs must be answered by the second within 2 Tw (plus slack
 * for request polling on a loaded machine). Then SIGCONT, and the first is stopped with SIGTERM.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { DiameterError } from '@junction/diameter'
import { createCxClient } from '@junction/diameter-cx'
import {
  clientNode,
  killAll,
  record,
  sleep,
  startHss,
  subscribers,
  tempDir,
  until,
  writeConfig,
} from './helpers.ts'

const TW = 1500
const dir = tempDir('failover')
after(async () => {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
})

test('SIGSTOP on the priority-1 HSS: new requests go to the priority-2 one within 2 Tw', async (t) => {
  const config = writeConfig(dir, subscribers())
  const args = (n: number) => [
    '-c',
    config,
    '--state-file',
    join(dir, `state${n}.json`),
    '-l',
    '127.0.0.1:0',
    '--origin-host',
    `hss${n}.ims.test`,
  ]
  const [hss1, hss2] = await Promise.all([startHss(args(1)), startHss(args(2))])
  const node = await clientNode(
    [
      { host: 'hss1.ims.test', port: hss1.port },
      { host: 'hss2.ims.test', port: hss2.port },
    ],
    { tw: TW, requestTimeout: 500 },
  )
  const wd = record('junction:diameter:watchdog')
  t.after(async () => {
    wd.stop()
    await node.stop()
  })
  const cx = createCxClient(node, { destinationRealm: 'ims.test' })
  const who = async () => {
    try {
      const maa = await cx.mar({
        impi: 'alice@ims.test',
        impu: 'sip:alice@ims.test',
        serverName: 'sip:scscf.ims.test',
      })
      assert.equal(maa.result.name, 'DIAMETER_SUCCESS')
      return maa.originHost ?? 'none'
    } catch (e) {
      return (e as DiameterError).code
    }
  }
  assert.equal(await who(), 'hss1.ims.test')

  process.kill(hss1.child.pid!, 'SIGSTOP')
  const frozenAt = performance.now()
  let movedAt: number | undefined
  const seen: string[] = []
  while (movedAt === undefined && performance.now() - frozenAt < 5 * TW) {
    void who().then((h) => {
      seen.push(h)
      if (h === 'hss2.ims.test') movedAt ??= performance.now()
    })
    await sleep(50)
  }
  assert.ok(movedAt !== undefined, `never moved: ${seen.join(', ')}`)
  const failover = movedAt - frozenAt
  const suspect = wd.events.find(
    (e) => (e['peer'] as { host: string }).host === 'hss1.ims.test' && e['to'] === 'SUSPECT',
  )
  assert.ok(suspect !== undefined, 'the watchdog of hss1 went SUSPECT')
  t.diagnostic(
    `SUSPECT ${Math.round((suspect['at'] as number) - frozenAt)} ms after SIGSTOP; first answer from hss2 ${Math.round(failover)} ms after (Tw ${TW} ms)`,
  )
  // DWR Tw after the last message from hss1, SUSPECT a Tw later; slack for the 50 ms polling
  assert.ok(failover <= 2 * TW + TW / 2, `failover after ${Math.round(failover)} ms, 2 Tw = ${2 * TW} ms`)
  // meanwhile only timeouts (requests sent to the frozen peer before SUSPECT) or answers from hss2
  assert.ok(
    seen.every((s) => s === 'hss2.ims.test' || s === 'JUNCTION_ERR_DIAMETER_TIMEOUT'),
    seen.join(', '),
  )
  // and later requests stay on hss2 while hss1 is frozen
  for (let i = 0; i < 3; i++) assert.equal(await who(), 'hss2.ims.test')

  process.kill(hss1.child.pid!, 'SIGCONT')
  hss1.child.kill('SIGTERM')
  const [code] = await once(hss1.child, 'exit')
  assert.equal(code, 0)
  await until(() => node.peer('hss1.ims.test')?.available === false, 5000, 'hss1 closed')
  assert.equal(await who(), 'hss2.ims.test')
})
