import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { createDialogTokens } from './dialog-token.ts'

const runs = Number(process.env['FC_NUM_RUNS'] ?? 10_000)

test('a token verifies for its Call-ID only, under its key only', () => {
  const tokens = createDialogTokens('a secret of sixteen+')
  const t = tokens.sign('call-1@example.com')
  assert.match(t, /^dlg-[A-Za-z0-9_-]{16}$/)
  assert.equal(tokens.verify('call-1@example.com', t), true)
  assert.equal(tokens.verify('call-2@example.com', t), false)
  assert.equal(createDialogTokens('another secret, 16+').verify('call-1@example.com', t), false)
  assert.equal(tokens.sign('call-1@example.com'), t, 'no state: the same token again')
})

test('anything else as a user part does not verify, and never throws', () => {
  const tokens = createDialogTokens(new Uint8Array(32).fill(7))
  for (const user of [
    '',
    'dlg-',
    'alice',
    `dlg-${'A'.repeat(16)}`,
    `dlg-${'%'.repeat(16)}`,
    'x'.repeat(300),
  ]) {
    assert.equal(tokens.verify('c', user), false, user)
  }
  fc.assert(
    fc.property(fc.string(), fc.string({ maxLength: 40 }), (callId, user) => {
      assert.equal(tokens.verify(callId, user), user === tokens.sign(callId))
    }),
    { numRuns: runs },
  )
})
