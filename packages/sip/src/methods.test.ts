import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { methodAt } from './methods.ts'

describe('methodAt', () => {
  it('reads a known method as its constant, anywhere in a string', () => {
    const s = 'xx INVITE sip:a@b SIP/2.0\r\nCSeq: 1 BYE'
    assert.equal(methodAt(s, 3, 9), 'INVITE')
    assert.equal(methodAt(s, s.length - 3, s.length), 'BYE')
  })

  it('keeps other tokens, and other spellings (methods are case-sensitive, §7.1), as written', () => {
    assert.equal(methodAt('invite', 0, 6), 'invite')
    assert.equal(methodAt('INVITF', 0, 6), 'INVITF')
    assert.equal(methodAt('FOO', 0, 3), 'FOO')
    assert.equal(methodAt('X', 0, 0), '')
  })

  it('equals the slice it stands for, for any token', () => {
    const token = fc.stringMatching(/^[A-Za-z!%*_+`'~.-]{0,12}$/)
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), token, fc.string({ maxLength: 5 }), (a, t, b) => {
        assert.equal(methodAt(a + t + b, a.length, a.length + t.length), t)
      }),
      { numRuns: 10_000 },
    )
  })
})
