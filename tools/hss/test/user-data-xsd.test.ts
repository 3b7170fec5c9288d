/**
 * The User-Data junction-hss renders validates against the CxDataType XSDs of TS 29.228 Annex E as
 * shipped by Debian's kamailio package (the Rel-7 one is what Kamailio's S-CSCF checks SAAs with),
 * checked by xmllint (libxml2-utils): the example subscriber, and every SPT kind.
 *
 * Skipped when xmllint or the XSDs are missing, except under CI=true, where that is a failure.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { exampleConfigPath, loadConfig, parseConfig, renderUserData } from '../src/index.ts'
import { tempDir } from './helpers.ts'

const XSD_DIR = '/usr/share/doc/kamailio/examples/ims/scscf'
function available(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' })
    return existsSync(join(XSD_DIR, 'CxDataType_Rel7.xsd'))
  } catch {
    return false
  }
}
const ci = process.env['CI'] === 'true'
const skip =
  !available() && !ci
    ? 'xmllint or the kamailio XSDs are missing (apt-get install libxml2-utils kamailio)'
    : false

const dir = tempDir('xsd')
after(() => rmSync(dir, { recursive: true, force: true }))

function validate(xml: string, xsd: string): string | undefined {
  const file = join(dir, 'user-data.xml')
  writeFileSync(file, xml)
  const r = spawnSync('xmllint', ['--noout', '--schema', join(XSD_DIR, xsd), file], { encoding: 'utf8' })
  return r.status === 0 ? undefined : r.stderr
}

test('User-Data of the example subscriber and of every SPT kind validates against CxDataType Rel-7 and Rel-8', {
  skip,
}, async () => {
  const example = await loadConfig(exampleConfigPath)
  assert.ok(example.ok)
  const all = parseConfig({
    subscribers: [
      {
        impi: 'x@ims.test',
        impus: ['sip:x@ims.test'],
        k: '00'.repeat(16),
        op: '00'.repeat(16),
        ifcs: [
          {
            priority: 0,
            trigger: {
              conditionTypeCNF: true,
              spts: [
                { group: [0, 1], negated: true, requestUri: 'sip:.*@ims\\.test' },
                { group: 1, method: 'INVITE' },
                { group: 2, header: { name: 'Content-Type', content: 'application/vnd.3gpp.sms' } },
                { group: 2, header: { name: 'P-Asserted-Identity' } },
                { group: 3, sessionCase: 'TERMINATING_UNREGISTERED' },
                { group: 4, sessionDescription: { line: 'm', content: 'audio' } },
                { group: 5, method: 'REGISTER', registrationType: ['RE_REGISTRATION', 'DE_REGISTRATION'] },
              ],
            },
            applicationServer: {
              serverName: 'sip:as.ims.test',
              defaultHandling: 'SESSION_TERMINATED',
              serviceInfo: 'a<b>&c',
            },
            profilePartIndicator: 'UNREGISTERED',
          },
          { priority: 1, applicationServer: { serverName: 'sip:as2.ims.test' } },
        ],
      },
    ],
  })
  assert.ok(all.ok, all.ok ? '' : all.problems.join('\n'))
  const docs = [
    renderUserData(example.config.subscribers[0]!, example.config.subscribers[0]!.impus),
    renderUserData(all.config.subscribers[0]!, ['sip:x@ims.test']),
  ]
  for (const xml of docs) {
    for (const xsd of ['CxDataType_Rel7.xsd', 'CxDataType_Rel8.xsd'])
      assert.equal(validate(xml, xsd), undefined, `${xsd}: ${xml}`)
  }
  // and the oracle does reject a wrong order (so the passes above mean something)
  const wrong = docs[1]!.replace(
    /<Priority>0<\/Priority>(<TriggerPoint>.*?<\/TriggerPoint>)/,
    '$1<Priority>0</Priority>',
  )
  assert.notEqual(wrong, docs[1])
  assert.notEqual(validate(wrong, 'CxDataType_Rel7.xsd'), undefined)
})
