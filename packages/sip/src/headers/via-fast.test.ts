import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { parseAnyVia } from './via.ts'
import { parseUsualVia } from './via-fast.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

// the value between other text, as in a message: neither parser may read outside its range
const usual = (text: string) => parseUsualVia(`X${text}Y`, 1, 1 + text.length)
const general = (text: string) => parseAnyVia(`X${text}Y`, 1, 1 + text.length)

/** The usual path either leaves the value to the general parser or reads exactly what it reads. */
function agrees(text: string): void {
  const fast = usual(text)
  if (fast !== null) assert.deepStrictEqual(fast, general(text), text)
}

const protocol = fc.constantFrom(
  'SIP/2.0/',
  'SIP/2.0/',
  'sip/2.0/',
  'SIP/2.1/',
  'SIP / 2.0 /',
  'SIP/2.0 /',
  'X/1/',
)
const transport = fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'WSS', 'udp', 'Tcp', 'SCTP', 'UD', 'UDPX', 'W')
const gap = fc.constantFrom(' ', ' ', '  ', '\t', ' \t', '', '\r\n ')
const label = fc.constantFrom(
  'a',
  'example',
  'edge-2',
  'x1',
  '1x',
  '-a',
  'a-',
  'a--b',
  '',
  'EXAMPLE',
  'ex_ample',
)
const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'))
const ipv4 = fc
  .array(fc.constantFrom('0', '1', '10', '192', '255', '256', '0001', '999', ''), {
    minLength: 3,
    maxLength: 5,
  })
  .map((p) => p.join('.'))
const host = fc.oneof(
  hostname,
  ipv4,
  fc.constantFrom(
    'example.com.',
    '[2001:db8::1]',
    '[::1]',
    '2001:db8::1',
    '[1.2.3.4]',
    'a.b.123',
    '1.2.3.4a',
    '',
  ),
)
const port = fc.constantFrom(
  '',
  '',
  ':5060',
  ':0',
  ':65535',
  ':65536',
  ':005060',
  ':',
  ': 5060',
  ' :5060',
  ':5060x',
  ':1234567',
)
const param = fc.constantFrom(
  ';branch=z9hG4bK776asdhds',
  ";branch=z9hG4bK.1-a_b!c~d*e+f`g'h%41",
  ';branch=',
  ';BRANCH=z9hG4bKx',
  ';Branch=x',
  ';branch =x',
  ';branch= x',
  ';branch=x:y',
  ';branch=x,y',
  ';branch="x"',
  ';rport',
  ';RPORT',
  ';rport=',
  ';rport=5060',
  ';rport=0',
  ';rport=65536',
  ';rport=00005060',
  ';rport=5060x',
  ';rports',
  ';rport;rport=1',
  ';received=192.0.2.1',
  ';received=198.51.100.2',
  ';received=1.2.3',
  ';received=1.2.3.4.5',
  ';received=256.1.1.1',
  ';received=1.2.3.4x',
  ';received=[2001:db8::1]',
  ';received=2001:db8::1',
  ';received=',
  ';Received=1.2.3.4',
  ';maddr=224.0.0.1',
  ';ttl=16',
  ';lr',
  ';x="quoted;value\\""',
  ';x=%41',
  ';',
  ';;',
  ' ;branch=x',
  '; branch=x',
  ';branch=x ',
  ';branch=x\t',
  ',',
  ', SIP/2.0/UDP b',
  ' ',
)
const via = fc
  .tuple(protocol, transport, gap, host, port, fc.array(param, { maxLength: 5 }))
  .map(([pr, t, g, h, p, ps]) => `${pr}${t}${g}${h}${p}${ps.join('')}`)

// values written the usual way, which the usual path must read itself
const usualVia = fc
  .tuple(
    fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'WSS'),
    fc.oneof(fc.constantFrom('example.com', 'edge-2.example.net', 'a', 'x1.y2.z'), fc.ipV4()),
    fc.option(fc.integer({ min: 0, max: 65535 })),
    fc.array(
      fc.oneof(
        fc.stringMatching(/^[a-zA-Z0-9.!%*_+`'~-]{1,20}$/).map((b) => `;branch=${b}`),
        fc.ipV4().map((a) => `;received=${a}`),
        fc.option(fc.integer({ min: 0, max: 65535 })).map((p) => (p === null ? ';rport' : `;rport=${p}`)),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([t, h, p, ps]) => `SIP/2.0/${t} ${h}${p === null ? '' : `:${p}`}${ps.join('')}`)

/** A value with one char inserted, replaced or removed somewhere. */
const mutated = fc
  .tuple(
    fc.oneof(via, usualVia),
    fc.nat(),
    fc.constantFrom('insert', 'replace', 'remove'),
    fc.constantFrom(
      ' ',
      '\t',
      ';',
      '=',
      ':',
      '.',
      '-',
      ',',
      '"',
      '\\',
      '[',
      ']',
      'A',
      'z',
      '0',
      '9',
      '\x80',
      '\u0100',
      '%',
    ),
  )
  .map(([v, at, how, c]) => {
    const k = v.length === 0 ? 0 : at % v.length
    if (how === 'insert') return v.slice(0, k) + c + v.slice(k)
    if (how === 'replace') return v.slice(0, k) + c + v.slice(k + 1)
    return v.slice(0, k) + v.slice(k + 1)
  })

describe('Via: the usual spelling read in one pass (RFC 3261 §20.42, §25.1; RFC 3581)', () => {
  test('reads the usual values itself, exactly as the general grammar does', () => {
    fc.assert(
      fc.property(usualVia, (text) => {
        const fast = usual(text)
        assert.notEqual(fast, null, text)
        assert.deepStrictEqual(fast, general(text), text)
      }),
      { numRuns },
    )
  })

  test('agrees with the general grammar on near-misses: case, LWS, IPv6, quoted and odd parameters', () => {
    fc.assert(fc.property(via, agrees), { numRuns })
  })

  test('agrees with the general grammar on values with one char inserted, replaced or removed', () => {
    fc.assert(fc.property(mutated, agrees), { numRuns })
  })

  test('agrees on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), agrees), { numRuns })
  })

  test('the spellings of the bench corpus take the usual path', () => {
    for (const text of [
      'SIP/2.0/UDP edge2.example.net:5060;branch=z9hG4bK2d4790.1;received=198.51.100.2;rport=5060',
      'SIP/2.0/TLS 198.51.100.21:49152;branch=z9hG4bK776asdhds;rport=49152',
      'SIP/2.0/UDP 192.0.2.33:5060;rport;branch=z9hG4bKnashds7',
      'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKasudf',
    ]) {
      assert.notEqual(usual(text), null, text)
      assert.deepStrictEqual(usual(text), general(text))
    }
  })

  test('leaves the rest to the general grammar', () => {
    for (const text of [
      'SIP/2.0/udp host',
      'SIP/2.0/UDP Host.example.com',
      'SIP/2.0/UDP [2001:db8::1]:5060',
      'SIP/2.0/UDP host ;branch=x',
      'SIP/2.0/UDP host;maddr=224.0.0.1',
      'SIP/2.0/UDP example.com.',
      'SIP/2.0/SCTP host',
      'SIP/2.0/UDP host;branch=x,',
    ])
      assert.equal(usual(text), null, text)
  })
})
