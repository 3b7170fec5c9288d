import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { createMac, sameMac } from './mac.ts'

const runs = Number(process.env['FC_NUM_RUNS'] ?? 10_000)

test('RFC 4231 test cases 1, 2 and 6 (a key longer than the block)', () => {
  const cases: Array<[Uint8Array | string, string, string]> = [
    [Buffer.alloc(20, 0x0b), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    [
      'Jefe',
      'what do ya want for nothing?',
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      Buffer.alloc(131, 0xaa),
      'Test Using Larger Than Block-Size Key - Hash Key First',
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
  ]
  for (const [key, text, mac] of cases)
    assert.equal(createMac(key, 43)(text), Buffer.from(mac, 'hex').toString('base64url'))
})

test("the same as node:crypto's createHmac, truncated", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.string({ unit: 'binary-ascii' }), (key, text) => {
      const want = createHmac('sha256', key).update(Buffer.from(text, 'latin1')).digest().subarray(0, 12)
      assert.equal(createMac(key, 16)(text), want.toString('base64url'))
    }),
    { numRuns: runs },
  )
})

test('sameMac: equal texts only', () => {
  assert.equal(sameMac('abcd', 'abcd'), true)
  assert.equal(sameMac('abcd', 'abce'), false)
  assert.equal(sameMac('abcd', 'abc'), false)
  assert.equal(sameMac('', ''), true)
})
