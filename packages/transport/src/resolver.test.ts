import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseUri } from '@junction/sip'
import { resolveErrorCodes } from './errors.ts'
import type {
  Dns,
  DnsAddressRecord,
  DnsNaptrRecord,
  DnsSrvRecord,
  ResolvedTarget,
  ResolverOptions,
} from './resolver.ts'
import { createResolver, orderSrv } from './resolver.ts'

interface Zone {
  naptr?: Record<string, DnsNaptrRecord[]>
  srv?: Record<string, DnsSrvRecord[]>
  a?: Record<string, DnsAddressRecord[]>
  aaaa?: Record<string, DnsAddressRecord[]>
  /** "TYPE name" → the error code that query fails with. */
  errors?: Record<string, string>
}

/** A fake DNS over a zone: names it does not hold are NXDOMAIN; every query is logged as "TYPE name". */
function fakeDns(zone: Zone): { dns: Dns; log: string[] } {
  const log: string[] = []
  function answer<T>(type: string, name: string, table: Record<string, T[]> | undefined): Promise<T[]> {
    log.push(`${type} ${name}`)
    const code = zone.errors?.[`${type} ${name}`]
    if (code !== undefined) return Promise.reject(Object.assign(new Error(code), { code }))
    const records = table?.[name]
    if (records === undefined)
      return Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }))
    return Promise.resolve(records)
  }
  return {
    log,
    dns: {
      resolveNaptr: (name) => answer('NAPTR', name, zone.naptr),
      resolveSrv: (name) => answer('SRV', name, zone.srv),
      resolve4: (name) => answer('A', name, zone.a),
      resolve6: (name) => answer('AAAA', name, zone.aaaa),
    },
  }
}

function naptr(
  service: string,
  replacement: string,
  order: number,
  preference: number,
  flags = 'S',
): DnsNaptrRecord {
  return { flags, service, regexp: '', replacement, order, preference }
}

function srv(name: string, port: number, priority = 10, weight = 0): DnsSrvRecord {
  return { name, port, priority, weight }
}

function a(address: string, ttl = 300): DnsAddressRecord[] {
  return [{ address, ttl }]
}

/** A manual clock. */
function clock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

/** A seeded PRNG (mulberry32), so that weighted selection is reproducible. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let x = s
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function setup(zone: Zone, options: ResolverOptions = {}, random: () => number = () => 0) {
  const { dns, log } = fakeDns(zone)
  const c = clock()
  const resolver = createResolver(options, { dns, now: c.now, random })
  return { resolver, log, clock: c }
}

/** "transport address:port" of each target, in order. */
function hops(targets: readonly ResolvedTarget[]): string[] {
  return targets.map(
    (t) => `${t.transport} ${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port}`,
  )
}

async function targetsOf(resolver: ReturnType<typeof createResolver>, uri: string): Promise<string[]> {
  const r = await resolver.resolve(uri)
  assert.equal(r.ok, true, r.ok ? '' : `${r.error.code}: ${r.error.reason}`)
  return hops(r.targets)
}

/** A domain with the three NAPTR records RFC 3263 §4.1 asks for, and SRV and addresses for each. */
const fullDomain: Zone = {
  naptr: {
    'example.com': [
      naptr('SIP+D2T', '_sip._tcp.example.com', 20, 10),
      naptr('SIPS+D2T', '_sips._tcp.example.com', 30, 10),
      naptr('SIP+D2U', '_sip._udp.example.com', 10, 10),
    ],
  },
  srv: {
    '_sip._udp.example.com': [srv('u.example.com', 5060)],
    '_sip._tcp.example.com': [srv('t.example.com', 5062)],
    '_sips._tcp.example.com': [srv('s.example.com', 5063)],
  },
  a: { 'u.example.com': a('192.0.2.1'), 't.example.com': a('192.0.2.2'), 's.example.com': a('192.0.2.3') },
}

describe('numeric hosts (RFC 3263 §4.1, §4.2): no DNS', () => {
  test('IPv4: UDP on 5060 for sip:, never expires', async () => {
    const { resolver, log } = setup({})
    const r = await resolver.resolve('sip:alice@192.0.2.10')
    assert.deepEqual(r, {
      ok: true,
      targets: [{ transport: 'udp', address: '192.0.2.10', port: 5060, expires: Infinity }],
    })
    assert.deepEqual(log, [])
  })

  test('IPv6 reference: address without brackets, explicit port and transport kept', async () => {
    const { resolver, log } = setup({})
    assert.deepEqual(await targetsOf(resolver, 'sip:[2001:db8::1]:5070;transport=tcp'), [
      'tcp [2001:db8::1]:5070',
    ])
    const r = await resolver.resolve('sip:[2001:DB8::2]')
    assert.equal(r.targets[0]?.address, '2001:db8::2')
    assert.deepEqual(log, [])
  })

  test('sips: TLS on 5061, with no server name for an IP address', async () => {
    const { resolver } = setup({})
    const r = await resolver.resolve('sips:bob@[2001:db8::1]')
    assert.deepEqual(r.targets, [{ transport: 'tls', address: '2001:db8::1', port: 5061, expires: Infinity }])
  })

  test('one shared, frozen target per numeric host, port, transport and server name', async () => {
    const { resolver } = setup({})
    const first = resolver.resolveNow?.('sip:alice@192.0.2.10')?.targets[0]
    assert.ok(first !== undefined && Object.isFrozen(first))
    assert.equal(resolver.resolveNow?.('sip:bob@192.0.2.10;lr')?.targets[0], first)
    assert.equal((await resolver.resolve('sip:carol@192.0.2.10')).targets[0], first)
    const other = resolver.resolveNow?.('sip:alice@192.0.2.10:5070')?.targets
    assert.deepEqual(other, [{ transport: 'udp', address: '192.0.2.10', port: 5070, expires: Infinity }])
    const tcp = resolver.resolveNow?.('sip:alice@192.0.2.10;transport=tcp')?.targets
    assert.deepEqual(tcp, [{ transport: 'tcp', address: '192.0.2.10', port: 5060, expires: Infinity }])
    // the host's entry now holds the TCP target: the UDP one is made anew, equal to the first
    assert.deepEqual(resolver.resolveNow?.('sip:alice@192.0.2.10')?.targets, [first])
    // many numeric hosts: the table is bounded, and every answer is still right
    for (let i = 0; i < 3000; i++) {
      const host = `10.${(i >> 8) & 255}.${i & 255}.1`
      assert.equal(resolver.resolveNow?.(`sip:${host}`)?.targets[0]?.address, host)
    }
  })

  test('resolveNow gives the same result at once, and undefined when DNS must be asked', async () => {
    const { resolver, log } = setup({})
    for (const uri of [
      'sip:alice@192.0.2.10',
      'sips:bob@[2001:db8::1]',
      'sip:192.0.2.7:5099;transport=tcp',
      'tel:+1',
      'sip:x@a.invalid',
    ]) {
      assert.deepEqual(resolver.resolveNow!(uri), await resolver.resolve(uri), uri)
    }
    assert.equal(resolver.resolveNow!('sip:bob@example.com'), undefined)
    assert.deepEqual(log, [], 'no DNS asked')
  })

  test('a parsed Uri is accepted as well as a string', async () => {
    const { resolver } = setup({})
    const uri = parseUri('sip:192.0.2.7:5099;transport=tcp')!
    assert.deepEqual(hops((await resolver.resolve(uri)).targets), ['tcp 192.0.2.7:5099'])
  })
})

describe('explicit port (RFC 3263 §4.2): A/AAAA only', () => {
  test('no NAPTR or SRV query; every address on that port, IPv4 first', async () => {
    const { resolver, log } = setup({
      ...fullDomain,
      a: { 'example.com': a('192.0.2.20') },
      aaaa: { 'example.com': a('2001:db8::20') },
    })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com:5080'), [
      'udp 192.0.2.20:5080',
      'udp [2001:db8::20]:5080',
    ])
    assert.deepEqual(log.sort(), ['A example.com', 'AAAA example.com'])
  })

  test('sips: with a port is TLS on that port, with the domain as server name (RFC 5922)', async () => {
    const { resolver } = setup({ a: { 'example.com': a('192.0.2.20') } })
    const r = await resolver.resolve('sips:example.com:5090')
    assert.deepEqual(r.targets, [
      {
        transport: 'tls',
        address: '192.0.2.20',
        port: 5090,
        serverName: 'example.com',
        expires: 1000 + 300_000,
      },
    ])
  })
})

describe('transport parameter (RFC 3263 §4.1, §4.2)', () => {
  test('transport=tcp: SRV _sip._tcp only, no NAPTR', async () => {
    const { resolver, log } = setup(fullDomain)
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=tcp'), ['tcp 192.0.2.2:5062'])
    assert.deepEqual(log, ['SRV _sip._tcp.example.com', 'A t.example.com', 'AAAA t.example.com'])
  })

  test('transport=tls in a sip: URI uses _sips._tcp (§4.2) and names the server', async () => {
    const { resolver } = setup(fullDomain)
    const r = await resolver.resolve('sip:example.com;transport=TLS')
    assert.deepEqual(r.targets, [
      {
        transport: 'tls',
        address: '192.0.2.3',
        port: 5063,
        serverName: 'example.com',
        expires: 1000 + 60_000,
      },
    ])
  })

  test('without SRV: A/AAAA on the default port of that transport', async () => {
    const { resolver, log } = setup({ a: { 'example.net': a('192.0.2.30') } })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.net;transport=tcp'), ['tcp 192.0.2.30:5060'])
    assert.deepEqual(await targetsOf(resolver, 'sip:example.net;transport=tls'), ['tls 192.0.2.30:5061'])
    assert.ok(!log.some((q) => q.startsWith('NAPTR')))
  })

  test('sips: with transport=tcp is TLS; with transport=udp it is unusable', async () => {
    const { resolver } = setup(fullDomain)
    assert.deepEqual(await targetsOf(resolver, 'sips:example.com;transport=tcp'), ['tls 192.0.2.3:5063'])
    const r = await resolver.resolve('sips:example.com;transport=udp')
    assert.equal(r.ok, false)
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.UNSUPPORTED_TRANSPORT)
  })

  test('a transport this resolver does not use is an error, not a silent switch', async () => {
    const { resolver, log } = setup(fullDomain)
    for (const uri of [
      'sip:example.com;transport=sctp',
      'sip:example.com;transport=ws',
      'sip:example.com;transport',
    ]) {
      const r = await resolver.resolve(uri)
      assert.equal(!r.ok && r.error.code, resolveErrorCodes.UNSUPPORTED_TRANSPORT, uri)
      assert.deepEqual(r.targets, [])
    }
    assert.deepEqual(log, [])
  })

  test('transport=ws (RFC 7118) when enabled: _sip._ws, then the WebSocket default port', async () => {
    const { resolver, log } = setup(
      {
        srv: { '_sips._ws.example.com': [srv('w.example.com', 8443)] },
        a: { 'w.example.com': a('192.0.2.40') },
      },
      { transports: ['udp', 'tcp', 'tls', 'ws', 'wss'] },
    )
    assert.deepEqual(await targetsOf(resolver, 'sips:example.com;transport=ws'), ['wss 192.0.2.40:8443'])
    assert.deepEqual(await targetsOf(resolver, 'sip:w.example.com;transport=ws'), ['ws 192.0.2.40:80'])
    assert.ok(log.includes('SRV _sip._ws.w.example.com'))
  })
})

describe('NAPTR (RFC 3263 §4.1, RFC 3403)', () => {
  test('ordered by order, then preference; each followed to its SRV set; SIPS+D2T kept for sip:', async () => {
    const { resolver } = setup(fullDomain)
    assert.deepEqual(await targetsOf(resolver, 'sip:alice@example.com'), [
      'udp 192.0.2.1:5060',
      'tcp 192.0.2.2:5062',
      'tls 192.0.2.3:5063',
    ])
  })

  test('preference decides within one order', async () => {
    const { resolver } = setup({
      ...fullDomain,
      naptr: {
        'example.com': [
          naptr('SIP+D2U', '_sip._udp.example.com', 10, 50),
          naptr('SIP+D2T', '_sip._tcp.example.com', 10, 20),
          naptr('SIPS+D2T', '_sips._tcp.example.com', 5, 90),
        ],
      },
    })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com'), [
      'tls 192.0.2.3:5063',
      'tcp 192.0.2.2:5062',
      'udp 192.0.2.1:5060',
    ])
  })

  test('a sips: URI keeps only the SIPS services', async () => {
    const { resolver, log } = setup(fullDomain)
    const r = await resolver.resolve('sips:example.com')
    assert.deepEqual(r.targets, [
      {
        transport: 'tls',
        address: '192.0.2.3',
        port: 5063,
        serverName: 'example.com',
        expires: 1000 + 60_000,
      },
    ])
    assert.ok(!log.includes('SRV _sip._udp.example.com'))
  })

  test('services and flags this client cannot use are discarded', async () => {
    const zone: Zone = {
      naptr: {
        'example.org': [
          naptr('SIP+D2S', '_sip._sctp.example.org', 1, 1),
          naptr('E2U+sip', '_sip._udp.example.org', 1, 1),
          naptr('SIP+D2U', '_sip._udp.example.org', 1, 1, 'U'),
          naptr('sip+d2w', '_sip._ws.example.org', 2, 1, 's'),
          naptr('SIP+D2T', '_sip._tcp.example.org', 3, 1),
          naptr('SIP+D2U', '_sip._udp.example.org', 4, 1),
        ],
      },
      srv: {
        '_sip._sctp.example.org': [srv('x.example.org', 1)],
        '_sip._ws.example.org': [srv('w.example.org', 8080)],
        '_sip._tcp.example.org': [srv('t.example.org', 5060)],
        '_sip._udp.example.org': [srv('u.example.org', 5060)],
      },
      a: {
        'x.example.org': a('192.0.2.99'),
        'w.example.org': a('192.0.2.50'),
        't.example.org': a('192.0.2.51'),
        'u.example.org': a('192.0.2.52'),
      },
    }
    const plain = setup(zone)
    assert.deepEqual(await targetsOf(plain.resolver, 'sip:example.org'), [
      'tcp 192.0.2.51:5060',
      'udp 192.0.2.52:5060',
    ])
    assert.ok(!plain.log.includes('SRV _sip._sctp.example.org'))

    const withWs = setup(zone, { transports: ['udp', 'tcp', 'ws'] })
    assert.deepEqual(await targetsOf(withWs.resolver, 'sip:example.org'), [
      'ws 192.0.2.50:8080',
      'tcp 192.0.2.51:5060',
      'udp 192.0.2.52:5060',
    ])

    const tcpOnly = setup(zone, { transports: ['tcp'] })
    assert.deepEqual(await targetsOf(tcpOnly.resolver, 'sip:example.org'), ['tcp 192.0.2.51:5060'])
    // The same restriction for one call.
    const r = await plain.resolver.resolve('sip:example.org', { transports: ['udp'] })
    assert.deepEqual(hops(r.targets), ['udp 192.0.2.52:5060'])
  })

  test('NAPTR whose SRV name has no records: A/AAAA of the domain with the NAPTR transport', async () => {
    const { resolver, log } = setup({
      naptr: { 'example.com': [naptr('SIP+D2T', '_sip._tcp.example.com', 10, 10)] },
      a: { 'example.com': a('192.0.2.60') },
    })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com'), ['tcp 192.0.2.60:5060'])
    assert.ok(!log.includes('SRV _sip._udp.example.com'))
  })
})

describe('SRV without NAPTR (RFC 3263 §4.1, §4.2)', () => {
  test('one query per supported transport, _sip for sip: (not _sips), in the client order', async () => {
    const { resolver, log } = setup({
      srv: {
        '_sip._udp.example.com': [srv('u.example.com', 5070)],
        '_sip._tcp.example.com': [srv('t.example.com', 5071)],
        '_sips._tcp.example.com': [srv('s.example.com', 5072)],
      },
      a: fullDomain.a!,
    })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com'), [
      'udp 192.0.2.1:5070',
      'tcp 192.0.2.2:5071',
    ])
    assert.ok(log.includes('NAPTR example.com'))
    assert.ok(!log.includes('SRV _sips._tcp.example.com'))
    const tcpFirst = setup(
      {
        srv: {
          '_sip._udp.example.com': [srv('u.example.com', 5070)],
          '_sip._tcp.example.com': [srv('t.example.com', 5071)],
        },
        a: fullDomain.a!,
      },
      { transports: ['tcp', 'udp'] },
    )
    assert.deepEqual(await targetsOf(tcpFirst.resolver, 'sip:example.com'), [
      'tcp 192.0.2.2:5071',
      'udp 192.0.2.1:5070',
    ])
  })

  test('sips: asks _sips._tcp only', async () => {
    const { resolver, log } = setup({
      srv: { '_sips._tcp.example.com': [srv('s.example.com', 5072)] },
      a: fullDomain.a!,
    })
    assert.deepEqual(await targetsOf(resolver, 'sips:example.com'), ['tls 192.0.2.3:5072'])
    assert.deepEqual(
      log.filter((q) => q.startsWith('SRV')),
      ['SRV _sips._tcp.example.com'],
    )
  })

  test('no NAPTR and no SRV: A/AAAA on 5060 over UDP for sip:, on 5061 over TLS for sips:', async () => {
    const { resolver } = setup({ a: { 'example.com': a('192.0.2.70') } })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com'), ['udp 192.0.2.70:5060'])
    assert.deepEqual(await targetsOf(resolver, 'sips:example.com'), ['tls 192.0.2.70:5061'])
    const noUdp = setup({ a: { 'example.com': a('192.0.2.70') } }, { transports: ['tcp', 'tls'] })
    assert.deepEqual(await targetsOf(noUdp.resolver, 'sip:example.com'), ['tcp 192.0.2.70:5060'])
  })

  test('SRV "." means the service is not available: no fallback to the domain address', async () => {
    const { resolver } = setup({
      srv: { '_sip._udp.example.com': [srv('.', 0)], '_sip._tcp.example.com': [srv('', 0)] },
      a: { 'example.com': a('192.0.2.80') },
    })
    const r = await resolver.resolve('sip:example.com')
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.DNS_NOT_FOUND)
  })
})

describe('SRV ordering (RFC 2782)', () => {
  test('lower priority first, whatever the DNS order and the weights', async () => {
    const { resolver } = setup({
      srv: {
        '_sip._udp.example.com': [
          srv('c.example.com', 5003, 30, 100),
          srv('a.example.com', 5001, 10, 0),
          srv('b.example.com', 5002, 20, 50),
        ],
      },
      a: {
        'a.example.com': a('192.0.2.1'),
        'b.example.com': a('192.0.2.2'),
        'c.example.com': a('192.0.2.3'),
      },
    })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=udp'), [
      'udp 192.0.2.1:5001',
      'udp 192.0.2.2:5002',
      'udp 192.0.2.3:5003',
    ])
  })

  test('within a priority, the running sum picks the record: weight 0 first, then by the random number', () => {
    const records = [srv('w30', 1, 10, 30), srv('w0', 2, 10, 0), srv('w10', 3, 10, 10)]
    // Sum 40; the list is [w0, w30, w10]. 0 → w0 (running 0); 1..30 → w30; 31..40 → w10.
    const names = (r: number) => orderSrv(records, () => r).map((x) => x.name)
    assert.deepEqual(names(0), ['w0', 'w30', 'w10'])
    assert.deepEqual(names(0.5), ['w30', 'w10', 'w0'])
    assert.deepEqual(names(0.99), ['w10', 'w30', 'w0'])
  })

  test('over many runs, a record comes first in proportion to its weight', () => {
    const records = [
      srv('w0', 1, 10, 0),
      srv('w10', 2, 10, 10),
      srv('w30', 3, 10, 30),
      srv('p20', 4, 20, 1000),
    ]
    const random = seeded(42)
    const first = new Map<string, number>()
    const runs = 20_000
    for (let i = 0; i < runs; i++) {
      const ordered = orderSrv(records, random)
      assert.equal(ordered.at(-1)?.name, 'p20')
      const name = ordered[0]!.name
      first.set(name, (first.get(name) ?? 0) + 1)
    }
    // A random integer in 0..40: w0 wins on 0 (1/41), w10 on 1..10 (10/41), w30 on 11..40 (30/41).
    const share = (n: string) => (first.get(n) ?? 0) / runs
    assert.ok(Math.abs(share('w0') - 1 / 41) < 0.01, `w0 ${share('w0')}`)
    assert.ok(Math.abs(share('w10') - 10 / 41) < 0.02, `w10 ${share('w10')}`)
    assert.ok(Math.abs(share('w30') - 30 / 41) < 0.02, `w30 ${share('w30')}`)
  })

  test('resolve() draws a new weighted order on every call, from the cached answer', async () => {
    let next = 0
    const values = [0.1, 0.9]
    const { dns, log } = fakeDns({
      srv: {
        '_sip._udp.example.com': [srv('a.example.com', 5001, 10, 50), srv('b.example.com', 5002, 10, 50)],
      },
      a: { 'a.example.com': a('192.0.2.1'), 'b.example.com': a('192.0.2.2') },
    })
    const resolver = createResolver({}, { dns, random: () => values[next++ % 2]! })
    const first = hops((await resolver.resolve('sip:example.com;transport=udp')).targets)
    const second = hops((await resolver.resolve('sip:example.com;transport=udp')).targets)
    assert.deepEqual(first, ['udp 192.0.2.1:5001', 'udp 192.0.2.2:5002'])
    assert.deepEqual(second, ['udp 192.0.2.2:5002', 'udp 192.0.2.1:5001'])
    assert.equal(log.filter((q) => q.startsWith('SRV')).length, 1)
  })

  test('SRV targets that resolve to the same address and port are listed once', async () => {
    const { resolver } = setup({
      srv: { '_sip._udp.example.com': [srv('a.example.com', 5060, 10), srv('alias.example.com', 5060, 20)] },
      a: { 'a.example.com': a('192.0.2.1'), 'alias.example.com': a('192.0.2.1') },
    })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=udp'), ['udp 192.0.2.1:5060'])
  })
})

describe('A and AAAA (RFC 3263 §4.2)', () => {
  const zone: Zone = {
    a: {
      'example.com': [
        { address: '192.0.2.1', ttl: 300 },
        { address: '192.0.2.2', ttl: 300 },
      ],
    },
    aaaa: { 'example.com': a('2001:db8::1') },
  }

  test('both families, IPv4 first by default; IPv6 first when asked', async () => {
    assert.deepEqual(await targetsOf(setup(zone).resolver, 'sip:example.com:5060'), [
      'udp 192.0.2.1:5060',
      'udp 192.0.2.2:5060',
      'udp [2001:db8::1]:5060',
    ])
    assert.deepEqual(
      await targetsOf(setup(zone, { ipFamily: 'ipv6-first' }).resolver, 'sip:example.com:5060'),
      ['udp [2001:db8::1]:5060', 'udp 192.0.2.1:5060', 'udp 192.0.2.2:5060'],
    )
  })

  test('one family only asks only that family', async () => {
    const v4 = setup(zone, { ipFamily: 'ipv4' })
    assert.deepEqual(await targetsOf(v4.resolver, 'sip:example.com:5060'), [
      'udp 192.0.2.1:5060',
      'udp 192.0.2.2:5060',
    ])
    assert.deepEqual(v4.log, ['A example.com'])
    const v6 = setup(zone, { ipFamily: 'ipv6' })
    assert.deepEqual(await targetsOf(v6.resolver, 'sip:example.com:5060'), ['udp [2001:db8::1]:5060'])
    assert.deepEqual(v6.log, ['AAAA example.com'])
  })

  test('a host with only AAAA records, and an AAAA failure beside a good A answer', async () => {
    assert.deepEqual(await targetsOf(setup({ aaaa: zone.aaaa! }).resolver, 'sip:example.com:5060'), [
      'udp [2001:db8::1]:5060',
    ])
    const r = await setup({ a: zone.a!, errors: { 'AAAA example.com': 'ESERVFAIL' } }).resolver.resolve(
      'sip:example.com:5060',
    )
    assert.deepEqual(hops(r.targets), ['udp 192.0.2.1:5060', 'udp 192.0.2.2:5060'])
  })

  test('maddr is the TARGET (RFC 3263 §4); the server name stays the URI domain', async () => {
    const { resolver, log } = setup({ a: { 'edge.example.net': a('192.0.2.90') } })
    const r = await resolver.resolve('sips:alice@example.com;maddr=192.0.2.9')
    assert.deepEqual(r.targets, [
      { transport: 'tls', address: '192.0.2.9', port: 5061, serverName: 'example.com', expires: Infinity },
    ])
    assert.deepEqual(await targetsOf(resolver, 'sip:alice@example.com:5070;maddr=edge.example.net'), [
      'udp 192.0.2.90:5070',
    ])
    assert.deepEqual(await targetsOf(resolver, 'sip:alice@example.com;maddr=[2001:db8::9]'), [
      'udp [2001:db8::9]:5060',
    ])
    assert.ok(log.every((q) => q.endsWith('edge.example.net')))
  })
})

describe('cache (TTL, negative caching, bounds)', () => {
  const zone: Zone = {
    srv: { '_sip._udp.example.com': [srv('h.example.com', 5060)] },
    a: { 'h.example.com': a('192.0.2.1', 30) },
  }

  test('an answer is reused until its TTL; A/AAAA use their own TTL, SRV the configured recordTtl', async () => {
    const { resolver, log, clock } = setup(zone, { recordTtl: 120_000, ipFamily: 'ipv4' })
    const first = await resolver.resolve('sip:example.com;transport=udp')
    assert.equal(first.targets[0]?.expires, 1000 + 30_000)
    assert.deepEqual(log, ['SRV _sip._udp.example.com', 'A h.example.com'])

    clock.advance(29_999)
    await resolver.resolve('sip:example.com;transport=udp')
    assert.equal(log.length, 2, 'both answers still fresh')

    clock.advance(1)
    const third = await resolver.resolve('sip:example.com;transport=udp')
    assert.deepEqual(log.slice(2), ['A h.example.com'], 'only the A record expired')
    // The new A answer (fetched at 31 000, kept 30 s) expires before the SRV answer (1000 + 120 s).
    assert.equal(third.targets[0]?.expires, 31_000 + 30_000)

    clock.advance(90_000)
    await resolver.resolve('sip:example.com;transport=udp')
    assert.deepEqual(log.slice(3), ['SRV _sip._udp.example.com', 'A h.example.com'])
  })

  test('a target expires with the earliest answer it rests on (NAPTR, SRV, A)', async () => {
    const long: Zone = {
      naptr: { 'example.com': [naptr('SIP+D2U', '_sip._udp.example.com', 10, 10)] },
      srv: { '_sip._udp.example.com': [srv('h.example.com', 5060)] },
      a: { 'h.example.com': a('192.0.2.1', 3600) },
    }
    const { resolver, clock } = setup(long, { recordTtl: 120_000, ipFamily: 'ipv4' })
    assert.equal((await resolver.resolve('sip:example.com')).targets[0]?.expires, 1000 + 120_000)
    clock.advance(120_000)
    // NAPTR and SRV fetched again at 121 000; the A answer is still cached until 3 601 000.
    assert.equal((await resolver.resolve('sip:example.com')).targets[0]?.expires, 121_000 + 120_000)
  })

  test('TTLs are capped by maxTtl, and a TTL of 0 is not cached', async () => {
    const { resolver, log } = setup(
      { a: { 'long.example.com': a('192.0.2.1', 86_400), 'zero.example.com': a('192.0.2.2', 0) } },
      { maxTtl: 10_000, ipFamily: 'ipv4' },
    )
    assert.equal((await resolver.resolve('sip:long.example.com:5060')).targets[0]?.expires, 1000 + 10_000)
    await resolver.resolve('sip:zero.example.com:5060')
    await resolver.resolve('sip:zero.example.com:5060')
    assert.deepEqual(log, ['A long.example.com', 'A zero.example.com', 'A zero.example.com'])
  })

  test('NXDOMAIN is cached for negativeTtl, then asked again', async () => {
    const { resolver, log, clock } = setup({}, { negativeTtl: 5000, ipFamily: 'ipv4' })
    const r = await resolver.resolve('sip:nowhere.example.com:5060')
    assert.equal(r.ok, false)
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.DNS_NOT_FOUND)
    assert.deepEqual(r.targets, [])
    await resolver.resolve('sip:nowhere.example.com:5060')
    assert.equal(log.length, 1)
    clock.advance(5000)
    await resolver.resolve('sip:nowhere.example.com:5060')
    assert.equal(log.length, 2)
  })

  test('NODATA and an empty answer are negative answers too', async () => {
    const { resolver, log } = setup(
      { a: { 'empty.example.com': [] }, errors: { 'A nodata.example.com': 'ENODATA' } },
      { ipFamily: 'ipv4' },
    )
    for (const host of ['empty.example.com', 'nodata.example.com']) {
      for (let i = 0; i < 2; i++) {
        const r = await resolver.resolve(`sip:${host}:5060`)
        assert.equal(!r.ok && r.error.code, resolveErrorCodes.DNS_NOT_FOUND)
      }
    }
    assert.equal(log.length, 2)
  })

  test('a failure (SERVFAIL, timeout) is reported and not cached', async () => {
    const { resolver, log } = setup({ errors: { 'A down.example.com': 'ESERVFAIL' } }, { ipFamily: 'ipv4' })
    const r = await resolver.resolve('sip:down.example.com:5060')
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.DNS_FAILURE)
    assert.match(!r.ok ? r.error.reason : '', /ESERVFAIL/)
    await resolver.resolve('sip:down.example.com:5060')
    assert.equal(log.length, 2)
  })

  test('bounded: past cacheSize the least recently used answer goes first', async () => {
    const names = ['a', 'b', 'c']
    const zone2: Zone = {
      a: Object.fromEntries(names.map((n, i) => [`${n}.example.com`, a(`192.0.2.${i + 1}`)])),
    }
    const { resolver, log } = setup(zone2, { cacheSize: 2, ipFamily: 'ipv4' })
    const go = (n: string) => resolver.resolve(`sip:${n}.example.com:5060`)
    await go('a')
    await go('b')
    await go('a') // hit: a becomes the most recently used
    await go('c') // evicts b
    await go('a') // still cached
    await go('b') // asked again
    assert.deepEqual(log, ['A a.example.com', 'A b.example.com', 'A c.example.com', 'A b.example.com'])
  })

  test('concurrent resolutions of one name share one query', async () => {
    const { resolver, log } = setup(zone, { ipFamily: 'ipv4' })
    const results = await Promise.all(
      Array.from({ length: 5 }, () => resolver.resolve('sip:example.com;transport=udp')),
    )
    for (const r of results) assert.deepEqual(hops(r.targets), ['udp 192.0.2.1:5060'])
    assert.deepEqual(log, ['SRV _sip._udp.example.com', 'A h.example.com'])
  })
})

describe('blocklist', () => {
  const zone: Zone = {
    srv: { '_sip._udp.example.com': [srv('dead.example.com', 5070, 10), srv('live.example.com', 5080, 20)] },
    a: { 'dead.example.com': a('192.0.2.1'), 'live.example.com': a('192.0.2.2') },
  }

  test('a failed target moves to the end until its block time is over', async () => {
    const { resolver, clock } = setup(zone, { blockTime: 10_000 })
    const before = (await resolver.resolve('sip:example.com;transport=udp')).targets
    assert.deepEqual(hops(before), ['udp 192.0.2.1:5070', 'udp 192.0.2.2:5080'])
    resolver.markFailed(before[0]!)
    assert.equal(resolver.isBlocked(before[0]!), true)
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=udp'), [
      'udp 192.0.2.2:5080',
      'udp 192.0.2.1:5070',
    ])
    clock.advance(10_000)
    assert.equal(resolver.isBlocked(before[0]!), false)
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=udp'), [
      'udp 192.0.2.1:5070',
      'udp 192.0.2.2:5080',
    ])
  })

  test('a target is blocked per transport, address and port; ms overrides; 0 lifts the block', async () => {
    const { resolver, clock } = setup(zone, { blockTime: 10_000 })
    resolver.markFailed({ transport: 'tcp', address: '192.0.2.1', port: 5070 })
    assert.equal(resolver.isBlocked({ transport: 'udp', address: '192.0.2.1', port: 5070 }), false)
    resolver.markFailed({ transport: 'udp', address: '192.0.2.1', port: 5070 }, 500_000)
    clock.advance(100_000)
    assert.equal(resolver.isBlocked({ transport: 'udp', address: '192.0.2.1', port: 5070 }), true)
    resolver.markFailed({ transport: 'udp', address: '192.0.2.1', port: 5070 }, 0)
    assert.equal(resolver.isBlocked({ transport: 'udp', address: '192.0.2.1', port: 5070 }), false)
  })

  test('when every target is blocked they are all still returned, in order', async () => {
    const { resolver } = setup(zone)
    resolver.markFailed({ transport: 'udp', address: '192.0.2.2', port: 5080 })
    resolver.markFailed({ transport: 'udp', address: '192.0.2.1', port: 5070 })
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=udp'), [
      'udp 192.0.2.1:5070',
      'udp 192.0.2.2:5080',
    ])
  })

  test('bounded: past maxBlocked the oldest entry is forgotten', () => {
    const { resolver } = setup({}, { maxBlocked: 2 })
    const t = (port: number) => ({ transport: 'udp' as const, address: '192.0.2.1', port })
    resolver.markFailed(t(1))
    resolver.markFailed(t(2))
    resolver.markFailed(t(3))
    assert.deepEqual(
      [1, 2, 3].map((p) => resolver.isBlocked(t(p))),
      [false, true, true],
    )
  })

  test('full: expired entries go before live ones, swept at most once a second', () => {
    const { resolver, clock } = setup({}, { maxBlocked: 2 })
    const t = (port: number) => ({ transport: 'udp' as const, address: '192.0.2.1', port })
    resolver.markFailed(t(1), 60_000) // long
    resolver.markFailed(t(2), 100) // short: expired below
    clock.advance(200)
    resolver.markFailed(t(3), 60_000) // full: the sweep drops the expired 2, the long 1 stays
    assert.deepEqual(
      [1, 2, 3].map((p) => resolver.isBlocked(t(p))),
      [true, false, true],
    )
    // full again within the second after that sweep: no walk of the list, the oldest (1) goes
    resolver.markFailed(t(4), 60_000)
    assert.deepEqual(
      [1, 3, 4].map((p) => resolver.isBlocked(t(p))),
      [false, true, true],
    )
  })

  test('IPv6 addresses match with or without brackets', () => {
    const { resolver } = setup({})
    resolver.markFailed({ transport: 'udp', address: '[2001:db8::1]', port: 5060 })
    assert.equal(resolver.isBlocked({ transport: 'udp', address: '2001:db8::1', port: 5060 }), true)
  })
})

describe('failures are results, never exceptions', () => {
  test('tel: and other schemes are not resolvable', async () => {
    const { resolver, log } = setup({})
    for (const uri of ['tel:+1-201-555-0123', 'http://example.com/']) {
      const r = await resolver.resolve(uri)
      assert.equal(r.ok, false)
      assert.equal(!r.ok && r.error.code, resolveErrorCodes.UNSUPPORTED_SCHEME, uri)
      assert.deepEqual(r.targets, [])
    }
    const tel = parseUri('tel:+12015550123')!
    assert.equal((await resolver.resolve(tel)).ok, false)
    assert.deepEqual(log, [])
  })

  test('a string that is not a URI', async () => {
    const r = await setup({}).resolver.resolve('sip:')
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.BAD_URI)
  })

  test('names under .invalid are never asked (RFC 6761)', async () => {
    const { resolver, log } = setup({})
    const r = await resolver.resolve('sip:df7jal23ls0d.invalid;transport=ws')
    assert.equal(r.ok, false)
    const r2 = await resolver.resolve('sip:df7jal23ls0d.invalid')
    assert.equal(!r2.ok && r2.error.code, resolveErrorCodes.DNS_NOT_FOUND)
    assert.deepEqual(log, [])
  })

  test('a DNS that never answers times out as a DNS failure', async () => {
    const hang: Dns = {
      resolveNaptr: () => new Promise(() => {}),
      resolveSrv: () => new Promise(() => {}),
      resolve4: () => new Promise(() => {}),
      resolve6: () => new Promise(() => {}),
    }
    const resolver = createResolver({ timeout: 20 }, { dns: hang })
    const r = await resolver.resolve('sip:example.com')
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.DNS_FAILURE)
    assert.match(!r.ok ? r.error.reason : '', /ETIMEOUT/)
  })

  test('a Dns that throws synchronously or rejects with a non-error', async () => {
    const bad: Dns = {
      resolveNaptr: () => {
        throw new Error('boom')
      },
      resolveSrv: () => Promise.reject('nope'),
      resolve4: () => Promise.reject(null),
      resolve6: () => {
        throw 42
      },
    }
    const r = await createResolver({}, { dns: bad }).resolve('sip:example.com')
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.DNS_FAILURE)
  })

  test('no transport enabled for the scheme', async () => {
    const r = await setup({}, { transports: ['udp', 'tcp'] }).resolver.resolve('sips:192.0.2.1')
    assert.equal(!r.ok && r.error.code, resolveErrorCodes.UNSUPPORTED_TRANSPORT)
  })
})

describe('bounds on untrusted DNS data', () => {
  test('one resolve() returns at most maxTargets targets, following at most that many SRV records', async () => {
    const records = Array.from({ length: 50 }, (_, i) => srv(`h${i}.example.com`, 5000 + i, i))
    const hosts = Object.fromEntries(records.map((r, i) => [r.name, a(`192.0.2.${i + 1}`)]))
    const { resolver, log } = setup(
      { srv: { '_sip._udp.example.com': records }, a: hosts },
      { maxTargets: 4, ipFamily: 'ipv4' },
    )
    assert.deepEqual(await targetsOf(resolver, 'sip:example.com;transport=udp'), [
      'udp 192.0.2.1:5000',
      'udp 192.0.2.2:5001',
      'udp 192.0.2.3:5002',
      'udp 192.0.2.4:5003',
    ])
    assert.equal(log.filter((q) => q.startsWith('A ')).length, 4)
  })
})
