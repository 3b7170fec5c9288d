import assert from 'node:assert/strict'
import { channel } from 'node:diagnostics_channel'
import { test } from 'node:test'
import { record } from './channels.ts'

test('record: the messages published while recording, each with its time', () => {
  const ch = channel('junction:test-support:record')
  ch.publish({ n: 0 })
  const r = record('junction:test-support:record')
  ch.publish({ n: 1 })
  ch.publish({ n: 2 })
  r.stop()
  ch.publish({ n: 3 })
  assert.deepEqual(
    r.events.map((e) => e['n']),
    [1, 2],
  )
  assert.ok(r.events.every((e) => typeof e['at'] === 'number'))
})
