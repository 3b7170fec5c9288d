import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Headers, parseMessage, Via, type ViaValue } from '../index.ts'

/** The headers of a minimal request holding `lines` (wire text, one header field per entry). */
function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`OPTIONS sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

/** The one Via value of `text`, read through a message. */
function via(text: string): ViaValue | undefined {
  const all = headers(`Via: ${text}`).get(Via)
  if (all === undefined) return undefined
  assert.equal(all.length, 1)
  return all[0]
}

function parse(text: string): ViaValue | undefined {
  return Via.parse(text, 0, text.length)
}

/** parse → format → parse gives the same value, and formatting it again the same text. */
function assertStable(wire: string): ViaValue {
  const v = parse(wire)
  assert.ok(v !== undefined, `${wire} should parse`)
  const text = Via.format(v)
  assert.deepEqual(parse(text), v, `${text} should read back`)
  assert.equal(Via.format(parse(text)!), text)
  return v
}

describe('Via: sent-protocol and sent-by (RFC 3261 §20.42, §25.1)', () => {
  test('§20.42 example: every field of the value', () => {
    assert.deepEqual(via('SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds'), {
      protocol: 'SIP/2.0',
      transport: 'UDP',
      host: 'pc33.atlanta.com',
      port: undefined,
      branch: 'z9hG4bK776asdhds',
      received: undefined,
      rport: undefined,
      maddr: undefined,
      ttl: undefined,
      params: new Map(),
    })
  })

  test('§25.1 transport: each common transport, and lower-case transports read in upper case', () => {
    for (const t of ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS']) {
      assert.equal(via(`SIP/2.0/${t} host.example.com`)?.transport, t)
      assert.equal(via(`SIP/2.0/${t.toLowerCase()} host.example.com`)?.transport, t)
    }
    assert.equal(via('SIP/2.0/Tls host.example.com')?.transport, 'TLS')
    // other-transport = token
    assert.equal(via('SIP/2.0/dtls-udp host.example.com')?.transport, 'DTLS-UDP')
  })

  test('§25.1 sent-protocol: an extension protocol-name and version are kept', () => {
    const v = via('FOO/3.1/UDP host.example.com')
    assert.equal(v?.protocol, 'FOO/3.1')
    assert.equal(v?.transport, 'UDP')
  })

  test('RFC 4475 §3.1.1.1 wsinv: SWS around each "/" of the sent-protocol', () => {
    const v = via('SIP  /   2.0  /  UDP 192.0.2.2;branch=390skdjuw')
    assert.equal(v?.protocol, 'SIP/2.0')
    assert.equal(v?.transport, 'UDP')
    assert.equal(v?.host, '192.0.2.2')
    assert.equal(v?.branch, '390skdjuw')
    assert.equal(via('SIP\t/\t2.0\t/\ttcp\tspindle.example.com')?.transport, 'TCP')
  })

  test('SWS after the last "/" of SIP/2.0/, and a transport in any case, out of the common set too', () => {
    assert.equal(via('SIP/2.0/ UDP host.example.com')?.transport, 'UDP')
    assert.equal(via('SIP/2.0/\t tls host.example.com')?.transport, 'TLS')
    assert.equal(via('SIP/2.0/wS host.example.com')?.transport, 'WS')
    assert.equal(via('SIP/2.0/UDPX host.example.com')?.transport, 'UDPX')
    assert.equal(via('SIP/2.0/U host.example.com')?.transport, 'U')
    assert.equal(via('SIP/2.0/ host.example.com'), undefined)
    assert.equal(via('SIP/2.0/UDP'), undefined)
    assert.equal(via('SIP/2.0/UDP;branch=z9hG4bK1'), undefined)
    assert.equal(via('sip/2.0/udp host.example.com')?.protocol, 'sip/2.0')
  })

  test('§25.1 sent-by: host in lower case, and the port', () => {
    const v = via('SIP/2.0/UDP PC33.Atlanta.COM:5066;branch=z9hG4bKx')
    assert.equal(v?.host, 'pc33.atlanta.com')
    assert.equal(v?.port, 5066)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1:0')?.port, 0)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1:65535')?.port, 65535)
  })

  test('§25.1 COLON = SWS ":" SWS between host and port', () => {
    const v = via('SIP/2.0/UDP host.example.com : 5060 ;branch=z9hG4bKa')
    assert.equal(v?.host, 'host.example.com')
    assert.equal(v?.port, 5060)
    assert.equal(v?.branch, 'z9hG4bKa')
  })

  test('RFC 5118 §4.2: an IPv6 reference as sent-by, with a port', () => {
    const v = via('SIP/2.0/UDP [2001:DB8::1]:5060;branch=z9hG4bKas3')
    assert.equal(v?.host, '[2001:db8::1]')
    assert.equal(v?.port, 5060)
    assert.equal(via('SIP/2.0/TCP [::ffff:192.0.2.1]')?.host, '[::ffff:192.0.2.1]')
  })

  test('invalid sent-by or sent-protocol gives undefined', () => {
    for (const bad of [
      'SIP/2.0/UDP', // no sent-by
      'SIP/2.0/UDPhost.example.com', // no LWS before sent-by
      'SIP/2.0 host.example.com', // no transport
      'SIP//UDP host.example.com',
      '/2.0/UDP host.example.com',
      'SIP/2.0/ host.example.com',
      'SIP/2.0/UDP 2001:db8::1', // IPv6 must be bracketed (RFC 5118 §4.2)
      'SIP/2.0/UDP [2001:db8::1', // unclosed reference
      'SIP/2.0/UDP [2001:db8::g]',
      'SIP/2.0/UDP host.example.com:65536',
      'SIP/2.0/UDP host.example.com:',
      'SIP/2.0/UDP host.example.com:50a',
      'SIP/2.0/UDP -bad.example.com',
      'SIP/2.0/UDP host.example.com junk',
      'SIP/2.0/UDP host_name.example.com',
    ]) {
      assert.equal(parse(bad), undefined, bad)
      assert.equal(via(bad), undefined, bad)
    }
  })
})

describe('Via: via-params (RFC 3261 §20.42, RFC 3581, RFC 5118)', () => {
  test('§20.42 received: an IPv4 address', () => {
    assert.equal(
      via('SIP/2.0/UDP bobspc.biloxi.com:5060;received=192.0.2.4;branch=z9hG4bKnashds7')?.received,
      '192.0.2.4',
    )
  })

  test('RFC 5118 §4.5: received holds an IPv6 address, bracketed or not', () => {
    const bare = via('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3-111')
    assert.equal(bare?.received, '2001:db8::9:255')
    assert.equal(bare?.branch, 'z9hG4bKas3-111')
    const bracketed = via('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3')
    assert.equal(bracketed?.received, '[2001:db8::9:255]')
    assert.equal(bracketed?.branch, 'z9hG4bKas3')
  })

  test('§25.1 via-received = IPv4address / IPv6address: anything else is invalid', () => {
    for (const bad of [
      'received=atlanta.example.com',
      'received=192.0.2.256',
      'received=[2001:db8::1',
      'received=[192.0.2.1]',
      'received=2001:db8:::1:2:3:4:5:6',
      'received',
      'received=',
    ]) {
      assert.equal(via(`SIP/2.0/UDP host.example.com;${bad}`), undefined, bad)
    }
  })

  test('RFC 3581 §3, §4: rport without a value (asked for) and with one (filled in)', () => {
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKa')?.rport, null)
    const filled = via('SIP/2.0/UDP 192.0.2.1;received=192.0.2.99;rport=9988;branch=z9hG4bKa')
    assert.equal(filled?.rport, 9988)
    assert.equal(filled?.received, '192.0.2.99')
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa')?.rport, undefined)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;rport=abc'), undefined)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;rport=65536'), undefined)
  })

  test('§20.42 maddr (lower case) and ttl (0 to 255)', () => {
    const v = via('SIP/2.0/UDP 192.0.2.1;maddr=Sip.Example.COM;ttl=16')
    assert.equal(v?.maddr, 'sip.example.com')
    assert.equal(v?.ttl, 16)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;maddr=239.255.255.1;ttl=0')?.ttl, 0)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;maddr=[ff02::1]')?.maddr, '[ff02::1]')
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;ttl=255')?.ttl, 255)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;ttl=256'), undefined)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;ttl'), undefined)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;maddr'), undefined)
    assert.equal(via('SIP/2.0/UDP 192.0.2.1;maddr=bad_host'), undefined)
  })

  test('§8.1.1.7 branch: a token, kept as written (case too)', () => {
    assert.equal(via("SIP/2.0/UDP h.example.com;branch=z9hG4bK-.!%66*_+`'~")?.branch, "z9hG4bK-.!%66*_+`'~")
    assert.equal(via('SIP/2.0/UDP h.example.com;BRANCH=Z9hG4bKAbC')?.branch, 'Z9hG4bKAbC')
    assert.equal(via('SIP/2.0/UDP h.example.com;branch'), undefined)
    assert.equal(via('SIP/2.0/UDP h.example.com;branch="z9hG4bK1"'), undefined)
    // a host-like value with ":" is no token (RFC 5118 §4.5 allows it for received only)
    assert.equal(via('SIP/2.0/UDP h.example.com;branch=z9hG4bK:1'), undefined)
    assert.equal(via('SIP/2.0/UDP h.example.com;branch=[::1]'), undefined)
  })

  test('§25.1 via-extension: other parameters, names in lower case, values as written', () => {
    const v = via('SIP/2.0/TCP h.example.com;branch=z9hG4bK1;Alias;Comp=SigComp;Keep=30;x="a b;c"')
    assert.deepEqual(
      [...v!.params!],
      [
        ['alias', null],
        ['comp', 'SigComp'],
        ['keep', '30'],
        ['x', '"a b;c"'],
      ],
    )
  })

  test('§25.1 SWS around ";" and "=" of the parameters', () => {
    const v = via('SIP/2.0/UDP h.example.com ; branch = z9hG4bKsp ;rport ; received = 192.0.2.7')
    assert.equal(v?.branch, 'z9hG4bKsp')
    assert.equal(v?.rport, null)
    assert.equal(v?.received, '192.0.2.7')
  })

  test('§25.1 broken parameter lists give undefined', () => {
    for (const bad of [';', ';branch=', ';=x', ';branch=z9hG4bK1;', ';x="unterminated']) {
      assert.equal(via(`SIP/2.0/UDP h.example.com${bad}`), undefined, bad)
    }
  })

  test('parse reads exactly s[start, end)', () => {
    const s = 'XX SIP/2.0/UDP h.example.com;branch=z9hG4bK1, SIP/2.0/TCP other'
    const start = s.indexOf('SIP')
    const end = s.indexOf(',')
    const v = Via.parse(s, start, end)
    assert.equal(v?.host, 'h.example.com')
    assert.equal(v?.branch, 'z9hG4bK1')
    assert.equal(v?.params?.size, 0)
  })
})

describe('Via in a message: several values (RFC 3261 §7.3.1, §7.3.3, §20.42)', () => {
  test('§7.3.1: values in one field and over several fields read in order', () => {
    const h = headers(
      'Via: SIP/2.0/UDP first.example.com;branch=z9hG4bK1 , SIP/2.0/TCP second.example.com:5061;branch=z9hG4bK2',
      'Via: SIP/2.0/TLS third.example.com;branch=z9hG4bK3',
    )
    const all = h.get(Via)
    assert.deepEqual(
      all?.map((v) => [v.transport, v.host, v.port, v.branch]),
      [
        ['UDP', 'first.example.com', undefined, 'z9hG4bK1'],
        ['TCP', 'second.example.com', 5061, 'z9hG4bK2'],
        ['TLS', 'third.example.com', undefined, 'z9hG4bK3'],
      ],
    )
    assert.equal(h.count(Via), 2)
    assert.equal(h.first(Via)?.host, 'first.example.com')
  })

  test('§7.3.3 compact form "v" mixed with the full name, in order', () => {
    const h = headers(
      'v: SIP/2.0/UDP a.example.com;branch=z9hG4bKa',
      'VIA: SIP/2.0/UDP b.example.com;branch=z9hG4bKb',
      'v : SIP/2.0/UDP c.example.com;branch=z9hG4bKc',
    )
    assert.deepEqual(
      h.get(Via)?.map((v) => v.host),
      ['a.example.com', 'b.example.com', 'c.example.com'],
    )
    assert.equal(h.count(Via), 3)
    assert.ok(h.has(Via))
    assert.deepEqual(h.raw('v'), [
      'SIP/2.0/UDP a.example.com;branch=z9hG4bKa',
      'SIP/2.0/UDP b.example.com;branch=z9hG4bKb',
      'SIP/2.0/UDP c.example.com;branch=z9hG4bKc',
    ])
  })

  test('§7.3.1: a comma inside a quoted parameter value does not split the field', () => {
    const all = headers('Via: SIP/2.0/UDP a.example.com;x="1,2", SIP/2.0/UDP b.example.com').get(Via)
    assert.equal(all?.length, 2)
    assert.equal(all?.[0]?.params?.get('x'), '"1,2"')
    assert.equal(all?.[1]?.host, 'b.example.com')
  })

  test('§7.3.1 LWS folding inside a Via field', () => {
    const all = headers('Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1,\r\n  SIP/2.0/UDP b.example.com').get(
      Via,
    )
    assert.deepEqual(
      all?.map((v) => v.host),
      ['a.example.com', 'b.example.com'],
    )
  })

  test('absent Via: get gives [], first gives undefined', () => {
    const h = headers('Max-Forwards: 70')
    assert.deepEqual(h.get(Via), [])
    assert.equal(h.first(Via), undefined)
    assert.equal(h.has(Via), false)
    assert.equal(h.count(Via), 0)
  })

  test('one invalid value makes get undefined; first still reads a valid first value', () => {
    const h = headers('Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, garbage')
    assert.equal(h.first(Via)?.host, 'a.example.com')
    assert.equal(h.get(Via), undefined)
    const fields = headers('Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1', 'Via: SIP/2.0/UDP')
    assert.equal(fields.get(Via), undefined)
    assert.equal(fields.first(Via)?.branch, 'z9hG4bK1')
  })

  test('first reads a valid first value also after get found another value invalid', () => {
    // the answer of first() may not depend on whether get() ran before it
    const h = headers('Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, garbage')
    assert.equal(h.get(Via), undefined)
    assert.equal(h.first(Via)?.host, 'a.example.com')
  })

  test('an invalid first value: first and get are undefined', () => {
    const h = headers('Via: garbage, SIP/2.0/UDP a.example.com')
    assert.equal(h.first(Via), undefined)
    assert.equal(h.get(Via), undefined)
  })

  test('§7.3.1: an empty element (",,", a trailing comma) makes the list invalid', () => {
    assert.equal(headers('Via: SIP/2.0/UDP a.example.com,,SIP/2.0/UDP b.example.com').get(Via), undefined)
    assert.equal(headers('Via: SIP/2.0/UDP a.example.com,').get(Via), undefined)
    assert.equal(headers('Via:').get(Via), undefined)
  })
})

describe('Via: format (RFC 3261 §20.42)', () => {
  test('a built value formats as sent-protocol, sent-by and parameters', () => {
    const v: ViaValue = {
      transport: 'TLS',
      host: '[2001:db8::1]',
      port: 5061,
      branch: 'z9hG4bKabc',
      rport: null,
      params: new Map([['alias', null]]),
    }
    assert.equal(Via.format(v), 'SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKabc;rport;alias')
    assert.equal(
      Via.format({
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: '192.0.2.1',
        received: '2001:db8::2',
        rport: 5060,
        maddr: '239.1.1.1',
        ttl: 1,
      }),
      'SIP/2.0/UDP 192.0.2.1;rport=5060;received=2001:db8::2;maddr=239.1.1.1;ttl=1',
    )
  })

  test('parse(format(v)) deep-equals v for a value with every field', () => {
    const v: ViaValue = {
      protocol: 'SIP/2.0',
      transport: 'SCTP',
      host: 'proxy.example.com',
      port: 5060,
      branch: 'z9hG4bK74bf9',
      received: '[2001:db8::9]',
      rport: 41234,
      maddr: 'mcast.example.com',
      ttl: 32,
      params: new Map<string, string | null>([
        ['comp', 'sigcomp'],
        ['flag', null],
      ]),
    }
    const text = Via.format(v)
    assert.deepEqual(Via.parse(text, 0, text.length), v)
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
      'SIP  /   2.0  /  udp 192.0.2.2;branch=390skdjuw',
      'SIP/2.0/UDP [2001:db8::9:1]:5070;received=2001:db8::9:255;branch=z9hG4bKas3-111',
      'SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKb;received=[2001:db8::1]',
      'SIP/2.0/TCP h.example.com:5062;maddr=239.1.1.1;ttl=255;x="a b";Alias',
      'FOO/3.1/ws h.example.com',
    ]) {
      assertStable(wire)
    }
    assert.equal(
      Via.format(assertStable('SIP  /   2.0  /  udp Host.Example.COM;BRANCH=z9hG4bKx;RPort')),
      'SIP/2.0/UDP host.example.com;branch=z9hG4bKx;rport',
    )
  })
})
