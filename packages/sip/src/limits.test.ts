import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { test } from 'node:test'
import { parseErrorCodes } from './errors.ts'
import { defaultLimits, resolveLimits } from './limits.ts'
import { parseMessage } from './parse.ts'

test('resolveLimits fills what is not given, and merges one object once', () => {
  assert.equal(resolveLimits(undefined), defaultLimits)
  const small = { maxMessageSize: 100 }
  const a = resolveLimits(small)
  assert.deepEqual(a, { ...defaultLimits, maxMessageSize: 100 })
  assert.equal(resolveLimits(small), a) // the same object: the same merge
  const other = { maxViaCount: 2 }
  assert.deepEqual(resolveLimits(other), { ...defaultLimits, maxViaCount: 2 })
  assert.deepEqual(resolveLimits(small), a) // and back: the right limits, not the last merge's
})

test('limits given to parseMessage apply to every message parsed with them', () => {
  const limits = { maxViaCount: 1 }
  const two = Buffer.from(
    'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1, SIP/2.0/UDP g;branch=z9hG4bK2\r\nContent-Length: 0\r\n\r\n',
  )
  for (let i = 0; i < 3; i++) {
    const r = parseMessage(two, limits)
    assert.equal(r.ok, false)
    assert.equal(r.ok ? undefined : r.error.code, parseErrorCodes.TOO_MANY_VIAS)
    assert.equal(parseMessage(two).ok, true) // the defaults in between
  }
})
