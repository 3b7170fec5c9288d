import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RELAY_APPLICATION_ID } from './capabilities.ts'
import { type RouteCandidate, selectPeer } from './router.ts'

const CX = 16777216
const peer = (host: string, realm: string, priority: number, available = true, applications = [CX]) =>
  ({ host, realm, priority, available, applications }) satisfies RouteCandidate

const hss1 = peer('hss1.ims.test', 'ims.test', 1)
const hss2 = peer('hss2.ims.test', 'ims.test', 2)
const other = peer('hss.other.test', 'other.test', 1)

test('Destination-Host first, when that peer is available', () => {
  const t = { destinationHost: 'HSS2.ims.test', destinationRealm: 'ims.test', applicationId: CX }
  assert.equal(selectPeer([hss1, hss2, other], t), hss2)
  assert.equal(selectPeer([hss1, { ...hss2, available: false }, other], t), hss1)
})

test('by Destination-Realm, the best priority first; the next one when it is down', () => {
  const t = { destinationHost: undefined, destinationRealm: 'ims.test', applicationId: CX }
  assert.equal(selectPeer([hss2, hss1, other], t), hss1)
  assert.equal(selectPeer([hss2, { ...hss1, available: false }, other], t), hss2)
  assert.equal(
    selectPeer([{ ...hss2, available: false }, { ...hss1, available: false }, other], t),
    undefined,
  )
  assert.equal(selectPeer([other], { ...t, destinationRealm: 'nowhere.test' }), undefined)
})

test('peers of equal priority in turn', () => {
  const a = peer('a.ims.test', 'ims.test', 1)
  const b = peer('b.ims.test', 'ims.test', 1)
  const t = { destinationHost: undefined, destinationRealm: 'ims.test', applicationId: CX }
  assert.deepEqual(
    [0, 1, 2, 3].map((turn) => selectPeer([a, b, hss2], t, turn)?.host),
    ['a.ims.test', 'b.ims.test', 'a.ims.test', 'b.ims.test'],
  )
})

test('only peers that support the application (a relay supports all)', () => {
  const sh = 16777217
  const relay = peer('dra.ims.test', 'ims.test', 5, true, [RELAY_APPLICATION_ID])
  const t = { destinationHost: undefined, destinationRealm: 'ims.test', applicationId: sh }
  assert.equal(selectPeer([hss1, relay], t), relay)
  assert.equal(selectPeer([hss1], t), undefined)
  assert.equal(selectPeer([hss1], { ...t, applicationId: 0 }), hss1)
})

test('no Destination-Realm: any available peer, the best priority first', () => {
  const t = { destinationHost: undefined, destinationRealm: undefined, applicationId: CX }
  assert.equal(selectPeer([hss2, other], t), other)
})
