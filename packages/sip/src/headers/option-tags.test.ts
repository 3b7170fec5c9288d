import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  Allow,
  AllowEvents,
  type Headers,
  type ListHeader,
  ProxyRequire,
  parseMessage,
  Require,
  Supported,
  Unsupported,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

const all: Array<[string, ListHeader<string>]> = [
  ['Supported (§20.37)', Supported],
  ['Require (§20.32)', Require],
  ['Proxy-Require (§20.29)', ProxyRequire],
  ['Unsupported (§20.40)', Unsupported],
  ['Allow (§20.5)', Allow],
  ['Allow-Events (RFC 6665 §8.2.2)', AllowEvents],
]

describe('option tags, methods and event types (RFC 3261 §20.5, §20.29, §20.32, §20.37, §20.40)', () => {
  test('§20.37 Supported and its compact form "k" (§7.3.3), over several fields in order', () => {
    const h = headers('Supported: 100rel, timer', 'k: path,gruu ,  outbound')
    assert.deepEqual(h.get(Supported), ['100rel', 'timer', 'path', 'gruu', 'outbound'])
    assert.equal(h.first(Supported), '100rel')
    assert.equal(h.count(Supported), 2)
  })

  test('§20.32 Require, §20.29 Proxy-Require, §20.40 Unsupported', () => {
    const h = headers('Require: 100rel', 'Proxy-Require: foo, sec-agree', 'Unsupported: foo')
    assert.deepEqual(h.get(Require), ['100rel'])
    assert.deepEqual(h.get(ProxyRequire), ['foo', 'sec-agree'])
    assert.deepEqual(h.get(Unsupported), ['foo'])
  })

  test('§20.5 Allow: methods keep their case (§7.1 methods are case-sensitive)', () => {
    assert.deepEqual(headers('Allow: INVITE, ACK, OPTIONS, CANCEL, BYE, foo').get(Allow), [
      'INVITE',
      'ACK',
      'OPTIONS',
      'CANCEL',
      'BYE',
      'foo',
    ])
  })

  test('RFC 6665 §8.2.2 Allow-Events and its compact form "u"', () => {
    assert.deepEqual(headers('Allow-Events: presence, dialog', 'u: message-summary').get(AllowEvents), [
      'presence',
      'dialog',
      'message-summary',
    ])
    assert.deepEqual(headers('u: presence.winfo').get(AllowEvents), ['presence.winfo'])
  })

  test('§20.37 / §20.5: an empty Supported or Allow is valid and holds no value', () => {
    const h = headers('Supported:', 'Allow: ')
    assert.deepEqual(h.get(Supported), [])
    assert.deepEqual(h.get(Allow), [])
    assert.equal(h.first(Supported), undefined)
    assert.equal(h.has(Supported), true)
    const later = headers('Supported:', 'Supported: timer')
    assert.deepEqual(later.get(Supported), ['timer'])
    assert.equal(later.first(Supported), 'timer')
  })

  test('§25.1 Require = 1*option-tag list: an empty Require (or Proxy-Require, Unsupported) is invalid', () => {
    assert.equal(headers('Require:').get(Require), undefined)
    assert.equal(headers('Require:').first(Require), undefined)
    assert.equal(headers('Proxy-Require: ').get(ProxyRequire), undefined)
    assert.equal(headers('Unsupported:').get(Unsupported), undefined)
    assert.equal(headers('Allow-Events:').get(AllowEvents), undefined)
  })

  test('absent: get gives []', () => {
    const h = headers('Max-Forwards: 70')
    for (const [name, def] of all) assert.deepEqual(h.get(def), [], name)
  })

  for (const [name, def] of all) {
    test(`${name}: each value is one token; anything else is invalid`, () => {
      const read = (text: string): string | undefined => def.parse(text, 0, text.length)
      assert.equal(read("x-!%*_+`'~.1"), "x-!%*_+`'~.1")
      for (const bad of ['', 'a b', 'a/b', 'a;b', 'a=b', '"a"', 'a:b', 'caf\xe9']) {
        assert.equal(read(bad), undefined, JSON.stringify(bad))
      }
    })
  }

  test('§7.3.1: an empty element or a bad token makes get undefined; first still reads the first', () => {
    assert.equal(headers('Supported: 100rel,,timer').get(Supported), undefined)
    assert.equal(headers('Supported: 100rel,').get(Supported), undefined)
    assert.equal(headers('Supported: ,100rel').get(Supported), undefined)
    const h = headers('Require: 100rel, not a token')
    assert.equal(h.first(Require), '100rel')
    assert.equal(h.get(Require), undefined)
  })

  test('format writes the token; parse(format(v)) deep-equals v, and wire values are stable', () => {
    for (const [, def] of all) {
      for (const v of ['100rel', 'timer', 'INVITE', 'presence.winfo']) {
        const text = def.format(v)
        assert.equal(text, v)
        assert.equal(def.parse(text, 0, text.length), v)
        assert.equal(def.format(def.parse(text, 0, text.length)!), text)
      }
    }
  })
})
