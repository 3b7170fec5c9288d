/**
 * junction-hss with a real IMS core (ims.md §5(a), §5(b), Appendix A): Kamailio 5.6 I-CSCF
 * (ims_icscf: UAR) and S-CSCF (ims_auth, ims_registrar_scscf: MAR, SAR) from Debian's
 * kamailio-ims-modules talk Cx (cdp) to junction-hss, and SIPp 3.6.1 as the UE (with the P-CSCF's
 * Path and P-Visited-Network-ID) registers with IMS AKA (AKAv1-MD5, TS 35.207 test set 2: K, OP not
 * OPc, AMF af17): REGISTER → I-CSCF → UAR → S-CSCF → MAR → 401 → REGISTER → UAR → S-CSCF → SAR →
 * 200 OK. Then the HSS is asked (through our own client) what it learnt: the S-CSCF name and the
 * REGISTERED state. The configurations are written by the test into a temporary directory; every
 * process listens on 127.0.0.1 on free ports and is stopped by its PID.
 *
 * junction-hss runs with `--rand no-zero-res`: SIPp 3.6.1 computes a wrong response for a RES with
 * a 0x00 octet (ims.md §5(a) caveat 4).
 *
 * Skipped when kamailio (with the IMS and presence modules) or sipp is missing, except under
 * CI=true, where that is a failure.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { computeAuts, verifyAutn } from '@junction/aka'
import { createCxClient } from '@junction/diameter-cx'
import {
  freePorts,
  kamailioArgs,
  kamailioImsInstalled,
  processGroup,
  removeCdpFifos,
  skipUnless,
  until,
  writeImsCore,
} from '@junction/test-support'
import {
  clientNode,
  type HssProcess,
  K,
  keys,
  killAll,
  OP,
  startHss,
  subscribers,
  tempDir,
  writeConfig,
} from './helpers.ts'

function available(): boolean {
  // sipp -v exits 99
  return kamailioImsInstalled() && /SIPp v/.test(spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout ?? '')
}
const skip = skipUnless(
  available(),
  'kamailio, kamailio-ims-modules, kamailio-presence-modules or sip-tester is missing',
)

const dir = tempDir('kamailio')
const kamailios = processGroup()

after(async () => {
  const pids = kamailios.members()
  await kamailios.stopAll()
  removeCdpFifos(pids)
  await killAll()
  if (process.env['KEEP_KAMAILIO_DIR'] === undefined) rmSync(dir, { recursive: true, force: true })
})

function register(cseq: number, auth: string): string {
  return `REGISTER sip:ims.test SIP/2.0
Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@ims.test>;tag=[pid]SIPpTag00[call_number]
To: <sip:alice@ims.test>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:alice@[local_ip]:[local_port]>
${auth}
Path: <sip:term@pcscf.ims.test:[local_port];lr>
Supported: path
P-Visited-Network-ID: "ims.test"
Expires: 600
Content-Length: 0
`
}

const EMPTY_AUTH =
  'Authorization: Digest username="alice@ims.test", realm="ims.test", nonce="", uri="sip:ims.test", response=""'
const AKA_AUTH = `[authentication username=alice@ims.test aka_K=0x${K} aka_OP=0x${OP} aka_AMF=0xaf17]`

/** REGISTER → 401 → REGISTER with AKAv1-MD5 (SIPp computes it) → 200. */
function registerScenario(): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="IMS AKA REGISTER">
  <send retrans="500"><![CDATA[
${register(1, EMPTY_AUTH)}
  ]]></send>
  <recv response="401" auth="true"/>
  <pause milliseconds="100"/>
  <send retrans="500"><![CDATA[
${register(2, AKA_AUTH)}
  ]]></send>
  <recv response="200"/>
</scenario>
`
}

/**
 * REGISTER → 401 → REGISTER with `auts` (a synchronisation failure: the USIM is at SQN_MS; the
 * response is computed with an empty password, RFC 3310 §3.4) → a new 401 after the S-CSCF's resync
 * MAR → REGISTER with AKAv1-MD5 → 200. SIPp cannot make an AUTS: the test computes it for the
 * HSS's fixed RAND and writes it into the scenario; the nonce is taken from the first 401.
 */
function resyncScenario(auts: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="IMS AKA resync">
  <send retrans="500"><![CDATA[
${register(1, EMPTY_AUTH)}
  ]]></send>
  <recv response="401">
    <action>
      <ereg regexp="nonce=&quot;([^&quot;]*)&quot;" search_in="hdr" header="WWW-Authenticate:" check_it="true" assign_to="whole,nonce"/>
    </action>
  </recv>
  <pause milliseconds="100"/>
  <send retrans="500"><![CDATA[
${register(2, `Authorization: Digest username="alice@ims.test", realm="ims.test", nonce="[$nonce]", uri="sip:ims.test", response="00000000000000000000000000000000", auts="${auts}", algorithm=AKAv1-MD5`)}
  ]]></send>
  <recv response="401" auth="true"/>
  <pause milliseconds="100"/>
  <send retrans="500"><![CDATA[
${register(3, AKA_AUTH)}
  ]]></send>
  <recv response="200"/>
<Reference variables="whole"/>
</scenario>
`
}

interface Env {
  hssPort: number
  icscfSip: number
  scscfSip: number
  uePort: number
  config: string
  hss: HssProcess
}
let env: Env | undefined

async function startHssOn(port: number, config: string, extra: readonly string[]): Promise<HssProcess> {
  return startHss([
    '-c',
    config,
    '--state-file',
    join(dir, 'state.json'),
    '-l',
    `127.0.0.1:${port}`,
    '--origin-host',
    'localhost',
    '--realm',
    'ims.test',
    ...extra,
  ])
}

function diagnose(): string {
  const hss = env?.hss
  return (
    (hss === undefined
      ? ''
      : `\n--- junction-hss\n${hss.lines.map((l) => JSON.stringify(l)).join('\n')}\n${hss.stderr()}`) +
    kamailios.diagnose(60)
  )
}

async function bothCscfsOpen(hss: HssProcess): Promise<void> {
  const open = (host: string) =>
    hss.lines.some((l) => l['msg'] === 'Diameter peer open' && l['peer'] === host)
  await until(
    () => open('icscf.ims.test') && open('scscf.ims.test'),
    30_000,
    'CER/CEA with both CSCFs',
    diagnose,
  )
}

/** Runs a SIPp scenario as the UE against the I-CSCF; rejects with every log when it fails. */
async function sipp(name: string, scenario: string): Promise<string> {
  const { icscfSip, uePort } = env!
  const file = join(dir, `${name}.xml`)
  writeFileSync(file, scenario)
  const child = spawn(
    'sipp',
    [
      `127.0.0.1:${icscfSip}`,
      '-sf',
      file,
      '-m',
      '1',
      '-i',
      '127.0.0.1',
      '-p',
      String(uePort),
      '-t',
      'u1',
      '-auth_uri',
      'ims.test',
      '-timeout',
      '30s',
      '-trace_err',
      '-trace_msg',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString()
  })
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString()
  })
  const [code] = await once(child, 'exit')
  let messages = ''
  try {
    messages = execFileSync('sh', ['-c', `cat ${dir}/${name}_*_messages.log 2>/dev/null`], {
      encoding: 'utf8',
    })
  } catch {
    // no trace
  }
  if (code !== 0) {
    if (process.env['KEEP_KAMAILIO_DIR'] !== undefined) writeFileSync(join(dir, 'diagnose.txt'), diagnose())
    throw new Error(
      `SIPp ${name} failed (exit ${code})\n${out.slice(-2000)}\n${messages.slice(-6000)}${diagnose()}`,
    )
  }
  return messages
}

before(async () => {
  if (skip !== false) return
  const ports = await freePorts(5)
  const [icscfSip, scscfSip, icscfDia, scscfDia, uePort] = ports as [number, number, number, number, number]
  // junction-hss takes a port of its own (no race with other tests for it); the CSCFs learn it
  const config = writeConfig(dir, subscribers({ scscf: { name: `sip:127.0.0.1:${scscfSip}` } }))
  const hss = await startHssOn(0, config, ['--rand', 'no-zero-res'])
  const hssPort = hss.port
  writeImsCore(
    dir,
    { hss: hssPort, icscfSip, scscfSip, icscfDiameter: icscfDia, scscfDiameter: scscfDia },
    { usePath: true }, // SIPp plays the P-CSCF too: the S-CSCF keeps its Path
  )
  env = { hssPort, icscfSip, scscfSip, uePort, config, hss }
  for (const name of ['icscf', 'scscf'] as const) kamailios.start(name, 'kamailio', kamailioArgs(dir, name))
  await bothCscfsOpen(hss)
})

async function probe(t: { after: (fn: () => Promise<void>) => void }) {
  const node = await clientNode([{ host: 'localhost', port: env!.hssPort }], { originHost: 'probe.ims.test' })
  t.after(() => node.stop())
  return createCxClient(node, { destinationRealm: 'ims.test' })
}

test('SIPp IMS AKA REGISTER through Kamailio I-CSCF and S-CSCF, Cx to junction-hss → 200 OK', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const messages = await sipp('register', registerScenario())
  // the 200 OK carried what the S-CSCF took from the SAA's User-Data (P-Associated-URI: the implicit set)
  assert.match(
    messages,
    /SIP\/2\.0 200 OK[\s\S]*P-Associated-URI: <sip:alice@ims\.test>, <tel:\+15551230001>/,
  )
  // what the HSS learnt, asked with our own client: registered, with this S-CSCF
  const cx = await probe(t)
  const lia = await cx.lir({ impu: 'tel:+15551230001' })
  assert.equal(lia.result.name, 'DIAMETER_SUCCESS')
  assert.equal(lia.serverName, `sip:127.0.0.1:${env!.scscfSip}`)
  const uaa = await cx.uar({
    impi: 'alice@ims.test',
    impu: 'sip:alice@ims.test',
    visitedNetworkIdentifier: 'ims.test',
  })
  assert.equal(uaa.result.name, 'DIAMETER_SUBSEQUENT_REGISTRATION')
})

test('resync through Kamailio: junction-hss restarted (DPR; the CSCFs reconnect, state kept), UE sends AUTS, MAR with RAND ‖ AUTS, new challenge, 200 OK', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const e = env!
  // restart with a fixed RAND (so that the test can compute the AUTS the UE would send)
  e.hss.child.kill('SIGTERM')
  const [code] = await once(e.hss.child, 'exit')
  assert.equal(code, 0, `junction-hss did not stop cleanly${diagnose()}`)
  const rand = Buffer.from('c00d603103dcee52c4478119494202e8', 'hex')
  e.hss = await startHssOn(e.hssPort, e.config, ['--rand', 'fixed', '--fixed-rand', rand.toString('hex')])
  await bothCscfsOpen(e.hss)
  const cx = await probe(t)
  assert.equal(
    (await cx.lir({ impu: 'sip:alice@ims.test' })).result.name,
    'DIAMETER_SUCCESS',
    'registration kept',
  )

  const sqnMs = 0xfd8eef4fffe0n
  const auts = computeAuts({ ...keys, rand, sqnMs })
  const messages = await sipp('resync', resyncScenario(Buffer.from(auts).toString('base64')))
  assert.match(messages, /auts="/)
  assert.equal(messages.match(/SIP\/2\.0 401/g)?.length, 2, 'a second challenge after the resync')
  // the HSS took SQN_MS from the AUTS: its next vectors are above it
  const maa = await cx.mar({ impi: 'alice@ims.test', impu: 'sip:alice@ims.test', serverName: 'sip:probe' })
  const v = maa.items[0]!.aka!
  const ue = verifyAutn({ ...keys, rand: v.rand, autn: v.autn })
  assert.ok(ue.ok)
  assert.ok(ue.sqn > sqnMs, `SQN ${ue.sqn.toString(16)} above SQN_MS ${sqnMs.toString(16)}`)
})
