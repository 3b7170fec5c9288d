import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createManualClock } from './clock.ts'
import { createWatchdog, type WatchdogState } from './watchdog.ts'

const TW = 30_000

function setup(options: { tw?: number; jitter?: number; random?: () => number } = {}) {
  const clock = createManualClock()
  const log: string[] = []
  const states: [number, WatchdogState, WatchdogState][] = []
  const dwrs: number[] = []
  let closes = 0
  const wd = createWatchdog(
    { tw: options.tw ?? TW, jitter: options.jitter ?? 0 },
    {
      sendWatchdog: () => {
        dwrs.push(clock.now())
        log.push(`DWR@${clock.now()}`)
      },
      closeConnection: () => {
        closes++
        log.push(`close@${clock.now()}`)
      },
      stateChange: (from, to) => {
        states.push([clock.now(), from, to])
        log.push(`${from}->${to}@${clock.now()}`)
      },
    },
    { clock, random: options.random ?? (() => 0.5) },
  )
  return {
    clock,
    wd,
    log,
    states,
    dwrs,
    get closes() {
      return closes
    },
  }
}

describe('RFC 3539 watchdog', () => {
  test('INITIAL → OKAY when the connection comes up; no DWR while messages keep arriving', () => {
    const s = setup()
    assert.equal(s.wd.state, 'INITIAL')
    s.wd.connectionUp()
    assert.equal(s.wd.state, 'OKAY')
    for (let t = 0; t < 5; t++) {
      s.clock.advance(TW - 1)
      s.wd.received(false)
    }
    assert.deepEqual(s.dwrs, [])
    s.clock.advance(TW)
    assert.deepEqual(s.dwrs, [5 * (TW - 1) + TW])
  })

  test('OKAY: a DWR after Tw idle, answered: stays OKAY, next DWR Tw later', () => {
    const s = setup()
    s.wd.connectionUp()
    s.clock.advance(TW)
    assert.deepEqual(s.dwrs, [TW])
    assert.equal(s.wd.pending, true)
    s.clock.advance(100)
    s.wd.received(true)
    assert.equal(s.wd.pending, false)
    assert.equal(s.wd.state, 'OKAY')
    // the DWA restarts Tw from its arrival
    s.clock.advance(TW - 1)
    assert.deepEqual(s.dwrs, [TW])
    s.clock.advance(1)
    assert.deepEqual(s.dwrs, [TW, 2 * TW + 100])
  })

  test('SUSPECT one Tw after an unanswered DWR, DOWN (connection closed) one Tw later', () => {
    const s = setup()
    s.wd.connectionUp()
    s.clock.advance(TW) // DWR
    s.clock.advance(TW - 1)
    assert.equal(s.wd.state, 'OKAY')
    s.clock.advance(1)
    assert.equal(s.wd.state, 'SUSPECT')
    assert.deepEqual(s.states.at(-1), [2 * TW, 'OKAY', 'SUSPECT'])
    s.clock.advance(TW - 1)
    assert.equal(s.wd.state, 'SUSPECT')
    assert.equal(s.closes, 0)
    s.clock.advance(1)
    assert.equal(s.wd.state, 'DOWN')
    assert.equal(s.closes, 1)
    assert.deepEqual(s.states.at(-1), [3 * TW, 'SUSPECT', 'DOWN'])
    // one DWR only: none is sent while SUSPECT
    assert.deepEqual(s.dwrs, [TW])
    // no timer left in DOWN: reconnecting is the peer's schedule
    assert.equal(s.clock.pending, 0)
  })

  test('SUSPECT → OKAY (failback) on any message', () => {
    const s = setup()
    s.wd.connectionUp()
    s.clock.advance(2 * TW)
    assert.equal(s.wd.state, 'SUSPECT')
    s.wd.received(false)
    assert.equal(s.wd.state, 'OKAY')
    // the DWR is still unanswered: a Tw idle without a DWA gives SUSPECT again
    s.clock.advance(TW)
    assert.equal(s.wd.state, 'SUSPECT')
    s.wd.received(true)
    assert.equal(s.wd.state, 'OKAY')
    s.clock.advance(TW)
    assert.equal(s.wd.state, 'OKAY')
    assert.equal(s.dwrs.length, 2)
  })

  test('traffic other than DWA delays SUSPECT while a DWR is pending (RFC 3539 OnReceive)', () => {
    const s = setup()
    s.wd.connectionUp()
    s.clock.advance(TW) // DWR
    s.clock.advance(TW / 2)
    s.wd.received(false)
    s.clock.advance(TW - 1)
    assert.equal(s.wd.state, 'OKAY')
    s.clock.advance(1)
    assert.equal(s.wd.state, 'SUSPECT')
  })

  test('connection down from OKAY or SUSPECT: DOWN; the next connection is REOPEN', () => {
    for (const suspect of [false, true]) {
      const s = setup()
      s.wd.connectionUp()
      if (suspect) s.clock.advance(2 * TW)
      s.wd.connectionDown()
      assert.equal(s.wd.state, 'DOWN')
      assert.equal(s.clock.pending, 0)
      s.wd.connectionUp()
      assert.equal(s.wd.state, 'REOPEN')
      assert.equal(s.wd.pending, true)
      assert.equal(s.dwrs.at(-1), s.clock.now())
    }
  })

  test('REOPEN → OKAY only after three DWAs, one DWR per Tw', () => {
    const s = setup()
    s.wd.connectionUp()
    s.wd.connectionDown()
    const t0 = s.clock.now()
    s.wd.connectionUp() // DWR 1
    assert.equal(s.wd.state, 'REOPEN')
    s.clock.advance(10)
    s.wd.received(false) // other messages do not count
    s.wd.received(true) // DWA 1
    assert.equal(s.wd.numDwa, 1)
    assert.equal(s.wd.state, 'REOPEN')
    s.clock.advance(TW - 10) // DWR 2
    assert.equal(s.dwrs.length, 2)
    s.wd.received(true) // DWA 2
    assert.equal(s.wd.numDwa, 2)
    assert.equal(s.wd.state, 'REOPEN')
    s.clock.advance(TW) // DWR 3
    assert.equal(s.dwrs.length, 3)
    s.wd.received(true) // DWA 3
    assert.equal(s.wd.state, 'OKAY')
    assert.deepEqual(s.states.at(-1), [t0 + 2 * TW, 'REOPEN', 'OKAY'])
    assert.deepEqual(s.dwrs, [t0, t0 + TW, t0 + 2 * TW])
  })

  test('REOPEN: a Tw without the DWA restarts the count; a second one gives DOWN', () => {
    const s = setup()
    s.wd.connectionUp()
    s.wd.connectionDown()
    s.wd.connectionUp() // DWR 1
    s.wd.received(true)
    s.clock.advance(TW) // DWR 2, not answered
    s.clock.advance(TW) // still pending: NumDWA = -1
    assert.equal(s.wd.numDwa, -1)
    assert.equal(s.wd.state, 'REOPEN')
    s.wd.received(true) // late DWA: count from 0 again
    assert.equal(s.wd.numDwa, 0)
    s.clock.advance(TW) // DWR
    s.wd.received(true)
    s.clock.advance(TW)
    s.wd.received(true)
    assert.equal(s.wd.state, 'REOPEN') // two in a row only
    s.clock.advance(TW)
    s.wd.received(true)
    assert.equal(s.wd.state, 'OKAY')

    const d = setup()
    d.wd.connectionUp()
    d.wd.connectionDown()
    d.wd.connectionUp() // DWR 1, never answered
    d.clock.advance(TW)
    assert.equal(d.wd.state, 'REOPEN')
    d.clock.advance(TW)
    assert.equal(d.wd.state, 'DOWN')
    assert.equal(d.closes, 1)
  })

  test('REOPEN → DOWN on connection down', () => {
    const s = setup()
    s.wd.connectionUp()
    s.wd.connectionDown()
    s.wd.connectionUp()
    s.wd.connectionDown()
    assert.equal(s.wd.state, 'DOWN')
    assert.equal(s.clock.pending, 0)
  })

  test('Tw is jittered on every arming, within ±jitter', () => {
    let i = 0
    const draws = [0, 0.999, 0.25]
    const s = setup({ tw: 6000, jitter: 2000, random: () => draws[i++ % draws.length]! })
    s.wd.connectionUp() // Tw = 6000 - 2000
    s.clock.advance(4000)
    assert.deepEqual(s.dwrs, [4000])
    s.wd.received(true)
    // re-armed at the DWR with ~ +2000: next at 4000 + 7996
    s.clock.advance(7995)
    assert.equal(s.dwrs.length, 1)
    s.clock.advance(1)
    assert.equal(s.dwrs.length, 2)
  })

  test('jitter is capped at Tw / 2', () => {
    const s = setup({ tw: 1000, jitter: 5000, random: () => 0 })
    s.wd.connectionUp()
    s.clock.advance(499)
    assert.equal(s.dwrs.length, 0)
    s.clock.advance(1)
    assert.equal(s.dwrs.length, 1)
  })
})
