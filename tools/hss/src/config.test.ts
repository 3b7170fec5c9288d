import assert from 'node:assert/strict'
import { test } from 'node:test'
import { exampleConfigPath, loadConfig, parseConfig } from './config.ts'

test('the shipped example loads: TS 35.207 test set 2 subscriber, defaults filled in', async () => {
  const r = await loadConfig(exampleConfigPath)
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'))
  const alice = r.config.subscribers[0]!
  assert.equal(alice.k, '0396eb317b6d1c36f19c1c84cd6ffd16')
  assert.equal(alice.op, 'ff53bade17df5d4e793073ce9d7579fa')
  assert.equal(alice.amf, 'af17')
  assert.equal(r.config.hss.listen, '127.0.0.1:3868')
  assert.equal(r.config.hss.originHost, 'hss.ims.test')
  assert.equal(r.config.hss.vectors.rand, 'no-zero-res')
  // the YAML iFC form: names became numbers
  assert.deepEqual(alice.ifcs?.[0]?.trigger?.spts[0]?.registrationType, [0, 2])
  assert.equal(alice.ifcs?.[0]?.profilePartIndicator, 0)
})

test('every problem is reported with its path', () => {
  const r = parseConfig({
    hss: { listen: 'nowhere', vectors: { rand: 'fixed' }, extra: 1 },
    subscribers: [
      { impi: 'a', impus: ['sip:a@x'], k: '00', op: '00'.repeat(16), opc: '00'.repeat(16) },
      { impi: 'b', impus: ['sip:a@x', 'mailto:b'], k: '00'.repeat(16), op: '00'.repeat(16) },
      {
        impi: 'c',
        impus: ['sip:c@x'],
        k: '00'.repeat(16),
        op: '00'.repeat(16),
        ifcs: [
          {
            priority: 1,
            trigger: { spts: [{ method: 'INVITE', sessionCase: 0 }] },
            applicationServer: { serverName: 'sip:as' },
          },
        ],
      },
    ],
  })
  assert.equal(r.ok, false)
  const text = r.ok ? '' : r.problems.join('\n')
  for (const expected of [
    /hss\.listen: expected host:port/,
    /hss\.vectors: rand: fixed needs fixedRand/,
    /hss: .*extra/i,
    /subscribers\.0\.k: k: expected 16 octets/,
    /subscribers\.0: give op or opc/,
    /subscribers\.1\.impus\.1: expected a sip:, sips: or tel: URI/,
    /subscribers\.1\.impus: sip:a@x is listed twice/,
    /subscribers\.2\.ifcs\.0\.trigger\.spts\.0: an SPT has exactly one of/,
  ])
    assert.match(text, expected)
})

test('hex accepts 0x, colons and upper case', () => {
  const r = parseConfig({
    subscribers: [
      {
        impi: 'a',
        impus: ['sip:a@x'],
        k: `0x${'AB'.repeat(16)}`,
        opc: `${'ab:'.repeat(15)}ab`,
        sqn: '0X0000000000FF',
      },
    ],
  })
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'))
  assert.equal(r.config.subscribers[0]!.k, 'ab'.repeat(16))
  assert.equal(r.config.subscribers[0]!.sqn, '0000000000ff')
})
