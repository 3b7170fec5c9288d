/**
 * IMS AKA registration with junction-client as the UE against a real IMS core: Kamailio 5.6
 * I-CSCF (ims_icscf: UAR) and S-CSCF (ims_auth, ims_registrar_scscf: MAR, SAR) from Debian's
 * kamailio-ims-modules, talking Cx to a junction-hss process (TS 35.207 test set 2: K, OP, AMF
 * af17). REGISTER (with the IMPI in an empty Authorization, TS 24.229 §5.1.1.2.1) → UAR → S-CSCF →
 * MAR → 401 AKAv1-MD5 → REGISTER with RES → SAR → 200 OK. Then resynchronisation: a USIM whose
 * SQN_MS is ahead of the HSS's answers with AUTS, the S-CSCF sends MAR with RAND ‖ AUTS, challenges
 * again, and the registration ends in 200 OK.
 *
 * Configurations are written into a temporary directory; every process listens on 127.0.0.1 on
 * free ports and is stopped by its PID. Skipped with a message when kamailio or its IMS modules are
 * missing, except under CI=true, where that fails.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  freePorts,
  kamailioArgs,
  kamailioImsInstalled,
  processGroup,
  skipUnless,
  until,
  writeImsCore,
} from '@junction/test-support'
import { type ClientEvent, register } from '../src/index.ts'

const HSS = fileURLToPath(new URL('../../hss/bin/junction-hss.js', import.meta.url))
// TS 35.207 test set 2
const K = '0396eb317b6d1c36f19c1c84cd6ffd16'
const OP = 'ff53bade17df5d4e793073ce9d7579fa'
const HSS_SQN = 0xfd8eef40df7dn

const skip = skipUnless(
  kamailioImsInstalled() && existsSync(HSS),
  'kamailio with kamailio-ims-modules and kamailio-presence-modules (or tools/hss) is missing',
)

const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'junction-client-ims-'))
const peers = processGroup()
const diagnose = () => peers.diagnose(40)

let icscf = ''
before(async () => {
  if (skip !== false) return
  const ports = await freePorts(5)
  const [hssPort, icscfSip, scscfSip, icscfDia, scscfDia] = ports as [number, number, number, number, number]
  writeImsCore(dir, { hss: hssPort, icscfSip, scscfSip, icscfDiameter: icscfDia, scscfDiameter: scscfDia })
  // JSON is YAML: the subscriber file of junction-hss
  const subscribers = {
    hss: { scscf: { name: `sip:127.0.0.1:${scscfSip}` } },
    subscribers: [
      {
        impi: 'alice@ims.test',
        impus: ['sip:alice@ims.test', 'tel:+15551230001'],
        k: K,
        op: OP,
        amf: 'af17',
        sqn: HSS_SQN.toString(16),
      },
    ],
  }
  writeFileSync(join(dir, 'subscribers.yaml'), JSON.stringify(subscribers, null, 2))
  peers.start('junction-hss', process.execPath, [
    HSS,
    '-c',
    join(dir, 'subscribers.yaml'),
    '--state-file',
    join(dir, 'state.json'),
    '-l',
    `127.0.0.1:${hssPort}`,
    '--origin-host',
    'localhost',
    '--realm',
    'ims.test',
  ])
  for (const name of ['icscf', 'scscf'] as const) peers.start(name, 'kamailio', kamailioArgs(dir, name))
  const open = (host: string) =>
    peers
      .log('junction-hss')
      .split('\n')
      .some((l) => l.includes('Diameter peer open') && l.includes(host))
  await until(
    () => open('icscf.ims.test') && open('scscf.ims.test'),
    30_000,
    'CER/CEA of both CSCFs with junction-hss',
    diagnose,
  )
  icscf = `sip:127.0.0.1:${icscfSip}`
})

after(async () => {
  await peers.stopAll()
  if (dir !== '' && process.env['KEEP_IMS_DIR'] === undefined) rmSync(dir, { recursive: true, force: true })
})

const aka = (sqn?: bigint) => ({
  k: Buffer.from(K, 'hex'),
  op: Buffer.from(OP, 'hex'),
  impi: 'alice@ims.test',
  sqn,
})

describe('junction-client IMS AKA registration through Kamailio I-CSCF/S-CSCF and junction-hss', {
  skip,
  timeout: 120_000,
}, () => {
  test('REGISTER → 401 AKAv1-MD5 → REGISTER with RES → 200 OK', async () => {
    const events: ClientEvent[] = []
    const r = await register('sip:alice@ims.test', {
      proxy: icscf,
      local: '127.0.0.1',
      aka: aka(),
      expires: 600,
      timeout: 20_000,
      headers: { 'P-Visited-Network-ID': '"ims.test"' },
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.status, 200, `${JSON.stringify(events)}${diagnose()}`)
    assert.deepEqual(
      events.filter((e) => e.event === 'aka').map((e) => e['outcome']),
      ['authenticated'],
    )
  })

  test("resynchronisation: the USIM's SQN_MS is ahead of the HSS, AUTS, MAR with RAND ‖ AUTS, a new challenge, 200 OK", async () => {
    const events: ClientEvent[] = []
    const r = await register('sip:alice@ims.test', {
      proxy: icscf,
      local: '127.0.0.1',
      aka: aka(HSS_SQN + 32n * 1000n),
      expires: 600,
      timeout: 20_000,
      headers: { 'P-Visited-Network-ID': '"ims.test"' },
      onEvent: (e) => events.push(e),
    })
    assert.equal(r.status, 200, `${JSON.stringify(events)}${diagnose()}`)
    assert.deepEqual(
      events.filter((e) => e.event === 'aka').map((e) => e['outcome']),
      ['sync-failure', 'authenticated'],
    )
  })
})
