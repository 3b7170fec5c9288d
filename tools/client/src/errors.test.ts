import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { clientErrorCodes } from './errors.ts'

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')
const all: string[] = Object.values(clientErrorCodes)

test('every JUNCTION_ERR_CLIENT_* code is documented in docs/errors.md, and nothing else is', () => {
  const inDoc = new Set(doc.match(/JUNCTION_ERR_CLIENT_[A-Z_]+/g))
  assert.deepEqual([...new Set(all)].sort(), [...inDoc].sort())
})

test('codes are unique and follow JUNCTION_ERR_<AREA>_<WHAT>', () => {
  assert.equal(new Set(all).size, all.length)
  for (const code of all) assert.match(code, /^JUNCTION_ERR_CLIENT_[A-Z]+(?:_[A-Z]+)*$/)
})
