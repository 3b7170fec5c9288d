import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { DIGIT, parseDigits, scan, skipWs, TOKEN, WORD } from '../chars.ts'
import { CallId, CSeq, type CSeqValue, type Headers, parseMessage } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): CSeqValue | undefined {
  return CSeq.parse(text, 0, text.length)
}

describe('CSeq (RFC 3261 §20.16, §25.1 CSeq = 1*DIGIT LWS Method)', () => {
  test('§20.16 examples through a message', () => {
    assert.deepEqual(headers('CSeq: 4711 INVITE').get(CSeq), { seq: 4711, method: 'INVITE' })
    assert.deepEqual(headers('cseq:1 OPTIONS').get(CSeq), { seq: 1, method: 'OPTIONS' })
  })

  test('§25.1 LWS between the number and the method may be several SP / HTAB, or folded', () => {
    assert.deepEqual(parse('314159  \t INVITE'), { seq: 314159, method: 'INVITE' })
    assert.deepEqual(headers('CSeq: 8\r\n   REGISTER').get(CSeq), { seq: 8, method: 'REGISTER' })
  })

  test('§8.1.1.5: the sequence number is a 32-bit unsigned integer: 0 to 2^32-1', () => {
    assert.equal(parse('0 ACK')?.seq, 0)
    assert.equal(parse('4294967295 BYE')?.seq, 4294967295)
    assert.equal(parse('4294967296 BYE'), undefined)
    assert.equal(parse('99999999999999999999 BYE'), undefined)
    assert.equal(parse('0000000001 BYE')?.seq, 1)
  })

  test('§25.1 Method: extension methods and case are kept as written (methods are case-sensitive, §7.1)', () => {
    assert.deepEqual(parse("1 !interesting-Method0123456789_*+`.%indeed'~"), {
      seq: 1,
      method: "!interesting-Method0123456789_*+`.%indeed'~",
    })
    assert.equal(parse('2 invite')?.method, 'invite')
  })

  test('invalid values give undefined', () => {
    for (const bad of [
      '',
      'INVITE', // no number
      '1', // no method
      '1INVITE', // no LWS
      '-1 INVITE',
      '+1 INVITE',
      '1.5 INVITE',
      'one INVITE',
      '1 INVITE extra',
      '1 INV,ITE',
      '1 INVITE;x=y',
      '0x10 INVITE',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('single header: two CSeq fields give undefined', () => {
    assert.equal(headers('CSeq: 1 INVITE', 'CSeq: 1 INVITE').get(CSeq), undefined)
    assert.equal(headers('CSeq: 1 INVITE, 2 INVITE').get(CSeq), undefined)
  })

  test('format and round trip: parse(format(v)) deep-equals v', () => {
    const v: CSeqValue = { seq: 4294967295, method: 'SUBSCRIBE' }
    const text = CSeq.format(v)
    assert.equal(text, '4294967295 SUBSCRIBE')
    assert.deepEqual(CSeq.parse(text, 0, text.length), v)
    for (const wire of ['4711 INVITE', '0  \t ACK', '00042 foo']) {
      const once = parse(wire)!
      const t = CSeq.format(once)
      assert.deepEqual(parse(t), once)
      assert.equal(CSeq.format(parse(t)!), t)
    }
  })
})

describe('CSeq and Call-ID parsers against their former char-class scans (fast-check)', () => {
  const text = fc.string({
    unit: fc.constantFrom(...'0123456789 \tINVITEack-.!%*_+`\'~()<>:\\"/[]?{}@,;é\u0100'.split('')),
    maxLength: 30,
  })
  test('parseCSeq', () => {
    fc.assert(
      fc.property(text, fc.nat({ max: 3 }), (s, cut) => {
        const end = Math.max(0, s.length - cut)
        assert.deepEqual(CSeq.parse(s, 0, end), formerCSeq(s, 0, end))
        assert.deepEqual(CSeq.parse(`9 ${s}`, 2, end + 2), formerCSeq(`9 ${s}`, 2, end + 2))
      }),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })
  test('parseCallId', () => {
    fc.assert(
      fc.property(text, fc.nat({ max: 3 }), (s, cut) => {
        const end = Math.max(0, s.length - cut)
        assert.equal(CallId.parse(s, 0, end), formerCallId(s, 0, end))
      }),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })
})

function formerCSeq(s: string, start: number, end: number): CSeqValue | undefined {
  const digitsEnd = scan(s, start, end, DIGIT)
  const seq = parseDigits(s, start, digitsEnd, 0xffffffff)
  if (seq < 0) return undefined
  const m = skipWs(s, digitsEnd, end)
  if (m === digitsEnd) return undefined
  if (scan(s, m, end, TOKEN) !== end || m === end) return undefined
  return { seq, method: s.slice(m, end) }
}

function formerCallId(s: string, start: number, end: number): string | undefined {
  const a = scan(s, start, end, WORD)
  if (a === start) return undefined
  if (a !== end) {
    if (s.charCodeAt(a) !== 64) return undefined
    const b = scan(s, a + 1, end, WORD)
    if (b !== end || b === a + 1) return undefined
  }
  return s.slice(start, end)
}
