import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  CSeq,
  createRequest,
  createResponse,
  formatUri,
  parseMessage,
  Route,
  type SipRequest,
  type SipResponse,
  serialize,
} from '@junction/sip'
import { Dialog } from './dialog.ts'

function roundTrip<T extends SipRequest | SipResponse>(m: T): T {
  const r = parseMessage(serialize(m))
  assert.ok(r.ok)
  return r.message as T
}

const invite = roundTrip(
  createRequest({
    method: 'INVITE',
    uri: 'sip:bob@192.0.2.20',
    from: 'sip:alice@192.0.2.1',
    to: 'sip:bob@192.0.2.20',
    cseq: 7,
    via: { transport: 'UDP', host: '192.0.2.1' },
    contact: {
      uri: { kind: 'sip', scheme: 'sip', user: 'alice', host: '192.0.2.1', params: new Map(), headers: [] },
    },
  }),
)

describe('dialogs (RFC 3261 §12)', () => {
  test('UAC: route set is Record-Route reversed, remote target the Contact; loose routing keeps the Request-URI', () => {
    const ok = roundTrip(
      createResponse(invite, 200, undefined, {
        toTag: 'b1',
        headers: {
          'Record-Route': '<sip:192.0.2.5;lr>, <sip:192.0.2.6;lr>',
          Contact: '<sip:bob@192.0.2.21>',
        },
      }),
    )
    const d = Dialog.asUac(invite, ok)!
    assert.equal(d.localSeq, 7)
    const bye = d.createRequest('BYE')
    assert.equal(formatUri(bye.uri), 'sip:bob@192.0.2.21')
    assert.deepEqual(
      bye.headers.get(Route)?.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.6;lr', 'sip:192.0.2.5;lr'],
    )
    assert.equal(bye.headers.get(CSeq)?.seq, 8)
  })

  test('a strict router (no lr) becomes the Request-URI and the remote target goes last in Route (§12.2.1.1)', () => {
    const ok = roundTrip(
      createResponse(invite, 200, undefined, {
        toTag: 'b1',
        headers: {
          'Record-Route': '<sip:192.0.2.6>, <sip:192.0.2.5;maddr=192.0.2.50>',
          Contact: '<sip:bob@192.0.2.21>',
        },
      }),
    )
    const d = Dialog.asUac(invite, ok)!
    const bye = d.createRequest('BYE')
    assert.equal(formatUri(bye.uri), 'sip:192.0.2.5')
    assert.deepEqual(
      bye.headers.get(Route)?.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.6', 'sip:bob@192.0.2.21'],
    )
  })

  test('UAS: Record-Route in order, remote CSeq checked, a re-INVITE refreshes the target (§12.1.1, §12.2.2)', () => {
    const withRr = invite.clone()
    withRr.headers.appendRaw('Record-Route', '<sip:192.0.2.5;lr>, <sip:192.0.2.6;lr>')
    const d = Dialog.asUas(roundTrip(withRr), 'a1')!
    assert.equal(d.remoteSeq, 7)
    const bye = d.createRequest('BYE')
    assert.deepEqual(
      bye.headers.get(Route)?.map((r) => formatUri(r.uri)),
      ['sip:192.0.2.5;lr', 'sip:192.0.2.6;lr'],
    )
    assert.equal(formatUri(bye.uri), 'sip:alice@192.0.2.1')
    const older = invite.clone()
    older.headers.set(CSeq, { seq: 6, method: 'INFO' })
    assert.equal(d.acceptRemote(older), false)
    const re = invite.clone()
    re.headers.set(CSeq, { seq: 8, method: 'INVITE' })
    re.headers.setRaw('Contact', '<sip:alice@192.0.2.99>')
    assert.equal(d.acceptRemote(roundTrip(re)), true)
    assert.equal(formatUri(d.remoteTarget), 'sip:alice@192.0.2.99')
    assert.equal(d.remoteSeq, 8)
  })

  test('no dialog from a 2xx without a Contact (§12.1.2: no remote target)', () => {
    const noContact = roundTrip(createResponse(invite, 200, undefined, { toTag: 'x' }))
    assert.equal(Dialog.asUac(invite, noContact), undefined)
  })
})
