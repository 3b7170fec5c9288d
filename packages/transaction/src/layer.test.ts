import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, test } from 'node:test'
import {
  createResponse,
  parseMessage,
  type SipMessage,
  type SipResponse,
  serialize,
  ToTag,
  Via,
} from '@junction/sip'
import type { Flow, Target } from '@junction/transport'
import { createHarness, recorder, request, response, udpFlow, udpTarget } from '../test/harness.ts'
import { createManualClock } from './clock.ts'
import { faultCodes, TransactionError } from './errors.ts'
import { createTransactionLayer } from './layer.ts'
import type { ClientHandler, TransactionTransport, TransactionUser } from './ports.ts'
import type { ServerTransaction } from './server-transaction.ts'

describe('matching (RFC 3261 §17.2.3, §17.1.3, §9.2)', () => {
  test('a retransmission matches by branch, sent-by and method; another sent-by is another transaction', () => {
    const h = createHarness()
    h.layer.receive(request('OPTIONS'), udpFlow)
    h.layer.receive(request('OPTIONS'), udpFlow)
    assert.equal(h.requests.length, 1)
    const other = request('OPTIONS')
    other.headers.setRaw('Via', 'SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKabc')
    h.layer.receive(other, udpFlow)
    assert.equal(h.requests.length, 2)
    // the same branch with another method (a CANCEL) is its own transaction too
    h.layer.receive(request('CANCEL'), udpFlow)
    assert.equal(h.requests.length, 3)
  })

  test('a CANCEL is matched to the INVITE server transaction it cancels (§9.2)', () => {
    const h = createHarness()
    h.layer.receive(request('INVITE'), udpFlow)
    h.layer.receive(request('CANCEL'), udpFlow)
    const [invite, cancel] = h.requests
    assert.equal(cancel!.cancels, invite)
    const stray = request('CANCEL', 'z9hG4bKnone')
    h.layer.receive(stray, udpFlow)
    assert.equal(h.requests[2]!.cancels, undefined, 'no INVITE: the TU answers 481')
  })

  test('an ACK for a 2xx (a new branch) goes to the TU without a transaction', () => {
    const h = createHarness()
    h.layer.receive(request('ACK', 'z9hG4bKack2xx'), udpFlow)
    assert.equal(h.acks.length, 1)
    assert.equal(h.acks[0]!.tx, undefined)
    assert.equal(h.layer.size, 0)
  })

  test('RFC 2543 requests (no magic cookie) match by Request-URI, tags, Call-ID, CSeq and Via', () => {
    const h = createHarness()
    const inv = request('INVITE', 'old-branch-1')
    h.layer.receive(inv, udpFlow)
    h.layer.receive(request('INVITE', 'old-branch-1'), udpFlow)
    assert.equal(h.requests.length, 1, 'the retransmission matched')
    const tx = h.requests[0]!
    tx.respond(createResponse(inv, 486, undefined, { toTag: 't9' }))
    // an ACK with another To tag does not match; with the response's To tag it does
    const wrongAck = request('ACK', 'old-branch-1')
    wrongAck.headers.setRaw('To', '<sip:bob@example.com>;tag=other')
    wrongAck.headers.setRaw('CSeq', '1 ACK')
    h.layer.receive(wrongAck, udpFlow)
    assert.equal(tx.state, 'completed')
    const ack = request('ACK', 'old-branch-1')
    ack.headers.setRaw('To', '<sip:bob@example.com>;tag=t9')
    ack.headers.setRaw('CSeq', '1 ACK')
    h.layer.receive(ack, udpFlow)
    assert.equal(tx.state, 'confirmed')
  })

  test('badbranch (the magic cookie alone, RFC 4475 §3.2.1) falls back to RFC 2543 matching', () => {
    const h = createHarness()
    h.layer.receive(request('OPTIONS', 'z9hG4bK'), udpFlow)
    h.layer.receive(request('OPTIONS', 'z9hG4bK'), udpFlow)
    assert.equal(h.requests.length, 1)
  })

  test('responses match client transactions by branch and CSeq method; others are stray', () => {
    const h = createHarness()
    const r = recorder()
    const req = request('INVITE', 'z9hG4bKc1')
    h.layer.request(req, udpTarget, r)
    const cancelResponse = response(req, 200)
    cancelResponse.headers.setRaw('CSeq', '1 CANCEL')
    h.layer.receive(cancelResponse, udpFlow)
    assert.deepEqual(r.responses, [])
    assert.equal(h.stray.length, 1)
    h.layer.receive(response(req, 180), udpFlow)
    assert.deepEqual(r.responses, [180])
  })

  test('messages without what matching needs are dropped and counted; a request still gets its 400', async () => {
    const h = createHarness()
    const noVia = request('OPTIONS')
    noVia.headers.remove(Via)
    h.layer.receive(noVia, udpFlow)
    const res = response(request('OPTIONS'), 200)
    res.headers.remove('CSeq')
    h.layer.receive(res, udpFlow)
    const ack = request('ACK')
    ack.headers.setRaw('Via', 'SIP/2.0/UDP 192.0.2.15;;,;,,')
    h.layer.receive(ack, udpFlow)
    await h.settle()
    assert.equal(h.layer.dropped, 2)
    assert.equal(h.requests.length, 0)
    assert.equal(h.acks.length, 1, 'an ACK no transaction takes goes to the transaction user')
    // the OPTIONS is answered statelessly; the response and the ACK are not answered
    assert.deepEqual(
      h.sent
        .map((s) => (s.kind === 'response' ? (s.message as { status: number; reason: string }) : undefined))
        .map((m) => m && `${m.status} ${m.reason}`),
      ['400 Invalid Via'],
    )
  })
})

describe('odd responses never throw (untrusted input)', () => {
  for (const [label, edit] of [
    ['no To', (r: SipResponse) => r.headers.remove('To')],
    ['an unparsable To', (r: SipResponse) => r.headers.setRaw('To', '<sip:bob@example.com')],
    ['an empty To tag', (r: SipResponse) => r.headers.setRaw('To', '<sip:bob@example.com>;tag=')],
    ['no From', (r: SipResponse) => r.headers.remove('From')],
    ['no Call-ID', (r: SipResponse) => r.headers.remove('Call-ID')],
  ] as const) {
    test(`a failure response to an INVITE with ${label} completes its client transaction, ACKed`, () => {
      const h = createHarness()
      const r = recorder()
      const req = request('INVITE')
      const tx = h.layer.request(req, udpTarget, r)
      const bad = response(req, 486)
      edit(bad)
      h.layer.receive(bad, udpFlow) // threw out of receive() when the ACK copied the To
      assert.equal(tx.state, 'completed')
      assert.deepEqual(r.responses, [486])
      assert.equal(h.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK').length, 1)
    })
  }
})

describe('limits and lifecycle', () => {
  test('past maxUnanswered unanswered transactions a new request gets 503; answered ones do not count', () => {
    const h = createHarness({ maxUnanswered: 1 })
    h.layer.receive(request('OPTIONS', 'z9hG4bK1'), udpFlow)
    assert.equal(h.layer.unanswered, 1)
    h.layer.receive(request('OPTIONS', 'z9hG4bK2'), udpFlow)
    assert.equal(h.requests.length, 1)
    assert.equal((h.sent[0]!.message as SipResponse).status, 503)
    assert.equal(h.layer.overloaded, 1)
    const first = h.requests[0]!
    first.respond(createResponse(first.request, 200)) // Completed: waits out Timer J, cheaply
    assert.equal(h.layer.unanswered, 0)
    h.layer.receive(request('OPTIONS', 'z9hG4bK3'), udpFlow)
    assert.equal(h.requests.length, 2)
    assert.equal(h.layer.size, 2)
    // client transactions count until their final response, and an ended one never counts
    const out = h.layer.request(request('OPTIONS', 'z9hG4bKout1'), udpTarget, recorder())
    assert.equal(h.layer.unanswered, 2)
    out.end()
    h.requests[1]!.end()
    assert.equal(h.layer.unanswered, 0)
  })

  test('past maxTransactions a new request gets 503 with Retry-After and no state (§21.5.4)', () => {
    const h = createHarness({ maxTransactions: 1, retryAfter: 7 })
    h.layer.receive(request('OPTIONS', 'z9hG4bK1'), udpFlow)
    h.layer.receive(request('OPTIONS', 'z9hG4bK2'), udpFlow)
    assert.equal(h.requests.length, 1)
    assert.equal(h.layer.size, 1)
    const busy = h.sent.find((s) => s.kind === 'response')!.message as SipResponse
    assert.equal(busy.status, 503)
    assert.deepEqual(busy.headers.raw('Retry-After'), ['7'])
    assert.equal(h.layer.overloaded, 1, 'counted')
    // retransmissions of the live one still match
    h.layer.receive(request('OPTIONS', 'z9hG4bK1'), udpFlow)
    assert.equal(h.sent.length, 1)
    assert.equal(h.layer.overloaded, 1)
  })

  test('under overload the CANCEL of a live INVITE still goes through; a CANCEL matching nothing gets 503', () => {
    const h = createHarness({ maxTransactions: 1 })
    h.layer.receive(request('INVITE'), udpFlow)
    h.layer.receive(request('CANCEL'), udpFlow)
    assert.equal(h.requests.length, 2, 'the INVITE was accepted: ending it sheds load (§9.2)')
    assert.equal(h.requests[1]!.cancels, h.requests[0])
    assert.equal(h.layer.overloaded, 0)
    h.layer.receive(request('CANCEL', 'z9hG4bKnone'), udpFlow)
    assert.equal(h.requests.length, 2)
    assert.equal(h.layer.overloaded, 1)
    assert.equal((h.sent.at(-1)!.message as SipResponse).status, 503)
  })

  test('admit() refusing a request: stateless 503 with Retry-After; its ACK ends here; CANCEL of a live INVITE and retransmissions are not asked', () => {
    let open = true
    const asked: string[] = []
    const h = createHarness({
      admit: (req) => {
        asked.push(req.method)
        return open
      },
    })
    h.layer.receive(request('INVITE', 'z9hG4bKlive'), udpFlow)
    h.layer.receive(request('INVITE', 'z9hG4bKlive'), udpFlow) // a retransmission: matched, not asked
    open = false
    h.layer.receive(request('CANCEL', 'z9hG4bKlive'), udpFlow)
    assert.equal(h.requests.length, 2, 'the CANCEL of the accepted INVITE went through')
    assert.deepEqual(asked, ['INVITE'])
    h.layer.receive(request('INVITE', 'z9hG4bKshed'), udpFlow)
    assert.deepEqual(asked, ['INVITE', 'INVITE'])
    assert.equal(h.requests.length, 2)
    assert.equal(h.layer.size, 2, 'no state for the refused one')
    assert.equal(h.layer.overloaded, 1)
    const busy = h.sent.at(-1)!.message as SipResponse
    assert.equal(busy.status, 503)
    assert.deepEqual(busy.headers.raw('Retry-After'), ['5'])
    // the UAC acknowledges the 503 (§17.1.1.3): no transaction has it, and the TU never sees it
    const tag = busy.headers.get(ToTag)!
    const ack = request('ACK', 'z9hG4bKshed')
    ack.headers.setRaw('To', `<sip:bob@example.com>;tag=${tag}`)
    h.layer.receive(ack, udpFlow)
    assert.equal(h.acks.length, 0)
    assert.equal(h.layer.absorbedAcks, 1)
    // an ACK with another tag (a 2xx's, end to end) still goes to the TU
    const ack2xx = request('ACK', 'z9hG4bKother')
    ack2xx.headers.setRaw('To', '<sip:bob@example.com>;tag=t2xx')
    h.layer.receive(ack2xx, udpFlow)
    assert.equal(h.acks.length, 1)
    // two refusals get two different To tags
    h.layer.receive(request('OPTIONS', 'z9hG4bKshed2'), udpFlow)
    assert.notEqual((h.sent.at(-1)!.message as SipResponse).headers.get(ToTag), tag)
  })

  test('overloadFeedback (RFC 7339 §5.1): every response to a request whose top Via has oc, the 503 of admit too; none for one without', () => {
    const stamped: number[] = []
    let open = true
    const h = createHarness({ admit: () => open, overloadFeedback: (r) => stamped.push(r.status) })
    h.layer.receive(request('OPTIONS', 'z9hG4bKplain'), udpFlow)
    h.requests[0]!.respond(createResponse(h.requests[0]!.request, 200))
    assert.deepEqual(stamped, [], 'a Via without oc: not called')
    h.layer.receive(request('INVITE', 'z9hG4bKoc;oc;oc-algo="loss"'), udpFlow)
    const invite = h.requests[1]!
    invite.respond(createResponse(invite.request, 180))
    invite.respond(createResponse(invite.request, 486))
    open = false
    h.layer.receive(request('OPTIONS', 'z9hG4bKshed;oc'), udpFlow)
    assert.deepEqual(stamped, [180, 486, 503])
  })

  test('past maxRetainedBytes of final responses kept for retransmissions a new request gets 503 (§21.5.4)', () => {
    // a peer can make every kept response big (up to 70 Vias of 8 KiB each are copied into it,
    // §8.2.6.2) and have it kept 32 s (Timer J): a count of transactions does not bound that
    const h = createHarness({ maxRetainedBytes: 3000 })
    const bigVia = `SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK${'x'.repeat(3000)}`
    h.layer.receive(request('OPTIONS', 'z9hG4bK1', `Via: ${bigVia}\n`), udpFlow)
    h.layer.receive(request('OPTIONS', 'z9hG4bK2'), udpFlow)
    assert.equal(h.requests.length, 2, 'under the budget: accepted')
    h.requests[0]!.respond(createResponse(h.requests[0]!.request, 200))
    h.requests[1]!.respond(createResponse(h.requests[1]!.request, 200))
    assert.equal(h.layer.unanswered, 0)
    h.layer.receive(request('OPTIONS', 'z9hG4bK3'), udpFlow)
    assert.equal(h.requests.length, 2, 'over it: refused')
    const last = h.sent.at(-1)!.message as SipResponse
    assert.equal(last.status, 503)
    assert.equal(h.layer.overloaded, 1)
    // the transactions kept still answer their retransmissions
    h.layer.receive(request('OPTIONS', 'z9hG4bK1', `Via: ${bigVia}\n`), udpFlow)
    assert.equal((h.sent.at(-1)!.message as SipResponse).status, 200)
    // Timer J ends them and gives their bytes back
    h.clock.advance(32_000)
    assert.equal(h.layer.size, 0)
    h.layer.receive(request('OPTIONS', 'z9hG4bK4'), udpFlow)
    assert.equal(h.requests.length, 3)
  })

  test('maxRetainedBytes counts the matching keys too (a peer-chosen branch, kept as long as the transaction)', () => {
    const h = createHarness({ maxRetainedBytes: 3000 })
    const invite = request('INVITE', `z9hG4bK${'y'.repeat(3000)}`)
    h.layer.receive(invite, udpFlow)
    // a 2xx is not kept (RFC 6026 §7.1): Accepted holds the key alone, for Timer L (32 s)
    h.requests[0]!.respond(createResponse(invite, 200, undefined, { toTag: 't1' }))
    assert.equal(h.requests[0]!.state, 'accepted')
    h.layer.receive(request('OPTIONS', 'z9hG4bK2'), udpFlow)
    assert.equal(h.requests.length, 1)
    assert.equal((h.sent.at(-1)!.message as SipResponse).status, 503)
    h.clock.advance(32_000)
    h.layer.receive(request('OPTIONS', 'z9hG4bK3'), udpFlow)
    assert.equal(h.requests.length, 2, 'Timer L gave the key back')
  })

  test('request(): a branch is generated when missing; ACK and a live branch are refused', () => {
    const h = createHarness()
    const req = request('OPTIONS')
    req.headers.remove(Via)
    const tx = h.layer.request(req, udpTarget, recorder())
    assert.match(tx.request.headers.first(Via)!.branch!, /^z9hG4bK.{10,}/)
    assert.throws(
      () => h.layer.request(request('ACK'), udpTarget, recorder()),
      (e: unknown) => e instanceof TransactionError && e.code === faultCodes.ACK_NOT_A_TRANSACTION,
    )
    h.layer.request(request('OPTIONS', 'z9hG4bKsame'), udpTarget, recorder())
    assert.throws(
      () => h.layer.request(request('OPTIONS', 'z9hG4bKsame'), udpTarget, recorder()),
      (e: unknown) => e instanceof TransactionError && e.code === faultCodes.DUPLICATE_BRANCH,
    )
  })

  test('diagnostics channels see every transaction created and ended; close() ends them all', () => {
    const created: unknown[] = []
    const ended: unknown[] = []
    const onCreate = (m: unknown) => created.push(m)
    const onEnd = (m: unknown) => ended.push(m)
    subscribe('junction:transaction:create', onCreate)
    subscribe('junction:transaction:end', onEnd)
    try {
      const h = createHarness()
      h.layer.receive(request('INVITE'), udpFlow)
      h.layer.request(request('OPTIONS', 'z9hG4bKout'), udpTarget, recorder())
      assert.equal(created.length, 2)
      h.layer.close()
      assert.equal(ended.length, 2)
      assert.equal(h.layer.size, 0)
      assert.equal(h.clock.pending, 0)
    } finally {
      unsubscribe('junction:transaction:create', onCreate)
      unsubscribe('junction:transaction:end', onEnd)
    }
  })
})

describe('over a lossy link (two layers, virtual time)', () => {
  /**
   * A client layer and a server layer joined by an in-memory datagram link that drops chosen
   * messages (by the order in which they are sent): retransmissions must recover.
   */
  function lossyPair(dropNth: ReadonlySet<number>) {
    const clock = createManualClock()
    let n = 0
    const delay = 10
    const deliver = (
      to: () => ReturnType<typeof createTransactionLayer>,
      message: SipMessage,
      flow: Flow,
    ) => {
      if (dropNth.has(n++)) return
      const bytes = serialize(message)
      clock.setTimer(delay, () => {
        const r = parseMessage(bytes)
        if (r.ok) to().receive(r.message, flow)
      })
    }
    const clientFlow: Flow = { ...udpFlow, id: 'c' }
    const serverFlow: Flow = { ...udpFlow, id: 's' }
    const serverTransport: TransactionTransport = {
      async sendRequest() {},
      async sendResponse(res) {
        deliver(() => client, res, clientFlow)
      },
    }
    const clientTransport: TransactionTransport = {
      async sendRequest(req) {
        deliver(() => server, req, serverFlow)
      },
      async sendResponse() {},
    }
    const served: ServerTransaction[] = []
    const user: TransactionUser = {
      onRequest(tx) {
        served.push(tx)
        tx.respond(
          createResponse(tx.request, tx.request.method === 'INVITE' ? 486 : 200, undefined, { toTag: 's1' }),
        )
      },
    }
    const server = createTransactionLayer({ transport: serverTransport, user }, { clock })
    const client = createTransactionLayer({ transport: clientTransport, user: { onRequest() {} } }, { clock })
    return { clock, server, client, served }
  }

  const target: Target = { transport: 'udp', address: '127.0.0.1', port: 5060 }

  test('a non-INVITE request and its response are both lost once: the exchange still completes', () => {
    // drops #0 (the first request) and #2 (the first response)
    const p = lossyPair(new Set([0, 2]))
    const got: number[] = []
    const handler: ClientHandler = { onResponse: (res) => got.push(res.status) }
    p.client.request(request('OPTIONS', 'z9hG4bKlossy'), target, handler)
    p.clock.advance(10_000)
    assert.deepEqual(got, [200])
    assert.equal(p.served.length, 1, 'the server saw one transaction, not one per retransmission')
  })

  test('an INVITE whose failure response and ACK are lost: Timer G and the ACK retransmission recover', () => {
    // #0 INVITE delivered; #1 the 486 lost; #2 INVITE retransmission delivered; #3 486 again delivered;
    // #4 the ACK lost; #5 the 486 from Timer G delivered; #6 the ACK again delivered
    const p = lossyPair(new Set([1, 4]))
    const got: number[] = []
    p.client.request(request('INVITE', 'z9hG4bKlossy'), target, { onResponse: (res) => got.push(res.status) })
    p.clock.advance(40_000)
    assert.deepEqual(got, [486])
    assert.equal(p.served[0]!.state, 'terminated')
    assert.equal(p.server.size, 0)
    assert.equal(p.client.size, 0)
  })
})

describe('a transaction user that throws (its bug must not lose what the layer accepted)', () => {
  for (const method of ['OPTIONS', 'INVITE']) {
    test(`onRequest throwing on an ${method}: the error propagates, the request still gets its 500`, () => {
      const clock = createManualClock()
      const sent: SipResponse[] = []
      const transport: TransactionTransport = {
        async sendRequest() {},
        async sendResponse(res) {
          sent.push(res)
        },
      }
      const user: TransactionUser = {
        onRequest() {
          throw new Error('TU bug')
        },
      }
      const layer = createTransactionLayer({ transport, user }, { clock, tryingDelay: -1 })
      assert.throws(() => layer.receive(request(method, 'z9hG4bKboom'), udpFlow), /TU bug/)
      assert.deepEqual(
        sent.map((r) => r.status),
        [500],
      )
      assert.equal(layer.unanswered, 0, 'no slot of maxUnanswered is held for ever')
      // a retransmission gets the 500 again instead of silence
      layer.receive(request(method, 'z9hG4bKboom'), udpFlow)
      assert.deepEqual(
        sent.map((r) => r.status),
        [500, 500],
      )
      layer.close()
    })
  }
})
