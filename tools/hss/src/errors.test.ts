import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { hssFaultCodes } from './errors.ts'

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

test('every JUNCTION_ERR_HSS_* code is documented in docs/errors.md, and nothing else is', () => {
  const inDoc = new Set(doc.match(/JUNCTION_ERR_HSS_[A-Z_]+/g))
  assert.deepEqual(Object.values(hssFaultCodes).sort(), [...inDoc].sort())
})
