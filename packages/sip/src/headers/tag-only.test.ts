import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { charAt, scanQuoted, skipWs } from '../chars.ts'
import { FromTag, type Headers, parseMessage, ToTag } from '../index.ts'
import { params } from '../params.ts'
import { parseFromTo, parseTagOnly } from './from-to.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

const tagOf = (text: string): string | undefined => parseTagOnly(text, 0, text.length)

/** The tag reader as it was, on the shared parameter cursor: the oracle for the one in place. */
function former(s: string, start: number, end: number): string | undefined {
  let i = skipWs(s, start, end)
  if (charAt(s, i, end) === 34) {
    i = scanQuoted(s, i, end)
    if (i === -1) return undefined
  }
  const open = s.indexOf('<', i)
  const semi = s.indexOf(';', i)
  if (open !== -1 && open < end && (semi === -1 || open < semi)) {
    const close = s.indexOf('>', open)
    if (close === -1 || close >= end) return undefined
    i = close + 1
  } else {
    i = semi === -1 || semi > end ? end : semi
  }
  let tag = ''
  for (const p = params.start(s, i, end); p.next(); ) {
    if (tag === '' && p.is('tag')) {
      const t = p.token()
      if (t === undefined) return undefined
      tag = t
    }
  }
  return params.failed ? undefined : tag
}

describe('FromTag / ToTag: the tag alone (RFC 3261 §19.3, §16.3)', () => {
  test('name-addr and addr-spec, with and without a tag, in a message', () => {
    const h = headers(
      'From: "Alice" <sip:alice@example.com;transport=tcp>;tag=1928301774',
      'To: <sip:bob@example.com>',
    )
    assert.equal(h.get(FromTag), '1928301774')
    assert.equal(h.get(ToTag), '')
    const a = headers(
      'f: sip:alice@example.com ; TAG = x1 ;tag=ignored',
      't: Bob <sip:bob@example.com> ;tag=b2',
    )
    assert.equal(a.get(FromTag), 'x1')
    assert.equal(a.get(ToTag), 'b2')
  })

  test('a tag that is no token, or broken parameters, give undefined', () => {
    for (const v of [
      '<sip:a@example.com>;tag="q"',
      '<sip:a@example.com>;tag',
      '<sip:a@example.com>;tag=',
      '<sip:a@example.com> x',
      '<sip:a@example.com>;;tag=1',
      '<sip:a@example.com',
      '"unterminated <sip:a@example.com>',
      'sip:a@example.com;tag=a:b',
    ]) {
      assert.equal(tagOf(v), undefined, v)
    }
  })

  test('agrees with From/To parsing wherever that succeeds', () => {
    for (const v of [
      '"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s',
      'sip:+12125551212@server.phone2net.com;tag=887s',
      'Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8',
      '<sip:x@example.com;tag=uri-param>',
    ]) {
      assert.equal(tagOf(v), parseFromTo(v, 0, v.length)?.tag ?? '', v)
    }
  })

  test('reads exactly s[start, end) and agrees with the former reader on any input', () => {
    const unit = fc.constantFrom(
      '<',
      '>',
      ';',
      '=',
      '"',
      '\\',
      ' ',
      'tag',
      'TAG',
      'a',
      ':',
      '@',
      '[',
      ']',
      '1',
      ',',
      '\x80',
    )
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), fc.string({ unit, maxLength: 6 }), (value, after) => {
        const s = `X${value}${after}`
        assert.equal(parseTagOnly(s, 1, 1 + value.length), former(s, 1, 1 + value.length))
      }),
      { numRuns },
    )
  })

  test('the usual `;tag=token` ending (read at once) agrees with the former reader', () => {
    const head = fc.constantFrom(
      '"Alice" <sip:a@example.com>',
      '<sip:a@b>',
      'sip:a@b',
      'Bob <sip:b@c;lr>',
      '',
    )
    const name = fc.constantFrom('tag', 'TAG', 'Tag', 'tags', 'ta', 'tag ')
    const value = fc.string({
      unit: fc.constantFrom('a', '1', '-', '.', '~', ':', ' ', '"', ';', '\x80', '='),
      maxLength: 8,
    })
    fc.assert(
      fc.property(head, name, value, fc.constantFrom('', ' ', ';x', ';tag=y'), (h, n, v, rest) => {
        const text = `${h};${n}=${v}${rest}`
        const s = `X${text}Y`
        assert.equal(parseTagOnly(s, 1, 1 + text.length), former(s, 1, 1 + text.length))
      }),
      { numRuns },
    )
  })
})
