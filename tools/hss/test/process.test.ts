/**
 * junction-hss as a real process (bin/junction-hss.js) answering our @junction/diameter-cx client
 * over TCP on 127.0.0.1: the TS 29.228 flows (UAR, MAR, SAR, LIR), resynchronisation with an AUTS
 * the test computes with @junction/aka, `kill -9` then a restart on the same state file (SQN goes
 * on: no vector is ever reused; the registration is remembered), SIGTERM with DPR to the peer, and
 * the command line (--help, --version, --check-config, a bad file).
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { computeAuts, verifyAutn } from '@junction/aka'
import type { DiameterMessage } from '@junction/diameter'
import { type CxClient, createCxClient, type Maa } from '@junction/diameter-cx'
import {
  bin,
  clientNode,
  keys,
  killAll,
  record,
  startHss,
  subscribers,
  tempDir,
  until,
  writeConfig,
} from './helpers.ts'

const dirs: string[] = []
after(async () => {
  await killAll()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function setup(name: string, extraHss: Record<string, unknown> = {}) {
  const dir = tempDir(name)
  dirs.push(dir)
  const config = writeConfig(dir, subscribers(extraHss))
  const state = join(dir, 'state.json')
  return { dir, config, state, args: ['-c', config, '--state-file', state, '-l', '127.0.0.1:0'] }
}

/** The SQN of each vector of an MAA, as the UE reads it from AUTN. */
function sqnsOf(maa: Maa): bigint[] {
  return maa.items.map((i) => {
    assert.ok(i.aka !== undefined, 'an AKA vector')
    const ue = verifyAutn({ ...keys, rand: i.aka.rand, autn: i.aka.autn })
    assert.ok(ue.ok, 'MAC-A checks at the UE')
    assert.deepEqual(Buffer.from(ue.res), Buffer.from(i.aka.xres))
    return ue.sqn
  })
}

const alice = { impi: 'alice@ims.test', impu: 'sip:alice@ims.test' }
const scscf = 'sip:scscf.ims.test:6060'

test('registration flow: UAR 2001 → MAR vectors → SAR User-Data → UAR 2002 → LIR 2001; resync with AUTS', async (t) => {
  const s = setup('flow')
  const hss = await startHss(s.args)
  const node = await clientNode([{ host: 'hss.ims.test', port: hss.port }])
  t.after(() => node.stop())
  const cx: CxClient = createCxClient(node, { destinationRealm: 'ims.test' })

  const uaa = await cx.uar({ ...alice, visitedNetworkIdentifier: '"ims.test"' })
  assert.equal(uaa.result.name, 'DIAMETER_FIRST_REGISTRATION')
  assert.equal(uaa.serverName, scscf)
  assert.equal(uaa.originHost, 'hss.ims.test')

  const maa = await cx.mar({ ...alice, serverName: scscf, items: 2 })
  assert.equal(maa.result.name, 'DIAMETER_SUCCESS')
  assert.equal(maa.impi, 'alice@ims.test')
  assert.equal(maa.impu, 'sip:alice@ims.test')
  assert.deepEqual(sqnsOf(maa), [0xfd8eef40df7dn, 0xfd8eef40df9dn])

  const saa = await cx.sar({
    ...alice,
    impus: [alice.impu],
    serverName: scscf,
    assignmentType: 'REGISTRATION',
    userDataAlreadyAvailable: false,
  })
  assert.equal(saa.result.name, 'DIAMETER_SUCCESS')
  assert.match(saa.userData ?? '', /<PrivateID>alice@ims.test<\/PrivateID>/)
  assert.match(saa.userData ?? '', /<Identity>tel:\+15551230001<\/Identity>/)
  assert.match(saa.userData ?? '', /<ServerName>sip:as.ims.test:5060<\/ServerName>/)

  const again = await cx.uar({ ...alice, visitedNetworkIdentifier: 'ims.test' })
  assert.equal(again.result.name, 'DIAMETER_SUBSEQUENT_REGISTRATION')
  assert.equal(again.serverName, scscf)
  const lia = await cx.lir({ impu: 'tel:+15551230001' })
  assert.equal(lia.result.name, 'DIAMETER_SUCCESS')
  assert.equal(lia.serverName, scscf)
  assert.equal((await cx.lir({ impu: 'sip:nobody@ims.test' })).result.name, 'DIAMETER_ERROR_USER_UNKNOWN')
  assert.equal((await cx.lir({ impu: 'sip:carol@ims.test' })).result.name, 'DIAMETER_UNREGISTERED_SERVICE')

  // the USIM is ahead (SQN_MS): it answers the last challenge with AUTS (TS 33.102 §6.3.3)
  const last = maa.items[1]!.aka!
  const sqnMs = 0xfd8eef4fffe0n
  const auts = computeAuts({ ...keys, rand: last.rand, sqnMs })
  const resynced = await cx.mar({ ...alice, serverName: scscf, resync: { rand: last.rand, auts } })
  assert.equal(resynced.result.name, 'DIAMETER_SUCCESS')
  const [next] = sqnsOf(resynced)
  assert.ok(next! > sqnMs, `SQN ${next!.toString(16)} above SQN_MS ${sqnMs.toString(16)}`)
  // a forged AUTS is refused, SQN stays
  const forged = Uint8Array.from(auts)
  forged[0]! ^= 0xff
  const refused = await cx.mar({ ...alice, serverName: scscf, resync: { rand: last.rand, auts: forged } })
  assert.equal(refused.result.name, 'DIAMETER_UNABLE_TO_COMPLY')
  const after = sqnsOf(await cx.mar({ ...alice, serverName: scscf }))[0]!
  assert.equal(after, next! + 32n)

  // de-registration: back to NOT_REGISTERED
  const dereg = await cx.sar({
    ...alice,
    impus: [alice.impu],
    serverName: scscf,
    assignmentType: 'USER_DEREGISTRATION',
    userDataAlreadyAvailable: true,
  })
  assert.equal(dereg.result.name, 'DIAMETER_SUCCESS')
  assert.equal((await cx.lir({ impu: alice.impu })).result.name, 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED')
})

test('kill -9 and restart on the same state file: SQN goes on (no vector reused), the registration is kept', async (t) => {
  const s = setup('kill9')
  const first = await startHss(s.args)
  let node = await clientNode([{ host: 'hss.ims.test', port: first.port }])
  let cx = createCxClient(node, { destinationRealm: 'ims.test' })
  const seen: bigint[] = []
  for (let i = 0; i < 5; i++) seen.push(...sqnsOf(await cx.mar({ ...alice, serverName: scscf, items: 2 })))
  await cx.sar({
    ...alice,
    impus: [alice.impu],
    serverName: scscf,
    assignmentType: 'REGISTRATION',
    userDataAlreadyAvailable: false,
  })
  // requests in flight while the process dies: answered or not, nothing they carried may come back
  const inflight = Array.from({ length: 20 }, () =>
    cx.mar({ ...alice, serverName: scscf }).then(
      (m) => seen.push(...sqnsOf(m)),
      () => undefined,
    ),
  )
  first.child.kill('SIGKILL')
  await once(first.child, 'exit')
  await Promise.all(inflight)
  await node.stop()

  const second = await startHss(s.args)
  node = await clientNode([{ host: 'hss.ims.test', port: second.port }])
  t.after(() => node.stop())
  cx = createCxClient(node, { destinationRealm: 'ims.test' })
  const next = sqnsOf(await cx.mar({ ...alice, serverName: scscf, items: 3 }))
  let highest = 0n
  for (const sqn of seen) if (sqn > highest) highest = sqn
  for (const sqn of next)
    assert.ok(sqn > highest, `SQN ${sqn.toString(16)} after the restart is above ${highest.toString(16)}`)
  assert.equal(new Set([...seen, ...next]).size, seen.length + next.length, 'no SQN twice')
  const lia = await cx.lir({ impu: alice.impu })
  assert.equal(lia.result.name, 'DIAMETER_SUCCESS')
  assert.equal(lia.serverName, scscf)
})

test('SIGTERM: DPR to the connected peer, then exit 0', async () => {
  const s = setup('sigterm')
  const hss = await startHss(s.args)
  const node = await clientNode([{ host: 'hss.ims.test', port: hss.port }])
  const inbound = record('junction:diameter:message-in')
  try {
    hss.child.kill('SIGTERM')
    const [code] = await once(hss.child, 'exit')
    assert.equal(code, 0)
    await until(
      () => inbound.events.some((e) => (e['message'] as DiameterMessage).name === 'DPR'),
      5000,
      'DPR',
    )
    const dpr = inbound.events.find((e) => (e['message'] as DiameterMessage).name === 'DPR')![
      'message'
    ] as DiameterMessage
    assert.equal(dpr.originHost, 'hss.ims.test')
    assert.equal(dpr.get('Disconnect-Cause'), 0) // REBOOTING
    assert.ok(hss.lines.some((l) => l['msg'] === 'stopping: DPR to the peers'))
  } finally {
    inbound.stop()
    await node.stop()
  }
})

test('command line: --help, --version, --check-config, an invalid file (exit 2, JUNCTION_ERR_HSS_CONFIG), a corrupt state file (exit 1)', () => {
  const help = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })
  for (const flag of [
    '--config',
    '--listen',
    '--origin-host',
    '--realm',
    '--state-file',
    '--check-config',
    '--version',
  ])
    assert.ok(help.includes(flag), flag)
  assert.match(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/)
  const checked = JSON.parse(
    execFileSync(
      process.execPath,
      [bin, '--check-config', '--origin-host', 'localhost', '--realm', 'ims.local'],
      { encoding: 'utf8' },
    ),
  ) as {
    hss: { originHost: string; realm: string; listen: string }
    subscribers: { impi: string; amf: string }[]
  }
  assert.equal(checked.hss.originHost, 'localhost')
  assert.equal(checked.hss.realm, 'ims.local')
  assert.equal(checked.hss.listen, '127.0.0.1:3868')
  assert.equal(checked.subscribers[0]!.impi, 'alice@ims.test')
  assert.equal(checked.subscribers[0]!.amf, 'af17')

  const dir = tempDir('cli')
  dirs.push(dir)
  const bad = writeConfig(dir, { subscribers: [{ impi: 'a', impus: ['x'], k: '00' }] } as never, 'bad.yaml')
  const r = spawnSync(process.execPath, [bin, '-c', bad], { encoding: 'utf8' })
  assert.equal(r.status, 2)
  assert.match(r.stderr, /JUNCTION_ERR_HSS_CONFIG/)
  assert.match(r.stderr, /subscribers\.0\.impus\.0/)
  const stateFile = join(dir, 'corrupt.json')
  writeFileSync(stateFile, '{')
  const c = spawnSync(process.execPath, [bin, '-l', '127.0.0.1:0', '--state-file', stateFile], {
    encoding: 'utf8',
  })
  assert.equal(c.status, 1)
  assert.match(c.stderr, /JUNCTION_ERR_HSS_STATE/)
})
