import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ContentType, type ContentTypeValue, type Headers, parseMessage } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): ContentTypeValue | undefined {
  return ContentType.parse(text, 0, text.length)
}

describe('Content-Type (RFC 3261 §20.15, §25.1 media-type)', () => {
  test('§20.15 examples, and the compact form "c" (§7.3.3)', () => {
    assert.deepEqual(headers('Content-Type: application/sdp').get(ContentType), {
      mediaType: 'application/sdp',
      params: new Map(),
    })
    assert.deepEqual(headers('c: text/html; charset=ISO-8859-4').get(ContentType), {
      mediaType: 'text/html',
      params: new Map([['charset', 'ISO-8859-4']]),
    })
  })

  test('§7.3.1: type and subtype fold to lower case, as do parameter names; values stay as written', () => {
    const v = parse('Multipart/MIXED;Boundary=Unique-Boundary-1;CHARSET="UTF-8"')
    assert.equal(v?.mediaType, 'multipart/mixed')
    assert.deepEqual(
      [...v!.params!],
      [
        ['boundary', 'Unique-Boundary-1'],
        ['charset', '"UTF-8"'],
      ],
    )
  })

  test('§25.1 SLASH = SWS "/" SWS and SEMI = SWS ";" SWS', () => {
    const v = parse('application / pidf+xml ; charset = utf-8')
    assert.equal(v?.mediaType, 'application/pidf+xml')
    assert.equal(v?.params?.get('charset'), 'utf-8')
  })

  test('§25.1 m-type / m-subtype are tokens: extension and vendor types', () => {
    assert.equal(parse('application/vnd.3gpp.sms')?.mediaType, 'application/vnd.3gpp.sms')
    assert.equal(parse('message/sipfrag;version=2.0')?.params?.get('version'), '2.0')
    assert.equal(parse('x-my.type/x-sub_type')?.mediaType, 'x-my.type/x-sub_type')
  })

  test('§25.1 m-value = token / quoted-string: a quoted value may hold ";" and ","', () => {
    const v = parse('multipart/related;type="application/sdp";boundary="a;b,c"')
    assert.equal(v?.params?.get('type'), '"application/sdp"')
    assert.equal(v?.params?.get('boundary'), '"a;b,c"')
  })

  test('invalid values give undefined', () => {
    for (const bad of [
      '',
      'application',
      'application/',
      '/sdp',
      'application/sdp/x',
      'application/sdp x',
      'application/sdp;',
      'application/sdp;=x',
      'application/sdp;charset=',
      'application/sdp;x="unterminated',
      'application/sdp, text/plain',
      'appli cation/sdp',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('single header: two fields give undefined', () => {
    assert.equal(headers('Content-Type: application/sdp', 'c: text/plain').get(ContentType), undefined)
    assert.equal(headers('Max-Forwards: 70').get(ContentType), undefined)
  })

  test('format: media type and parameters', () => {
    assert.equal(ContentType.format({ mediaType: 'application/sdp' }), 'application/sdp')
    assert.equal(
      ContentType.format({
        mediaType: 'multipart/mixed',
        params: new Map([
          ['boundary', 'unique-boundary-1'],
          ['charset', '"UTF-8"'],
        ]),
      }),
      'multipart/mixed;boundary=unique-boundary-1;charset="UTF-8"',
    )
  })

  test('parse(format(v)) deep-equals v', () => {
    const v: ContentTypeValue = {
      mediaType: 'multipart/related',
      params: new Map<string, string | null>([
        ['type', '"application/sdp"'],
        ['boundary', 'x1'],
        ['flag', null],
      ]),
    }
    const text = ContentType.format(v)
    assert.deepEqual(ContentType.parse(text, 0, text.length), v)
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      'application/sdp',
      'text/html; charset=ISO-8859-4',
      'Multipart/MIXED ; Boundary = Unique-Boundary-1',
      'application / pidf+xml;charset="utf-8"',
    ]) {
      const v = parse(wire)
      assert.ok(v !== undefined, wire)
      const text = ContentType.format(v)
      assert.deepEqual(parse(text), v, text)
      assert.equal(ContentType.format(parse(text)!), text)
    }
    assert.equal(ContentType.format(parse('Application/SDP ; Charset=X')!), 'application/sdp;charset=X')
  })
})
