import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CxResult } from './result-codes.ts'
import { sipFailureFor } from './sip-mapping.ts'

const cx = (code: number): CxResult => ({
  kind: 'experimental',
  code,
  vendorId: 10415,
  success: code < 3000,
  protocolError: false,
  name: `cx ${code}`,
})
const rc = (code: number): CxResult => ({
  kind: 'result',
  code,
  vendorId: 0,
  success: code < 3000,
  protocolError: code >= 3000 && code < 4000,
  name: `rc ${code}`,
})

test('ims.md §2.6 table', () => {
  const cases: [Parameters<typeof sipFailureFor>[0], CxResult | 'no-answer', number | undefined, boolean?][] =
    [
      ['UAR', cx(2001), undefined],
      ['UAR', cx(2002), undefined],
      ['UAR', cx(5001), 403],
      ['UAR', cx(5002), 403],
      ['UAR', cx(5004), 403],
      ['UAR', rc(5003), 403],
      ['UAR', rc(5012), 480],
      ['UAR', rc(3002), 480],
      ['UAR', rc(3004), 480],
      ['UAR', 'no-answer', 480],
      ['LIR', rc(2001), undefined],
      ['LIR', cx(2003), undefined],
      ['LIR', cx(5001), 404],
      ['LIR', cx(5003), 480],
      ['LIR', rc(5012), 480],
      ['MAR', rc(2001), undefined],
      ['MAR', cx(5001), 403],
      ['MAR', cx(5002), 403],
      ['MAR', cx(5006), 403],
      ['MAR', 'no-answer', 480],
      ['SAR', rc(2001), undefined],
      ['SAR', cx(5001), 403],
      ['SAR', cx(5001), 480, true],
      ['SAR', cx(5007), 403],
    ]
  for (const [procedure, outcome, status, terminating] of cases) {
    const got = sipFailureFor(procedure, outcome, { terminating })
    assert.equal(got?.status, status, `${procedure} ${typeof outcome === 'string' ? outcome : outcome.name}`)
  }
})

test('distinct reason phrases for the MAR 403s; an answer with no result is 500', () => {
  const reasons = new Set([5001, 5002, 5006].map((c) => sipFailureFor('MAR', cx(c))?.reason))
  assert.equal(reasons.size, 3)
  const none: CxResult = {
    kind: 'none',
    code: 0,
    vendorId: 0,
    success: false,
    protocolError: false,
    name: 'none',
  }
  assert.equal(sipFailureFor('SAR', none)?.status, 500)
})
