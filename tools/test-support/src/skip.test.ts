import assert from 'node:assert/strict'
import { test } from 'node:test'
import { commandRuns, skipUnless } from './skip.ts'

test('commandRuns: exit 0 is true; a failing or missing command is false', () => {
  assert.equal(commandRuns(process.execPath, ['-e', '']), true)
  assert.equal(commandRuns(process.execPath, ['-e', 'process.exit(3)']), false)
  assert.equal(commandRuns('/nonexistent/junction-test-support', []), false)
})

test('skipUnless: a present peer never skips; a missing one skips outside CI only', (t) => {
  const ci = process.env['CI']
  t.after(() => {
    if (ci === undefined) delete process.env['CI']
    else process.env['CI'] = ci
  })
  delete process.env['CI']
  assert.equal(skipUnless(true, 'missing'), false)
  assert.equal(skipUnless(false, 'missing'), 'missing')
  process.env['CI'] = 'false'
  assert.equal(skipUnless(false, 'missing'), 'missing')
  process.env['CI'] = 'true'
  assert.equal(skipUnless(false, 'missing'), false)
})
