import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { goldenMessages } from '../test/golden.ts'
import { samples } from '../test/messages.ts'
import {
  type Avp,
  createRequest,
  DiameterCodecError,
  type DiameterMessage,
  decodeMessage,
  defaultDictionary,
  encodeMessage,
  faultCodes,
  validateMessage,
} from './index.ts'

/** Everything about an AVP: header fields, value, grouped content. */
function flat(a: Avp): unknown {
  return {
    code: a.code,
    flags: a.flags,
    vendorId: a.vendorId,
    length: a.length,
    data: a._children === undefined ? Buffer.from(a.data).toString('hex') : undefined,
    value: a._children === undefined ? a.value : undefined,
    children: a._children?.map(flat),
  }
}

function same(a: DiameterMessage, b: DiameterMessage): void {
  assert.equal(a.flags, b.flags)
  assert.equal(a.commandCode, b.commandCode)
  assert.equal(a.applicationId, b.applicationId)
  assert.equal(a.hopByHop, b.hopByHop)
  assert.equal(a.endToEnd, b.endToEnd)
  assert.deepEqual(a.avps.items.map(flat), b.avps.items.map(flat))
}

describe('encodeMessage: round trips of every command (RFC 6733, TS 29.229)', () => {
  const all = samples()
  const names = new Set(all.map((s) => s.name))
  test('the samples cover every command of the default dictionary', () => {
    for (const c of defaultDictionary.commandDefs()) assert.ok(names.has(c.name), c.name)
  })
  for (const { name, message } of all) {
    test(`${name}${message.isError ? ' (E bit)' : ''}: encode, decode, encode again`, () => {
      const bytes = encodeMessage(message)
      assert.equal(bytes.length % 4, 0)
      assert.equal(bytes.readUIntBE(1, 3), bytes.length)
      const r = decodeMessage(bytes)
      assert.ok(r.ok, r.ok ? '' : r.error.reason)
      same(r.message, message)
      const again = encodeMessage(r.message)
      assert.deepEqual(again, bytes)
    })
  }
})

describe('encodeMessage: octets (RFC 6733 §3, §4)', () => {
  test('Vendor-Specific-Application-Id {10415, 16777216}: the octets of ims.md §2.1', () => {
    const uar = createRequest('UAR', {
      avps: {
        'Session-Id': 's',
        'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': 16777216 },
        'Auth-Session-State': 1,
        'Origin-Host': 'a',
        'Origin-Realm': 'b',
        'Destination-Realm': 'c',
        'User-Name': 'u',
        'Public-Identity': 'p',
        'Visited-Network-Identifier': 'v',
      },
    })
    const bytes = encodeMessage(uar)
    const hex = bytes.toString('hex')
    assert.ok(hex.includes('00000104400000200000010a4000000c000028af000001024000000c01000000'), 'VSAI octets')
  })

  test('header: version, length, flags, code, ids', () => {
    const m = createRequest('DWR', {
      avps: { 'Origin-Host': 'peer', 'Origin-Realm': 'realm' },
      hopByHop: 0xdeadbeef,
      endToEnd: 7,
    })
    const b = encodeMessage(m)
    assert.equal(b[0], 1)
    assert.equal(b.readUIntBE(1, 3), b.length)
    assert.equal(b[4], 0x80)
    assert.equal(b.readUIntBE(5, 3), 280)
    assert.equal(b.readUInt32BE(8), 0)
    assert.equal(b.readUInt32BE(12), 0xdeadbeef)
    assert.equal(b.readUInt32BE(16), 7)
    // Origin-Host: code 264, flags M, length 8 + 4, no padding; Origin-Realm: length 13, 3 octets of padding
    assert.equal(b.subarray(20, 32).toString('hex'), `000001084000000c${Buffer.from('peer').toString('hex')}`)
    assert.equal(
      b.subarray(32, 48).toString('hex'),
      `000001284000000d${Buffer.from('realm').toString('hex')}000000`,
    )
  })

  test('padding is zero and left out of the AVP Length, kept in the Message Length and group lengths', () => {
    // fill the pool with garbage so that allocUnsafe would show it
    Buffer.allocUnsafe(4000).fill(0xee)
    for (let n = 0; n < 8; n++) {
      const m = createRequest('DWR', {
        avps: { 'Origin-Host': 'h', 'Origin-Realm': 'x'.repeat(n + 1) },
        hopByHop: 1,
        endToEnd: 1,
      })
      const b = encodeMessage(m)
      const realmAt = 20 + 12
      assert.equal(b.readUIntBE(realmAt + 5, 3), 8 + n + 1)
      const padded = (8 + n + 1 + 3) & ~3
      assert.equal(b.length, realmAt + padded)
      for (let i = realmAt + 8 + n + 1; i < b.length; i++) assert.equal(b[i], 0)
    }
    const maa = samples().find((s) => s.name === 'MAA')!.message
    const b = encodeMessage(maa)
    const r = decodeMessage(b)
    assert.ok(r.ok)
    const item = r.message.find('SIP-Auth-Data-Item')!
    // the group's length is its header plus its AVPs with their padding
    let inner = 0
    for (const a of item.group!) inner += (a.length + 3) & ~3
    assert.equal(item.length, 12 + inner)
  })

  test('a decoded message encodes octet for octet; header fields can be changed', () => {
    const bytes = encodeMessage(samples().find((s) => s.name === 'MAR')!.message)
    const r = decodeMessage(bytes)
    assert.ok(r.ok)
    assert.deepEqual(encodeMessage(r.message), bytes)
    r.message.hopByHop = 42
    r.message.isRetransmitted = true
    const b2 = encodeMessage(r.message)
    assert.equal(b2.readUInt32BE(12), 42)
    assert.equal(b2[4], 0xd0)
    assert.deepEqual(b2.subarray(20), bytes.subarray(20))
  })
})

describe('encodeMessage: the grammar is checked before sending', () => {
  test('a missing required AVP throws GRAMMAR_VIOLATION with the Result-Code a peer would answer', () => {
    const m = createRequest('UAR', {
      avps: {
        'Session-Id': 's',
        'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': 16777216 },
        'Auth-Session-State': 1,
        'Origin-Host': 'a',
        'Origin-Realm': 'b',
        'Destination-Realm': 'c',
        'User-Name': 'u',
        'Visited-Network-Identifier': 'v',
      },
    })
    assert.equal(validateMessage(m)?.resultCode, 5005)
    assert.throws(
      () => encodeMessage(m),
      (e) =>
        e instanceof DiameterCodecError && e.code === faultCodes.GRAMMAR_VIOLATION && e.resultCode === 5005,
    )
    // validate: false sends it anyway (a test tool making a bad request on purpose)
    const r = decodeMessage(encodeMessage(m, { validate: false }))
    assert.ok(!r.ok)
    assert.equal(r.error.resultCode, 5005)
  })

  test('too many, not allowed, inside groups', () => {
    const base = { 'Origin-Host': 'a', 'Origin-Realm': 'b' } as const
    assert.equal(
      validateMessage(createRequest('DWR', { avps: { ...base, 'Origin-State-Id': [1, 2] } }))?.resultCode,
      5009,
    )
    assert.equal(
      validateMessage(
        createRequest('DPR', {
          avps: { ...base, 'Disconnect-Cause': 0, 'Experimental-Result': { 'Vendor-Id': 1 } },
        }),
      )?.resultCode,
      5005,
    )
    assert.equal(validateMessage(createRequest('DWR', { avps: base })), undefined)
  })
})

describe('encodeMessage: the octets are pinned (test/fixtures/encode-golden.json)', () => {
  const golden = JSON.parse(
    readFileSync(new URL('../test/fixtures/encode-golden.json', import.meta.url), 'utf8'),
  ) as Record<string, string>
  const messages = goldenMessages((m) => encodeMessage(m))
  test('every pinned message is built here', () => {
    assert.deepEqual(messages.map(([name]) => name).sort(), Object.keys(golden).sort())
  })
  for (const [name, build] of messages) {
    test(name, () => {
      const m = build()
      assert.equal(Buffer.from(encodeMessage(m)).toString('hex'), golden[name])
      // and again: encoding leaves the message as it was
      assert.equal(Buffer.from(encodeMessage(m)).toString('hex'), golden[name])
    })
  }
})
