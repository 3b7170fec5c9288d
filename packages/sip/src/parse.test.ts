import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { defineHeader } from './header.ts'
import { parseVia } from './headers/via.ts'
import { parsedFields } from './headers.ts'
import {
  CallId,
  ContentLength,
  CSeq,
  createResponse,
  parseErrorCodes as E,
  From,
  parseMessage,
  type SipRequest,
  type SipResponse,
  To,
  ToTag,
  Via,
} from './index.ts'

const CRLF = '\r\n'
const msg = (...lines: string[]): Buffer => Buffer.from(lines.join(CRLF), 'latin1')

const options = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: "Alice" <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 OPTIONS',
  'Content-Length: 0',
  '',
  '',
]

function ok(bytes: Uint8Array): SipRequest | SipResponse {
  const r = parseMessage(bytes)
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.reason}`)
  return r.message
}

function err(bytes: Uint8Array, limits?: Parameters<typeof parseMessage>[1]) {
  const r = parseMessage(bytes, limits)
  assert.ok(!r.ok, 'expected a parse error')
  return r.error
}

describe('parseMessage: start line (RFC 3261 §7.1, §7.2)', () => {
  test('a request: method, Request-URI, version', () => {
    const m = ok(msg(...options))
    assert.ok(m.kind === 'request')
    assert.equal(m.method, 'OPTIONS')
    assert.ok(m.uri.kind === 'sip' && m.uri.user === 'bob' && m.uri.host === 'example.com')
    assert.equal(m.version, 'SIP/2.0')
  })

  test('a response: status and reason phrase, SIP-Version in any case', () => {
    const m = ok(msg('sip/2.0 486 Busy Here', ...options.slice(1)))
    assert.ok(m.kind === 'response')
    assert.equal(m.status, 486)
    assert.equal(m.reason, 'Busy Here')
  })

  test('the reason phrase is UTF-8 text (§25.1 Reason-Phrase holds UTF8-NONASCII)', () => {
    const m = ok(
      Buffer.concat([Buffer.from('SIP/2.0 200 '), Buffer.from('Très bien'), msg('', ...options.slice(1))]),
    )
    assert.ok(m.kind === 'response' && m.reason === 'Très bien')
  })

  test('CRLFs before the start line are ignored (§7.5)', () => {
    assert.equal(ok(msg('', '', ...options)).kind, 'request')
  })

  test('status codes outside 100–699 or not three digits are errors', () => {
    for (const line of [
      'SIP/2.0 99 Low',
      'SIP/2.0 700 High',
      'SIP/2.0 2000 OK',
      'SIP/2.0 20 OK',
      'SIP/2.0 2x0 OK',
    ]) {
      assert.equal(err(msg(line, ...options.slice(1))).code, E.BAD_STATUS_CODE, line)
    }
  })

  test('a method that is not a token, or no version, is BAD_START_LINE and is dropped', () => {
    for (const line of [
      'OPT(IONS sip:a@b SIP/2.0',
      'OPTIONS sip:a@b',
      'OPTIONS sip:a@b HTTP/1.1',
      'GARBAGE',
    ]) {
      const e = err(msg(line, ...options.slice(1)))
      assert.equal(e.code, E.BAD_START_LINE, line)
      assert.equal(e.status, undefined)
    }
  })

  test('an invalid Request-URI is 400 with the header fields, so the request can be answered', () => {
    const e = err(msg('OPTIONS <sip:bob@example.com> SIP/2.0', ...options.slice(1)))
    assert.equal(e.code, E.BAD_REQUEST_URI)
    assert.equal(e.status, 400)
    assert.ok(e.headers !== undefined)
    const res = createResponse({ headers: e.headers }, 400)
    assert.equal(res.headers.get(CallId), 'a84b4c76e66710@pc33.example.com')
    assert.equal(res.headers.get(CSeq)?.seq, 314159)
    assert.equal(res.headers.first(Via)?.branch, 'z9hG4bK776asdhds')
  })

  test('a Request-URI longer than maxUriLength is 414 (URI_TOO_LONG)', () => {
    const e = err(msg(`OPTIONS sip:${'a'.repeat(100)}@example.com SIP/2.0`, ...options.slice(1)), {
      maxUriLength: 50,
    })
    assert.equal(e.code, E.URI_TOO_LONG)
    assert.equal(e.status, 414)
  })
})

describe('parseMessage: header fields (§7.3)', () => {
  test('names are case-insensitive and compact forms expand (§7.3.3)', () => {
    const m = ok(
      msg(
        'OPTIONS sip:bob@example.com SIP/2.0',
        'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa',
        't: <sip:bob@example.com>',
        'f: <sip:alice@example.com>;tag=1',
        'i: abc',
        'CSEQ: 1 OPTIONS',
        'l: 0',
        '',
        '',
      ),
    )
    assert.equal(m.headers.first(Via)?.branch, 'z9hG4bKa')
    assert.equal(m.headers.get(From)?.tag, '1')
    assert.equal(m.headers.get(To)?.uri.kind, 'sip')
    assert.equal(m.headers.get(CallId), 'abc')
    assert.equal(m.headers.get(ContentLength), 0)
    assert.deepEqual(m.headers.raw('call-id'), ['abc'])
  })

  test('whitespace before the colon and folded lines (§7.3.1)', () => {
    const m = ok(
      msg('OPTIONS sip:bob@example.com SIP/2.0', 'Subject  :  lunch', '  at noon', ...options.slice(1)),
    )
    assert.deepEqual(m.headers.raw('Subject'), ['lunch at noon'])
  })

  test('several fields of a list header combine in order; unknown headers are kept verbatim in order', () => {
    const m = ok(
      msg(
        'OPTIONS sip:bob@example.com SIP/2.0',
        'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
        'X-One: 1',
        'Via: SIP/2.0/TCP c.example.com;branch=z9hG4bK3',
        'X-Two:   two  ',
        ...options.slice(2),
      ),
    )
    assert.deepEqual(
      m.headers.get(Via)?.map((v) => v.host),
      ['a.example.com', 'b.example.com', 'c.example.com'],
    )
    const names = m.headers.entries().map(([n]) => n)
    assert.deepEqual(names.slice(0, 4), ['Via', 'X-One', 'Via', 'X-Two'])
    assert.deepEqual(m.headers.raw('x-two'), ['two'])
  })

  test('a line without a colon, or a name that is not a token, is BAD_HEADER_LINE', () => {
    for (const line of ['NoColonHere', 'Bad Name: x', 'Bad<Name>: x', ': empty name']) {
      const e = err(msg(options[0]!, line, ...options.slice(1)))
      assert.equal(e.code, E.BAD_HEADER_LINE, line)
    }
  })

  test('a bare LF or a bare CR is an error (CRLF only, §7): nothing is smuggled past a lenient peer', () => {
    const bareLf = Buffer.from(
      `${options[0]}\r\nX-A: 1\nX-Injected: 2\r\n${options.slice(1).join(CRLF)}`,
      'latin1',
    )
    assert.equal(err(bareLf).code, E.BAD_LINE_ENDING)
    const bareCr = Buffer.from(
      `${options[0]}\r\nX-A: 1\rX-Injected: 2\r\n${options.slice(1).join(CRLF)}`,
      'latin1',
    )
    assert.equal(err(bareCr).code, E.BAD_LINE_ENDING)
    const lfOnly = Buffer.from(options.join('\n'), 'latin1')
    assert.equal(err(lfOnly).code, E.BAD_LINE_ENDING)
  })

  test('no empty line after the header fields is TRUNCATED', () => {
    assert.equal(err(Buffer.from(options.slice(0, -2).join(CRLF), 'latin1')).code, E.TRUNCATED)
  })
})

describe('parseMessage: body and Content-Length (§18.3, §20.14)', () => {
  const invite = (cl: string, body: string) =>
    msg(
      'INVITE sip:bob@example.com SIP/2.0',
      ...options.slice(1, 6),
      'CSeq: 1 INVITE',
      `Content-Length: ${cl}`,
      '',
      body,
    )

  test('Content-Length bounds the body; later octets of the datagram are ignored (RFC 4475 §3.1.1.8)', () => {
    const m = ok(invite('3', 'abcdef'))
    assert.equal(Buffer.from(m.body).toString(), 'abc')
  })

  test('without Content-Length the body runs to the end of the datagram', () => {
    const m = ok(
      msg('INVITE sip:bob@example.com SIP/2.0', ...options.slice(1, 6), 'CSeq: 1 INVITE', '', 'xyz'),
    )
    assert.equal(Buffer.from(m.body).toString(), 'xyz')
  })

  test('a Content-Length larger than the datagram is 400 BODY_TRUNCATED (RFC 4475 §3.1.2.2)', () => {
    const e = err(invite('10', 'abc'))
    assert.equal(e.code, E.BODY_TRUNCATED)
    assert.equal(e.status, 400)
    assert.ok(e.headers)
  })

  test('a negative, non-numeric or repeated Content-Length is 400 BAD_CONTENT_LENGTH', () => {
    assert.equal(err(invite('-1', 'abc')).code, E.BAD_CONTENT_LENGTH)
    assert.equal(err(invite('3x', 'abc')).code, E.BAD_CONTENT_LENGTH)
    const twice = msg(options[0]!, 'Content-Length: 0', ...options.slice(1))
    const e = err(twice)
    assert.equal(e.code, E.BAD_CONTENT_LENGTH)
    assert.equal(e.status, 400)
  })

  test('a response with a bad Content-Length has no status to answer with (it is dropped)', () => {
    const e = err(msg('SIP/2.0 200 OK', ...options.slice(1, 7), 'Content-Length: nope', '', ''))
    assert.equal(e.code, E.BAD_CONTENT_LENGTH)
    assert.equal(e.status, undefined)
    assert.equal(e.headers, undefined)
  })
})

describe('parseMessage: limits (never a crash, never unbounded)', () => {
  test('maxMessageSize: 513 with the header fields when they fit', () => {
    const big = msg(
      'INVITE sip:bob@example.com SIP/2.0',
      ...options.slice(1, 6),
      'CSeq: 1 INVITE',
      'Content-Length: 2000',
      '',
      'x'.repeat(2000),
    )
    const e = err(big, { maxMessageSize: 1024 })
    assert.equal(e.code, E.MESSAGE_TOO_LARGE)
    assert.equal(e.status, 513)
    assert.ok(e.headers)
    const noHead = err(Buffer.alloc(5000, 0x41), { maxMessageSize: 1024 })
    assert.equal(noHead.code, E.MESSAGE_TOO_LARGE)
  })

  test('maxHeaderCount, maxLineLength, maxViaCount', () => {
    const many = msg(
      options[0]!,
      ...Array.from({ length: 20 }, (_, i) => `X-${i}: ${i}`),
      ...options.slice(1),
    )
    assert.equal(err(many, { maxHeaderCount: 10 }).code, E.TOO_MANY_HEADERS)
    const long = msg(options[0]!, `X-Long: ${'y'.repeat(200)}`, ...options.slice(1))
    assert.equal(err(long, { maxLineLength: 100 }).code, E.LINE_TOO_LONG)
    const vias = Array.from({ length: 5 }, (_, i) => `SIP/2.0/UDP h${i}.example.com;branch=z9hG4bK${i}`)
    const oneLine = msg(options[0]!, `Via: ${vias.join(', ')}`, ...options.slice(2))
    assert.equal(err(oneLine, { maxViaCount: 4 }).code, E.TOO_MANY_VIAS)
    const manyLines = msg(options[0]!, ...vias.map((v) => `Via: ${v}`), ...options.slice(2))
    assert.equal(err(manyLines, { maxViaCount: 4 }).code, E.TOO_MANY_VIAS)
    assert.ok(parseMessage(manyLines, { maxViaCount: 5 }).ok)
  })

  test('an empty datagram or CRLFs only is EMPTY', () => {
    assert.equal(err(new Uint8Array(0)).code, E.EMPTY)
    assert.equal(err(Buffer.from('\r\n\r\n')).code, E.EMPTY)
  })
})

describe('laziness: a header that is never read is never parsed', () => {
  test('parsing calls no header parser; reading one parses that header once', () => {
    let calls = 0
    const SpyVia = defineHeader({
      name: 'Via',
      kind: 'list',
      parse: (s, start, end) => {
        calls++
        return parseVia(s, start, end)
      },
      format: Via.format,
    })
    const m = ok(msg(...options))
    assert.equal(calls, 0)
    assert.equal(m.headers.first(SpyVia)?.branch, 'z9hG4bK776asdhds')
    assert.equal(calls, 1)
    m.headers.first(SpyVia)
    assert.equal(calls, 1, 'the parsed value is cached')
    // get() parses the whole field (the one value it holds) once more, then caches that
    m.headers.get(SpyVia)
    m.headers.get(SpyVia)
    assert.equal(calls, 2)
  })

  test('the built-in headers: only the fields read have been parsed', () => {
    const m = ok(
      msg(
        options[0]!,
        'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa, SIP/2.0/UDP b.example.com;branch=z9hG4bKb',
        'Via: SIP/2.0/UDP c.example.com;branch=z9hG4bKc',
        'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
        'Contact: <sip:alice@192.0.2.4>;expires=60',
        ...options.slice(2),
      ),
    )
    const h = m.headers
    const index = (name: string) => h.entries().findIndex(([n]) => n.toLowerCase() === name)
    assert.deepEqual(parsedFields(h), [], 'parsing parses no header value')
    assert.equal(h.first(Via)?.branch, 'z9hG4bKa')
    assert.deepEqual(parsedFields(h), [index('via')], 'the top Via field only, not the second Via field')
    assert.equal(h.get(CallId), 'a84b4c76e66710@pc33.example.com')
    assert.equal(h.get(ToTag), '', 'no To tag: an initial request')
    assert.deepEqual(
      parsedFields(h),
      [index('via'), index('to'), index('call-id')].sort((a, b) => a - b),
    )
    for (const name of ['contact', 'route', 'from', 'cseq', 'max-forwards'])
      assert.ok(!parsedFields(h).includes(index(name)), `${name} unparsed`)
  })

  test('a malformed header that is never read does not stop the message (it is forwarded as is)', () => {
    const m = ok(msg(options[0]!, 'Contact: <<<not a contact', ...options.slice(1)))
    assert.equal(m.kind, 'request')
    assert.deepEqual(m.headers.raw('Contact'), ['<<<not a contact'])
  })

  test('parse returns a result on arbitrary bytes (no throw)', () => {
    for (const bytes of [
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from('SIP/2.0'),
      Buffer.from('\r\n\r\nX'),
      Buffer.alloc(70000, 0x0d),
    ]) {
      const r = parseMessage(bytes)
      assert.equal(typeof r.ok, 'boolean')
    }
  })
})
