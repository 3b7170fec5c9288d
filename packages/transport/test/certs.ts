/**
 * A test CA and server certificates, made with openssl in a temporary folder (no network, no
 * fixtures with keys in the repository).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestPki {
  dir: string
  ca: string
  /** Makes a certificate signed by the CA for `names` (DNS names and IP addresses). */
  issue(name: string, names: readonly string[]): { cert: string; key: string }
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' })
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'junction-pki-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=Junction Test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ],
    dir,
  )
  let serial = 1
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    issue(name, names) {
      const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
      openssl(
        [
          'req',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-subj',
          `/CN=${names[0]}`,
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.csr`,
        ],
        dir,
      )
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(serial++),
          '-days',
          '2',
          '-extfile',
          `${name}.ext`,
          '-out',
          `${name}.pem`,
        ],
        dir,
      )
      return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) }
    },
  }
}
