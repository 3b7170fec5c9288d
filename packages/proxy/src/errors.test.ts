import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { faultCodes, SipError } from './errors.ts'

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

test('every JUNCTION_ERR_PROXY_* code is documented in docs/errors.md, and nothing else is', () => {
  const inDoc = new Set(doc.match(/JUNCTION_ERR_PROXY_[A-Z_]+/g))
  assert.deepEqual(Object.values(faultCodes).sort(), [...inDoc].sort())
})

test('SipError carries the status, reason and headers of the answer', () => {
  const e = new SipError(403, { reason: 'Forbidden here', headers: { 'X-A': '1' } })
  assert.equal(e.status, 403)
  assert.equal(e.message, 'Forbidden here')
  assert.deepEqual(e.headers, { 'X-A': '1' })
  assert.equal(new SipError(404).message, 'SIP 404')
})
