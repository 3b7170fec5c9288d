/**
 * Lookups in an edited field list (RFC 3261 §16.6: a proxy pops and pushes Via, Route and
 * Record-Route, §16.4, §16.6 steps 3–8): an edited message answers every read as the same message
 * parsed afresh from its serialized octets does (there the slots describe the fields again).
 */
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { parseVia } from './headers/via.ts'
import {
  CallId,
  Contact,
  ContentLength,
  CSeq,
  defineHeader,
  From,
  FromTag,
  type Headers,
  type ListHeader,
  MaxForwards,
  parseMessage,
  RecordRoute,
  Route,
  type SingleHeader,
  type SipMessage,
  serialize,
  sipUri,
  To,
  Via,
  type ViaValue,
} from './index.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const CRLF = '\r\n'

// a field no edit touches, with octets that are not ASCII (UTF-8, and not): forwarded as they came
const octetsLine = 'P-Octets: "\xc3\xa9t\xe9" \xff\x80;x=1'
// header lines a message may hold, compact and odd-case spellings included
const optional = [
  'Via: SIP/2.0/TCP edge.example.net;branch=z9hG4bK2, SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK3',
  'v: SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK4',
  'Route: <sip:proxy.example.com;lr>, <sip:next.example.net;lr>',
  'ROUTE: <sip:third.example.org;lr>',
  'Record-Route: <sip:rr1.example.com;lr>',
  'record-route: <sip:rr2.example.com;lr>, <sip:rr3.example.com;lr>',
  'Max-Forwards: 69',
  'm: <sip:alice@192.0.2.4>',
  'Contact: <sip:alice@192.0.2.5>;expires=60',
  'X-Unknown: keep this',
  'Subject: a folded',
  'Timestamp: 54',
  octetsLine,
]
const required = [
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1;rport',
  'To: <sip:bob@example.com>',
  'f: "Alice" <sip:alice@example.com>;tag=88',
  'i: call-1@pc33',
  'CSeq: 2 INVITE',
]

const ownVia = { transport: 'UDP', host: '192.0.2.1', port: 5060, branch: 'z9hG4bKown' } as const
const ownRoute = { uri: sipUri({ host: 'proxy.example.com', params: { lr: null } }) }

type Edit = (h: Headers) => unknown
const edits: Record<string, Edit> = {
  prependVia: (h) => h.prepend(Via, ownVia),
  shiftVia: (h) => h.shift(Via),
  replaceFirstVia: (h) => h.replaceFirst(Via, { ...ownVia, received: '192.0.2.99', rport: 5060 }),
  prependRecordRoute: (h) => h.prepend(RecordRoute, ownRoute),
  shiftRecordRoute: (h) => h.shift(RecordRoute),
  prependRoute: (h) => h.prepend(Route, ownRoute),
  shiftRoute: (h) => h.shift(Route),
  setMaxForwards: (h) => h.set(MaxForwards, 9),
  appendContact: (h) => h.append(Contact, { uri: sipUri({ host: 'example.org' }) }),
  removeContact: (h) => h.remove(Contact),
  removeVia: (h) => h.remove('v'),
  setRawTimestamp: (h) => h.setRaw('timestamp', '7'),
  appendRawUnknown: (h) => h.appendRaw('X-Unknown', 'more'),
  removeUnknown: (h) => h.remove('x-unknown'),
}

const listHeaders: ReadonlyArray<ListHeader<unknown>> = [Via, Route, RecordRoute, Contact]
const singleHeaders: ReadonlyArray<SingleHeader<unknown>> = [
  MaxForwards,
  To,
  From,
  CallId,
  CSeq,
  ContentLength,
]
const names = [
  'via',
  'v',
  'Route',
  'record-route',
  'm',
  'x-unknown',
  'timestamp',
  'subject',
  'l',
  'p-octets',
  'X-Absent',
]

function parse(b: Uint8Array): SipMessage {
  const r = parseMessage(b)
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message
}

/** Every read answers the same on `h` as on `fresh`. */
function sameReads(h: Headers, fresh: Headers): void {
  for (const name of names) {
    assert.equal(h.has(name), fresh.has(name), `has ${name}`)
    assert.equal(h.count(name), fresh.count(name), `count ${name}`)
    assert.deepEqual(h.raw(name), fresh.raw(name), `raw ${name}`)
  }
  for (const header of listHeaders) {
    assert.deepEqual(h.get(header), fresh.get(header), `get ${header.name}`)
    assert.deepEqual(h.first(header), fresh.first(header), `first ${header.name}`)
  }
  for (const header of singleHeaders) assert.deepEqual(h.get(header), fresh.get(header), `get ${header.name}`)
}

const messageArb = fc
  .tuple(fc.shuffledSubarray(optional), fc.boolean())
  .map(([extra, reads]) => ({ lines: [...required.slice(0, 1), ...extra, ...required.slice(1)], reads }))

describe('lookups after edits', () => {
  test('an edited message reads like its serialized octets parsed again (fast-check)', () => {
    fc.assert(
      fc.property(
        messageArb,
        fc.array(fc.constantFrom(...Object.keys(edits)), { maxLength: 8 }),
        fc.nat({ max: 8 }),
        ({ lines, reads }, steps, cloneAt) => {
          const text = ['INVITE sip:bob@example.com SIP/2.0', ...lines, 'Content-Length: 0', '', ''].join(
            CRLF,
          )
          const original = parse(
            Buffer.from(text.replace('Subject: a folded', `Subject: a${CRLF} folded`), 'latin1'),
          )
          // reading first fills the parse caches, which edits and clones must not confuse
          if (reads) sameReads(original.headers, original.headers)
          let m = original
          steps.forEach((step, i) => {
            if (i === cloneAt && m.kind === 'request') m = m.clone()
            edits[step]!(m.headers)
          })
          const out = serialize(m)
          sameReads(m.headers, parse(out).headers)
          if (lines.includes(octetsLine))
            assert.ok(Buffer.from(out).toString('latin1').includes(`${CRLF}${octetsLine}${CRLF}`))
          // the original is untouched when edits went to a clone
          if (m !== original) sameReads(original.headers, parse(serialize(original)).headers)
        },
      ),
      { numRuns },
    )
  })
})

describe('values written back keep their octets', () => {
  // a parameter value is text (params.ts): UTF-8 in a quoted-string is decoded when parsed and
  // encoded when written, so a header set to the value it was read as keeps its octets
  const lines = [
    'Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKx;x="\xc3\xa9t\xc3\xa9"',
    'From: "Jos\xc3\xa9" <sip:alice@example.com>;tag=1;x="\xc3\xa9"',
    'To: <sip:bob@example.com>;y="na\xc3\xafve"',
    'Contact: <sip:alice@192.0.2.4>;+sip.description="B\xc3\xbcro \xe2\x98\x8e"',
    'Route: <sip:proxy.example.com;lr>;z="\xf0\x9f\x93\x9e"',
  ]
  const text = [
    'INVITE sip:bob@example.com SIP/2.0',
    ...lines,
    'Call-ID: a@b',
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF)
  const written: Array<[string, (h: Headers) => void]> = [
    ['Via', (h) => h.replaceFirst(Via, h.first(Via)!)],
    ['From', (h) => h.set(From, h.get(From)!)],
    ['To', (h) => h.set(To, h.get(To)!)],
    ['Contact', (h) => h.set(Contact, h.get(Contact)!)],
    ['Route', (h) => h.set(Route, h.get(Route)!)],
  ]
  for (const [name, edit] of written) {
    test(`${name}: a UTF-8 quoted parameter`, () => {
      const m = parse(Buffer.from(text, 'latin1'))
      edit(m.headers)
      const out = Buffer.from(serialize(m)).toString('latin1')
      const line = lines.find((l) => l.startsWith(`${name}:`))!
      assert.ok(out.includes(`${CRLF}${line}${CRLF}`), out)
    })
  }

  test('a Via parameter holding any text survives received/rport (fast-check)', () => {
    const quotedText = fc
      .string({ unit: 'grapheme', maxLength: 12 })
      .filter((s) => [...s].every((c) => c !== '"' && c !== '\\' && c.charCodeAt(0) > 31 && c !== '\x7f'))
    fc.assert(
      fc.property(quotedText, (value) => {
        const octets = Buffer.from(`"${value}"`, 'utf8').toString('latin1')
        const via = `Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKx;rport;x=${octets}`
        // (a function: a replacement string would read `$$` in the value as `$`)
        const m = parse(
          Buffer.from(
            text.replace(lines[0]!, () => via),
            'latin1',
          ),
        )
        const top = m.headers.first(Via)!
        assert.equal(top.params?.get('x'), `"${value}"`)
        m.headers.replaceFirst(Via, { ...top, received: '192.0.2.9', rport: 5062 })
        const again = parse(serialize(m)).headers.first(Via)!
        assert.equal(again.params?.get('x'), `"${value}"`)
        assert.equal(again.received, '192.0.2.9')
      }),
      { numRuns },
    )
  })
})

describe('a value written is read back as given, and a list value is formatted once', () => {
  const request = () =>
    parse(
      Buffer.from(
        ['OPTIONS sip:bob@example.com SIP/2.0', ...required, 'Content-Length: 0', '', ''].join(CRLF),
      ),
    )

  test('a Via prepended, then completed (the transport fills sent-by, §18.1.1), is formatted once and never parsed', () => {
    let formats = 0
    let parses = 0
    const SpyVia = defineHeader({
      name: 'Via',
      kind: 'list',
      parse: (s, start, end) => {
        parses++
        return parseVia(s, start, end)
      },
      format: (v: ViaValue) => {
        formats++
        return Via.format(v)
      },
    })
    const m = request()
    const placeholder = { transport: 'UDP', host: '0.0.0.0', branch: 'z9hG4bKnew' }
    m.headers.prepend(SpyVia, placeholder)
    assert.equal(m.headers.first(SpyVia), placeholder, 'the value as given')
    const filled = { ...placeholder, host: '192.0.2.1', port: 5060, rport: null }
    m.headers.replaceFirst(SpyVia, filled)
    assert.equal(m.headers.first(SpyVia), filled)
    assert.equal(formats, 0, 'nothing formatted before it is needed')
    const out = Buffer.from(serialize(m)).toString('latin1')
    assert.equal(formats, 1)
    assert.equal(parses, 0)
    assert.ok(
      out.includes(
        `${CRLF}Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnew;rport${CRLF}Via: SIP/2.0/UDP 192.0.2.10:5060;`,
      ),
    )
    assert.deepEqual(
      parse(Buffer.from(serialize(m))).headers.first(Via),
      parseVia(Via.format(filled), 0, Via.format(filled).length),
    )
  })

  test('replacing the first of several values keeps the others and reads the new one back', () => {
    const m = parse(
      Buffer.from(
        [
          'OPTIONS sip:bob@example.com SIP/2.0',
          'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
          ...required.slice(1),
          'Content-Length: 0',
          '',
          '',
        ].join(CRLF),
      ),
    )
    const top = { ...m.headers.first(Via)!, received: '192.0.2.7' }
    m.headers.replaceFirst(Via, top)
    assert.equal(m.headers.first(Via), top)
    assert.deepEqual(
      m.headers.get(Via)?.map((v) => v.branch),
      ['z9hG4bK1', 'z9hG4bK2'],
    )
    assert.ok(
      Buffer.from(serialize(m))
        .toString('latin1')
        .includes('received=192.0.2.7, SIP/2.0/TCP b.example.com;branch=z9hG4bK2'),
    )
  })

  test('a single header set is read back as given; a write-only definition still refuses at once', () => {
    const m = request()
    m.headers.set(MaxForwards, 12)
    assert.equal(m.headers.get(MaxForwards), 12)
    assert.ok(Buffer.from(serialize(m)).toString('latin1').includes(`${CRLF}Max-Forwards: 12${CRLF}`))
    assert.throws(() => m.headers.set(FromTag, 'x'))
  })
})
