/**
 * RFC 4475 (SIP torture tests) and RFC 5118 (IPv6 torture tests): every message of both RFCs, read
 * as octets, handled as test/fixtures/index.json says: accepted and parsed faithfully (V), rejected
 * with the right status or dropped (R), rejected or correctly repaired (L), and badbranch (B).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import {
  CallId,
  Contact,
  ContentLength,
  ContentType,
  CSeq,
  Expires,
  From,
  MaxForwards,
  parseMessage,
  parseUri,
  RecordRoute,
  Route,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
  To,
  uriEquals,
  Via,
  validateRequest,
  validateResponse,
} from '../src/index.ts'

interface Entry {
  file: string
  rfc: string
  kind: 'request' | 'response'
  class: 'V' | 'R' | 'L' | 'B'
  expect: string
  status: number | null
}

const dir = new URL('./fixtures/', import.meta.url)
const index: Entry[] = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8'))
const read = (file: string): Buffer => readFileSync(new URL(file, dir))

function parsed(file: string, extra?: string): SipMessage {
  const bytes = extra === undefined ? read(file) : Buffer.concat([read(file), Buffer.from(extra)])
  const r = parseMessage(bytes)
  assert.ok(r.ok, `${file} should parse: ${r.ok ? '' : `${r.error.code} ${r.error.reason}`}`)
  return r.message
}
const req = (file: string): SipRequest => parsed(file) as SipRequest
const res = (file: string): SipResponse => parsed(file) as SipResponse
const text = (m: SipMessage): string => Buffer.from(m.body).toString('latin1')

/** What a server does with the message: 'accept', a status, or 'drop'. */
function outcome(file: string, bytes = read(file)): 'accept' | 'drop' | number {
  const r = parseMessage(bytes)
  if (!r.ok) return r.error.status ?? 'drop'
  if (r.message.kind === 'response') return validateResponse(r.message).ok ? 'accept' : 'drop'
  const v = validateRequest(r.message)
  return v.ok ? 'accept' : v.status
}

/** Assertions that check a valid message was parsed faithfully, per file. */
const faithful: Record<string, () => void> = {
  'rfc4475/wsinv.sip'() {
    const m = req('rfc4475/wsinv.sip')
    assert.equal(m.method, 'INVITE')
    assert.ok(m.uri.kind === 'sip' && m.uri.user === 'vivekg' && m.uri.params.has('unknownparam'))
    assert.equal(m.headers.get(To)?.tag, '1918181833n')
    const from = m.headers.get(From)!
    assert.equal(from.displayName, 'J Rosenberg \\"')
    assert.equal(from.tag, '98asjd8')
    assert.equal(m.headers.get(MaxForwards), 68)
    assert.deepEqual(m.headers.get(CSeq), { seq: 9, method: 'INVITE' })
    const vias = m.headers.get(Via)!
    assert.deepEqual(
      vias.map((v) => [v.transport, v.host, v.branch]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    )
    assert.deepEqual(m.headers.raw('NewFangledHeader'), ['newfangled value continued newfangled value'])
    assert.deepEqual(m.headers.raw('UnknownHeaderWithUnusualValue'), [';;,,;;,;'])
    assert.deepEqual(m.headers.raw('Subject'), [''])
    const route = m.headers.get(Route)!
    assert.equal(route.length, 1)
    assert.ok(route[0]!.uri.kind === 'sip' && route[0]!.uri.params.get('unknownwith') === 'value')
    const contact = m.headers.get(Contact)![0]!
    assert.ok(contact !== '*')
    assert.equal(contact.displayName, 'Quoted string ""')
    assert.equal(contact.q, 0.33)
    assert.deepEqual(
      [...contact.params!],
      [
        ['newparam', 'newvalue'],
        ['secondparam', null],
      ],
    )
    assert.equal(m.body.length, 150)
  },
  'rfc4475/intmeth.sip'() {
    const m = req('rfc4475/intmeth.sip')
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~")
    assert.ok(m.uri.kind === 'sip')
    assert.equal(m.uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    assert.equal(m.uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    assert.equal(m.headers.first(Via)?.branch, "z9hG4bK-.!%66*_+`'~")
    assert.equal(m.headers.get(To)?.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f')
    const from = m.headers.get(From)!
    assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-")
    assert.equal(from.tag, "_token~1'+`*%!-.")
    assert.equal(m.headers.get(CallId), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{')
    assert.equal(m.headers.get(CSeq)?.method, m.method)
    assert.deepEqual(m.headers.raw("extensionHeader-!.%*+_`'~"), ['\ufeff大停電']) // UTF-8, BOM kept
  },
  'rfc4475/esc01.sip'() {
    const m = req('rfc4475/esc01.sip')
    assert.ok(m.uri.kind === 'sip' && m.uri.user === 'sips:user@example.com' && m.uri.host === 'example.net')
    assert.ok(uriEquals(m.headers.get(To)!.uri, parseUri('sip:user@example.com')!))
    const from = m.headers.get(From)!
    assert.ok(from.uri.kind === 'sip' && from.uri.user === 'I have spaces')
    const c = m.headers.get(Contact)![0]!
    assert.ok(c !== '*' && c.uri.kind === 'sip')
    assert.equal(c.uri.user, 'caller')
    assert.deepEqual(
      [...c.uri.params],
      [
        ['lr', null],
        ['name', 'value%41'],
      ],
    )
  },
  'rfc4475/escnull.sip'() {
    const m = req('rfc4475/escnull.sip')
    const to = m.headers.get(To)!.uri
    assert.ok(to.kind === 'sip' && to.user === 'null-\x00-null')
    const contacts = m.headers.get(Contact)!
    assert.deepEqual(
      contacts.map((c) => c !== '*' && c.uri.kind === 'sip' && c.uri.user),
      ['\x00', '\x00\x00'],
    )
  },
  'rfc4475/esc02.sip'() {
    const m = req('rfc4475/esc02.sip')
    // % is not an escape in a method or a header name: an unknown method, an unknown header
    assert.equal(m.method, 'RE%47IST%45R')
    assert.equal(m.headers.get(Contact)!.length, 2)
    assert.deepEqual(m.headers.raw('C%6Fntact'), ['<sip:alias2@host2.example.com>'])
    assert.equal(m.headers.get(To)?.displayName, '%Z%45')
  },
  'rfc4475/lwsdisp.sip'() {
    assert.equal(req('rfc4475/lwsdisp.sip').headers.get(From)?.displayName, 'caller')
  },
  'rfc4475/longreq.sip'() {
    const m = req('rfc4475/longreq.sip')
    assert.equal(m.headers.get(Via)!.length, 34)
    assert.ok(m.headers.get(To)!.displayName!.includes('extremeextreme'))
    const tag = /;tag=(\d+)/.exec(read('rfc4475/longreq.sip').toString('latin1'))![1]
    assert.equal(m.headers.get(From)!.tag, tag)
    assert.equal(tag!.length, 155)
    assert.ok(m.headers.get(From)!.params!.size > 0)
  },
  'rfc4475/dblreq.sip'() {
    const m = req('rfc4475/dblreq.sip')
    assert.equal(m.method, 'REGISTER')
    assert.equal(m.body.length, 0)
    // the trailing INVITE is neither body nor forwarded
    const out = Buffer.from(serialize(m)).toString('latin1')
    assert.ok(!out.includes('INVITE'))
    assert.ok(out.endsWith('Content-Length: 0\r\n\r\n'))
  },
  'rfc4475/semiuri.sip'() {
    const m = req('rfc4475/semiuri.sip')
    assert.ok(m.uri.kind === 'sip' && m.uri.user === 'user;par=u@example.net' && m.uri.host === 'example.com')
    assert.equal(m.uri.params.size, 0)
  },
  'rfc4475/transports.sip'() {
    const m = req('rfc4475/transports.sip')
    assert.deepEqual(
      m.headers.get(Via)!.map((v) => v.transport),
      ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
    )
  },
  'rfc4475/mpart01.sip'() {
    const m = req('rfc4475/mpart01.sip')
    const ct = m.headers.get(ContentType)!
    assert.equal(ct.mediaType, 'multipart/mixed')
    const bytes = read('rfc4475/mpart01.sip')
    const bodyStart = bytes.indexOf('\r\n\r\n') + 4
    assert.deepEqual(
      Buffer.from(m.body),
      bytes.subarray(bodyStart, bodyStart + m.headers.get(ContentLength)!),
    )
  },
  'rfc4475/unreason.sip'() {
    const m = res('rfc4475/unreason.sip')
    assert.equal(m.status, 200)
    assert.ok(m.reason.startsWith('= 2**3 * 5**2 но сто девяносто девять'))
  },
  'rfc4475/noreason.sip'() {
    const m = res('rfc4475/noreason.sip')
    assert.equal(m.status, 100)
    assert.equal(m.reason, '')
  },
  'rfc4475/unkscm.sip'() {
    const m = req('rfc4475/unkscm.sip')
    assert.equal(m.uri.kind, 'absolute')
    assert.equal(m.uri.scheme, 'nobodyknowsthisscheme')
  },
  'rfc4475/novelsc.sip'() {
    assert.equal(req('rfc4475/novelsc.sip').uri.scheme, 'soap.beep')
  },
  'rfc4475/cparam01.sip'() {
    // addr-spec form: ;unknownparam belongs to the Contact, not to the URI
    const c = req('rfc4475/cparam01.sip').headers.get(Contact)![0]!
    assert.ok(c !== '*' && c.uri.kind === 'sip')
    assert.equal(c.uri.params.size, 0)
    assert.ok(c.params!.has('unknownparam'))
  },
  'rfc4475/cparam02.sip'() {
    const c = req('rfc4475/cparam02.sip').headers.get(Contact)![0]!
    assert.ok(c !== '*' && c.uri.kind === 'sip')
    assert.ok(c.uri.params.has('unknownparam'))
    assert.equal(c.params!.size, 0)
  },
  'rfc4475/regescrt.sip'() {
    const c = req('rfc4475/regescrt.sip').headers.get(Contact)![0]!
    assert.ok(c !== '*' && c.uri.kind === 'sip')
    assert.deepEqual(c.uri.headers, [['Route', '<sip:sip.example.com>']])
  },
  'rfc4475/bcast.sip'() {
    const m = res('rfc4475/bcast.sip')
    assert.equal(m.headers.get(Via)![1]!.host, '255.255.255.255')
  },
  'rfc4475/inv2543.sip'() {
    const m = req('rfc4475/inv2543.sip')
    assert.equal(m.headers.first(Via)!.branch, undefined)
    assert.equal(m.headers.has(MaxForwards), false)
    assert.equal(m.headers.get(RecordRoute)![0]!.uri.kind, 'sip')
    assert.equal(m.body.length, m.headers.has(ContentLength) ? m.headers.get(ContentLength) : m.body.length)
  },
  'rfc4475/zeromf.sip'() {
    assert.equal(req('rfc4475/zeromf.sip').headers.get(MaxForwards), 0)
  },
  'rfc4475/unksm2.sip'() {
    assert.equal(req('rfc4475/unksm2.sip').headers.get(To)!.uri.kind, 'absolute')
  },
  'rfc5118/4.1-ipv6-good.sip'() {
    const m = req('rfc5118/4.1-ipv6-good.sip')
    assert.ok(m.uri.kind === 'sip' && m.uri.host === '[2001:db8::10]')
  },
  'rfc5118/4.3-port-ambiguous.sip'() {
    const m = req('rfc5118/4.3-port-ambiguous.sip')
    assert.ok(m.uri.kind === 'sip' && m.uri.host === '[2001:db8::10:5070]' && m.uri.port === undefined)
  },
  'rfc5118/4.4-port-unambiguous.sip'() {
    const m = req('rfc5118/4.4-port-unambiguous.sip')
    assert.ok(m.uri.kind === 'sip' && m.uri.host === '[2001:db8::10]' && m.uri.port === 5070)
  },
  'rfc5118/4.5-via-received-param-with-delim.sip'() {
    assert.equal(
      req('rfc5118/4.5-via-received-param-with-delim.sip').headers.first(Via)!.received,
      '[2001:db8::9:255]',
    )
  },
  'rfc5118/4.5-via-received-param-no-delim.sip'() {
    assert.equal(
      req('rfc5118/4.5-via-received-param-no-delim.sip').headers.first(Via)!.received,
      '2001:db8::9:255',
    )
  },
  'rfc5118/4.6-ipv6-in-sdp.sip'() {
    assert.ok(text(req('rfc5118/4.6-ipv6-in-sdp.sip')).includes('c=IN IP6 2001:db8::20'))
  },
  'rfc5118/4.7-mult-ip-in-header.sip'() {
    const vias = req('rfc5118/4.7-mult-ip-in-header.sip').headers.get(Via)!
    assert.ok(vias.some((v) => v.host.startsWith('[')) && vias.some((v) => !v.host.startsWith('[')))
  },
  'rfc5118/4.9-ipv4-mapped-ipv6.sip'() {
    const m = req('rfc5118/4.9-ipv4-mapped-ipv6.sip')
    assert.ok(m.headers.get(Via)!.some((v) => v.host.includes('::ffff:')))
  },
  'rfc5118/4.10-ipv6-bug-abnf-3-colons.sip'() {
    const m = req('rfc5118/4.10-ipv6-bug-abnf-3-colons.sip')
    const correct = req('rfc5118/4.10-ipv6-correct-abnf-2-colons.sip')
    assert.ok(uriEquals(m.uri, correct.uri))
  },
}

describe('RFC 4475 and RFC 5118 torture messages', () => {
  test('the index covers all 49 RFC 4475 messages and the RFC 5118 ones', () => {
    assert.equal(index.filter((e) => e.file.startsWith('rfc4475/')).length, 49)
    assert.ok(index.filter((e) => e.file.startsWith('rfc5118/')).length >= 12)
  })

  for (const e of index) {
    test(`${e.file} (${e.rfc}, class ${e.class}): ${e.expect}`, () => {
      const got = outcome(e.file)
      switch (e.class) {
        case 'V': {
          // accepted; the application may refuse it with the status the index names, and where
          // the index leaves it to the application, with the status we decided on
          const may = decided[e.file] ?? e.status
          if (got !== 'accept' || may === 'accept') assert.equal(got, may ?? 'accept', e.file)
          faithful[e.file]?.()
          break
        }
        case 'R':
          // a request gets exactly the status the index names (400 unless it says otherwise)
          assert.equal(got, e.kind === 'response' ? 'drop' : (decided[e.file] ?? e.status ?? 400), e.file)
          break
        case 'B':
          // badbranch: accepted here; the transaction layer falls back to RFC 2543 matching
          assert.equal(got, 'accept')
          assert.equal(req(e.file).headers.first(Via)!.branch, 'z9hG4bK')
          break
        case 'L':
          liberal[e.file]!(got)
          break
      }
    })
  }
  test('every faithful-parse check names a fixture that exists', () => {
    for (const file of Object.keys(faithful))
      assert.ok(
        index.some((e) => e.file === file),
        file,
      )
  })
})

/**
 * What this codec decides where the index leaves a choice: `soap.beep` ("application decides")
 * is a URI scheme it does not know, so `validateRequest` answers 416 (RFC 3261 §8.2.2.1);
 * mismatch02 ("501, 400 acceptable") gets 400 from `validateRequest`, which does not know which
 * methods the application supports.
 */
const decided: Readonly<Record<string, number | 'accept'>> = {
  'rfc4475/novelsc.sip': 416,
  'rfc4475/mismatch02.sip': 400,
}

/** Class L: we reject (400) or repair; each case pins down which, and checks the repair. */
const liberal: Record<string, (got: ReturnType<typeof outcome>) => void> = {
  'rfc4475/ltgtruri.sip': (got) => assert.equal(got, 400),
  'rfc4475/quotbal.sip': (got) => assert.equal(got, 400),
  'rfc4475/badaspec.sip': (got) => assert.equal(got, 400),
  'rfc4475/escruri.sip': (got) => assert.equal(got, 400),
  'rfc4475/lwsstart.sip'(got) {
    // repaired: the extra SP between the elements of the request line are ignored
    assert.equal(got, 'accept')
    const m = req('rfc4475/lwsstart.sip')
    assert.ok(m.uri.kind === 'sip' && m.uri.user === 'user' && m.uri.host === 'example.com')
    assert.equal(m.version, 'SIP/2.0')
  },
  'rfc4475/trws.sip'(got) {
    assert.equal(got, 'accept')
    assert.equal(req('rfc4475/trws.sip').version, 'SIP/2.0')
  },
  'rfc4475/baddate.sip'(got) {
    // Date is not interpreted: the request goes on
    assert.equal(got, 'accept')
  },
  'rfc4475/regbadct.sip'(got) {
    // the request itself is fine; its Contact is not, so a registrar answers 400
    assert.equal(got, 'accept')
    const m = req('rfc4475/regbadct.sip')
    assert.equal(m.headers.has(Contact), true)
    assert.equal(m.headers.get(Contact), undefined)
  },
  'rfc4475/baddn.sip'(got) {
    // the archive copy lacks the empty line: rejected for that alone; with it, From/To are invalid
    assert.equal(got, 'drop')
    const r = parseMessage(Buffer.concat([read('rfc4475/baddn.sip'), Buffer.from('\r\n')]))
    assert.ok(r.ok && r.message.kind === 'request')
    const v = validateRequest(r.message)
    assert.ok(!v.ok && v.status === 400)
    assert.equal(r.message.headers.get(From), undefined)
  },
}

describe('Expires beyond 2^32-1 (RFC 4475 §3.1.2.4)', () => {
  test('is invalid and reads as absent, so a registrar falls back to its default', () => {
    const m = req('rfc4475/scalar02.sip')
    assert.equal(m.headers.has(Expires), true)
    assert.equal(m.headers.get(Expires), undefined)
  })
})
