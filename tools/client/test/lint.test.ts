/**
 * `lint` over every RFC 4475 message in ../shared/reference/torture/ (read as octets), each held to
 * the class its index.md gives: V valid (or, where the index leaves it to the application, an
 * answer it names), R invalid with the answer it names (responses dropped), L and B either way but,
 * when refused, with an answer the index allows. Then the exit codes of the command.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { lint, run } from '../src/index.ts'

// the shared reference folder beside the checkout; in a checkout alone, the same files in @junction/sip's fixtures
const shared = fileURLToPath(new URL('../../../../shared/reference/torture/', import.meta.url))
const fixtures = fileURLToPath(new URL('../../../packages/sip/test/fixtures/', import.meta.url))
const present = existsSync(`${shared}index.md`)
const dir = present ? shared : `${fixtures}rfc4475/`

interface Row {
  readonly tag: string
  readonly cls: 'V' | 'R' | 'L' | 'B'
  readonly expected: string
}

function rows(): Row[] {
  if (!present) {
    const index = JSON.parse(readFileSync(`${fixtures}index.json`, 'utf8')) as Array<{
      file: string
      class: Row['cls']
      expect: string
    }>
    return index
      .filter((e) => e.file.startsWith('rfc4475/') && existsSync(`${fixtures}${e.file}`))
      .map((e) => ({
        tag: e.file.slice('rfc4475/'.length, -'.sip'.length),
        cls: e.class,
        expected: e.expect,
      }))
  }
  const md = readFileSync(`${shared}index.md`, 'utf8')
  const out: Row[] = []
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    if (cells.length < 7 || cells[1] === 'tag' || !/^[a-z0-9]+$/.test(cells[1] ?? '')) continue
    out.push({ tag: cells[1]!, cls: cells[4] as Row['cls'], expected: cells[5]! })
  }
  return out
}

const statuses = (text: string) => [...text.matchAll(/\b([1-6]\d\d)\b/g)].map((m) => Number(m[1]))

describe('lint over the RFC 4475 torture messages', () => {
  test('every message of the index gets the verdict its class allows', async () => {
    const all = rows()
    assert.ok(all.length >= 37, `${all.length} messages in the index`)
    const r = await lint(all.map((row) => `${dir}${row.tag}.sip`))
    const problems: string[] = []
    for (const [i, row] of all.entries()) {
      const v = r.verdicts[i]!
      const allowed = statuses(row.expected)
      const say = (why: string) =>
        problems.push(`${row.tag} (${row.cls}, "${row.expected}"): ${why}: ${JSON.stringify(v)}`)
      switch (row.cls) {
        case 'V':
          if (v.valid) break
          // well formed, but the index names the answer a server gives (bext01: 420 Bad Extension)
          if (v.status !== undefined && allowed.includes(v.status) && !/application/.test(row.expected)) break
          if (!/application/.test(row.expected)) say('must be valid')
          else if (
            v.status === undefined ||
            v.status < 400 ||
            (allowed.length > 0 && !allowed.includes(v.status))
          )
            say('may only be refused with the answer the application gives')
          break
        case 'R':
          if (v.valid) say('must be invalid')
          else if (/^(discard|drop)/.test(row.expected) && v.status !== undefined) say('must be dropped')
          else if (allowed.length > 0 && v.status !== undefined && !allowed.includes(v.status))
            say('wrong answer')
          else if (!/^(discard|drop)/.test(row.expected) && v.status === undefined)
            say('a request the server can answer')
          break
        default:
          if (!v.valid && v.status !== undefined && allowed.length > 0 && !allowed.includes(v.status))
            say('wrong answer')
      }
    }
    assert.deepEqual(problems, [])
  })

  test('exit codes: 0 when every file is valid, 1 when one is not, 2 when a file cannot be read', async () => {
    const io = { stdout: () => {}, stderr: () => {} }
    assert.equal(await run(['lint', `${dir}wsinv.sip`, `${dir}esc01.sip`], io), 0)
    assert.equal(await run(['lint', `${dir}wsinv.sip`, `${dir}badvers.sip`], io), 1)
    assert.equal(await run(['lint', `${dir}no-such-file.sip`], io), 2)
  })
})
