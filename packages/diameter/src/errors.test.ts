import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { decodeErrorCodes, faultCodes, peerErrorCodes } from './errors.ts'

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

test('every JUNCTION_ERR_DIAMETER_* code is documented in docs/errors.md, and nothing else is', () => {
  const inCode = new Set<string>([
    ...Object.values(decodeErrorCodes),
    ...Object.values(faultCodes),
    ...Object.values(peerErrorCodes),
  ])
  const inDoc = new Set(doc.match(/JUNCTION_ERR_DIAMETER_[A-Z_]+/g))
  assert.deepEqual([...inCode].sort(), [...inDoc].sort())
})

test('codes are unique and follow JUNCTION_ERR_<AREA>_<WHAT>', () => {
  const all = [
    ...Object.values(decodeErrorCodes),
    ...Object.values(faultCodes),
    ...Object.values(peerErrorCodes),
  ]
  assert.equal(new Set(all).size, all.length)
  for (const code of all) assert.match(code, /^JUNCTION_ERR_DIAMETER_[A-Z]+(?:_[A-Z]+)*$/)
})
