import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Contact, formatUri, parseMessage, type SipMessage, type SipUri } from '@junction/sip'
import { addContactAlias, aliasOf, fromAdjacentUa, parseAlias, resolveAlias } from './nat.ts'

function message(contact: string, vias = ['SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa']): SipMessage {
  const text = [
    'INVITE sip:bob@example.com SIP/2.0',
    ...vias.map((v) => `Via: ${v}`),
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=a',
    'To: <sip:bob@example.com>',
    'Call-ID: nat-test',
    'CSeq: 1 INVITE',
    `Contact: ${contact}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
  const r = parseMessage(Buffer.from(text))
  assert.ok(r.ok)
  return r.message
}

const contactUri = (m: SipMessage) => formatUri((m.headers.get(Contact)![0] as { uri: SipUri }).uri)

describe('NAT alias', () => {
  it('aliasOf and parseAlias round-trip IPv4 and IPv6 sources', () => {
    for (const source of [
      { address: '198.51.100.7', port: 40312, transport: 'udp' },
      { address: '2001:db8::7', port: 5060, transport: 'tcp' },
    ]) {
      const alias = aliasOf(source)
      assert.deepEqual(parseAlias(alias), {
        transport: source.transport,
        address: source.address,
        port: source.port,
      })
    }
    assert.equal(aliasOf({ address: '2001:db8::7', port: 5060, transport: 'ws' }), '[2001:db8::7]~5060~ws')
  })

  it('parseAlias refuses what is not one of ours: names, port 0 or > 65535, other transports, garbage', () => {
    for (const bad of [
      'example.com~5060~udp',
      '192.0.2.1~0~udp',
      '192.0.2.1~70000~udp',
      '192.0.2.1~5060~sctp',
      '192.0.2.1~5060',
      '192.0.2~5060~udp',
      '999.0.2.1~5060~udp',
      '[fe80::1::2]~5060~udp',
      '~~',
      '',
      null,
      undefined,
      `${'1'.repeat(5000)}~5060~udp`,
    ]) {
      assert.equal(parseAlias(bad), undefined, String(bad).slice(0, 40))
    }
  })

  it('adds the source to a Contact that differs from it, once; leaves a matching UDP Contact and * alone', () => {
    const natted = message('<sip:alice@10.0.0.5:5060>;expires=60')
    assert.equal(addContactAlias(natted, { address: '198.51.100.7', port: 40312, transport: 'udp' }), true)
    assert.equal(contactUri(natted), 'sip:alice@10.0.0.5:5060;alias=198.51.100.7~40312~udp')
    assert.equal(addContactAlias(natted, { address: '203.0.113.1', port: 1, transport: 'udp' }), false)
    const direct = message('<sip:alice@198.51.100.7:40312>')
    assert.equal(addContactAlias(direct, { address: '198.51.100.7', port: 40312, transport: 'udp' }), false)
    const tcp = message('<sip:alice@198.51.100.7:40312;transport=tcp>')
    assert.equal(
      addContactAlias(tcp, { address: '198.51.100.7', port: 40312, transport: 'tcp' }),
      true,
      'a connection',
    )
    assert.equal(addContactAlias(message('*'), { address: '198.51.100.7', port: 1, transport: 'udp' }), false)
  })

  it('resolveAlias gives the destination and the URI without the alias; adjacency is one Via', () => {
    const uri = (
      message('<sip:a@10.0.0.5;alias=198.51.100.7~40312~udp;ob>').headers.get(Contact)![0] as { uri: SipUri }
    ).uri
    const r = resolveAlias(uri)!
    assert.equal(formatUri(r.uri), 'sip:a@10.0.0.5;ob')
    assert.deepEqual(r.destination, { transport: 'udp', address: '198.51.100.7', port: 40312 })
    assert.equal(fromAdjacentUa(message('<sip:a@10.0.0.5>')), true)
    assert.equal(
      fromAdjacentUa(
        message('<sip:a@10.0.0.5>', [
          'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKp',
          'SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKa',
        ]),
      ),
      false,
    )
  })
})
