import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { parseDigits } from '../chars.ts'
import { parseVia } from './via.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)

const via = (text: string) => parseVia(`X${text}Y`, 1, 1 + text.length)

describe('Via: the usual parameters read at once (RFC 3261 §20.42, RFC 3581)', () => {
  test('agree with the general reading: the same value with SWS after each ";" (SEMI = SWS ";" SWS)', () => {
    const name = fc.constantFrom(
      'branch',
      'BRANCH',
      'received',
      'Received',
      'rport',
      'RPORT',
      'ttl',
      'maddr',
      'x',
      'rports',
    )
    // (no DQUOTE: the SWS added after a ";" inside a quoted-string would change its text)
    const value = fc.string({
      unit: fc.constantFrom(
        '1',
        '9',
        '0',
        '.',
        'a',
        'z9hG4bK',
        ':',
        '[',
        ']',
        ' ',
        ',',
        '=',
        '\x80',
        '255',
        '65536',
      ),
      maxLength: 8,
    })
    const param = fc.tuple(name, fc.option(value, { nil: undefined }))
    fc.assert(
      fc.property(fc.array(param, { maxLength: 4 }), fc.constantFrom('', ' ', ',x'), (params, after) => {
        const rest = (sep: string) =>
          params.map(([n, v]) => `${sep}${n}${v === undefined ? '' : `=${v}`}`).join('') + after
        const usual = via(`SIP/2.0/UDP host.example.com:5060${rest(';')}`)
        const general = via(`SIP/2.0/UDP host.example.com:5060${rest('; ')}`)
        assert.deepEqual(usual, general)
      }),
      { numRuns },
    )
  })

  test('the port and rport numbers, read as they are scanned: against parseDigits', () => {
    const digits = fc.string({
      unit: fc.constantFrom('0', '1', '5', '9', '65535', '65536', '00000000000000001'),
      maxLength: 4,
    })
    fc.assert(
      fc.property(digits, fc.constantFrom('', ';x', ' ', 'a'), (d, after) => {
        const n = parseDigits(d, 0, d.length, 65535)
        const v = via(`SIP/2.0/UDP a.example.com:${d}${after};rport=${d}`)
        if (n < 0 || after === 'a') assert.equal(v, undefined)
        else {
          assert.equal(v?.port, n)
          assert.equal(v?.rport, n)
        }
      }),
      { numRuns },
    )
  })

  test('the usual forms', () => {
    assert.deepEqual(via('SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bK1;received=198.51.100.2'), {
      protocol: 'SIP/2.0',
      transport: 'UDP',
      host: '192.0.2.1',
      port: undefined,
      branch: 'z9hG4bK1',
      received: '198.51.100.2',
      rport: null,
      maddr: undefined,
      ttl: undefined,
      params: new Map(),
    })
    assert.equal(via('SIP/2.0/UDP a;rport=65536'), undefined)
    assert.equal(via('SIP/2.0/UDP a;received=1.2.3'), undefined)
    assert.equal(via('SIP/2.0/UDP a;branch=x:y'), undefined)
    assert.equal(via('SIP/2.0/UDP a;branch="x"'), undefined)
    assert.equal(via('SIP/2.0/UDP a;x=";branch=y";branch=z')?.branch, 'z')
    assert.equal(via('SIP/2.0/UDP a;received=::1')?.received, '::1')
  })
})
