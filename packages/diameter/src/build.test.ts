import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  AvpList,
  CommandFlags,
  createAnswer,
  createIdGenerator,
  createRequest,
  createSessionIdGenerator,
  DiameterCodecError,
  decodeMessage,
  defaultDictionary,
  encodeMessage,
  faultCodes,
  rawAvp,
} from './index.ts'

const cx = {
  'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': 16777216 },
  'Auth-Session-State': 1,
} as const

const lir = () =>
  createRequest('LIR', {
    avps: {
      // given out of order: written in the order of the grammar
      'Public-Identity': 'sip:bob@ims.test',
      'Destination-Realm': 'ims.test',
      'Origin-Realm': 'ims.test',
      'Origin-Host': 'icscf.ims.test',
      ...cx,
      'Session-Id': 'icscf.ims.test;1;9',
      'Proxy-Info': [
        { 'Proxy-Host': 'dra1.ims.test', 'Proxy-State': 'one' },
        { 'Proxy-Host': 'dra2.ims.test', 'Proxy-State': 'two' },
      ],
    },
    extra: [rawAvp({ code: 494, vendorId: 50, data: Buffer.from('x') })],
  })

const err = (code: string) => (e: unknown) => e instanceof DiameterCodecError && e.code === code

describe('createRequest (RFC 6733 §6.1)', () => {
  test('flags and Application-Id from the command, AVPs in grammar order, extra AVPs at *[ AVP ]', () => {
    const m = lir()
    assert.equal(m.flags, CommandFlags.REQUEST | CommandFlags.PROXIABLE)
    assert.equal(m.commandCode, 302)
    assert.equal(m.applicationId, 16777216)
    assert.deepEqual(
      m.avps.items.map((a) => a.label),
      [
        'Session-Id',
        'Vendor-Specific-Application-Id',
        'Auth-Session-State',
        'Origin-Host',
        'Origin-Realm',
        'Destination-Realm',
        'Public-Identity',
        'AVP 494 (vendor 50)',
        'Proxy-Info',
        'Proxy-Info',
      ],
    )
    const cer = createRequest('CER', {
      avps: {
        'Origin-Host': 'a',
        'Origin-Realm': 'b',
        'Host-IP-Address': '192.0.2.1',
        'Vendor-Id': 0,
        'Product-Name': 'p',
      },
    })
    assert.equal(cer.flags, CommandFlags.REQUEST)
    assert.equal(cer.applicationId, 0)
    // Product-Name has the M bit clear (RFC 6733 §5.3.7), Cx AVPs the V bit
    assert.equal(cer.find('Product-Name')?.flags, 0)
    assert.equal(lir().find('Public-Identity')?.flags, 0xc0)
  })

  test('built values read back typed, before any encoding', () => {
    const m = lir()
    assert.equal(m.get('Public-Identity'), 'sip:bob@ims.test')
    assert.equal(m.get('Vendor-Specific-Application-Id')?.get('Vendor-Id'), 10415)
    assert.deepEqual(
      m.getAll('Proxy-Info').map((p) => Buffer.from(p.get('Proxy-State')!).toString()),
      ['one', 'two'],
    )
  })

  test('builder values are checked', () => {
    const base = { 'Origin-Host': 'a', 'Origin-Realm': 'b' } as const
    assert.throws(
      () => createRequest('DWR', { avps: { ...base, 'Origin-State-Id': -1 } }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.throws(
      () => createRequest('DWR', { avps: { ...base, 'Origin-State-Id': 2 ** 32 } }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.throws(
      () => createRequest('DWR', { avps: { 'Origin-Host': 'a b', 'Origin-Realm': 'b' } }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.throws(
      () =>
        createRequest('CER', {
          avps: { ...base, 'Host-IP-Address': 'host.example', 'Vendor-Id': 0, 'Product-Name': 'p' },
        }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.throws(
      () => createRequest('DWR', { avps: { ...base, 'No-Such-AVP': 1 } as never }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.throws(() => createRequest('NOPE' as never, { avps: base }), err(faultCodes.INVALID_ARGUMENT))
    assert.throws(() => createRequest('DWA' as never, { avps: base }), err(faultCodes.INVALID_ARGUMENT))
    assert.throws(
      () => createRequest('DWR', { avps: { ...base, 'Session-Id': '\ud800' } }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.throws(
      () => createRequest('DWR', { avps: { ...base, 'Proxy-Info': 'not a group' as never } }),
      err(faultCodes.INVALID_ARGUMENT),
    )
  })

  test('an AVP from a received message is copied as it is', () => {
    const m = lir()
    const r = decodeMessage(encodeMessage(m))
    assert.ok(r.ok)
    const copy = createRequest('LIR', {
      avps: {
        'Session-Id': r.message.find('Session-Id')!,
        ...cx,
        'Origin-Host': 'x',
        'Origin-Realm': 'y',
        'Destination-Realm': 'z',
        'Public-Identity': 'sip:c@d',
        'Proxy-Info': r.message.findAll('Proxy-Info'),
      },
    })
    assert.equal(copy.sessionId, 'icscf.ims.test;1;9')
    assert.ok(decodeMessage(encodeMessage(copy)).ok)
    assert.throws(
      () =>
        createRequest('DWR', {
          avps: { 'Origin-Host': r.message.find('Session-Id')! as never, 'Origin-Realm': 'b' },
        }),
      err(faultCodes.INVALID_ARGUMENT),
    )
  })

  test('a build that throws half-way, or builds inside a build, leaves nothing behind', () => {
    // the AVPs (the identifiers differ from message to message)
    const body = () => encodeMessage(lir()).subarray(20)
    const expected = body()
    // fails two groups down, after AVPs were built at every level
    assert.throws(
      () =>
        createRequest('LIR', {
          avps: {
            ...cx,
            'Origin-Host': 'a',
            'Supported-Features': { 'Vendor-Id': 10415, 'Feature-List-ID': 1, 'Feature-List': -1 },
          },
        }),
      err(faultCodes.INVALID_ARGUMENT),
    )
    assert.deepEqual(body(), expected)
    // a getter that builds another message while this one is built
    let inner: Uint8Array | undefined
    const avps = {
      ...cx,
      get 'Origin-Host'() {
        inner = body()
        return 'icscf.ims.test'
      },
    }
    const outer = createRequest('DWR', { avps: avps as never })
    assert.deepEqual(inner, expected)
    assert.deepEqual(
      outer.avps.items.map((a) => a.name),
      ['Origin-Host', 'Vendor-Specific-Application-Id', 'Auth-Session-State'],
    )
    assert.deepEqual(body(), expected)
  })
})

describe('createAnswer (RFC 6733 §6.2)', () => {
  const hss = { originHost: 'hss.ims.test', originRealm: 'ims.test' }

  test('copies the identifiers, Session-Id, P bit and every Proxy-Info in order; sets Origin-* and the result', () => {
    const req = lir()
    const a = createAnswer(req, {
      ...hss,
      resultCode: 2001,
      avps: { ...cx, 'Server-Name': 'sip:scscf.ims.test' },
    })
    assert.equal(a.isRequest, false)
    assert.equal(a.isProxiable, true)
    assert.equal(a.isError, false)
    assert.equal(a.commandCode, 302)
    assert.equal(a.applicationId, req.applicationId)
    assert.equal(a.hopByHop, req.hopByHop)
    assert.equal(a.endToEnd, req.endToEnd)
    assert.equal(a.name, 'LIA')
    assert.equal(a.sessionId, 'icscf.ims.test;1;9')
    assert.equal(a.originHost, 'hss.ims.test')
    assert.equal(a.resultCode, 2001)
    assert.deepEqual(
      a.getAll('Proxy-Info').map((p) => p.get('Proxy-Host')),
      ['dra1.ims.test', 'dra2.ims.test'],
    )
    assert.equal(a.avps.items[0]?.name, 'Session-Id')
    assert.ok(decodeMessage(encodeMessage(a)).ok)
  })

  test('Experimental-Result (RFC 6733 §7.6)', () => {
    const a = createAnswer(lir(), { ...hss, experimentalResult: { vendorId: 10415, code: 5001 }, avps: cx })
    assert.deepEqual(a.experimentalResult, { vendorId: 10415, code: 5001 })
    assert.equal(a.resultCode, undefined)
    const r = decodeMessage(encodeMessage(a))
    assert.ok(r.ok)
    assert.deepEqual(r.message.experimentalResult, { vendorId: 10415, code: 5001 })
  })

  test('a 3xxx Result-Code sets the E bit and follows the §7.2 grammar', () => {
    const req = lir()
    const a = createAnswer(req, {
      ...hss,
      resultCode: 3002,
      errorMessage: 'no route',
      failedAvp: req.find('Destination-Realm')!,
    })
    assert.equal(a.flags, CommandFlags.PROXIABLE | CommandFlags.ERROR)
    const r = decodeMessage(encodeMessage(a))
    assert.ok(r.ok, r.ok ? '' : r.error.reason)
    assert.equal(r.message.get('Error-Message'), 'no route')
    assert.equal(r.message.get('Failed-AVP')?.get('Destination-Realm'), 'ims.test')
  })

  test('a permanent failure with Failed-AVP in the command grammar (no E bit)', () => {
    const req = lir()
    const a = createAnswer(req, {
      ...hss,
      resultCode: 5004,
      failedAvp: [req.find('Public-Identity')!],
      avps: cx,
    })
    assert.equal(a.isError, false)
    const r = decodeMessage(encodeMessage(a))
    assert.ok(r.ok)
    assert.equal(r.message.get('Failed-AVP')?.get('Public-Identity'), 'sip:bob@ims.test')
  })

  test('only requests are answered', () => {
    const a = createAnswer(lir(), { ...hss, resultCode: 2001, avps: cx })
    assert.throws(() => createAnswer(a, { ...hss, resultCode: 2001 }), err(faultCodes.INVALID_ARGUMENT))
  })

  test('grouped values from an AvpList', () => {
    const req = lir()
    const vsai = req.get('Vendor-Specific-Application-Id')!
    assert.ok(vsai instanceof AvpList)
    const a = createAnswer(req, {
      ...hss,
      resultCode: 2001,
      avps: { 'Vendor-Specific-Application-Id': vsai, 'Auth-Session-State': 1 },
    })
    assert.equal(a.get('Vendor-Specific-Application-Id')?.get('Auth-Application-Id'), 16777216)
  })
})

describe('identifiers', () => {
  test('Hop-by-Hop: +1 modulo 2^32; End-to-End: low 12 bits of the time in the high 12 bits (RFC 6733 §3)', () => {
    const ids = createIdGenerator(() => 0xabc * 1000 + 999)
    const e1 = ids.endToEnd()
    assert.equal(e1 >>> 20, 0xabc)
    assert.equal(ids.endToEnd(), (e1 + 1) >>> 0)
    const h1 = ids.hopByHop()
    assert.equal(ids.hopByHop(), (h1 + 1) >>> 0)
    const seen = new Set<number>()
    for (let i = 0; i < 1000; i++)
      seen.add(createRequest('DWR', { avps: { 'Origin-Host': 'a', 'Origin-Realm': 'b' } }).endToEnd)
    assert.equal(seen.size, 1000)
  })

  test('Session-Id: <DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional>] (RFC 6733 §8.8)', () => {
    const next = createSessionIdGenerator('scscf.ims.test', () => 1_700_000_000_500)
    const a = next()
    const b = next('x')
    assert.match(a, /^scscf\.ims\.test;1700000000;\d+$/)
    const [, , low] = a.split(';')
    assert.equal(b, `scscf.ims.test;1700000000;${(Number(low) + 1) >>> 0};x`)
  })
})

test('defaultDictionary resolves every command and grouped AVP grammar', () => {
  let groups = 0
  for (const d of defaultDictionary.avpDefs()) if (d.grammar !== undefined) groups++
  assert.ok(groups >= 20)
  assert.equal([...defaultDictionary.commandDefs()].length, 18)
})
