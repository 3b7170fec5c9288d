import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { createManualClock } from '@junction/transaction'
import fc from 'fast-check'
import { createFloodGuard } from './flood-guard.ts'

const T0 = 1_000_000
const times = (n: number, f: () => boolean) => Array.from({ length: n }, f)

describe('flood guard (pike)', () => {
  it('admits maxRequests per window, then blocks the source for blockSec; a source idle for two windows starts over', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 3, windowSec: 2, blockSec: 10 }, c)
    assert.deepEqual(
      times(3, () => g.admit('192.0.2.1')),
      [true, true, true],
    )
    c.advance(4000) // two windows on: the estimate is 0 again
    assert.deepEqual(
      times(3, () => g.admit('192.0.2.1')),
      [true, true, true],
    )
    assert.equal(g.admit('192.0.2.1'), false, 'the fourth in one window')
    assert.equal(g.admit('192.0.2.2'), true, 'another source is not touched')
    assert.deepEqual(g.stats, { sources: 1, blocked: 1, blocks: 1 }, 'its count starts again when blocked')
    c.advance(9_999)
    assert.equal(g.admit('192.0.2.1'), false, 'still blocked')
    assert.deepEqual(
      g.stats,
      { sources: 1, blocked: 1, blocks: 1 },
      'counts idle for two windows are forgotten; the one request since is counted',
    )
    c.advance(1)
    assert.equal(g.admit('192.0.2.1'), true, 'the block ran out')
    assert.deepEqual(g.stats, { sources: 1, blocked: 0, blocks: 1 })
  })

  it('holds a source that keeps flooding while blocked, and lets go of one that calmed down', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 3, windowSec: 2, blockSec: 10 }, c)
    const blocks: unknown[] = []
    const onBlock = (m: unknown) => void blocks.push(m)
    subscribe('junction:proxy:flood-block', onBlock)
    try {
      // 10 requests a second for 30 s: blocked at the fourth, and the block keeps moving on
      const flood: boolean[] = []
      for (let t = 0; t < 30_000; t += 100) {
        flood.push(g.admit('192.0.2.1'))
        c.advance(100)
      }
      assert.deepEqual(flood.slice(0, 4), [true, true, true, false])
      assert.ok(
        flood.slice(4).every((ok) => !ok),
        'nothing of the flood passes after the block',
      )
      assert.equal(blocks.length, 1, 'one block published, not its extensions')
      assert.equal(g.stats.blocks, 1)
      // it stops: released blockSec after its last burst past the limit, not before
      c.advance(9_000)
      assert.equal(g.admit('192.0.2.1'), false)
      c.advance(1_000)
      assert.equal(g.admit('192.0.2.1'), true, '10 s after the flood ended')
      // a source blocked once that then sends under the limit is let go when its block ends
      assert.deepEqual(
        times(4, () => g.admit('192.0.2.2')),
        [true, true, true, false],
      )
      c.advance(5_000)
      assert.equal(g.admit('192.0.2.2'), false, 'one request while blocked: still the first block')
      c.advance(5_000)
      assert.equal(g.admit('192.0.2.2'), true, 'the first block ran out')
    } finally {
      unsubscribe('junction:proxy:flood-block', onBlock)
    }
  })

  it('counts an IPv6 /64 as one source and a mapped IPv4 address as its IPv4 one', () => {
    const g = createFloodGuard({ maxRequests: 2 }, createManualClock(T0))
    assert.equal(g.admit('2001:db8:0:1::1'), true)
    assert.equal(g.admit('2001:db8:0:1::2'), true)
    assert.equal(g.admit('2001:db8:0:1:ffff::3'), false)
    assert.equal(g.admit('192.0.2.7'), true)
    assert.equal(g.admit('::ffff:192.0.2.7'), true)
    assert.equal(g.admit('192.0.2.7'), false)
  })

  it('blocks a burst that straddles a window boundary (fixed windows admitted all 19 of it)', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 10, windowSec: 2 }, c)
    assert.equal(g.admit('192.0.2.1'), true) // opens the source's window (fixed windows: 0..2 s)
    c.advance(1900)
    for (let i = 0; i < 9; i++) {
      assert.equal(g.admit('192.0.2.1'), true, `end of the first window, request ${i + 2}`)
      c.advance(10)
    }
    c.advance(10) // the next window begins: 10 requests in the 100 ms before it
    assert.equal(g.admit('192.0.2.1'), false, 'estimate 1 + 10 x 1 is past 10')
    assert.equal(g.stats.blocks, 1)
  })

  it('never blocks a steady rate under the limit, over many windows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 50 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 5000 }),
        (maxRequests, windowSec, offset) => {
          const c = createManualClock(T0)
          const g = createFloodGuard({ maxRequests, windowSec }, c)
          c.advance(offset)
          // maxRequests - 1 per window at most: the estimate never passes maxRequests - 1 + 1
          const every = Math.ceil((windowSec * 1000) / (maxRequests - 1))
          for (let t = 0; t < 20 * windowSec * 1000; t += every) {
            if (!g.admit('192.0.2.1')) return false
            c.advance(every)
          }
          return g.stats.blocks === 0
        },
      ),
      { numRuns: 200, examples: [[31, 3, 0]] },
    )
  })

  it('lets the estimate decay: half a window into the next, half the previous count remains; a quiet window gives the budget back', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 10, windowSec: 2 }, c)
    c.advance(1000)
    assert.deepEqual(
      times(10, () => g.admit('192.0.2.1')),
      times(10, () => true),
    )
    c.advance(2000) // 1 s into the next window: estimate = count + 10 x 0.5
    assert.deepEqual(
      times(6, () => g.admit('192.0.2.1')),
      [true, true, true, true, true, false],
    )
    const h = createFloodGuard({ maxRequests: 10, windowSec: 2 }, c)
    assert.deepEqual(
      times(10, () => h.admit('192.0.2.2')),
      times(10, () => true),
    )
    c.advance(4000) // a whole window without a request
    assert.deepEqual(
      times(11, () => h.admit('192.0.2.2')),
      [...times(10, () => true), false],
      'the full budget again',
    )
  })

  it('keeps a blocked source blocked however many other sources come after it, until blockSec ends', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 2, windowSec: 1, blockSec: 30, maxSources: 4 }, c)
    assert.deepEqual(
      times(3, () => g.admit('198.51.100.1')),
      [true, true, false],
    )
    for (let i = 0; i < 1000; i++) {
      assert.equal(g.admit(`2001:db8:0:${i.toString(16)}::1`), true)
      if (i % 100 === 99) c.advance(500)
    }
    c.advance(29_000 - 5 * 1000) // 29 s after the block
    assert.equal(g.admit('198.51.100.1'), false, 'still blocked')
    assert.ok(g.stats.sources <= 8)
    assert.equal(g.stats.blocked, 1)
    c.advance(1000)
    assert.equal(g.admit('198.51.100.1'), true, 'blockSec ended')
  })

  it('keeps maxSources blocks at most, forgetting the one that ends first', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 1, blockSec: 60, maxSources: 4 }, c)
    for (let i = 1; i <= 5; i++) {
      g.admit(`192.0.2.${i}`)
      assert.equal(g.admit(`192.0.2.${i}`), false)
      c.advance(100)
    }
    assert.deepEqual(g.stats, { sources: 0, blocked: 4, blocks: 5 })
    assert.equal(g.admit('192.0.2.1'), true, 'the first block was forgotten')
    for (let i = 2; i <= 5; i++) assert.equal(g.admit(`192.0.2.${i}`), false)
  })

  it('admits new sources uncounted when maxSources are counted in the window; the counted ones are still blocked', () => {
    const c = createManualClock(T0)
    const g = createFloodGuard({ maxRequests: 2, windowSec: 2, maxSources: 4 }, c)
    for (let i = 1; i <= 4; i++) assert.equal(g.admit(`192.0.2.${i}`), true)
    assert.deepEqual(
      times(20, () => g.admit('203.0.113.9')),
      times(20, () => true),
      'not counted this window',
    )
    assert.deepEqual(
      times(2, () => g.admit('192.0.2.1')),
      [true, false],
      'a counted source past the limit',
    )
    assert.deepEqual(g.stats, { sources: 3, blocked: 1, blocks: 1 })
    c.advance(4000) // two windows on: nothing counted
    assert.deepEqual(
      times(3, () => g.admit('203.0.113.9')),
      [true, true, false],
      'counted in a window with room',
    )
  })

  it('stays within 2 x maxSources counted sources and maxSources blocks (random sources and times)', () => {
    const address = fc.oneof(
      fc.integer({ min: 0, max: 20 }).map((i) => `192.0.2.${i}`),
      fc.ipV4(),
      fc.ipV6(),
    )
    fc.assert(
      fc.property(
        fc.record({
          maxRequests: fc.integer({ min: 1, max: 5 }),
          windowSec: fc.integer({ min: 1, max: 3 }),
          blockSec: fc.integer({ min: 1, max: 10 }),
          maxSources: fc.integer({ min: 1, max: 6 }),
        }),
        fc.array(fc.tuple(address, fc.integer({ min: 0, max: 2500 })), { maxLength: 200 }),
        (options, requests) => {
          const c = createManualClock(T0)
          const g = createFloodGuard(options, c)
          let refused = 0
          for (const [a, dt] of requests) {
            c.advance(dt)
            if (!g.admit(a)) refused++
            const s = g.stats
            if (s.sources > 2 * options.maxSources || s.blocked > options.maxSources) return false
            if (s.blocks > refused) return false
          }
          return true
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('publishes each block once', () => {
    const events: unknown[] = []
    const listener = (m: unknown) => events.push(m)
    subscribe('junction:proxy:flood-block', listener)
    try {
      const c = createManualClock(T0)
      const g = createFloodGuard({ maxRequests: 1, blockSec: 5, maxSources: 100 }, c)
      for (let i = 0; i < 1000; i++) g.admit(`10.0.${i >> 8}.${i & 255}`)
      assert.equal(g.stats.sources, 100)
      c.advance(4000) // a window with room
      for (let i = 0; i < 5; i++) g.admit('198.51.100.1')
      assert.deepEqual(events, [{ address: '198.51.100.1', source: '198.51.100.1', untilMs: T0 + 9000 }])
      c.advance(5000)
      g.admit('198.51.100.1')
      g.admit('198.51.100.1')
      assert.equal(events.length, 2)
      assert.equal(g.stats.blocks, 2)
    } finally {
      unsubscribe('junction:proxy:flood-block', listener)
    }
  })
})
