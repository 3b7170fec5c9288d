import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  CX_DATA_TYPE_XSD,
  kamailioArgs,
  kamailioModules,
  removeCdpFifos,
  writeImsCore,
} from './kamailio-ims.ts'

const ports = { hss: 3868, icscfSip: 5060, scscfSip: 6060, icscfDiameter: 3869, scscfDiameter: 3870 }

test('writeImsCore: both CSCFs, their cdp peers towards the HSS port, the S-CSCF table, run directories', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-test-support-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeImsCore(dir, ports)
  const read = (f: string) => readFileSync(join(dir, f), 'utf8')
  const icscf = read('icscf.cfg')
  const scscf = read('scscf.cfg')
  for (const cfg of [icscf, scscf]) {
    assert.match(cfg, /^#!KAMAILIO\n/)
    assert.ok(cfg.includes(`mpath="${kamailioModules()}"`))
  }
  assert.match(icscf, /listen=udp:127\.0\.0\.1:5060\n/)
  assert.ok(icscf.includes(`modparam("cdp","config_file","${join(dir, 'icscf.xml')}")`))
  assert.ok(icscf.includes(`modparam("ims_icscf","db_url","text://${join(dir, 'icdb')}")`))
  assert.match(scscf, /listen=udp:127\.0\.0\.1:6060\n/)
  assert.ok(scscf.includes(`modparam("cdp","config_file","${join(dir, 'scscf.xml')}")`))
  assert.ok(scscf.includes('modparam("ims_registrar_scscf","scscf_name","sip:127.0.0.1:6060")'))
  assert.ok(scscf.includes(`modparam("ims_registrar_scscf","user_data_xsd","${CX_DATA_TYPE_XSD}")`))
  assert.doesNotMatch(scscf, /use_path/)
  assert.match(read('icscf.xml'), /FQDN="icscf\.ims\.test"[\s\S]*port="3868"[\s\S]*<Acceptor port="3869"/)
  assert.match(read('scscf.xml'), /FQDN="scscf\.ims\.test"[\s\S]*port="3868"[\s\S]*<Acceptor port="3870"/)
  assert.equal(
    read('icdb/s_cscf'),
    'id(int,auto) name(str) s_cscf_uri(str)\n1:scscf1:sip\\:127.0.0.1\\:6060\n',
  )
  assert.ok(existsSync(join(dir, 'run-icscf')) && existsSync(join(dir, 'run-scscf')))
  assert.deepEqual(kamailioArgs(dir, 'scscf').slice(0, 2), ['-f', join(dir, 'scscf.cfg')])
})

test('writeImsCore with usePath: the S-CSCF keeps the Path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-test-support-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeImsCore(dir, ports, { usePath: true })
  assert.match(
    readFileSync(join(dir, 'scscf.cfg'), 'utf8'),
    /\nmodparam\("ims_registrar_scscf","use_path",1\)\n/,
  )
})

test('removeCdpFifos: removes the cdp_send files of the given PIDs only', (t) => {
  const ours = join('/tmp', `cdp_send_${process.pid}_1_${Date.now()}`)
  const other = join('/tmp', `cdp_send_99999999_1_${Date.now()}`) // above any pid_max
  const unrelated = join('/tmp', `cdp_sendx_${process.pid}_1_${Date.now()}`)
  for (const f of [ours, other, unrelated]) writeFileSync(f, '')
  t.after(() => {
    for (const f of [ours, other, unrelated]) rmSync(f, { force: true })
  })
  removeCdpFifos([process.pid])
  assert.equal(existsSync(ours), false)
  assert.equal(existsSync(other), true)
  assert.equal(existsSync(unrelated), true)
})
