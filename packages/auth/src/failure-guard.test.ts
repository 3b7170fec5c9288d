import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { AuthError } from './errors.ts'
import { createFailureGuard } from './failure-guard.ts'

function clock(start = 1_000_000) {
  let t = start
  return {
    now: () => t,
    advance(ms: number) {
      t += ms
    },
  }
}

describe('createFailureGuard', () => {
  it('blocks a source at maxFailures within the window, for blockSec, then lets it in again', () => {
    const c = clock()
    const guard = createFailureGuard({ maxFailures: 3, windowSec: 60, blockSec: 300 }, { clock: c })
    assert.equal(guard.record('192.0.2.1', 'wrong'), false)
    assert.equal(guard.record('192.0.2.1', 'unknown-user'), false)
    assert.equal(guard.isBlocked('192.0.2.1'), false)
    assert.equal(guard.record('192.0.2.1', 'wrong'), true)
    assert.equal(guard.isBlocked('192.0.2.1'), true)
    assert.equal(guard.isBlocked('192.0.2.2'), false, 'other sources are not affected')
    assert.deepEqual({ ...guard.stats }, { failures: 3, blocks: 1, blockedSources: 1, trackedSources: 1 })
    c.advance(299_999)
    assert.equal(guard.isBlocked('192.0.2.1'), true)
    c.advance(1)
    assert.equal(guard.isBlocked('192.0.2.1'), false)
    assert.equal(guard.stats.trackedSources, 0, 'an ended block leaves no entry')
    assert.equal(guard.record('192.0.2.1', 'wrong'), false, 'counting starts over')
  })

  it('counts within a fixed window only', () => {
    const c = clock()
    const guard = createFailureGuard({ maxFailures: 3, windowSec: 10 }, { clock: c })
    guard.record('a', 'wrong')
    guard.record('a', 'wrong')
    c.advance(10_000)
    assert.equal(guard.record('a', 'wrong'), false, 'the window restarted: 1 failure')
    guard.record('a', 'wrong')
    assert.equal(guard.record('a', 'wrong'), true)
  })

  it('never counts missing credentials, a stale nonce or a nonce not ours; a success clears nothing', () => {
    const guard = createFailureGuard({ maxFailures: 2 }, { clock: clock() })
    for (let i = 0; i < 10; i++) {
      assert.equal(guard.record('a', 'missing'), false)
      assert.equal(guard.record('a', 'stale'), false)
      assert.equal(guard.record('a', 'bad-nonce'), false)
    }
    assert.equal(guard.stats.failures, 0)
    guard.record('a', 'wrong')
    guard.record('a', 'ok') // one's own account, used between two guesses
    assert.equal(guard.record('a', 'wrong'), true, 'the success did not clear the count')
  })

  it('a success does not lift a block; failures while blocked do not extend it', () => {
    const c = clock()
    const guard = createFailureGuard({ maxFailures: 1, blockSec: 10 }, { clock: c })
    assert.equal(guard.record('a', 'replay'), true)
    guard.record('a', 'ok')
    assert.equal(guard.isBlocked('a'), true)
    c.advance(5_000)
    assert.equal(guard.record('a', 'wrong'), false)
    c.advance(5_000)
    assert.equal(guard.isBlocked('a'), false)
  })

  it('tracks at most maxSources addresses, forgetting the least recently failing', () => {
    const guard = createFailureGuard({ maxFailures: 2, maxSources: 100 }, { clock: clock() })
    for (let i = 0; i < 1000; i++) guard.record(`10.0.${i >> 8}.${i & 255}`, 'wrong')
    assert.equal(guard.stats.trackedSources, 100)
    // the last 100 are kept: one more failure blocks one of them; an early one starts over
    assert.equal(guard.record('10.0.3.231', 'wrong'), true)
    assert.equal(guard.record('10.0.0.0', 'wrong'), false)
  })

  it('forgets by recency of the last failure, also after sources left the map and came back', () => {
    const c = clock()
    const guard = createFailureGuard({ maxFailures: 2, maxSources: 3, windowSec: 10 }, { clock: c })
    for (const a of ['a', 'b', 'c']) guard.record(a, 'wrong')
    c.advance(10_000) // a's window ends: its next failure starts a new one
    guard.record('a', 'wrong') // most recent now
    guard.record('d', 'wrong') // evicts b, the least recently failing
    assert.equal(guard.stats.trackedSources, 3)
    assert.equal(guard.record('b', 'wrong'), false, 'b was forgotten: it starts over') // evicts c
    assert.equal(guard.record('c', 'wrong'), false, 'c was forgotten') // evicts a
    assert.equal(guard.record('d', 'wrong'), true, 'd was kept: its second failure blocks it')
    for (let i = 0; i < 5000; i++) guard.record(`x${i}`, 'wrong')
    assert.equal(guard.stats.trackedSources, 3)
    assert.equal(guard.record('x4999', 'wrong'), true)
    assert.equal(guard.record('x0', 'wrong'), false)
  })

  it('publishes failures and blocks on diagnostics channels', () => {
    const seen: unknown[] = []
    const onFailure = (m: unknown) => seen.push(['failure', m])
    const onBlock = (m: unknown) => seen.push(['block', m])
    subscribe('junction:auth:failure', onFailure)
    subscribe('junction:auth:block', onBlock)
    try {
      const guard = createFailureGuard({ maxFailures: 1, blockSec: 1 }, { clock: clock(5000) })
      guard.record('::1', 'wrong')
    } finally {
      unsubscribe('junction:auth:failure', onFailure)
      unsubscribe('junction:auth:block', onBlock)
    }
    assert.deepEqual(seen, [
      ['failure', { address: '::1', source: '::/64', reason: 'wrong' }],
      ['block', { address: '::1', source: '::/64', failures: 1, untilMs: 6000 }],
    ])
  })

  it('counts an IPv6 host by its /64, and an IPv4-mapped address as the IPv4 one', () => {
    const guard = createFailureGuard({ maxFailures: 3 }, { clock: clock(0) })
    // a host rotating through its /64 (privacy addresses) is one source
    assert.equal(guard.record('2001:db8:0:1::a', 'wrong'), false)
    assert.equal(guard.record('2001:db8:0:1:1234:5678:9abc:def0', 'wrong'), false)
    assert.equal(guard.record('[2001:db8:0:1::b]', 'wrong'), true)
    assert.equal(guard.isBlocked('2001:db8:0:1::ffff'), true)
    assert.equal(guard.isBlocked('2001:db8:0:2::a'), false, 'the next /64 is another source')
    // a dual-stack socket reports ::ffff:192.0.2.7 for what a v4 socket reports as 192.0.2.7
    guard.record('::ffff:192.0.2.7', 'wrong')
    guard.record('192.0.2.7', 'wrong')
    assert.equal(guard.record('::FFFF:192.0.2.7', 'wrong'), true)
    assert.equal(guard.isBlocked('192.0.2.7'), true)
    assert.equal(guard.isBlocked('192.0.2.8'), false)
    assert.equal(guard.stats.trackedSources, 2)
  })

  it('a flood of IPv6 addresses from one /64 takes one entry; of distinct sources, maxSources at most', () => {
    const guard = createFailureGuard({ maxFailures: 1_000_000, maxSources: 100 }, { clock: clock(0) })
    for (let i = 0; i < 10_000; i++) guard.record(`2001:db8:0:1::${i.toString(16)}`, 'wrong')
    assert.equal(guard.stats.trackedSources, 1)
    for (let i = 0; i < 10_000; i++) guard.record(`2001:db8:${i.toString(16)}::1`, 'wrong')
    assert.equal(guard.stats.trackedSources, 100)
  })

  it('refuses a nonsensical config', () => {
    assert.throws(() => createFailureGuard({ maxFailures: 0 }), AuthError)
    assert.throws(() => createFailureGuard({ blockSec: -1 }), AuthError)
  })
})
