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
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type ClientEvent, register } from '../src/index.ts'

const MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules'
const XSD = '/usr/share/doc/kamailio/examples/ims/scscf/CxDataType_Rel7.xsd'
const HSS = fileURLToPath(new URL('../../hss/bin/junction-hss.js', import.meta.url))
// TS 35.207 test set 2
const K = '0396eb317b6d1c36f19c1c84cd6ffd16'
const OP = 'ff53bade17df5d4e793073ce9d7579fa'
const HSS_SQN = 0xfd8eef40df7dn

function available(): boolean {
  try {
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' })
  } catch {
    return false
  }
  return (
    ['ims_icscf.so', 'ims_auth.so', 'ims_registrar_scscf.so', 'ims_isc.so', 'cdp.so', 'presence.so'].every(
      (m) => existsSync(join(MODULES, m)),
    ) &&
    existsSync(XSD) &&
    existsSync(HSS)
  )
}
const ci = process.env['CI'] === 'true'
const skip =
  !available() && !ci
    ? 'kamailio with kamailio-ims-modules and kamailio-presence-modules (or tools/hss) is missing'
    : false

const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'junction-client-ims-'))
const children: ChildProcess[] = []
const logs: Record<string, string> = {}

async function freePort(taken: number[]): Promise<number> {
  for (;;) {
    const tcp = createServer()
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
    const port = (tcp.address() as { port: number }).port
    await new Promise((r) => tcp.close(r))
    const udp = createSocket('udp4')
    const ok = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false))
      udp.bind(port, '127.0.0.1', () => r(true))
    })
    await new Promise<void>((r) => udp.close(() => r()))
    if (ok && !taken.includes(port)) return port
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

const head = (port: number) => `#!KAMAILIO
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
loadmodule "cdp.so"
loadmodule "cdp_avp.so"
`

function scscfCfg(port: number): string {
  return `${head(port)}loadmodule "maxfwd.so"
loadmodule "ims_dialog.so"
modparam("ims_dialog","dlg_flag",2)
loadmodule "presence.so"
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
  return `${head(port)}loadmodule "db_text.so"
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

function start(name: string, command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  logs[name] = ''
  const collect = (c: Buffer) => {
    if ((logs[name] ?? '').length < 500_000) logs[name] += c.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  return child
}

function diagnose(): string {
  return Object.entries(logs)
    .map(([n, l]) => `\n--- ${n}\n${l.split('\n').slice(-40).join('\n')}`)
    .join('')
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${diagnose()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

let icscf = ''
before(async () => {
  if (skip !== false) return
  const ports: number[] = []
  for (let i = 0; i < 5; i++) ports.push(await freePort(ports))
  const [hssPort, icscfSip, scscfSip, icscfDia, scscfDia] = ports as [number, number, number, number, number]
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
  start('junction-hss', process.execPath, [
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
  for (const name of ['icscf', 'scscf']) {
    const run = join(dir, `run-${name}`)
    mkdirSync(run)
    start(name, 'kamailio', [
      '-f',
      join(dir, `${name}.cfg`),
      '-DD',
      '-E',
      '-m',
      '64',
      '-M',
      '8',
      '-w',
      run,
      '-Y',
      run,
    ])
  }
  const open = (host: string) =>
    (logs['junction-hss'] ?? '').split('\n').some((l) => l.includes('Diameter peer open') && l.includes(host))
  await until(
    () => open('icscf.ims.test') && open('scscf.ims.test'),
    30_000,
    'CER/CEA of both CSCFs with junction-hss',
  )
  icscf = `sip:127.0.0.1:${icscfSip}`
})

after(async () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue
    const exited = once(c, 'exit')
    c.kill('SIGTERM')
    const t = setTimeout(() => c.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(t)
  }
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
