import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { avp, message, origin, u32 } from '../test/raw.ts'
import {
  type Avp,
  answerFor,
  decodeMessage,
  decodeErrorCodes as E,
  encodeMessage,
  ResultCode,
} from './index.ts'

const M = 0x40
const V = 0x80
const VM = 0xc0
const DWR = 280
const CER = 257
const UAR = 300
const CX = 16777216
const REQ = 0x80
const REQ_PXY = 0xc0

function ok(bytes: Uint8Array) {
  const r = decodeMessage(bytes)
  assert.ok(r.ok, r.ok ? '' : `${r.error.code} (${r.error.resultCode}): ${r.error.reason}`)
  return r.message
}

function err(bytes: Uint8Array, options?: Parameters<typeof decodeMessage>[1]) {
  const r = decodeMessage(bytes, options)
  assert.ok(!r.ok, 'expected a decode error')
  return r.error
}

/** A DWR with the given AVPs after Origin-Host and Origin-Realm. */
const dwr = (...avps: Buffer[]) => message({ code: DWR }, ...origin, ...avps)

/** A valid UAR (Cx), with AVPs added or replaced. */
function uar(extra: Buffer[] = [], o: { flags?: number; applicationId?: number; drop?: number[] } = {}) {
  const vsai = avp(260, M, Buffer.concat([avp(266, M, u32(10415)), avp(258, M, u32(CX))]))
  const all: [number, Buffer][] = [
    [263, avp(263, M, 'icscf.ims.test;1;1')],
    [260, vsai],
    [277, avp(277, M, u32(1))],
    [264, origin[0]!],
    [296, origin[1]!],
    [283, avp(283, M, 'ims.test')],
    [1, avp(1, M, 'alice@ims.test')],
    [601, avp(601, VM, 'sip:alice@ims.test')],
    [600, avp(600, VM, 'ims.test')],
  ]
  return message(
    { code: UAR, flags: o.flags ?? REQ_PXY, applicationId: o.applicationId ?? CX },
    ...all.filter(([c]) => !o.drop?.includes(c)).map(([, b]) => b),
    ...extra,
  )
}

describe('decodeMessage: valid messages (RFC 6733 §3, §4)', () => {
  test('a DWR: header fields and typed values', () => {
    const m = ok(dwr(avp(278, M, u32(7))))
    assert.equal(m.name, 'DWR')
    assert.equal(m.isRequest, true)
    assert.equal(m.isProxiable, false)
    assert.equal(m.hopByHop, 0x11223344)
    assert.equal(m.endToEnd, 0x55667788)
    assert.equal(m.get('Origin-Host'), 'peer.ims.test')
    assert.equal(m.originRealm, 'ims.test')
    assert.equal(m.get('Origin-State-Id'), 7)
    assert.equal(m.avps.length, 3)
  })

  test('a UAR (Cx): vendor AVPs, grouped AVPs', () => {
    const m = ok(uar())
    assert.equal(m.name, 'UAR')
    assert.equal(m.sessionId, 'icscf.ims.test;1;1')
    assert.equal(m.get('Public-Identity'), 'sip:alice@ims.test')
    assert.deepEqual(m.get('Visited-Network-Identifier'), Buffer.from('ims.test'))
    const vsai = m.get('Vendor-Specific-Application-Id')
    assert.equal(vsai?.get('Vendor-Id'), 10415)
    assert.equal(vsai?.get('Auth-Application-Id'), CX)
  })

  test('values are read on first access, once', () => {
    const m = ok(uar())
    const a = m.find('Visited-Network-Identifier')!
    assert.equal(a.value, a.value)
    assert.equal(m.get('Vendor-Specific-Application-Id'), m.get('Vendor-Specific-Application-Id'))
  })

  test('the padding of the last AVP of a group may be missing', () => {
    const inner = Buffer.concat([avp(280, M, 'dra.ims.test'), avp(33, M, 'abc', { noPadding: true })])
    const m = ok(dwr(avp(284, M, inner)))
    assert.equal(m.get('Proxy-Info')?.get('Proxy-State')?.length, 3)
  })

  test('an unknown AVP without the M bit is kept and skipped (RFC 6733 §4.1)', () => {
    const m = ok(dwr(avp(494, V, 'call-id', { vendorId: 50 })))
    const a = m.avps.byCode(494, 50)!
    assert.equal(a.name, undefined)
    assert.equal(a.label, 'AVP 494 (vendor 50)')
    assert.equal(a.value, undefined)
    assert.deepEqual(Buffer.from(a.data), Buffer.from('call-id'))
  })

  test('an invalid value in an AVP without the M bit is kept, marked, and skipped by get()', () => {
    const m = ok(dwr(avp(281, 0, Buffer.from([0xff, 0xfe]))))
    const a = m.find('Error-Message')!
    assert.equal(a.valid, false)
    assert.equal(a.value, undefined)
    assert.equal(m.get('Error-Message'), undefined)
    assert.equal(m.has('Error-Message'), true)
    assert.deepEqual(m.getAll('Error-Message'), [])
  })

  test('a required AVP of a request without the M bit whose value cannot be read: 5004/5014 with the AVP', () => {
    // User-Name (required in UAR) with bad UTF-8: without the M bit it would be ignored, leaving
    // the UAR without one (RFC 6733 §4.1, §7.1.5)
    let e = err(uar([avp(1, 0, Buffer.from([0x61, 0xc3]))], { drop: [1] }))
    assert.equal(e.code, E.INVALID_AVP_VALUE, e.reason)
    assert.equal(e.resultCode, 5004)
    assert.equal(e.failedAvp?.code, 1)
    assert.ok(answerFor(e, { originHost: 'h.test', originRealm: 'test' }) !== undefined)
    // Auth-Session-State (required, Enumerated) of 2 octets: 5014
    e = err(uar([avp(277, 0, Buffer.from([0, 1]))], { drop: [277] }))
    assert.equal(e.code, E.BAD_AVP_LENGTH, e.reason)
    assert.equal(e.resultCode, 5014)
    // inside a group: Vendor-Id of the Vendor-Specific-Application-Id, 2 octets
    const vsai = avp(260, M, Buffer.concat([avp(266, 0, Buffer.from([0, 0])), avp(258, M, u32(CX))]))
    e = err(uar([vsai], { drop: [260] }))
    assert.equal(e.resultCode, 5014, e.reason)
    assert.equal(e.failedAvp?.name, 'Vendor-Specific-Application-Id')
    assert.equal(e.failedAvp?.group?.items[0]?.code, 266)
    // an unreadable Origin-Host (in a CER, it would name a peer '')
    e = err(message({ code: DWR }, avp(264, 0, 'bad host'), origin[1]!))
    assert.equal(e.resultCode, 5004, e.reason)
    // an optional one is still ignored; an answer is still read
    ok(dwr(avp(281, 0, Buffer.from([0xff]))))
    ok(message({ code: DWR, flags: 0 }, avp(268, M, u32(2001)), avp(264, 0, 'bad host'), origin[1]!))
  })

  test('an unknown enumeration value without the M bit is accepted', () => {
    const m = ok(message({ code: 282 }, ...origin, avp(273, 0, u32(9))))
    assert.equal(m.find('Disconnect-Cause')?.valid, false)
  })
})

describe('decodeMessage: the header (RFC 6733 §3)', () => {
  test('fewer than 20 octets: 5015, no header', () => {
    const e = err(Buffer.alloc(19, 1))
    assert.equal(e.code, E.TRUNCATED)
    assert.equal(e.resultCode, 5015)
    assert.equal(e.header, undefined)
    assert.equal(answerFor(e, { originHost: 'h', originRealm: 'r' }), undefined)
  })

  test('a version other than 1: 5011, answerable', () => {
    const e = err(message({ code: DWR, version: 2 }, ...origin))
    assert.equal(e.code, E.UNSUPPORTED_VERSION)
    assert.equal(e.resultCode, ResultCode.DIAMETER_UNSUPPORTED_VERSION)
    assert.equal(e.header?.commandCode, DWR)
  })

  test('Message Length longer than the input: 5015', () => {
    const b = dwr()
    const e = err(b.subarray(0, b.length - 4))
    assert.equal(e.code, E.TRUNCATED)
    assert.equal(e.resultCode, 5015)
  })

  test('Message Length shorter than the input, below 20, or not a multiple of 4: 5015', () => {
    const b = dwr()
    for (const length of [b.length - 4, 12, 0, b.length + 2]) {
      const e = err(message({ code: DWR, length }, ...origin))
      assert.equal(
        e.code,
        length === b.length + 2 ? E.BAD_MESSAGE_LENGTH : E.BAD_MESSAGE_LENGTH,
        `length ${length}`,
      )
      assert.equal(e.resultCode, 5015)
    }
    const e = err(Buffer.concat([b, Buffer.alloc(4)]))
    assert.equal(e.code, E.BAD_MESSAGE_LENGTH)
  })

  test('a message over maxMessageSize: 5012', () => {
    const e = err(dwr(avp(278, M, u32(1))), { maxMessageSize: 64 })
    assert.equal(e.code, E.MESSAGE_TOO_LARGE)
    assert.equal(e.resultCode, 5012)
  })

  test('reserved command flag bits: 5013 DIAMETER_INVALID_BIT_IN_HEADER, the message kept', () => {
    const e = err(message({ code: DWR, flags: REQ | 0x01 }, ...origin))
    assert.equal(e.code, E.RESERVED_HEADER_BITS)
    assert.equal(e.resultCode, ResultCode.DIAMETER_INVALID_BIT_IN_HEADER)
    assert.equal(e.message?.originHost, 'peer.ims.test')
  })

  test('E bit in a request, T bit in an answer, P bit unlike the command: 3008', () => {
    for (const [flags, code, appId] of [
      [REQ | 0x20, DWR, 0],
      [0x10, DWR, 0],
      [REQ | 0x40, CER, 0],
      [REQ, UAR, CX],
    ] as const) {
      const bytes =
        code === UAR
          ? uar([], { flags })
          : message(
              { code, flags, applicationId: appId },
              ...origin,
              avp(257, M, Buffer.from([0, 1, 127, 0, 0, 1])),
            )
      const e = err(bytes)
      assert.equal(e.code, E.INVALID_HEADER_BITS, `flags ${flags.toString(16)}`)
      assert.equal(e.resultCode, ResultCode.DIAMETER_INVALID_HDR_BITS)
    }
  })

  test('an unknown command: 3001; a known one with another Application-Id: 3007', () => {
    const e = err(message({ code: 999 }, ...origin))
    assert.equal(e.code, E.COMMAND_UNSUPPORTED)
    assert.equal(e.resultCode, 3001)
    const e2 = err(uar([], { applicationId: 4 }))
    assert.equal(e2.code, E.APPLICATION_UNSUPPORTED)
    assert.equal(e2.resultCode, 3007)
  })
})

describe('decodeMessage: AVP lengths (RFC 6733 §4.1; 5014)', () => {
  test('AVP Length 0 does not loop (deps.md §4.6): 5014 with a zero-filled Failed-AVP', () => {
    const e = err(dwr(avp(278, M, u32(1), { length: 0 })))
    assert.equal(e.code, E.BAD_AVP_LENGTH)
    assert.equal(e.resultCode, ResultCode.DIAMETER_INVALID_AVP_LENGTH)
    assert.equal(e.failedAvp?.code, 278)
    assert.equal(e.failedAvp?.length, 12)
    assert.deepEqual(Buffer.from(e.failedAvp!.data), Buffer.alloc(4))
    assert.equal(e.sessionId, undefined)
  })

  test('AVP Length below the header (8, or 12 with the V bit): 5014', () => {
    for (const [flags, length] of [
      [M, 7],
      [VM, 11],
      [VM, 8],
    ] as const) {
      const e = err(dwr(avp(601, flags, 'sip:a@b', { length })))
      assert.equal(e.code, E.BAD_AVP_LENGTH, `flags ${flags} length ${length}`)
    }
  })

  test('AVP Length past the end of the message: 5014', () => {
    const e = err(dwr(avp(278, M, u32(1), { length: 200 })))
    assert.equal(e.code, E.BAD_AVP_LENGTH)
    assert.match(e.reason, /past the end/)
  })

  test('4 octets left at the end of the message: 5015', () => {
    const e = err(dwr(u32(264)))
    assert.equal(e.code, E.BAD_MESSAGE_LENGTH)
    assert.equal(e.resultCode, 5015)
  })

  test('a data length wrong for the type (Unsigned32 with 5 octets) with the M bit: 5014, the AVP in Failed-AVP', () => {
    const bad = avp(278, M, Buffer.from([0, 0, 0, 0, 1]))
    const e = err(dwr(bad))
    assert.equal(e.code, E.BAD_AVP_LENGTH)
    assert.equal(e.failedAvp?.code, 278)
    assert.equal(e.failedAvp?.length, 13)
    assert.ok(e.message !== undefined)
  })

  test('every fixed-length type checks its length', () => {
    // Integer64/Unsigned64 (Accounting-Sub-Session-Id), Time (Event-Timestamp), Address (Host-IP-Address)
    for (const [code, data] of [
      [287, Buffer.alloc(7)],
      [55, Buffer.alloc(3)],
      [257, Buffer.from([0, 1, 1, 2, 3])],
      [257, Buffer.from([0, 2, 1, 2, 3, 4])],
      [257, Buffer.from([0])],
    ] as const) {
      const e = err(dwr(avp(code, M, data)))
      assert.equal(e.code, E.BAD_AVP_LENGTH, `AVP ${code} with ${data.length} octets`)
    }
  })

  test('a truncated group: 5014, Failed-AVP is the group holding the zero-filled inner AVP', () => {
    const inner = Buffer.concat([avp(266, M, u32(10415)), avp(298, M, u32(2001), { length: 40 })])
    const e = err(dwr(avp(297, M, inner)))
    assert.equal(e.code, E.BAD_AVP_LENGTH)
    const f = e.failedAvp!
    assert.equal(f.name, 'Experimental-Result')
    assert.equal(f.group?.length, 1)
    assert.equal(f.group?.items[0]?.name, 'Experimental-Result-Code')
    assert.equal(f.group?.items[0]?.length, 12)
  })

  test('a group whose content ends with fewer than 8 octets: 5014', () => {
    const e = err(dwr(avp(297, M, Buffer.concat([avp(266, M, u32(10415)), u32(298)]))))
    assert.equal(e.code, E.BAD_AVP_LENGTH)
    assert.equal(e.failedAvp?.name, 'Experimental-Result')
  })
})

describe('decodeMessage: AVP flags and values', () => {
  test('reserved AVP flag bits: 3009 with the AVP', () => {
    const e = err(dwr(avp(278, M | 0x01, u32(1))))
    assert.equal(e.code, E.INVALID_AVP_BITS)
    assert.equal(e.resultCode, ResultCode.DIAMETER_INVALID_AVP_BITS)
    assert.equal(e.failedAvp?.code, 278)
  })

  test('an unknown AVP with the M bit: 5001 with the AVP', () => {
    const e = err(dwr(avp(9999, M, 'x')))
    assert.equal(e.code, E.AVP_UNSUPPORTED)
    assert.equal(e.resultCode, ResultCode.DIAMETER_AVP_UNSUPPORTED)
    assert.equal(e.failedAvp?.code, 9999)
    assert.deepEqual(Buffer.from(e.failedAvp!.data), Buffer.from('x'))
  })

  test('a Cx AVP without the V bit is another AVP: 5001 when its M bit is set', () => {
    const e = err(dwr(avp(601, M, 'sip:a@b')))
    assert.equal(e.code, E.AVP_UNSUPPORTED)
  })

  test('an unknown M-bit AVP inside a group: 5001, Failed-AVP is the group holding it', () => {
    const item = avp(
      612,
      VM,
      Buffer.concat([avp(608, VM, 'Digest-AKAv1-MD5'), avp(4242, VM, 'x', { vendorId: 10415 })]),
    )
    const e = err(uar([item]))
    assert.equal(e.code, E.AVP_UNSUPPORTED)
    const f = e.failedAvp!
    assert.equal(f.name, 'SIP-Auth-Data-Item')
    assert.deepEqual(
      f.group?.items.map((a) => a.code),
      [4242],
    )
  })

  test('invalid values with the M bit: 5004 with the AVP', () => {
    for (const bytes of [
      dwr(avp(263, M, Buffer.from([0x61, 0xc3]))), // UTF8String: a truncated sequence
      dwr(avp(263, M, Buffer.from([0xed, 0xa0, 0x80]))), // UTF8String: a surrogate
      message({ code: DWR }, avp(264, M, 'peer ims.test'), origin[1]!), // DiameterIdentity with a space
      message({ code: DWR }, avp(264, M, ''), origin[1]!), // empty DiameterIdentity
      dwr(avp(257, M, Buffer.from([0, 9, 1, 2]))), // Address: unknown family
      message({ code: 282 }, ...origin, avp(273, M, u32(9))), // Disconnect-Cause 9
    ]) {
      const e = err(bytes)
      assert.equal(e.code, E.INVALID_AVP_VALUE, e.reason)
      assert.equal(e.resultCode, ResultCode.DIAMETER_INVALID_AVP_VALUE)
      assert.ok(e.failedAvp !== undefined)
    }
  })

  test('grouped AVPs nested deeper than maxDepth: 5012', () => {
    let g = avp(278, M, u32(1))
    for (let i = 0; i < 10; i++) g = avp(279, M, g)
    const e = err(message({ code: 282, flags: 0 }, avp(268, M, u32(2001)), ...origin, g))
    assert.equal(e.code, E.TOO_DEEP)
    assert.equal(e.resultCode, 5012)
    const r = decodeMessage(message({ code: 282, flags: 0 }, avp(268, M, u32(2001)), ...origin, g), {
      maxDepth: 11,
    })
    assert.ok(r.ok)
  })

  test('more AVPs than maxAvpCount: 5012', () => {
    const many = Array.from({ length: 20 }, () => avp(9998, 0, 'x'))
    const e = err(dwr(...many), { maxAvpCount: 16 })
    assert.equal(e.code, E.TOO_MANY_AVPS)
    assert.equal(e.resultCode, 5012)
  })
})

describe('decodeMessage: command grammars (RFC 6733 §3.2)', () => {
  test('a missing required AVP: 5005 with a zero-filled example', () => {
    const e = err(message({ code: DWR }, origin[0]!))
    assert.equal(e.code, E.MISSING_AVP)
    assert.equal(e.resultCode, ResultCode.DIAMETER_MISSING_AVP)
    assert.equal(e.failedAvp?.name, 'Origin-Realm')
    assert.equal(e.failedAvp?.length, 8)
    assert.equal(e.failedAvp?.flags, M)
    // a Cx one carries its Vendor-Id
    const e2 = err(uar([], { drop: [601] }))
    assert.equal(e2.failedAvp?.name, 'Public-Identity')
    assert.equal(e2.failedAvp?.vendorId, 10415)
    assert.equal(e2.failedAvp?.flags, VM)
  })

  test('< Session-Id > missing, or not first: 5005 / 5008', () => {
    const e = err(uar([], { drop: [263] }))
    assert.equal(e.code, E.MISSING_AVP)
    assert.equal(e.failedAvp?.name, 'Session-Id')
    const e2 = err(message({ code: UAR, flags: REQ_PXY, applicationId: CX }, ...uarAvpsRotated()))
    assert.equal(e2.code, E.AVP_NOT_ALLOWED)
    assert.equal(e2.resultCode, ResultCode.DIAMETER_AVP_NOT_ALLOWED)
    assert.equal(e2.failedAvp?.name, 'Session-Id')
  })

  test('an AVP more often than allowed: 5009 with the first one over', () => {
    const e = err(dwr(avp(278, M, u32(1)), avp(278, M, u32(2))))
    assert.equal(e.code, E.AVP_OCCURS_TOO_MANY_TIMES)
    assert.equal(e.resultCode, ResultCode.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES)
    assert.equal(e.failedAvp?.value, 2)
  })

  test('inside a group: a missing required AVP is reported inside its group', () => {
    const digest = avp(635, V, Buffer.concat([avp(104, 0, 'ims.test'), avp(110, 0, 'auth')]))
    const item = avp(612, VM, Buffer.concat([avp(608, VM, 'SIP Digest'), digest]))
    const e = err(uar([item]))
    assert.equal(e.code, E.MISSING_AVP)
    const f = e.failedAvp!
    assert.equal(f.name, 'SIP-Auth-Data-Item')
    assert.equal(f.group?.items[0]?.name, 'SIP-Digest-Authenticate')
    assert.equal(f.group?.items[0]?.group?.items[0]?.name, 'Digest-HA1')
  })

  test('Failed-AVP needs at least one AVP (1* {AVP})', () => {
    const e = err(
      message({ code: DWR, flags: 0 }, avp(268, M, u32(5005)), ...origin, avp(279, M, Buffer.alloc(0))),
    )
    assert.equal(e.code, E.MISSING_AVP)
  })

  test("an answer with the E bit follows the §7.2 grammar, not the command's", () => {
    const m = ok(message({ code: UAR, flags: 0x60, applicationId: CX }, ...origin, avp(268, M, u32(3002))))
    assert.equal(m.isError, true)
    assert.equal(m.resultCode, 3002)
    const e = err(message({ code: UAR, flags: 0x60, applicationId: CX }, ...origin))
    assert.equal(e.code, E.MISSING_AVP)
    assert.equal(e.failedAvp?.name, 'Result-Code')
  })
})

/** UAR AVPs with the Session-Id moved to the end. */
function uarAvpsRotated(): Buffer[] {
  const b = uar()
  const r = decodeMessage(b)
  assert.ok(r.ok)
  const items = r.message.avps.items
  const raw = (a: Avp) =>
    b.subarray(a._start - (a.flags & V ? 12 : 8), a._start - (a.flags & V ? 12 : 8) + ((a.length + 3) & ~3))
  return [...items.slice(1).map(raw), raw(items[0]!)]
}

describe('decodeMessage: Failed-AVP holds the offending AVPs of another message (RFC 6733 §7.5)', () => {
  const dwa = (failed: Buffer) =>
    message({ code: DWR, flags: 0 }, avp(268, M, u32(5001)), ...origin, avp(279, M, failed))

  test('unknown M-bit AVPs, invalid values and incomplete groups inside it are not problems', () => {
    for (const inner of [
      avp(9999, M, 'x'),
      avp(263, M, Buffer.from([0xff])),
      avp(297, M, Buffer.alloc(0)),
      avp(278, M | 0x01, u32(1)),
      avp(612, VM, avp(4242, VM, 'x')),
    ]) {
      const m = ok(dwa(inner))
      assert.equal(m.get('Failed-AVP')?.length, 1)
    }
  })

  test('broken lengths inside it: the Failed-AVP is kept unread', () => {
    const m = ok(dwa(avp(278, M, u32(1), { length: 0 })))
    const f = m.find('Failed-AVP')!
    assert.equal(f.valid, false)
    assert.equal(m.get('Failed-AVP'), undefined)
    assert.equal(f.data.length, 12)
  })
})

describe('answerFor (RFC 6733 §7.2)', () => {
  const me = { originHost: 'hss.ims.test', originRealm: 'ims.test' }

  test('a request missing an AVP: E bit, identifiers, Session-Id, Result-Code, Failed-AVP, Proxy-Info', () => {
    const proxy1 = avp(284, M, Buffer.concat([avp(280, M, 'dra1.ims.test'), avp(33, M, 'state1')]))
    const proxy2 = avp(284, M, Buffer.concat([avp(280, M, 'dra2.ims.test'), avp(33, M, 'state2')]))
    const e = err(uar([proxy1, proxy2], { drop: [601] }))
    const a = answerFor(e, me)!
    assert.equal(a.isRequest, false)
    assert.equal(a.isError, true)
    assert.equal(a.isProxiable, true)
    assert.equal(a.commandCode, UAR)
    assert.equal(a.applicationId, CX)
    assert.equal(a.hopByHop, 0x11223344)
    assert.equal(a.endToEnd, 0x55667788)
    const r = decodeMessage(encodeMessage(a))
    assert.ok(r.ok, r.ok ? '' : r.error.reason)
    const m = r.message
    assert.equal(m.sessionId, 'icscf.ims.test;1;1')
    assert.equal(m.resultCode, 5005)
    assert.equal(m.originHost, 'hss.ims.test')
    assert.match(m.get('Error-Message') ?? '', /Public-Identity/)
    assert.equal(m.get('Failed-AVP')?.items[0]?.name, 'Public-Identity')
    assert.deepEqual(
      m.getAll('Proxy-Info').map((p) => p.get('Proxy-Host')),
      ['dra1.ims.test', 'dra2.ims.test'],
    )
    assert.equal(m.avps.items[0]?.name, 'Session-Id')
  })

  test('a structural error still copies the Session-Id read before it', () => {
    const e = err(uar([avp(278, M, u32(1), { length: 0 })]))
    assert.equal(e.message, undefined)
    const a = answerFor(e, { ...me, errorMessage: false })!
    assert.equal(a.sessionId, 'icscf.ims.test;1;1')
    assert.equal(a.get('Result-Code'), 5014)
    assert.equal(a.has('Error-Message'), false)
    assert.ok(decodeMessage(encodeMessage(a)).ok)
  })

  test('nothing to answer for an answer', () => {
    const e = err(message({ code: DWR, flags: 0 }, ...origin))
    assert.equal(answerFor(e, me), undefined)
  })
})
