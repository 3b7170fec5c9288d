import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { test } from 'node:test'
import { parseErrorCodes } from './errors.ts'
import { defaultLimits, type Limits, resolveLimits } from './limits.ts'
import { parseMessage } from './parse.ts'
import { createStreamParser } from './stream.ts'

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

test('a limit that is not a non-negative integer is a programming error; undefined takes the default', () => {
  for (const bad of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, '100' as unknown as number]) {
    assert.throws(() => resolveLimits({ maxLineLength: bad }), { code: 'JUNCTION_ERR_SIP_INVALID_ARGUMENT' })
    assert.throws(() => createStreamParser({ maxMessageSize: bad }), {
      code: 'JUNCTION_ERR_SIP_INVALID_ARGUMENT',
    })
  }
  // a JavaScript caller (or a spread configuration) may pass undefined for a limit
  const partial = { maxLineLength: undefined, maxViaCount: 3 } as unknown as Partial<Limits>
  assert.deepEqual(resolveLimits(partial), { ...defaultLimits, maxViaCount: 3 })
  assert.equal(resolveLimits({ maxViaCount: 0 }).maxViaCount, 0, '0: no Via at all is allowed')
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
