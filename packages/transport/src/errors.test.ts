import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import * as errors from './errors.ts'

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

/** Every code string of every code table exported by errors.ts. */
const inCode: string[] = Object.values(errors).flatMap((value) =>
  typeof value === 'object' && value !== null
    ? (Object.values(value) as unknown[]).filter(
        (v): v is string => typeof v === 'string' && v.startsWith('JUNCTION_ERR_'),
      )
    : [],
)

test('every JUNCTION_ERR_TRANSPORT_* code is documented in docs/errors.md, and nothing else is', () => {
  assert.ok(inCode.includes(errors.resolveErrorCodes.DNS_FAILURE))
  const inDoc = new Set(doc.match(/JUNCTION_ERR_TRANSPORT_[A-Z_]+/g))
  assert.deepEqual([...new Set(inCode)].sort(), [...inDoc].sort())
})

test('codes are unique and follow JUNCTION_ERR_TRANSPORT_<WHAT>', () => {
  assert.equal(new Set(inCode).size, inCode.length)
  for (const code of inCode) assert.match(code, /^JUNCTION_ERR_TRANSPORT_[A-Z]+(?:_[A-Z]+)*$/)
})
