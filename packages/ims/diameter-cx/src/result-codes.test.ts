import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAnswer, ResultCode, VENDOR_3GPP } from '@junction/diameter'
import { defaults, wire } from '../test/support.ts'
import { CX_VSAI } from './common.ts'
import { CxResultCode, experimental, isBase, isCx, readResult, SUCCESS } from './result-codes.ts'
import { buildUar } from './uar.ts'

const req = () => wire(buildUar({ impi: 'a', impu: 'sip:a@x', visitedNetworkIdentifier: 'x' }, defaults))
const answer = (init: Parameters<typeof createAnswer>[1]) => wire(createAnswer(req(), init))
const origin = {
  originHost: 'hss',
  originRealm: 'ims.test',
  avps: { 'Vendor-Specific-Application-Id': CX_VSAI, 'Auth-Session-State': 1 },
}

test('base 5001 and Cx 5001 are told apart by the AVP that carried them', () => {
  const base = readResult(answer({ ...origin, resultCode: ResultCode.DIAMETER_AVP_UNSUPPORTED }))
  const cx = readResult(answer({ ...origin, experimentalResult: { vendorId: VENDOR_3GPP, code: 5001 } }))
  assert.equal(base.name, 'DIAMETER_AVP_UNSUPPORTED')
  assert.equal(cx.name, 'DIAMETER_ERROR_USER_UNKNOWN')
  assert.ok(isBase(base, 5001) && !isCx(base, 'DIAMETER_ERROR_USER_UNKNOWN'))
  assert.ok(isCx(cx, 'DIAMETER_ERROR_USER_UNKNOWN') && !isBase(cx, 5001))
})

test('another vendor’s Experimental-Result is not a Cx code', () => {
  const r = readResult(answer({ ...origin, experimentalResult: { vendorId: 99, code: 5001 } }))
  assert.equal(r.kind, 'experimental')
  assert.equal(isCx(r, 'DIAMETER_ERROR_USER_UNKNOWN'), false)
  assert.equal(r.name, 'experimental 5001 (vendor 99)')
})

test('a protocol error (E bit) and Error-Message; an answer with no result at all', () => {
  const e = readResult(answer({ ...origin, resultCode: 3002, errorMessage: 'no route' }))
  assert.equal(e.protocolError, true)
  assert.equal(e.success, false)
  assert.equal(e.errorMessage, 'no route')
  assert.equal(e.name, 'DIAMETER_UNABLE_TO_DELIVER')
  const none = readResult(createAnswer(req(), origin))
  assert.equal(none.kind, 'none')
  assert.equal(none.success, false)
})

test('constants: TS 29.229 §6.2 values; SUCCESS and experimental() inits', () => {
  assert.equal(CxResultCode.DIAMETER_FIRST_REGISTRATION, 2001)
  assert.equal(CxResultCode.DIAMETER_ERROR_IN_ASSIGNMENT_TYPE, 5007)
  assert.equal(CxResultCode.DIAMETER_ERROR_SERVING_NODE_FEATURE_UNSUPPORTED, 5012)
  assert.deepEqual(SUCCESS, { resultCode: 2001 })
  assert.deepEqual(experimental('DIAMETER_ERROR_TOO_MUCH_DATA'), { experimentalResultCode: 5008 })
})
