/**
 * Stream framing (RFC 3261 §18.3: Content-Length cuts messages on a stream; §7.5: CRLFs before a
 * start line are ignored) and the keep-alives of RFC 5626 §4.4.1 (CRLFCRLF ping, CRLF pong).
 */
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, test } from 'node:test'
import { createResponse } from './build.ts'
import { parseErrorCodes } from './errors.ts'
import { CallId } from './headers/call-id.ts'
import { CSeq } from './headers/cseq.ts'
import { From, To } from './headers/from-to.ts'
import { Via } from './headers/via.ts'
import { messageInternals, type SipRequest, type SipResponse } from './message.ts'
import { parseMessage } from './parse.ts'
import { serialize } from './serialize.ts'
import { createStreamParser, type StreamEvent } from './stream.ts'

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1')
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

function request(body = '', extra = ''): string {
  return (
    'INVITE sip:bob@example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9\r\n' +
    'Max-Forwards: 70\r\n' +
    'From: Alice <sip:alice@example.com>;tag=9fxced76sl\r\n' +
    'To: Bob <sip:bob@example.com>\r\n' +
    'Call-ID: 3848276298220188511@client.example.com\r\n' +
    'CSeq: 1 INVITE\r\n' +
    extra +
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` +
    '\r\n' +
    body
  )
}

function response(body = ''): string {
  return (
    'SIP/2.0 200 OK\r\n' +
    'Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.1\r\n' +
    'From: Alice <sip:alice@example.com>;tag=9fxced76sl\r\n' +
    'To: Bob <sip:bob@example.com>;tag=8321234356\r\n' +
    'Call-ID: 3848276298220188511@client.example.com\r\n' +
    'CSeq: 1 INVITE\r\n' +
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` +
    '\r\n' +
    body
  )
}

const sdp =
  'v=0\r\no=alice 2890844526 2890844526 IN IP4 client.example.com\r\ns=-\r\n\r\nc=IN IP4 192.0.2.1\r\n'

/** Events as comparable values: messages by their octets. */
function summary(events: readonly StreamEvent[]): string[] {
  return events.map((e) => {
    if (e.type === 'message') return `message:${latin1(serialize(e.message))}`
    if (e.type === 'error') return `error:${e.error.code}`
    return e.type
  })
}

function only<T extends StreamEvent['type']>(
  events: readonly StreamEvent[],
  type: T,
): Extract<StreamEvent, { type: T }> {
  assert.equal(events.length, 1, `one event expected, got ${summary(events).join(' | ')}`)
  const e = events[0]!
  assert.equal(e.type, type)
  return e as Extract<StreamEvent, { type: T }>
}

function errorOf(events: readonly StreamEvent[]) {
  const last = events.at(-1)
  assert.ok(
    last !== undefined && last.type === 'error',
    `an error expected, got ${summary(events).join(' | ')}`,
  )
  return last.error
}

describe('stream framing by Content-Length (RFC 3261 §18.3)', () => {
  test('two messages in one chunk give two message events, in order', () => {
    const a = request(sdp)
    const b = response()
    const p = createStreamParser()
    const events = p.push(bytes(a + b))
    assert.deepEqual(summary(events), [`message:${a}`, `message:${b}`])
    const [first, second] = events
    assert.ok(first?.type === 'message' && first.message.kind === 'request')
    assert.equal(first.message.method, 'INVITE')
    assert.equal(latin1(first.message.body), sdp)
    assert.ok(second?.type === 'message' && second.message.kind === 'response')
    assert.equal(second.message.status, 200)
    assert.equal(p.buffered, 0)
    assert.equal(p.failed, false)
  })

  test('a message and the start of the next: the rest of the next completes it', () => {
    const a = request()
    const b = request(sdp)
    const cut = a.length + 40
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes((a + b).slice(0, cut)))), [`message:${a}`])
    assert.equal(p.buffered, 40)
    assert.deepEqual(summary(p.push(bytes((a + b).slice(cut)))), [`message:${b}`])
    assert.equal(p.buffered, 0)
  })

  test('a message split inside its header section, at every offset, gives the message once complete', () => {
    const text = request(sdp)
    const headerEnd = text.indexOf('\r\n\r\n') + 4
    for (let cut = 1; cut < headerEnd; cut++) {
      const p = createStreamParser()
      assert.deepEqual(p.push(bytes(text.slice(0, cut))), [], `cut at ${cut}`)
      assert.equal(p.buffered, cut)
      assert.deepEqual(summary(p.push(bytes(text.slice(cut)))), [`message:${text}`], `cut at ${cut}`)
      assert.equal(p.buffered, 0)
    }
  })

  test('a message split inside the CRLFCRLF that ends its header section', () => {
    const text = request()
    const end = text.indexOf('\r\n\r\n')
    for (const cut of [end + 1, end + 2, end + 3]) {
      const p = createStreamParser()
      assert.deepEqual(p.push(bytes(text.slice(0, cut))), [])
      const m = only(p.push(bytes(text.slice(cut))), 'message').message as SipRequest
      assert.equal(m.method, 'INVITE')
      assert.equal(m.body.length, 0)
    }
  })

  test('a message split inside its body waits for the whole body', () => {
    const text = request(sdp)
    const bodyStart = text.indexOf('\r\n\r\n') + 4
    const p = createStreamParser()
    assert.deepEqual(p.push(bytes(text.slice(0, bodyStart + 10))), [])
    assert.equal(p.buffered, bodyStart + 10)
    const m = only(p.push(bytes(text.slice(bodyStart + 10))), 'message').message
    assert.equal(latin1(m.body), sdp)
    assert.equal(latin1(serialize(m)), text)
    assert.equal(p.buffered, 0)
  })

  test('a body arriving byte by byte, with CRLFCRLF inside it, is one message', () => {
    const text = request(sdp)
    const bodyStart = text.indexOf('\r\n\r\n') + 4
    const p = createStreamParser()
    assert.deepEqual(p.push(bytes(text.slice(0, bodyStart))), [])
    for (let i = bodyStart; i < text.length - 1; i++) {
      assert.deepEqual(p.push(bytes(text[i]!)), [], `octet ${i}`)
      assert.equal(p.buffered, i + 1)
    }
    const m = only(p.push(bytes(text.slice(-1))), 'message').message
    assert.equal(latin1(m.body), sdp)
    assert.deepEqual(m.headers.get(CSeq), { seq: 1, method: 'INVITE' })
    assert.equal(p.buffered, 0)
  })

  test('a whole message fed byte by byte', () => {
    const text = request(sdp) + response()
    const p = createStreamParser()
    const events: StreamEvent[] = []
    for (let i = 0; i < text.length; i++) events.push(...p.push(bytes(text[i]!)))
    assert.deepEqual(summary(events), [`message:${request(sdp)}`, `message:${response()}`])
  })

  test('a response is framed like a request', () => {
    const text = response('hello')
    const p = createStreamParser()
    const m = only(p.push(bytes(text)), 'message').message as SipResponse
    assert.equal(m.kind, 'response')
    assert.equal(m.status, 200)
    assert.equal(m.reason, 'OK')
    assert.equal(latin1(m.body), 'hello')
    assert.equal(m.headers.first(Via)?.received, '192.0.2.1')
    assert.equal(m.headers.get(To)?.tag, '8321234356')
  })

  test('octets after Content-Length belong to the next message, not the body', () => {
    const text = request('abc')
    const p = createStreamParser()
    const m = only(p.push(bytes(`${text}OPT`)), 'message').message
    assert.equal(latin1(m.body), 'abc')
    assert.equal(p.buffered, 3)
  })

  test('a message in a large read gets octets of its own; one that fills its read keeps them', () => {
    const p = createStreamParser()
    const big = `${request(sdp)}${request('x'.repeat(20_000))}`.slice(0, -100) // the 2nd still arriving
    const [first] = p.push(bytes(big))
    assert.ok(first?.type === 'message')
    const own = messageInternals(first.message).source!.bytes
    assert.ok(own.buffer.byteLength < 2048, `its own octets, not the ${big.length}-octet read`)
    assert.equal(latin1(serialize(first.message)), request(sdp), 'the same message')
    const [second] = p.push(bytes(request('x'.repeat(20_000)).slice(-100)))
    assert.ok(second?.type === 'message')
    assert.equal(latin1(serialize(second.message)), request('x'.repeat(20_000)))
    const alone = p.push(bytes(request(sdp)))[0]
    assert.ok(alone?.type === 'message')
    const read = messageInternals(alone.message).source!.bytes
    assert.equal(read.byteLength, request(sdp).length, 'a read holding just the message is not copied')
  })

  test('an empty chunk changes nothing', () => {
    const p = createStreamParser()
    assert.deepEqual(p.push(new Uint8Array(0)), [])
    assert.deepEqual(p.push(bytes(request().slice(0, 20))), [])
    assert.deepEqual(p.push(new Uint8Array(0)), [])
    assert.equal(p.buffered, 20)
  })

  test('a message of exactly maxMessageSize octets is accepted', () => {
    const size = 600
    // `Content-Length: 0` becomes `Content-Length: 4xx`: two more octets
    const body = 'x'.repeat(size - request('').length - 2)
    const text = request(body)
    assert.equal(text.length, size)
    const p = createStreamParser({ maxMessageSize: size })
    assert.equal(latin1(only(p.push(bytes(text)), 'message').message.body), body)
    const q = createStreamParser({ maxMessageSize: size - 1 })
    assert.equal(errorOf(q.push(bytes(text))).code, parseErrorCodes.MESSAGE_TOO_LARGE)
  })
})

describe('keep-alives (RFC 5626 §4.4.1) and leading CRLFs (RFC 3261 §7.5)', () => {
  test('CRLFCRLF between messages is a ping', () => {
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes('\r\n\r\n'))), ['ping'])
    assert.equal(p.buffered, 0)
    const a = request()
    assert.deepEqual(summary(p.push(bytes(`${a}\r\n\r\n${a}`))), [`message:${a}`, 'ping', `message:${a}`])
  })

  test('two pings in one chunk', () => {
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes('\r\n\r\n\r\n\r\n'))), ['ping', 'ping'])
  })

  test('a lone CRLF is a pong', () => {
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes('\r\n'))), ['pong'])
    assert.equal(p.buffered, 0)
    assert.equal(p.failed, false)
  })

  test('a ping split as CRLF + CRLF: the first half reads as a pong, the second completes the ping', () => {
    // documented in stream.ts: a CRLF ending a chunk is answered as a pong at once; a CRLF
    // starting the next chunk completes a ping
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes('\r\n'))), ['pong'])
    assert.deepEqual(summary(p.push(bytes('\r\n'))), ['ping'])
    assert.equal(p.buffered, 0)
  })

  test('a ping split as CRLF + CR + LF is still completed by its last LF', () => {
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes('\r\n'))), ['pong'])
    assert.deepEqual(summary(p.push(bytes('\r'))), [])
    assert.equal(p.buffered, 1)
    assert.deepEqual(summary(p.push(bytes('\n'))), ['ping'])
    assert.equal(p.buffered, 0)
  })

  test('a ping split after a CR, or before its last LF, waits for the rest', () => {
    for (const cut of [1, 3]) {
      const p = createStreamParser()
      assert.deepEqual(p.push(bytes('\r\n\r\n'.slice(0, cut))), [])
      assert.equal(p.buffered, cut)
      assert.deepEqual(summary(p.push(bytes('\r\n\r\n'.slice(cut)))), ['ping'])
      assert.equal(p.buffered, 0)
    }
  })

  test('a ping right after a message, split across chunks', () => {
    const a = request()
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes(`${a}\r\n`))), [`message:${a}`, 'pong'])
    assert.deepEqual(summary(p.push(bytes(`\r\n${a}`))), ['ping', `message:${a}`])
  })

  test('CRLFs before a start line are skipped: CRLFCRLF reads as a ping, one CRLF as a pong', () => {
    const a = request()
    const p = createStreamParser()
    assert.deepEqual(summary(p.push(bytes(`\r\n\r\n${a}`))), ['ping', `message:${a}`])
    const q = createStreamParser()
    assert.deepEqual(summary(q.push(bytes(`\r\n${a}`))), ['pong', `message:${a}`])
    const r = createStreamParser()
    assert.deepEqual(summary(r.push(bytes(`\r\n\r\n\r\n${a}`))), ['ping', 'pong', `message:${a}`])
  })

  test('a CRLFCRLF inside a body is body, not a ping', () => {
    const a = request('\r\n\r\n')
    const p = createStreamParser()
    const m = only(p.push(bytes(a)), 'message').message
    assert.equal(latin1(m.body), '\r\n\r\n')
  })
})

describe('stream errors', () => {
  test('a request without Content-Length: MISSING_CONTENT_LENGTH, with status 400 and its headers', () => {
    const text =
      'OPTIONS sip:bob@example.com SIP/2.0\r\n' +
      'Via: SIP/2.0/TCP client.example.com;branch=z9hG4bKnashds8\r\n' +
      'From: <sip:alice@example.com>;tag=1928301774\r\n' +
      'To: <sip:bob@example.com>\r\n' +
      'Call-ID: a84b4c76e66710\r\n' +
      'CSeq: 63104 OPTIONS\r\n' +
      '\r\n'
    const p = createStreamParser()
    const error = errorOf(p.push(bytes(text)))
    assert.equal(error.code, parseErrorCodes.MISSING_CONTENT_LENGTH)
    assert.equal(error.status, 400)
    assert.ok(error.headers !== undefined)
    assert.equal(p.failed, true)
    assert.equal(p.buffered, 0)

    // enough to answer it (§8.2.6)
    const answer = createResponse({ headers: error.headers }, error.status)
    const back = parseMessage(serialize(answer))
    assert.ok(back.ok)
    const res = back.message as SipResponse
    assert.equal(res.status, 400)
    assert.equal(res.headers.first(Via)?.branch, 'z9hG4bKnashds8')
    assert.equal(res.headers.get(From)?.tag, '1928301774')
    assert.equal(res.headers.get(CallId), 'a84b4c76e66710')
    assert.deepEqual(res.headers.get(CSeq), { seq: 63104, method: 'OPTIONS' })
    assert.ok(res.headers.get(To)?.tag !== undefined)
  })

  test('a response without Content-Length: an error with nothing to answer', () => {
    const text = response().replace(/Content-Length: 0\r\n/, '')
    const p = createStreamParser()
    const error = errorOf(p.push(bytes(text)))
    assert.equal(error.code, parseErrorCodes.MISSING_CONTENT_LENGTH)
    assert.equal(error.status, undefined)
    assert.equal(error.headers, undefined)
    assert.equal(p.failed, true)
  })

  test('Content-Length beyond maxMessageSize fails at once, without buffering the body', () => {
    const head = request('').replace('Content-Length: 0', 'Content-Length: 100000')
    const p = createStreamParser()
    const error = errorOf(p.push(bytes(head)))
    assert.equal(error.code, parseErrorCodes.MESSAGE_TOO_LARGE)
    assert.equal(error.status, 513)
    assert.ok(error.headers !== undefined)
    assert.equal(error.headers.get(CSeq)?.method, 'INVITE')
    assert.equal(p.buffered, 0)
    assert.deepEqual(p.push(bytes('x'.repeat(1000))), [])
    assert.equal(p.buffered, 0)
  })

  test('Content-Length beyond a smaller maxMessageSize', () => {
    const text = request('x'.repeat(200))
    const p = createStreamParser({ maxMessageSize: text.length - 1 })
    const headerEnd = text.indexOf('\r\n\r\n') + 4
    const error = errorOf(p.push(bytes(text.slice(0, headerEnd))))
    assert.equal(error.code, parseErrorCodes.MESSAGE_TOO_LARGE)
    assert.equal(p.buffered, 0)
  })

  test('a header section that never ends fails once it outgrows maxMessageSize, never buffering more', () => {
    for (const maxMessageSize of [4096, 65536]) {
      const p = createStreamParser({ maxMessageSize })
      const chunkSize = 1000
      let events = p.push(bytes('INVITE sip:bob@example.com SIP/2.0\r\n'))
      assert.deepEqual(events, [])
      let pushed = 0
      const line = `${'X-Filler: '.padEnd(chunkSize - 2, 'a')}\r\n`
      while (events.length === 0) {
        events = p.push(bytes(line))
        pushed += line.length
        assert.ok(p.buffered <= maxMessageSize + chunkSize, `buffered ${p.buffered}`)
        assert.ok(pushed <= maxMessageSize + 2 * chunkSize, 'no error after maxMessageSize octets')
      }
      const error = errorOf(events)
      assert.equal(error.code, parseErrorCodes.MESSAGE_TOO_LARGE)
      assert.ok(pushed > maxMessageSize - chunkSize)
      assert.equal(p.failed, true)
      assert.equal(p.buffered, 0)
    }
  })

  test('after an error the parser is failed: push returns nothing, even for a valid message', () => {
    const p = createStreamParser()
    const events = p.push(bytes(`NOT A SIP MESSAGE\r\n\r\n${request()}`))
    assert.equal(events.length, 1)
    assert.equal(errorOf(events).code, parseErrorCodes.BAD_START_LINE)
    assert.equal(p.failed, true)
    assert.deepEqual(p.push(bytes(request())), [])
    assert.deepEqual(p.push(bytes('\r\n\r\n')), [])
    assert.equal(p.buffered, 0)
  })

  test('messages before an error are delivered with it', () => {
    const a = request()
    const p = createStreamParser()
    const events = p.push(bytes(`${a}\r\n\r\nBAD\r\n\r\n`))
    assert.deepEqual(summary(events), [`message:${a}`, 'ping', `error:${parseErrorCodes.BAD_START_LINE}`])
  })

  test('bare LF line endings: an error, without waiting for maxMessageSize octets', () => {
    const text = request().replaceAll('\r\n', '\n')
    const p = createStreamParser()
    const error = errorOf(p.push(bytes(text)))
    assert.equal(error.code, parseErrorCodes.BAD_LINE_ENDING)
    assert.equal(error.offset, text.indexOf('\n'))
    assert.equal(p.failed, true)
    assert.equal(p.buffered, 0)
  })

  test('bare LF line endings, the first line split across chunks', () => {
    const text = request().replaceAll('\r\n', '\n')
    const p = createStreamParser()
    assert.deepEqual(p.push(bytes(text.slice(0, 10))), [])
    assert.equal(errorOf(p.push(bytes(text.slice(10)))).code, parseErrorCodes.BAD_LINE_ENDING)
  })

  test('one bare LF in a header section that ends with CRLFCRLF', () => {
    const text = request().replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\n')
    const p = createStreamParser()
    assert.equal(errorOf(p.push(bytes(text))).code, parseErrorCodes.BAD_LINE_ENDING)
    assert.equal(p.failed, true)
  })

  test('a CR followed by LF in the next chunk is not a bare LF', () => {
    const text = request(sdp)
    const cut = text.indexOf('\r\n') + 1
    const p = createStreamParser()
    assert.deepEqual(p.push(bytes(text.slice(0, cut))), [])
    assert.equal(latin1(only(p.push(bytes(text.slice(cut))), 'message').message.body), sdp)
  })

  test('a lone LF between messages is an error', () => {
    const p = createStreamParser()
    const a = request()
    const events = p.push(bytes(`${a}\n${a}`))
    assert.deepEqual(summary(events), [`message:${a}`, `error:${parseErrorCodes.BAD_LINE_ENDING}`])
  })

  test('an invalid Content-Length is an error', () => {
    const text = request().replace('Content-Length: 0', 'Content-Length: zero')
    const p = createStreamParser()
    const error = errorOf(p.push(bytes(text)))
    assert.equal(error.code, parseErrorCodes.BAD_CONTENT_LENGTH)
    assert.equal(error.status, 400)
  })
})

describe('a header section arriving in small chunks', () => {
  test('costs linear copying, not one copy of everything held per chunk', () => {
    const filler = `X-Filler: ${'a'.repeat(1000)}\r\n`.repeat(32) // ~32 KiB of header fields
    const wire = bytes(request('', filler))
    const parser = createStreamParser({ maxMessageSize: 65_536 })
    const events: StreamEvent[] = []
    for (let i = 0; i < wire.length; i++) events.push(...parser.push(wire.subarray(i, i + 1)))
    assert.deepEqual(
      events.map((e) => e.type),
      ['message'],
    )
    // each octet copied about once, plus the doublings of the buffer; O(n²) would be ~n²/2
    assert.ok(parser.copied <= 3 * wire.length, `${parser.copied} octets copied for ${wire.length}`)
  })

  test('messages that share the growing buffer keep their octets when more arrives', () => {
    const one = request()
    const wire = bytes(one + one + one)
    const parser = createStreamParser()
    const messages: StreamEvent[] = []
    for (let i = 0; i < wire.length; i += 7) messages.push(...parser.push(wire.subarray(i, i + 7)))
    assert.equal(messages.length, 3)
    for (const e of messages) {
      assert.equal(e.type, 'message')
      if (e.type === 'message') assert.equal(latin1(serialize(e.message)), one)
    }
  })
})

test('a start line longer than maxLineLength fails as soon as it is, not at maxMessageSize', () => {
  const parser = createStreamParser({ maxLineLength: 100, maxMessageSize: 65_536 })
  assert.deepEqual(parser.push(bytes(`INVITE sip:${'a'.repeat(80)}`)), [])
  const events = parser.push(bytes('b'.repeat(30)))
  assert.equal(events.length, 1)
  assert.equal(events[0]!.type === 'error' && events[0]!.error.code, parseErrorCodes.LINE_TOO_LONG)
  // a start line within the limit, then long header fields still arriving, is fine
  const ok = createStreamParser({ maxLineLength: 100, maxMessageSize: 65_536 })
  assert.deepEqual(ok.push(bytes(`INVITE sip:b@example.com SIP/2.0\r\nX-A: ${'a'.repeat(90)}`)), [])
  assert.deepEqual(ok.push(bytes('a'.repeat(90))), [])
  assert.equal(ok.failed, false)
})
