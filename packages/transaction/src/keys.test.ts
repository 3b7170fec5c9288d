import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { detachKey } from './keys.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

describe('detachKey', () => {
  it('returns an equal string', () => {
    assert.equal(detachKey(''), '')
    assert.equal(detachKey('z9hG4bK1\n127.0.0.1:5060\nINVITE'), 'z9hG4bK1\n127.0.0.1:5060\nINVITE')
  })

  it('keeps nothing of the text its parts were cut from alive', () => {
    const keys: string[] = []
    let text: string | undefined = `${'x'.repeat(8 << 20)}${Math.random()}`
    for (let i = 0; i < 100; i++)
      keys.push(detachKey(`${text.slice(i, i + 20)}\n${text.slice(i + 1, i + 30)}\nINVITE`))
    gc()
    const before = process.memoryUsage().heapUsed
    text = undefined
    gc()
    const freed = before - process.memoryUsage().heapUsed
    assert.ok(freed > 7 << 20, `the 8 MiB text is freed (freed ${freed} octets)`)
    assert.equal(keys[0]!.length, 20 + 1 + 29 + 1 + 6)
  })
})
