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
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { computeAuts, verifyAutn } from '@junction/aka'
import { createCxClient } from '@junction/diameter-cx'
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
  until,
  writeConfig,
} from './helpers.ts'

/** Kamailio's module directory (per architecture): from dpkg, else the amd64 one. */
const MODULES = (() => {
  try {
    const files = execFileSync('dpkg', ['-L', 'kamailio'], { encoding: 'utf8' }).split('\n')
    return (
      files.find((f) => /\/lib\/.*kamailio\/modules$/.test(f)) ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules'
    )
  } catch {
    return '/usr/lib/x86_64-linux-gnu/kamailio/modules'
  }
})()
const XSD = '/usr/share/doc/kamailio/examples/ims/scscf/CxDataType_Rel7.xsd'

function available(): boolean {
  try {
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' })
  } catch {
    return false
  }
  // sipp -v exits 99
  if (!/SIPp v/.test(spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout ?? '')) return false
  return (
    ['ims_icscf.so', 'ims_auth.so', 'ims_registrar_scscf.so', 'cdp.so', 'presence.so'].every((m) =>
      existsSync(join(MODULES, m)),
    ) && existsSync(XSD)
  )
}
const ci = process.env['CI'] === 'true'
const skip =
  !available() && !ci
    ? 'kamailio, kamailio-ims-modules, kamailio-presence-modules or sip-tester is missing'
    : false

const dir = tempDir('kamailio')
const kamailios: ChildProcess[] = []
const logs: Record<string, string> = {}

after(async () => {
  for (const k of kamailios) {
    if (k.exitCode !== null || k.signalCode !== null || k.pid === undefined) continue
    const exited = once(k, 'exit')
    k.kill('SIGTERM')
    const t = setTimeout(() => k.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(t)
  }
  await killAll()
  if (process.env['KEEP_KAMAILIO_DIR'] === undefined) rmSync(dir, { recursive: true, force: true })
})

async function freeTcpPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  const port = typeof a === 'object' && a !== null ? a.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A port free for both UDP and TCP on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await freeTcpPort()
    const udp = createSocket('udp4')
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    if (ok) return port
  }
}

function cdpXml(fqdn: string, acceptor: number, hssPort: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DiameterPeer FQDN="${fqdn}" Realm="ims.test" Vendor_Id="10415" Product_Name="CDiameterPeer"
  AcceptUnknownPeers="1" DropUnknownOnDisconnect="1" Tc="5" Workers="2" QueueLength="32"
  TransactionTimeout="5" SessionsHashSize="128" DefaultAuthSessionTimeout="3600" MaxAuthSessionTimeout="3600">
  <Peer FQDN="localhost" Realm="ims.test" port="${hssPort}"/>
  <Acceptor port="${acceptor}" bind="127.0.0.1"/>
  <Auth id="16777216" vendor="10415"/>
  <SupportedVendor vendor="10415"/>
  <DefaultRoute FQDN="localhost" metric="10"/>
</DiameterPeer>
`
}

function scscfCfg(port: number): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:${port}
alias=127.0.0.1:${port}
alias=ims.test
auto_aliases=no
dns=no
rev_dns=no
disable_tcp=yes
mpath="${MODULES}"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "ims_dialog.so"
modparam("ims_dialog","dlg_flag",2)
loadmodule "presence.so"
loadmodule "cdp.so"
loadmodule "cdp_avp.so"
loadmodule "ims_usrloc_scscf.so"
loadmodule "ims_registrar_scscf.so"
loadmodule "ims_auth.so"
loadmodule "ims_isc.so"
modparam("cdp","config_file","${join(dir, 'scscf.xml')}")
modparam("ims_auth","name","sip:127.0.0.1:${port}")
modparam("ims_auth","registration_default_algorithm","AKAv1-MD5")
modparam("ims_auth","cxdx_dest_realm","ims.test")
modparam("ims_registrar_scscf","scscf_name","sip:127.0.0.1:${port}")
modparam("ims_registrar_scscf","cxdx_dest_realm","ims.test")
modparam("ims_registrar_scscf","user_data_xsd","${XSD}")
modparam("ims_registrar_scscf","use_path",1)
modparam("ims_isc","my_uri","127.0.0.1:${port}")
request_route {
  if (is_method("REGISTER")) { route(REGISTER); exit; }
  sl_send_reply("501","Only REGISTER in this test");
}
route[REGISTER] {
  if (!ims_www_authenticate("$td")) {
    if ($? == -2) { send_reply("403","Authentication Failed"); exit; }
    else if ($? == -3) { send_reply("400","Bad Request"); exit; }
    else if ($? == -9) { ims_www_resync_auth("REG_RESYNC_REPLY","$td"); exit; }
    else { ims_www_challenge("REG_MAR_REPLY","$td","AKAv1-MD5"); exit; }
  }
  save("REG_SAR_REPLY","location","0","0");
  exit;
}
route[REG_MAR_REPLY] { if ($avp(s:maa_return_code)!=1) send_reply("500","MAR failed"); exit; }
route[REG_RESYNC_REPLY] { ims_www_challenge("REG_MAR_REPLY","$td","AKAv1-MD5"); }
route[REG_SAR_REPLY] { exit; }
`
}

function icscfCfg(port: number): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:${port}
alias=127.0.0.1:${port}
alias=ims.test
auto_aliases=no
dns=no
rev_dns=no
disable_tcp=yes
mpath="${MODULES}"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "rr.so"
loadmodule "db_text.so"
loadmodule "cdp.so"
loadmodule "cdp_avp.so"
loadmodule "ims_icscf.so"
modparam("cdp","config_file","${join(dir, 'icscf.xml')}")
modparam("ims_icscf","cxdx_dest_realm","ims.test")
modparam("ims_icscf","db_url","text://${join(dir, 'icdb')}")
request_route {
  if (is_method("REGISTER")) { route(register); exit; }
  sl_send_reply("406","Method not allowed at I-CSCF");
}
route[register] {
  if (!I_perform_user_authorization_request("REG_UAR_REPLY","0")) { send_reply("500","Error in Request"); }
  exit;
}
route[REG_UAR_REPLY] {
  if ($avp(s:uaa_return_code)==1 && I_scscf_select("0")) { t_on_reply("register_reply"); t_relay(); exit; }
  I_scscf_drop(); t_reply("500","UAR/select failed");
}
onreply_route[register_reply] { if (!t_check_status("401")) I_scscf_drop(); }
`
}

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

function startKamailio(name: string, cfg: string): ChildProcess {
  const run = join(dir, `run-${name}`)
  mkdirSync(run, { recursive: true })
  const child = spawn(
    'kamailio',
    ['-f', cfg, '-DD', '-E', '-w', run, '-Y', run, '-P', join(run, 'kamailio.pid')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  kamailios.push(child)
  logs[name] = ''
  const collect = (c: Buffer) => {
    logs[name] += c.toString()
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  return child
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
    Object.entries(logs)
      .map(([n, l]) => `\n--- ${n}\n${l.split('\n').slice(-60).join('\n')}`)
      .join('')
  )
}

async function bothCscfsOpen(hss: HssProcess): Promise<void> {
  const open = (host: string) =>
    hss.lines.some((l) => l['msg'] === 'Diameter peer open' && l['peer'] === host)
  try {
    await until(() => open('icscf.ims.test') && open('scscf.ims.test'), 30_000, 'CER/CEA with both CSCFs')
  } catch (e) {
    throw new Error(`${(e as Error).message}${diagnose()}`)
  }
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
  const ports: number[] = []
  while (ports.length < 5) {
    const p = await freePort()
    if (!ports.includes(p)) ports.push(p)
  }
  const [icscfSip, scscfSip, icscfDia, scscfDia, uePort] = ports as [number, number, number, number, number]
  // junction-hss takes a port of its own (no race with other tests for it); the CSCFs learn it
  const config = writeConfig(dir, subscribers({ scscf: { name: `sip:127.0.0.1:${scscfSip}` } }))
  const hss = await startHssOn(0, config, ['--rand', 'no-zero-res'])
  const hssPort = hss.port
  // the I-CSCF's S-CSCF table (db_text; ':' escaped)
  const icdb = join(dir, 'icdb')
  mkdirSync(icdb)
  writeFileSync(join(icdb, 'nds_trusted_domains'), 'id(int,auto) trusted_domain(str)\n1:ims.test\n')
  writeFileSync(
    join(icdb, 's_cscf'),
    `id(int,auto) name(str) s_cscf_uri(str)\n1:scscf1:sip\\:127.0.0.1\\:${scscfSip}\n`,
  )
  writeFileSync(join(icdb, 's_cscf_capabilities'), 'id(int,auto) id_s_cscf(int) capability(int)\n1:1:0\n')
  writeFileSync(join(dir, 'icscf.xml'), cdpXml('icscf.ims.test', icscfDia, hssPort))
  writeFileSync(join(dir, 'scscf.xml'), cdpXml('scscf.ims.test', scscfDia, hssPort))
  writeFileSync(join(dir, 'icscf.cfg'), icscfCfg(icscfSip))
  writeFileSync(join(dir, 'scscf.cfg'), scscfCfg(scscfSip))
  env = { hssPort, icscfSip, scscfSip, uePort, config, hss }
  startKamailio('icscf', join(dir, 'icscf.cfg'))
  startKamailio('scscf', join(dir, 'scscf.cfg'))
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
