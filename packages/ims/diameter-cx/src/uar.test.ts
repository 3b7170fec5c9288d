import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VENDOR_3GPP } from '@junction/diameter'
import { contextFor, defaults, wire } from '../test/support.ts'
import { experimental } from './result-codes.ts'
import { buildUaa, buildUar, readUaa, readUar, unquote } from './uar.ts'

test('UAR: identities, a quoted Visited-Network-Identifier unquoted, type and emergency flag', () => {
  const m = wire(
    buildUar(
      {
        impi: 'alice@ims.test',
        impu: 'sip:alice@ims.test',
        visitedNetworkIdentifier: '"ims.test"',
        userAuthorizationType: 'DE_REGISTRATION',
        emergency: true,
      },
      defaults,
    ),
  )
  assert.equal(m.commandCode, 300)
  assert.equal(m.get('User-Authorization-Type'), 1)
  assert.equal(m.get('UAR-Flags'), 1)
  const r = readUar(m)
  assert.equal(r.impi, 'alice@ims.test')
  assert.equal(r.impu, 'sip:alice@ims.test')
  assert.equal(r.visitedNetworkIdentifier, 'ims.test')
  assert.equal(r.userAuthorizationType, 'DE_REGISTRATION')
  assert.equal(r.emergency, true)
  assert.equal(r.originHost, 'scscf.ims.test')
})

test('UAR without User-Authorization-Type reads as REGISTRATION (TS 29.229 §6.3.24 default)', () => {
  const m = wire(buildUar({ impi: 'a', impu: 'sip:a@x', visitedNetworkIdentifier: 'x' }, defaults))
  assert.equal(m.has('User-Authorization-Type'), false)
  assert.equal(m.has('UAR-Flags'), false)
  assert.equal(readUar(m).userAuthorizationType, 'REGISTRATION')
  assert.equal(readUar(m).emergency, false)
})

test('UAA: Experimental-Result 2001 with Server-Capabilities; 2002 with Server-Name', () => {
  const req = wire(buildUar({ impi: 'a', impu: 'sip:a@x', visitedNetworkIdentifier: 'x' }, defaults))
  const first = readUaa(
    wire(
      buildUaa(contextFor(req), {
        result: experimental('DIAMETER_FIRST_REGISTRATION'),
        serverCapabilities: { mandatory: [1, 2], optional: [7], serverNames: ['sip:scscf1.ims.test'] },
      }),
    ),
  )
  assert.equal(first.result.name, 'DIAMETER_FIRST_REGISTRATION')
  assert.equal(first.result.vendorId, VENDOR_3GPP)
  assert.equal(first.result.success, true)
  assert.deepEqual(first.serverCapabilities, {
    mandatory: [1, 2],
    optional: [7],
    serverNames: ['sip:scscf1.ims.test'],
  })
  assert.equal(first.serverName, undefined)
  const next = readUaa(
    wire(
      buildUaa(contextFor(req), {
        result: experimental('DIAMETER_SUBSEQUENT_REGISTRATION'),
        serverName: 'sip:scscf.ims.test:6060',
      }),
    ),
  )
  assert.equal(next.result.code, 2002)
  assert.equal(next.serverName, 'sip:scscf.ims.test:6060')
  assert.equal(next.originHost, 'hss.ims.test')
})

test('unquote removes one pair of surrounding quotes only', () => {
  assert.equal(unquote('"a"'), 'a')
  assert.equal(unquote('a'), 'a')
  assert.equal(unquote('"'), '"')
  assert.equal(unquote('""a""'), '"a"')
})
