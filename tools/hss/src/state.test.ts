import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { openStateStore } from './state.ts'

const dir = mkdtempSync(join(tmpdir(), 'junction-hss-state-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('a missing file is an empty state; changes are on disk once flush() resolves; reopen reads them', async () => {
  const path = join(dir, 'a.json')
  const s = await openStateStore(path)
  assert.equal(s.sqn('alice@ims.test'), undefined)
  assert.equal(s.impu('sip:alice@ims.test').state, 'NOT_REGISTERED')
  s.setSqn('Alice@ims.test', 0xfd8eef40df7dn)
  s.setImpu('sip:alice@ims.test', { state: 'REGISTERED', serverName: 'sip:scscf' })
  await s.flush()
  assert.ok(!existsSync(`${path}.tmp`))
  const again = await openStateStore(path)
  assert.equal(again.sqn('alice@ims.test'), 0xfd8eef40df7dn)
  assert.deepEqual(again.impu('SIP:alice@ims.test'), { state: 'REGISTERED', serverName: 'sip:scscf' })
})

test('grouped writes: changes made during a write are covered by the flushes that follow', async () => {
  const path = join(dir, 'b.json')
  const s = await openStateStore(path)
  const flushes: Promise<void>[] = []
  for (let i = 1; i <= 50; i++) {
    s.setSqn('u', BigInt(i * 32))
    flushes.push(
      s.flush().then(() => {
        const onDisk = JSON.parse(readFileSync(path, 'utf8')) as { sqn: Record<string, string> }
        // what the file holds when this flush resolved is at least this change
        assert.ok(BigInt(`0x${onDisk.sqn['u']}`) >= BigInt(i * 32))
      }),
    )
  }
  await Promise.all(flushes)
  assert.equal((await openStateStore(path)).sqn('u'), 50n * 32n)
})

test('a corrupt file is an error (JUNCTION_ERR_HSS_STATE), not a fresh start; a stale .tmp is removed', async () => {
  const path = join(dir, 'c.json')
  writeFileSync(path, '{"format":"junction-hss-state/1","sqn":{"a":"zz"}}')
  await assert.rejects(openStateStore(path), { code: 'JUNCTION_ERR_HSS_STATE' })
  writeFileSync(path, 'not json')
  await assert.rejects(openStateStore(path), { code: 'JUNCTION_ERR_HSS_STATE' })
  const ok = join(dir, 'd.json')
  writeFileSync(`${ok}.tmp`, 'half a write')
  await openStateStore(ok)
  assert.ok(!existsSync(`${ok}.tmp`))
})

test('a state file that cannot be written: flush rejects with JUNCTION_ERR_HSS_STATE_WRITE', async () => {
  const s = await openStateStore(join(dir, 'missing-dir', 'e.json'))
  s.setSqn('u', 1n)
  await assert.rejects(s.flush(), { code: 'JUNCTION_ERR_HSS_STATE_WRITE' })
})
