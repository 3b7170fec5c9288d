/**
 * A Kamailio IMS core for tests: the I-CSCF (ims_icscf: UAR) and the S-CSCF (ims_auth,
 * ims_registrar_scscf: MAR, SAR) of Debian's kamailio-ims-modules, each with a cdp Diameter peer
 * towards one HSS on 127.0.0.1, realm ims.test. Only configuration here: the test starts the
 * processes (see processes.ts) with {@link kamailioArgs}.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { commandRuns } from './skip.ts'

const AMD64_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules'

let modules: string | undefined

/** Kamailio's module directory (per architecture): from `dpkg -L kamailio`, else the amd64 one. */
export function kamailioModules(): string {
  if (modules === undefined) {
    try {
      const files = execFileSync('dpkg', ['-L', 'kamailio'], { encoding: 'utf8', stdio: 'pipe' }).split('\n')
      modules = files.find((f) => /\/lib\/.*kamailio\/modules$/.test(f)) ?? AMD64_MODULES
    } catch {
      modules = AMD64_MODULES
    }
  }
  return modules
}

/** The User-Data schema the S-CSCF validates the SAA's User-Data against. */
export const CX_DATA_TYPE_XSD = '/usr/share/doc/kamailio/examples/ims/scscf/CxDataType_Rel7.xsd'

/** The modules of the IMS core that kamailio-ims-modules and kamailio-presence-modules install. */
export const IMS_MODULES: readonly string[] = [
  'ims_icscf.so',
  'ims_auth.so',
  'ims_registrar_scscf.so',
  'ims_isc.so',
  'cdp.so',
  'presence.so',
]

/** True when `kamailio -v` runs and the IMS modules and the Cx User-Data XSD are installed. */
export function kamailioImsInstalled(): boolean {
  if (!commandRuns('kamailio', ['-v'])) return false
  const dir = kamailioModules()
  return IMS_MODULES.every((m) => existsSync(join(dir, m))) && existsSync(CX_DATA_TYPE_XSD)
}

/** The cdp configuration of a CSCF: Diameter node `fqdn` on `acceptor`, the HSS ("localhost") on `hssPort`. */
export function cdpXml(fqdn: string, acceptor: number, hssPort: number): string {
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

/** The head of both CSCF configurations: UDP on 127.0.0.1:`port` only, the common modules and cdp. */
export function kamailioHead(port: number): string {
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
mpath="${kamailioModules()}"
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
}

export interface ScscfOptions {
  /** The SIP port; the S-CSCF's name is sip:127.0.0.1:`port`. */
  readonly port: number
  /** The cdp configuration file ({@link cdpXml}). */
  readonly cdpConfig: string
  /** Keep the REGISTER's Path in the registration (a P-CSCF in front); off by default. */
  readonly usePath?: boolean
}

/**
 * The S-CSCF: REGISTER only, IMS AKA (AKAv1-MD5) with MAR, resynchronisation on an AUTS
 * (ims_www_resync_auth, a new MAR and challenge), SAR on success.
 */
export function scscfCfg(options: ScscfOptions): string {
  const { port } = options
  return `${kamailioHead(port)}loadmodule "maxfwd.so"
loadmodule "ims_dialog.so"
modparam("ims_dialog","dlg_flag",2)
loadmodule "presence.so"
loadmodule "ims_usrloc_scscf.so"
loadmodule "ims_registrar_scscf.so"
loadmodule "ims_auth.so"
loadmodule "ims_isc.so"
modparam("cdp","config_file","${options.cdpConfig}")
modparam("ims_auth","name","sip:127.0.0.1:${port}")
modparam("ims_auth","registration_default_algorithm","AKAv1-MD5")
modparam("ims_auth","cxdx_dest_realm","ims.test")
modparam("ims_registrar_scscf","scscf_name","sip:127.0.0.1:${port}")
modparam("ims_registrar_scscf","cxdx_dest_realm","ims.test")
modparam("ims_registrar_scscf","user_data_xsd","${CX_DATA_TYPE_XSD}")
${options.usePath === true ? 'modparam("ims_registrar_scscf","use_path",1)\n' : ''}modparam("ims_isc","my_uri","127.0.0.1:${port}")
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

export interface IcscfOptions {
  /** The SIP port. */
  readonly port: number
  /** The cdp configuration file ({@link cdpXml}). */
  readonly cdpConfig: string
  /** The db_text directory with the S-CSCF table ({@link writeImsCore} writes it). */
  readonly db: string
}

/** The I-CSCF: REGISTER only, UAR, then the S-CSCF from its table (dropped unless it challenges). */
export function icscfCfg(options: IcscfOptions): string {
  return `${kamailioHead(options.port)}loadmodule "db_text.so"
loadmodule "ims_icscf.so"
modparam("cdp","config_file","${options.cdpConfig}")
modparam("ims_icscf","cxdx_dest_realm","ims.test")
modparam("ims_icscf","db_url","text://${options.db}")
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

export interface ImsCorePorts {
  /** The HSS's Diameter port (TCP). */
  readonly hss: number
  /** The CSCFs' SIP ports (UDP). */
  readonly icscfSip: number
  readonly scscfSip: number
  /** The CSCFs' cdp acceptor ports (TCP). */
  readonly icscfDiameter: number
  readonly scscfDiameter: number
}

/**
 * Writes the IMS core into `dir`: `icscf.cfg` and `scscf.cfg`, their cdp files (Diameter hosts
 * icscf.ims.test and scscf.ims.test), and the I-CSCF's db_text tables in `icdb/` (trusted domain
 * ims.test, the one S-CSCF), and the run directories `run-icscf/` and `run-scscf/`. Start each
 * with `kamailio ...kamailioArgs(dir, name)`.
 */
export function writeImsCore(
  dir: string,
  ports: ImsCorePorts,
  options: { readonly usePath?: boolean } = {},
): void {
  // the I-CSCF's S-CSCF table (db_text; ':' escaped)
  const icdb = join(dir, 'icdb')
  mkdirSync(icdb)
  writeFileSync(join(icdb, 'nds_trusted_domains'), 'id(int,auto) trusted_domain(str)\n1:ims.test\n')
  writeFileSync(
    join(icdb, 's_cscf'),
    `id(int,auto) name(str) s_cscf_uri(str)\n1:scscf1:sip\\:127.0.0.1\\:${ports.scscfSip}\n`,
  )
  writeFileSync(join(icdb, 's_cscf_capabilities'), 'id(int,auto) id_s_cscf(int) capability(int)\n1:1:0\n')
  writeFileSync(join(dir, 'icscf.xml'), cdpXml('icscf.ims.test', ports.icscfDiameter, ports.hss))
  writeFileSync(join(dir, 'scscf.xml'), cdpXml('scscf.ims.test', ports.scscfDiameter, ports.hss))
  writeFileSync(
    join(dir, 'icscf.cfg'),
    icscfCfg({ port: ports.icscfSip, cdpConfig: join(dir, 'icscf.xml'), db: icdb }),
  )
  writeFileSync(
    join(dir, 'scscf.cfg'),
    scscfCfg({
      port: ports.scscfSip,
      cdpConfig: join(dir, 'scscf.xml'),
      ...(options.usePath === undefined ? {} : { usePath: options.usePath }),
    }),
  )
  for (const name of ['icscf', 'scscf']) mkdirSync(join(dir, `run-${name}`), { recursive: true })
}

/**
 * The arguments of `kamailio` for `<dir>/<name>.cfg`: in the foreground (-DD), logging to stderr
 * (-E), 64 MB shared and 8 MB private memory, `<dir>/run-<name>` as working and runtime directory
 * with the PID file in it ({@link writeImsCore} creates it).
 */
export function kamailioArgs(dir: string, name: 'icscf' | 'scscf'): string[] {
  const run = join(dir, `run-${name}`)
  const cfg = join(dir, `${name}.cfg`)
  return [
    '-f',
    cfg,
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
    '-P',
    join(run, 'kamailio.pid'),
  ]
}

/**
 * Kamailio's cdp module makes FIFOs named `/tmp/cdp_send_<pid>_…` in each of its processes and
 * leaves them behind: removes those of the processes `pids` (see `ProcessGroup.members()`).
 */
export function removeCdpFifos(pids: readonly number[]): void {
  const ours = new Set(pids.map(String))
  let names: string[]
  try {
    names = readdirSync('/tmp')
  } catch {
    return
  }
  for (const name of names) {
    const pid = /^cdp_send_(\d+)_/.exec(name)?.[1]
    if (pid !== undefined && ours.has(pid)) rmSync(join('/tmp', name), { force: true })
  }
}
