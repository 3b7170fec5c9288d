import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  ContentLength,
  Expires,
  FlowTimer,
  type Headers,
  MaxForwards,
  MinExpires,
  parseMessage,
  type SingleHeader,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(h: SingleHeader<number>, text: string): number | undefined {
  return h.parse(text, 0, text.length)
}

/** Headers whose value is delta-seconds, at most 2^32-1 (RFC 3261 §20.19, §25.1). */
const deltaSeconds: Array<[string, SingleHeader<number>]> = [
  ['Expires (§20.19)', Expires],
  ['Min-Expires (§20.23)', MinExpires],
  ['Flow-Timer (RFC 5626 §11.4)', FlowTimer],
  ['Content-Length (§20.14)', ContentLength],
]

const notNumbers = ['', '-1', '+1', '1.5', '1e3', '0x10', 'abc', '1 2', '12a', ' ']

describe('Max-Forwards (RFC 3261 §20.22, §25.1 1*DIGIT)', () => {
  test('§20.22: 0 to 255 are valid', () => {
    assert.equal(headers('Max-Forwards: 70').get(MaxForwards), 70)
    assert.equal(headers('Max-Forwards: 0').get(MaxForwards), 0)
    assert.equal(headers('Max-Forwards: 255').get(MaxForwards), 255)
    assert.equal(headers('max-forwards:  007 ').get(MaxForwards), 7)
  })

  test('§20.22: 256 and beyond are invalid', () => {
    assert.equal(headers('Max-Forwards: 256').get(MaxForwards), undefined)
    assert.equal(parse(MaxForwards, '1000'), undefined)
    assert.equal(parse(MaxForwards, '99999999999999999999'), undefined)
  })

  test('anything but digits is invalid', () => {
    for (const bad of notNumbers) assert.equal(parse(MaxForwards, bad), undefined, JSON.stringify(bad))
  })

  test('single header: two fields give undefined, absent gives undefined', () => {
    assert.equal(headers('Max-Forwards: 70', 'Max-Forwards: 70').get(MaxForwards), undefined)
    assert.equal(headers('Max-Forwards: 70, 69').get(MaxForwards), undefined)
    assert.equal(headers('Expires: 5').get(MaxForwards), undefined)
  })
})

describe('delta-seconds headers: Expires, Min-Expires, Flow-Timer, Content-Length', () => {
  for (const [name, h] of deltaSeconds) {
    test(`${name}: 0 to 2^32-1 valid, 2^32 invalid (§20.19 delta-seconds)`, () => {
      assert.equal(parse(h, '0'), 0)
      assert.equal(parse(h, '3600'), 3600)
      assert.equal(parse(h, '4294967295'), 4294967295)
      assert.equal(parse(h, '4294967296'), undefined)
      assert.equal(parse(h, '18446744073709551616'), undefined)
      for (const bad of notNumbers) assert.equal(parse(h, bad), undefined, JSON.stringify(bad))
    })
  }

  test('§20.19 Expires through a message; the RFC 2543 date form is invalid', () => {
    assert.equal(headers('Expires: 5').get(Expires), 5)
    assert.equal(headers('Expires: 4294967295').get(Expires), 4294967295)
    assert.equal(headers('Expires: 4294967296').get(Expires), undefined)
    assert.equal(headers('Expires: Thu, 01 Dec 1994 16:00:00 GMT').get(Expires), undefined)
  })

  test('§20.23 Min-Expires and RFC 5626 §11.4 Flow-Timer through a message', () => {
    const h = headers('Min-Expires: 60', 'Flow-Timer: 120')
    assert.equal(h.get(MinExpires), 60)
    assert.equal(h.get(FlowTimer), 120)
  })

  test('§20.14 Content-Length and its compact form "l" (§7.3.3)', () => {
    assert.equal(headers('Content-Length: 0').get(ContentLength), 0)
    assert.equal(headers('l: 0').get(ContentLength), 0)
    assert.equal(headers('Max-Forwards: 70').get(ContentLength), undefined)
  })
})

describe('numbers: format', () => {
  test('format writes decimal digits; parse(format(v)) deep-equals v', () => {
    for (const [, h] of [...deltaSeconds, ['Max-Forwards', MaxForwards] as const]) {
      for (const v of [0, 1, 70, 255]) {
        const text = h.format(v)
        assert.equal(text, String(v))
        assert.equal(h.parse(text, 0, text.length), v)
      }
    }
    for (const [, h] of deltaSeconds) {
      const text = h.format(4294967295)
      assert.equal(text, '4294967295')
      assert.equal(h.parse(text, 0, text.length), 4294967295)
    }
  })

  test('parse → format → parse is stable: leading zeros go', () => {
    const v = parse(Expires, '000300')
    assert.equal(v, 300)
    assert.equal(Expires.format(v!), '300')
    assert.equal(parse(Expires, Expires.format(v!)), 300)
  })
})
