import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isOpen, type PeerEvent, peerStates, transition, transitionRows, winsElection } from './peer-state.ts'

/**
 * RFC 6733 §5.6, as printed (state, event, action(s), new state), written out a second time so
 * that a slip in either transcription shows.
 */
const RFC = `
Closed               Start            I-Snd-Conn-Req                Wait-Conn-Ack
Closed               R-Conn-CER       R-Accept,Process-CER,R-Snd-CEA R-Open
Wait-Conn-Ack        I-Rcv-Conn-Ack   I-Snd-CER                     Wait-I-CEA
Wait-Conn-Ack        I-Rcv-Conn-Nack  Cleanup                       Closed
Wait-Conn-Ack        R-Conn-CER       R-Accept,Process-CER          Wait-Conn-Ack/Elect
Wait-Conn-Ack        Timeout          Error                         Closed
Wait-I-CEA           I-Rcv-CEA        Process-CEA                   I-Open
Wait-I-CEA           R-Conn-CER       R-Accept,Process-CER,Elect    Wait-Returns
Wait-I-CEA           I-Peer-Disc      I-Disc                        Closed
Wait-I-CEA           I-Rcv-Non-CEA    Error                         Closed
Wait-I-CEA           Timeout          Error                         Closed
Wait-Conn-Ack/Elect  I-Rcv-Conn-Ack   I-Snd-CER,Elect               Wait-Returns
Wait-Conn-Ack/Elect  I-Rcv-Conn-Nack  R-Snd-CEA                     R-Open
Wait-Conn-Ack/Elect  R-Peer-Disc      R-Disc                        Wait-Conn-Ack
Wait-Conn-Ack/Elect  R-Conn-CER       R-Reject                      Wait-Conn-Ack/Elect
Wait-Conn-Ack/Elect  Timeout          Error                         Closed
Wait-Returns         Win-Election     I-Disc,R-Snd-CEA              R-Open
Wait-Returns         I-Peer-Disc      I-Disc,R-Snd-CEA              R-Open
Wait-Returns         I-Rcv-CEA        R-Disc                        I-Open
Wait-Returns         R-Peer-Disc      R-Disc                        Wait-I-CEA
Wait-Returns         R-Conn-CER       R-Reject                      Wait-Returns
Wait-Returns         Timeout          Error                         Closed
R-Open               Send-Message     R-Snd-Message                 R-Open
R-Open               R-Rcv-Message    Process                       R-Open
R-Open               R-Rcv-DWR        Process-DWR,R-Snd-DWA         R-Open
R-Open               R-Rcv-DWA        Process-DWA                   R-Open
R-Open               R-Conn-CER       R-Reject                      R-Open
R-Open               Stop             R-Snd-DPR                     Closing
R-Open               R-Rcv-DPR        R-Snd-DPA                     Closing
R-Open               R-Peer-Disc      R-Disc                        Closed
R-Open               R-Rcv-CER        R-Snd-CEA                     R-Open
R-Open               R-Rcv-CEA        Process-CEA                   R-Open
I-Open               Send-Message     I-Snd-Message                 I-Open
I-Open               I-Rcv-Message    Process                       I-Open
I-Open               I-Rcv-DWR        Process-DWR,I-Snd-DWA         I-Open
I-Open               I-Rcv-DWA        Process-DWA                   I-Open
I-Open               R-Conn-CER       R-Reject                      I-Open
I-Open               Stop             I-Snd-DPR                     Closing
I-Open               I-Rcv-DPR        I-Snd-DPA                     Closing
I-Open               I-Peer-Disc      I-Disc                        Closed
I-Open               I-Rcv-CER        I-Snd-CEA                     I-Open
I-Open               I-Rcv-CEA        Process-CEA                   I-Open
Closing              I-Rcv-DPA        I-Disc                        Closed
Closing              R-Rcv-DPA        R-Disc                        Closed
Closing              Timeout          Error                         Closed
Closing              I-Peer-Disc      I-Disc                        Closed
Closing              R-Peer-Disc      R-Disc                        Closed
`

const rfcRows = RFC.trim()
  .split('\n')
  .map((line) => {
    const [state, event, actions, next] = line.trim().split(/\s+/) as [string, string, string, string]
    return [state, event, next, actions.split(',')] as const
  })

const ALL_EVENTS: PeerEvent[] = [
  'Start',
  'Stop',
  'Timeout',
  'Win-Election',
  'R-Conn-CER',
  'I-Rcv-Conn-Ack',
  'I-Rcv-Conn-Nack',
  'I-Rcv-CER',
  'R-Rcv-CER',
  'I-Rcv-CEA',
  'R-Rcv-CEA',
  'I-Rcv-Non-CEA',
  'I-Peer-Disc',
  'R-Peer-Disc',
  'I-Rcv-DWR',
  'R-Rcv-DWR',
  'I-Rcv-DWA',
  'R-Rcv-DWA',
  'I-Rcv-DPR',
  'R-Rcv-DPR',
  'I-Rcv-DPA',
  'R-Rcv-DPA',
  'I-Rcv-Message',
  'R-Rcv-Message',
  'Send-Message',
]

describe('RFC 6733 §5.6 peer state machine table', () => {
  for (const [state, event, next, actions] of rfcRows) {
    test(`${state} + ${event} → ${actions.join(', ')} → ${next}`, () => {
      const t = transition(state as never, event as never)
      assert.ok(t !== undefined, 'row missing')
      assert.equal(t.next, next)
      assert.deepEqual(t.actions, actions)
    })
  }

  test('the table has exactly the RFC rows, and nothing happens on any other event', () => {
    assert.equal(transitionRows().length, rfcRows.length)
    const rows = new Set(rfcRows.map(([s, e]) => `${s}|${e}`))
    for (const s of peerStates) {
      for (const e of ALL_EVENTS) {
        if (!rows.has(`${s}|${e}`)) assert.equal(transition(s, e), undefined, `${s} + ${e}`)
      }
    }
  })

  test('every state can be reached from Closed and leads back to it', () => {
    const reach = new Set(['Closed'])
    for (let changed = true; changed; ) {
      changed = false
      for (const [s, , next] of transitionRows()) {
        if (reach.has(s) && !reach.has(next)) {
          reach.add(next)
          changed = true
        }
      }
    }
    assert.deepEqual([...reach].sort(), [...peerStates].sort())
    for (const s of peerStates) {
      if (s === 'Closed') continue
      assert.ok(
        transitionRows().some(
          ([from, event, next]) => from === s && event === 'Timeout' && next === 'Closed',
        ) || isOpen(s),
        `${s} has a timeout`,
      )
    }
  })
})

describe('election (RFC 6733 §5.6.4)', () => {
  test('the higher Origin-Host, compared as octets, wins', () => {
    assert.equal(winsElection('hss.ims.test', 'scscf.ims.test'), false)
    assert.equal(winsElection('scscf.ims.test', 'hss.ims.test'), true)
    assert.equal(winsElection('b', 'a'), true)
    assert.equal(winsElection('ab', 'a'), true)
    assert.equal(winsElection('a', 'ab'), false)
    // octets, not locale: 'Z' (0x5a) < 'a' (0x61)
    assert.equal(winsElection('Z.test', 'a.test'), false)
    assert.equal(winsElection('same', 'same'), false)
  })
})
