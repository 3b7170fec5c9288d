import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CallId, type Headers, parseMessage } from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): string | undefined {
  return CallId.parse(text, 0, text.length)
}

describe('Call-ID (RFC 3261 §20.8, §25.1 callid = word [ "@" word ])', () => {
  test('§20.8 examples, and the compact form "i" (§7.3.3)', () => {
    assert.equal(
      headers('Call-ID: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com').get(CallId),
      'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com',
    )
    assert.equal(
      headers('i:f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.4').get(CallId),
      'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.4',
    )
    assert.equal(headers('call-id: a84b4c76e66710').get(CallId), 'a84b4c76e66710')
  })

  test('§25.1 word: every word char, on both sides of "@" (RFC 4475 §3.1.1.3 intmeth)', () => {
    const id = 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{'
    assert.equal(headers(`Call-ID: ${id}`).get(CallId), id)
    assert.equal(parse('(<[{}]>)?:/\\"'), '(<[{}]>)?:/\\"')
  })

  test('§8.1.1.4: the Call-ID is case-sensitive and kept as written', () => {
    assert.equal(parse('AbC@Host.EXAMPLE'), 'AbC@Host.EXAMPLE')
    assert.notEqual(parse('abc@host'), parse('ABC@host'))
  })

  test('anything but word [ "@" word ] is invalid', () => {
    for (const bad of [
      '',
      '@host', // empty first word
      'abc@', // empty second word
      'a@b@c', // two "@"
      'abc def', // LWS inside
      'abc,def', // "," is not a word char
      'abc;tag=1', // ";" neither
      'abc=def',
      'ab\x7fc',
      'caf\xe9',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('parse reads exactly s[start, end)', () => {
    const s = 'Call-ID: abc@def.example ;junk'
    const start = s.indexOf('abc')
    assert.equal(CallId.parse(s, start, start + 15), 'abc@def.example')
    assert.equal(CallId.parse(s, start, s.length), undefined)
  })

  test('single header: two Call-ID fields, or none, give undefined', () => {
    assert.equal(headers('Call-ID: a@b', 'i: a@b').get(CallId), undefined)
    assert.equal(headers('Max-Forwards: 70').get(CallId), undefined)
    assert.equal(headers('Call-ID: a@b', 'i: a@b').count(CallId), 2)
  })

  test('format writes the id as is; parse(format(v)) deep-equals v', () => {
    for (const v of ['f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com', 'a84b4c76e66710', '<[x]>@{y}']) {
      const text = CallId.format(v)
      assert.equal(text, v)
      assert.equal(CallId.parse(text, 0, text.length), v)
    }
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      '3848276298220188511@atlanta.example.com',
      'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
    ]) {
      const v = parse(wire)!
      const text = CallId.format(v)
      assert.equal(parse(text), v)
      assert.equal(CallId.format(parse(text)!), text)
    }
  })
})
