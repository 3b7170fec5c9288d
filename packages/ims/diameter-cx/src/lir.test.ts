import assert from 'node:assert/strict'
import { test } from 'node:test'
import { contextFor, defaults, wire } from '../test/support.ts'
import { buildLia, buildLir, readLia, readLir } from './lir.ts'
import { experimental, SUCCESS } from './result-codes.ts'

test('LIR: Public-Identity, Originating-Request; LIA 2001 with Server-Name', () => {
  const req = wire(buildLir({ impu: 'sip:bob@ims.test', originating: true }, defaults))
  assert.equal(req.commandCode, 302)
  const r = readLir(req)
  assert.equal(r.impu, 'sip:bob@ims.test')
  assert.equal(r.originating, true)
  assert.equal(r.userAuthorizationType, undefined)
  const lia = readLia(wire(buildLia(contextFor(req), { result: SUCCESS, serverName: 'sip:scscf.ims.test' })))
  assert.equal(lia.result.name, 'DIAMETER_SUCCESS')
  assert.equal(lia.result.kind, 'result')
  assert.equal(lia.serverName, 'sip:scscf.ims.test')
})

test('LIA 2003 DIAMETER_UNREGISTERED_SERVICE is a success; 5001 is not', () => {
  const req = wire(buildLir({ impu: 'sip:bob@ims.test' }, defaults))
  assert.equal(readLir(req).originating, false)
  const unreg = readLia(
    wire(
      buildLia(contextFor(req), {
        result: experimental('DIAMETER_UNREGISTERED_SERVICE'),
        serverName: 'sip:s',
      }),
    ),
  )
  assert.equal(unreg.result.success, true)
  assert.equal(unreg.result.code, 2003)
  const unknown = readLia(
    wire(buildLia(contextFor(req), { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') })),
  )
  assert.equal(unknown.result.success, false)
  assert.equal(unknown.result.name, 'DIAMETER_ERROR_USER_UNKNOWN')
})
