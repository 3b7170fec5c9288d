import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CX_APPLICATION_ID, VENDOR_3GPP } from '@junction/diameter'
import { contextFor, defaults, hex, wire } from '../test/support.ts'
import { AuthScheme, buildMaa, buildMar, readMaa, readMar } from './mar.ts'
import { CxResultCode, experimental, SUCCESS } from './result-codes.ts'

// TS 35.207 test set 2 vector (ims.md §3.2): RAND, AUTN, RES, CK, IK
const vector = {
  rand: hex('c00d603103dcee52c4478119494202e8'),
  autn: hex('39f96cd9800faf175df5b31807e258b0'),
  xres: hex('d3a628ed988620f0'),
  ck: hex('58c433ff7a7082acd424220f2b67c556'),
  ik: hex('21a8c1f929702adb3e738488b9f5c5da'),
}

test('MAR: Cx header, VSAI, Auth-Session-State, the S-CSCF fields; read back after the wire', () => {
  const m = buildMar(
    { impi: 'alice@ims.test', impu: 'sip:alice@ims.test', serverName: 'sip:scscf.ims.test', items: 3 },
    { ...defaults, destinationHost: 'hss.ims.test' },
  )
  assert.equal(m.commandCode, 303)
  assert.equal(m.applicationId, CX_APPLICATION_ID)
  assert.ok(m.isRequest && m.isProxiable)
  const vsai = m.get('Vendor-Specific-Application-Id')
  assert.equal(vsai?.get('Vendor-Id'), VENDOR_3GPP)
  assert.equal(vsai?.get('Auth-Application-Id'), CX_APPLICATION_ID)
  assert.equal(m.get('Auth-Session-State'), 1)
  const r = readMar(wire(m))
  assert.equal(r.impi, 'alice@ims.test')
  assert.equal(r.impu, 'sip:alice@ims.test')
  assert.equal(r.scheme, AuthScheme.AKAV1_MD5)
  assert.equal(r.items, 3)
  assert.equal(r.serverName, 'sip:scscf.ims.test')
  assert.equal(r.destinationHost, 'hss.ims.test')
  assert.equal(r.destinationRealm, 'ims.test')
  assert.equal(r.resync, undefined)
})

test('MAR resync: SIP-Authorization = RAND ‖ AUTS (30 octets), split again on the HSS side', () => {
  const auts = hex('cd7ff6319e3e4776402399f699da')
  const m = buildMar(
    { impi: 'a', impu: 'sip:a@x', serverName: 's', resync: { rand: vector.rand, auts } },
    defaults,
  )
  const item = m.get('SIP-Auth-Data-Item')
  assert.deepEqual(
    Buffer.from(item!.get('SIP-Authorization')!).toString('hex'),
    'c00d603103dcee52c4478119494202e8cd7ff6319e3e4776402399f699da',
  )
  const r = readMar(wire(m))
  assert.deepEqual(r.resync?.rand, vector.rand)
  assert.deepEqual(r.resync?.auts, auts)
})

test('MAR resync with a wrong AUTS length is a programming error', () => {
  assert.throws(
    () =>
      buildMar(
        {
          impi: 'a',
          impu: 'sip:a@x',
          serverName: 's',
          resync: { rand: vector.rand, auts: new Uint8Array(13) },
        },
        defaults,
      ),
    { code: 'JUNCTION_ERR_CX_INVALID_ARGUMENT' },
  )
})

test('MAA: AKA items numbered, RAND ‖ AUTN, XRES, CK, IK; User-Name and Public-Identity echoed', () => {
  const req = wire(
    buildMar({ impi: 'alice@ims.test', impu: 'sip:alice@ims.test', serverName: 's', items: 2 }, defaults),
  )
  const other = { ...vector, rand: hex('00'.repeat(16)) }
  const a = wire(buildMaa(contextFor(req), readMar(req), { result: SUCCESS, items: [vector, other] }))
  const maa = readMaa(a)
  assert.equal(maa.result.success, true)
  assert.equal(maa.result.name, 'DIAMETER_SUCCESS')
  assert.equal(maa.impi, 'alice@ims.test')
  assert.equal(maa.impu, 'sip:alice@ims.test')
  assert.equal(maa.numberAuthItems, 2)
  assert.deepEqual(
    maa.items.map((i) => i.itemNumber),
    [1, 2],
  )
  assert.equal(maa.items[0]!.scheme, 'Digest-AKAv1-MD5')
  assert.deepEqual(maa.items[0]!.aka, vector)
  assert.deepEqual(maa.items[1]!.aka?.rand, other.rand)
  assert.equal(maa.items[0]!.authenticate?.length, 32)
})

test('MAA: SIP Digest item with SIP-Digest-Authenticate', () => {
  const req = wire(
    buildMar({ impi: 'bob', impu: 'sip:bob@x', serverName: 's', scheme: AuthScheme.SIP_DIGEST }, defaults),
  )
  const a = wire(
    buildMaa(contextFor(req), readMar(req), {
      result: SUCCESS,
      items: [{ digest: { realm: 'ims.test', algorithm: 'MD5', qop: 'auth', ha1: 'abcdef' } }],
    }),
  )
  const item = readMaa(a).items[0]!
  assert.equal(item.scheme, 'SIP Digest')
  assert.deepEqual(item.digest, { realm: 'ims.test', algorithm: 'MD5', qop: 'auth', ha1: 'abcdef' })
  assert.equal(item.aka, undefined)
})

test('MAA error: Experimental-Result 5006 with vendor 10415, no items', () => {
  const req = wire(
    buildMar({ impi: 'a', impu: 'sip:a@x', serverName: 's', scheme: 'Digest-Bogus' }, defaults),
  )
  const a = wire(
    buildMaa(contextFor(req), readMar(req), {
      result: experimental('DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED'),
    }),
  )
  const maa = readMaa(a)
  assert.equal(maa.result.kind, 'experimental')
  assert.equal(maa.result.vendorId, VENDOR_3GPP)
  assert.equal(maa.result.code, CxResultCode.DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED)
  assert.equal(maa.result.success, false)
  assert.equal(maa.items.length, 0)
  assert.equal(a.has('Result-Code'), false)
})
