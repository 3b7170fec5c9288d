import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { isStun, stunBindingResponse } from './stun.ts'

function bindingRequest(id = Buffer.from('0123456789ab')): Buffer {
  const b = Buffer.alloc(20)
  b.writeUInt16BE(0x0001, 0)
  b.writeUInt16BE(0, 2)
  b.writeUInt32BE(0x2112a442, 4)
  id.copy(b, 8)
  return b
}

/** Reads XOR-MAPPED-ADDRESS back (RFC 5389 §15.2), independently of the writer. */
function mapped(res: Buffer): { family: number; port: number; address: string } {
  assert.equal(res.readUInt16BE(0), 0x0101, 'Binding success')
  assert.equal(res.readUInt16BE(2), res.length - 20)
  assert.equal(res.readUInt16BE(20), 0x0020)
  const family = res[25]!
  const port = res.readUInt16BE(26) ^ 0x2112
  const key = res.subarray(4, 20)
  const raw = res.subarray(28, 28 + (family === 1 ? 4 : 16))
  const bytes = [...raw].map((x, i) => x ^ key[i]!)
  const address =
    family === 1
      ? bytes.join('.')
      : Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(':')
  return { family, port, address }
}

describe('STUN keep-alive (RFC 5626 §4.4.2, RFC 5389)', () => {
  it('answers a Binding request with the source in XOR-MAPPED-ADDRESS, same transaction id', () => {
    const req = bindingRequest()
    const res = stunBindingResponse(req, '198.51.100.7', 40312)!
    assert.deepEqual(res.subarray(4, 20), req.subarray(4, 20))
    assert.deepEqual(mapped(res), { family: 1, port: 40312, address: '198.51.100.7' })
    const v6 = stunBindingResponse(req, '2001:db8::7', 5060)!
    assert.deepEqual(mapped(v6), { family: 2, port: 5060, address: '2001:db8:0:0:0:0:0:7' })
    const mappedV4 = stunBindingResponse(req, '::ffff:192.0.2.1', 5060)!
    assert.equal(mapped(mappedV4).address, '0:0:0:0:0:ffff:c000:201')
  })

  it('leaves SIP and other STUN messages alone; malformed lengths get no answer', () => {
    assert.equal(isStun(Buffer.from('OPTIONS sip:example.com SIP/2.0\r\n\r\n')), false)
    assert.equal(isStun(Buffer.from('\r\n\r\n')), false)
    const indication = bindingRequest()
    indication.writeUInt16BE(0x0011, 0)
    assert.equal(stunBindingResponse(indication, '192.0.2.1', 1), undefined)
    const badLength = bindingRequest()
    badLength.writeUInt16BE(8, 2)
    assert.equal(stunBindingResponse(badLength, '192.0.2.1', 1), undefined)
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, cookie) => {
        const b = Buffer.from(bytes)
        if (cookie && b.length >= 8) b.writeUInt32BE(0x2112a442, 4)
        const r = stunBindingResponse(b, '192.0.2.1', 5060)
        assert.ok(r === undefined || r.readUInt16BE(0) === 0x0101)
      }),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })
})
