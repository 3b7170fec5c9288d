import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { createManualClock } from '@junction/transaction'
import { createFloodGuard } from './flood-guard.ts'

describe('flood guard (pike)', () => {
  it('admits maxRequests per window, then blocks the source for blockSec; a new window starts over', () => {
    const c = createManualClock(1_000_000)
    const g = createFloodGuard({ maxRequests: 3, windowSec: 2, blockSec: 10 }, c)
    assert.deepEqual(
      [1, 2, 3].map(() => g.admit('192.0.2.1')),
      [true, true, true],
    )
    c.advance(2000) // a new window
    assert.deepEqual(
      [1, 2, 3].map(() => g.admit('192.0.2.1')),
      [true, true, true],
    )
    assert.equal(g.admit('192.0.2.1'), false, 'the fourth in one window')
    assert.equal(g.admit('192.0.2.2'), true, 'another source is not touched')
    c.advance(9_999)
    assert.equal(g.admit('192.0.2.1'), false, 'still blocked')
    assert.deepEqual(g.stats, { sources: 2, blocked: 1, blocks: 1 })
    c.advance(1)
    assert.equal(g.admit('192.0.2.1'), true, 'the block ran out')
  })

  it('counts an IPv6 /64 as one source and a mapped IPv4 address as its IPv4 one', () => {
    const g = createFloodGuard({ maxRequests: 2 }, createManualClock(1_000_000))
    assert.equal(g.admit('2001:db8:0:1::1'), true)
    assert.equal(g.admit('2001:db8:0:1::2'), true)
    assert.equal(g.admit('2001:db8:0:1:ffff::3'), false)
    assert.equal(g.admit('192.0.2.7'), true)
    assert.equal(g.admit('::ffff:192.0.2.7'), true)
    assert.equal(g.admit('192.0.2.7'), false)
  })

  it('remembers at most maxSources sources; publishes each block', () => {
    const events: unknown[] = []
    const listener = (m: unknown) => events.push(m)
    subscribe('junction:proxy:flood-block', listener)
    try {
      const c = createManualClock(1_000_000)
      const g = createFloodGuard({ maxRequests: 1, blockSec: 5, maxSources: 100 }, c)
      for (let i = 0; i < 1000; i++) g.admit(`10.0.${i >> 8}.${i & 255}`)
      assert.equal(g.stats.sources, 100)
      g.admit('198.51.100.1')
      g.admit('198.51.100.1')
      assert.deepEqual(events, [{ address: '198.51.100.1', source: '198.51.100.1', untilMs: 1_005_000 }])
    } finally {
      unsubscribe('junction:proxy:flood-block', listener)
    }
  })
})
