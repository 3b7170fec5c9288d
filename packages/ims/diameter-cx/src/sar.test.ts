import assert from 'node:assert/strict'
import { test } from 'node:test'
import { contextFor, defaults, wire } from '../test/support.ts'
import { experimental, SUCCESS } from './result-codes.ts'
import { buildSaa, buildSar, readSaa, readSar } from './sar.ts'

const xml =
  '<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>alice@ims.test</PrivateID></IMSSubscription>'

test('SAR REGISTRATION: identities, type and UDAA; SAA with User-Data, charging, associated identities', () => {
  const req = wire(
    buildSar(
      {
        impi: 'alice@ims.test',
        impus: ['sip:alice@ims.test', 'tel:+15551230001'],
        serverName: 'sip:scscf.ims.test',
        assignmentType: 'REGISTRATION',
        userDataAlreadyAvailable: false,
      },
      defaults,
    ),
  )
  assert.equal(req.commandCode, 301)
  assert.equal(req.get('Server-Assignment-Type'), 1)
  const r = readSar(req)
  assert.equal(r.impi, 'alice@ims.test')
  assert.deepEqual(r.impus, ['sip:alice@ims.test', 'tel:+15551230001'])
  assert.equal(r.assignmentType, 'REGISTRATION')
  assert.equal(r.userDataAlreadyAvailable, false)
  const saa = readSaa(
    wire(
      buildSaa(contextFor(req), {
        result: SUCCESS,
        impi: 'alice@ims.test',
        userData: xml,
        chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://ccf.ims.test' },
        associatedIdentities: ['alice2@ims.test'],
      }),
    ),
  )
  assert.equal(saa.result.success, true)
  assert.equal(saa.userData, xml)
  assert.equal(saa.impi, 'alice@ims.test')
  assert.equal(saa.chargingInformation?.primaryChargingCollectionFunctionName, 'aaa://ccf.ims.test')
  assert.equal(saa.chargingInformation?.primaryEventChargingFunctionName, undefined)
  assert.deepEqual(saa.associatedIdentities, ['alice2@ims.test'])
})

test('SAR UNREGISTERED_USER without User-Name; SAA 5001', () => {
  const req = wire(
    buildSar(
      {
        impus: ['sip:bob@ims.test'],
        serverName: 'sip:scscf.ims.test',
        assignmentType: 'UNREGISTERED_USER',
        userDataAlreadyAvailable: true,
      },
      defaults,
    ),
  )
  const r = readSar(req)
  assert.equal(r.impi, undefined)
  assert.equal(r.assignmentType, 'UNREGISTERED_USER')
  assert.equal(r.userDataAlreadyAvailable, true)
  const saa = readSaa(
    wire(buildSaa(contextFor(req), { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') })),
  )
  assert.equal(saa.result.success, false)
  assert.equal(saa.userData, undefined)
  assert.deepEqual(saa.associatedIdentities, [])
})
