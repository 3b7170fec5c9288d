import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseParams } from './params.ts'

describe('parseParams', () => {
  test('no words: no params', () => {
    assert.deepEqual(parseParams([]), { ok: true, params: undefined })
  })

  test('one JSON object or array, as is', () => {
    assert.deepEqual(parseParams(['{"level":"debug"}']), { ok: true, params: { level: 'debug' } })
    assert.deepEqual(parseParams([' [1, "a"]']), { ok: true, params: [1, 'a'] })
  })

  test('bad JSON, or JSON that is not an object or array, is a usage error', () => {
    assert.equal(parseParams(['{"level":']).ok, false)
    assert.equal(parseParams(['[1,']).ok, false)
  })

  test('key=value words: by name, values read as JSON when they are JSON', () => {
    assert.deepEqual(parseParams(['level=debug']), { ok: true, params: { level: 'debug' } })
    assert.deepEqual(
      parseParams(['n=10', 'on=true', 'none=null', 's="10"', 'list=[1,2]', 'empty=', 'eq=a=b']),
      {
        ok: true,
        params: { n: 10, on: true, none: null, s: '10', list: [1, 2], empty: '', eq: 'a=b' },
      },
    )
  })

  test('a key given twice is a usage error; __proto__ stays a plain key', () => {
    assert.equal(parseParams(['a=1', 'a=2']).ok, false)
    const r = parseParams(['__proto__=1'])
    assert.ok(r.ok)
    assert.equal(Object.hasOwn(r.params as object, '__proto__'), true)
    assert.equal(Object.getPrototypeOf(r.params), Object.prototype)
  })

  test('plain words: by position', () => {
    assert.deepEqual(parseParams(['debug']), { ok: true, params: ['debug'] })
    assert.deepEqual(parseParams(['example.com', '5', 'true']), {
      ok: true,
      params: ['example.com', 5, true],
    })
  })

  test('mixing key=value and plain words is a usage error', () => {
    const r = parseParams(['level=debug', 'x'])
    assert.equal(r.ok, false)
  })
})
