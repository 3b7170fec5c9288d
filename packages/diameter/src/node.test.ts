/**
 * The node and its peers in virtual time, over the in-memory network of test/memory-network.ts:
 * capabilities exchange, election, the watchdog on a live connection, failover and failback,
 * reconnect backoff, DPR/DPA, request/handle, duplicates.
 */
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, describe, test } from 'node:test'
import { CX, MAR, maaHandler, mar } from '../test/cx.ts'
import { flush, MemoryNetwork, type MemorySocket } from '../test/memory-network.ts'
import { avp, message, origin, u32 } from '../test/raw.ts'
import { encodeMessage } from './encode.ts'
import {
  baseDictionary,
  createDiameterNode,
  createDictionary,
  createManualClock,
  createRequest,
  createStreamFramer,
  cxDictionary,
  type DiameterError,
  type DiameterMessage,
  type DiameterNode,
  type DiameterNodeOptions,
  decodeMessage,
  defineDictionary,
  type ManualClock,
  RELAY_APPLICATION_ID,
  rawAvp,
} from './index.ts'

const TW = 6000

interface World {
  clock: ManualClock
  net: MemoryNetwork
  nodes: DiameterNode[]
  node(options: DiameterNodeOptions, port?: number): DiameterNode
  run(ms: number, step?: number): Promise<void>
}

let world: World | undefined

function setup(random: () => number = () => 0.5): World {
  const clock = createManualClock(1_000_000)
  const net = new MemoryNetwork()
  const nodes: DiameterNode[] = []
  world = {
    clock,
    net,
    nodes,
    node(options, port) {
      const n = createDiameterNode(
        { watchdog: { tw: TW, jitter: 0 }, ...options },
        { clock, random, connect: net.connect },
      )
      if (port !== undefined) net.listen(port, n)
      nodes.push(n)
      return n
    },
    async run(ms, step = 100) {
      for (let t = 0; t < ms; t += step) {
        clock.advance(Math.min(step, ms - t))
        await flush()
      }
    },
  }
  return world
}

afterEach(async () => {
  if (world === undefined) return
  const w = world
  world = undefined
  const stopping = Promise.all(w.nodes.map((n) => n.stop()))
  await w.run(20_000, 1000)
  await stopping
})

/** hss.ims.test listening on 3868 (answers MAR), scscf.ims.test connecting to it. */
async function pair(
  w: World,
  server: Partial<DiameterNodeOptions> = {},
  client: Partial<DiameterNodeOptions> = {},
) {
  const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test', ...server }, 3868)
  hss.handle(MAR, CX, maaHandler)
  const scscf = w.node({
    originHost: 'scscf.ims.test',
    originRealm: 'ims.test',
    peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
    ...client,
  })
  await hss.start()
  await scscf.start()
  await flush()
  return { hss, scscf }
}

function record(name: string) {
  const events: Record<string, unknown>[] = []
  const fn = (m: unknown) => events.push(m as Record<string, unknown>)
  subscribe(name, fn)
  return { events, stop: () => unsubscribe(name, fn) }
}

describe('capabilities exchange (RFC 6733 §5.3)', () => {
  test('CER/CEA: I-Open on the client, R-Open on the server, Cx in common', async () => {
    const w = setup()
    const states = record('junction:diameter:peer-state')
    const { hss, scscf } = await pair(w)
    states.stop()
    const p = scscf.peer('hss.ims.test')!
    assert.equal(p.state, 'I-Open')
    assert.equal(p.watchdogState, 'OKAY')
    assert.equal(p.available, true)
    assert.deepEqual(p.applications, [CX])
    assert.equal(p.capabilities?.productName, 'Junction')
    assert.deepEqual(p.capabilities?.supportedVendorIds, [10415])
    const s = hss.peer('scscf.ims.test')!
    assert.equal(s.state, 'R-Open')
    assert.equal(s.dynamic, true)
    assert.equal(s.realm, 'ims.test')
    assert.deepEqual(
      states.events.map((e) => `${(e['peer'] as { host: string }).host}: ${e['from']} → ${e['to']}`),
      [
        'hss.ims.test: Closed → Wait-Conn-Ack',
        'hss.ims.test: Wait-Conn-Ack → Wait-I-CEA',
        'scscf.ims.test: Closed → R-Open',
        'hss.ims.test: Wait-I-CEA → I-Open',
      ],
    )
  })

  test('no application in common: CEA 5010, both sides Closed', async () => {
    const w = setup()
    const { hss, scscf } = await pair(w, { applications: [{ applicationId: 16777217, vendorId: 10415 }] })
    const p = scscf.peer('hss.ims.test')!
    assert.equal(p.state, 'Closed')
    assert.equal(p.lastError?.code, 'JUNCTION_ERR_DIAMETER_CAPABILITIES_REJECTED')
    assert.equal(p.lastError?.resultCode, 5010)
    assert.equal(hss.peer('scscf.ims.test'), undefined)
    assert.equal(hss.counters.connectionsRejected, 1)
  })

  test('unknown peer with acceptUnknownPeers: false: CEA 3010', async () => {
    const w = setup()
    const { scscf } = await pair(w, { acceptUnknownPeers: false })
    const p = scscf.peer('hss.ims.test')!
    assert.equal(p.state, 'Closed')
    assert.equal(p.lastError?.resultCode, 3010)
  })

  test('a known peer is accepted with acceptUnknownPeers: false', async () => {
    const w = setup()
    const { hss } = await pair(w, { acceptUnknownPeers: false, peers: [{ host: 'scscf.ims.test' }] })
    assert.equal(hss.peer('scscf.ims.test')?.state, 'R-Open')
    assert.equal(hss.peer('scscf.ims.test')?.dynamic, false)
  })

  test('a CEA from another host than the peer table says is rejected', async () => {
    const w = setup()
    const other = w.node({ originHost: 'other.ims.test', originRealm: 'ims.test' }, 3868)
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
    })
    await other.start()
    await scscf.start()
    await flush()
    assert.equal(scscf.peer('hss.ims.test')?.lastError?.code, 'JUNCTION_ERR_DIAMETER_CAPABILITIES_REJECTED')
  })

  test('a second connection from an open peer is refused (R-Reject, CEA 5012)', async () => {
    const w = setup()
    const { hss } = await pair(w)
    const intruder = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
      reconnect: { maxAttempts: 0 },
    })
    await intruder.start()
    await flush()
    assert.equal(intruder.peer('hss.ims.test')?.state, 'Closed')
    assert.equal(intruder.peer('hss.ims.test')?.lastError?.resultCode, 5012)
    assert.equal(hss.peer('scscf.ims.test')?.state, 'R-Open')
  })

  test('one address holds at most maxIncomingPerAddress connections waiting for their CER', async () => {
    const w = setup()
    const hss = w.node(
      { originHost: 'hss.ims.test', originRealm: 'ims.test', maxIncomingPerAddress: 2 },
      3868,
    )
    await hss.start()
    const silent = [0, 1, 2].map(() => w.net.connect(3868, '127.0.0.1', '192.0.2.66') as MemorySocket)
    await flush()
    assert.deepEqual(
      silent.map((s) => s.closed),
      [false, false, true],
      'the third from that address is closed at once',
    )
    assert.equal(hss.counters.connectionsRejected, 1)
    // another host still gets in and completes its capabilities exchange
    const other = rawClient(w, 3868, '192.0.2.77')
    await flush()
    other.cer('scscf.ims.test')
    await flush()
    assert.equal(other.received[0]?.commandCode, 257)
    assert.equal(other.received[0]?.resultCode, 2001)
    // once one of the silent two closes, that address may connect again
    silent[0]!.end()
    await flush()
    const again = w.net.connect(3868, '127.0.0.1', '192.0.2.66') as MemorySocket
    await flush()
    assert.equal(again.closed, false)
  })

  test('an accepted connection must start with a CER, in time', async () => {
    const w = setup()
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test', handshakeTimeout: 3000 }, 3868)
    await hss.start()
    const closes = record('junction:diameter:connection-close')
    const silent = w.net.connect(3868, '127.0.0.1') as MemorySocket
    const dwr = w.net.connect(3868, '127.0.0.1') as MemorySocket
    await flush()
    dwr.write(
      encodeMessage(
        createRequest('DWR', { avps: { 'Origin-Host': 'x.ims.test', 'Origin-Realm': 'ims.test' } }),
      ),
    )
    await flush()
    assert.equal(dwr.closed, true)
    assert.equal(silent.closed, false)
    await w.run(3000)
    assert.equal(silent.closed, true)
    closes.stop()
    assert.deepEqual(
      closes.events.map((e) => (e['error'] as DiameterError).code),
      ['JUNCTION_ERR_DIAMETER_UNEXPECTED_MESSAGE', 'JUNCTION_ERR_DIAMETER_HANDSHAKE_TIMEOUT'],
    )
  })
})

/** A hand-driven client on the memory network: raw octets out, decoded messages in. */
function rawClient(w: World, port = 3868, from = '127.0.0.1') {
  const socket = w.net.connect(port, '127.0.0.1', from) as MemorySocket
  const received: DiameterMessage[] = []
  const framer = createStreamFramer()
  socket.on('data', (b: Buffer) => {
    for (const e of framer.push(b)) {
      if (e.type !== 'message') continue
      const r = decodeMessage(e.bytes)
      const m = r.ok ? r.message : r.error.message
      if (m !== undefined) received.push(m)
    }
  })
  return {
    socket,
    received,
    send: (b: Uint8Array) => socket.write(b),
    /** A CER from `host` advertising one application (Cx unless told: the relay id, say). */
    cer: (host: string, applicationId = CX) =>
      socket.write(
        message(
          { code: 257, hopByHop: 1 },
          avp(264, 0x40, host),
          avp(296, 0x40, 'ims.test'),
          avp(257, 0x40, Buffer.from([0, 1, 127, 0, 0, 1])),
          avp(266, 0x40, Buffer.alloc(4)),
          avp(269, 0, 'raw'),
          avp(265, 0x40, Buffer.from([0, 0, 0x28, 0xaf])),
          avp(258, 0x40, u32(applicationId)),
        ),
      ),
  }
}

describe('framing errors (RFC 6733 §3, §7.1.5)', () => {
  /** A DWR whose version or Message Length the framer cannot follow. */
  function broken(version: number, length: number, flags = 0x80) {
    const b = message({ code: 280, hopByHop: 0x4242, flags }, ...origin)
    b[0] = version
    b.writeUIntBE(length, 1, 3)
    return b
  }
  const cases: [string, Buffer, number][] = [
    ['version 2', broken(2, 32), 5011],
    ['a Message Length not a multiple of 4', broken(1, 42), 5015],
    ['a Message Length below the header', broken(1, 12), 5015],
    ['a Message Length over maxMessageSize', broken(1, 0xfffffc), 5012],
  ]
  for (const [what, bytes, resultCode] of cases) {
    test(`a request with ${what} on an open connection: answered ${resultCode}, then closed`, async () => {
      const w = setup()
      const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
      await hss.start()
      const c = rawClient(w)
      await flush()
      c.cer('raw.ims.test')
      await flush()
      assert.equal(c.received[0]?.resultCode, 2001)
      assert.equal(hss.peer('raw.ims.test')?.state, 'R-Open')
      c.send(bytes)
      await w.run(6000, 1000)
      const a = c.received.find((m) => m.hopByHop === 0x4242)
      assert.equal(a?.resultCode, resultCode)
      assert.equal(a?.isError, true)
      assert.equal(a?.commandCode, 280)
      assert.equal(c.socket.closed, true)
      assert.equal(hss.peer('raw.ims.test'), undefined)
    })

    test(`a first message with ${what}: answered ${resultCode}, then closed`, async () => {
      const w = setup()
      const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
      await hss.start()
      const c = rawClient(w)
      await flush()
      c.send(bytes)
      await w.run(6000, 1000)
      assert.equal(c.received[0]?.resultCode, resultCode)
      assert.equal(c.received[0]?.hopByHop, 0x4242)
      assert.equal(c.socket.closed, true)
    })
  }

  test('an answer the framer cannot follow: closed without a word', async () => {
    const w = setup()
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
    await hss.start()
    const c = rawClient(w)
    await flush()
    c.cer('raw.ims.test')
    await flush()
    c.send(broken(2, 32, 0))
    await flush()
    assert.equal(c.received.length, 1)
    assert.equal(c.socket.closed, true)
  })
})

test('a CER whose Origin-Host is longer than an FQDN (255 octets): CEA 5004, no peer kept', async () => {
  const w = setup()
  const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
  await hss.start()
  const c = rawClient(w)
  await flush()
  c.cer(`${'a'.repeat(300)}.ims.test`)
  await w.run(6000, 1000)
  assert.equal(c.received[0]?.resultCode, 5004)
  assert.equal(c.received[0]?.get('Failed-AVP')?.byCode(264)?.data.length, 309)
  assert.equal(hss.peers.length, 0)
  assert.equal(c.socket.closed, true)
})

describe('requests outside I-Open and R-Open (RFC 6733 §5.3, §5.6)', () => {
  /** A complete MAR from raw.ims.test, hop-by-hop 0x77. */
  const rawMar = () =>
    encodeMessage(
      createRequest('MAR', {
        avps: {
          'Session-Id': 'raw.ims.test;1;1',
          'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
          'Auth-Session-State': 1,
          'Origin-Host': 'raw.ims.test',
          'Origin-Realm': 'ims.test',
          'Destination-Realm': 'ims.test',
          'User-Name': 'alice@ims.test',
          'Public-Identity': 'sip:alice@ims.test',
          'SIP-Number-Auth-Items': 1,
          'SIP-Auth-Data-Item': { 'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5' },
          'Server-Name': 'sip:scscf.ims.test',
        },
        hopByHop: 0x77,
      }),
    )

  /** hss.ims.test connecting to raw.ims.test (held), and raw.ims.test's CER on its own connection. */
  async function electing(w: World) {
    w.net.held.add(3999)
    const hss = w.node(
      {
        originHost: 'hss.ims.test',
        originRealm: 'ims.test',
        peers: [{ host: 'raw.ims.test', address: '127.0.0.1', port: 3999 }],
      },
      3868,
    )
    let handled = 0
    hss.handle(MAR, CX, (m, ctx) => {
      handled++
      return maaHandler(m, ctx)
    })
    await hss.start()
    const c = rawClient(w)
    await flush()
    c.cer('raw.ims.test')
    await flush()
    assert.equal(hss.peer('raw.ims.test')?.state, 'Wait-Conn-Ack/Elect')
    assert.equal(c.received.length, 0, 'no CEA yet')
    return { hss, c, handled: () => handled }
  }

  test('an application request before the CEA: not processed, answered 3002', async () => {
    const w = setup()
    const { hss, c, handled } = await electing(w)
    c.send(rawMar())
    await flush()
    const a = c.received.find((m) => m.hopByHop === 0x77)
    assert.equal(a?.resultCode, 3002)
    assert.equal(a?.isError, true)
    assert.equal(handled(), 0)
    assert.equal(hss.peer('raw.ims.test')?.state, 'Wait-Conn-Ack/Elect')
  })

  test('a request that does not decode, before the CEA: answered (5001 for an unknown AVP with M)', async () => {
    const w = setup()
    const { c } = await electing(w)
    c.send(message({ code: 280, hopByHop: 0x78 }, ...origin, avp(4242, 0x40, u32(1))))
    await flush()
    const a = c.received.find((m) => m.hopByHop === 0x78)
    assert.equal(a?.resultCode, 5001)
  })
})

describe('a request no handler takes: 3007 or 3001 (RFC 6733 §7.1.3)', () => {
  const SH = 16777217
  /** A command of the base protocol's common messages (Application-Id 0) that no peer state takes. */
  const common = defineDictionary({
    name: 'test: a common message',
    avps: {},
    commands: {
      XXR: `<X-Request> ::= < Diameter Header: 8388601, REQ >
        { Origin-Host }
        { Origin-Realm }
       *[ AVP ]`,
      XXA: `<X-Answer> ::= < Diameter Header: 8388601 >
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
       *[ AVP ]`,
    },
  })
  const dictionary = createDictionary(baseDictionary, cxDictionary, common)

  /** A complete MAR from dra.ims.test (Cx, 16777216). */
  const rawMar = (hopByHop: number, realm = 'ims.test') =>
    encodeMessage(
      createRequest('MAR', {
        avps: {
          'Session-Id': `dra.ims.test;1;${hopByHop}`,
          'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
          'Auth-Session-State': 1,
          'Origin-Host': 'dra.ims.test',
          'Origin-Realm': 'ims.test',
          'Destination-Realm': realm,
          'User-Name': 'alice@ims.test',
          'Public-Identity': 'sip:alice@ims.test',
          'SIP-Number-Auth-Items': 1,
          'SIP-Auth-Data-Item': { 'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5' },
          'Server-Name': 'sip:scscf.ims.test',
        },
        hopByHop,
        endToEnd: hopByHop,
      }),
    )

  /** hss.ims.test with `applications`, and dra.ims.test (raw) advertising `advertised` open to it. */
  async function open(w: World, applications: DiameterNodeOptions['applications'], advertised: number) {
    const hss = w.node(
      { originHost: 'hss.ims.test', originRealm: 'ims.test', dictionary, applications } as never,
      3868,
    )
    await hss.start()
    const c = rawClient(w)
    await flush()
    c.cer('dra.ims.test', advertised)
    await flush()
    assert.equal(c.received[0]?.resultCode, 2001)
    const ask = async (bytes: Uint8Array, hopByHop: number) => {
      c.send(bytes)
      await flush()
      return c.received.find((m) => m.hopByHop === hopByHop)
    }
    return { hss, ask }
  }

  test('an application the node neither handles nor advertises: 3007 with the E bit; 3001 once it has a handler of it', async () => {
    const w = setup()
    // a relay (advertising 0xffffffff) sends Cx to a node that speaks Sh only
    const { hss, ask } = await open(w, [{ applicationId: SH, vendorId: 10415 }], RELAY_APPLICATION_ID)
    const a = await ask(rawMar(0x71), 0x71)
    assert.equal(a?.resultCode, 3007)
    assert.equal(a?.isError, true)
    assert.equal(a?.isRequest, false)
    assert.equal(a?.commandCode, MAR)
    assert.equal(a?.applicationId, CX)
    assert.equal(a?.originHost, 'hss.ims.test')
    assert.equal(a?.get('Error-Message'), `application ${CX} is not supported`)
    assert.equal(a?.get('Failed-AVP'), undefined)
    // a request for another realm is still 3003: the realm is checked first
    assert.equal((await ask(rawMar(0x72, 'other.test'), 0x72))?.resultCode, 3003)
    // the base protocol's application is every node's: 3001
    const x = createRequest('XXR' as never, {
      dictionary,
      avps: { 'Origin-Host': 'dra.ims.test', 'Origin-Realm': 'ims.test' } as never,
      hopByHop: 0x73,
      endToEnd: 0x73,
    })
    const b = await ask(encodeMessage(x), 0x73)
    assert.equal(b?.resultCode, 3001)
    assert.equal(b?.isError, true)
    // a handler of another Cx command: Cx is supported, MAR is not
    hss.handle(300, CX, (_m, ctx) => ctx.answer({ resultCode: 2001 }))
    const c = await ask(rawMar(0x74), 0x74)
    assert.equal(c?.resultCode, 3001)
    assert.equal(c?.isError, true)
    assert.equal(c?.get('Error-Message'), 'no handler for MAR')
  })

  test('an application the node advertises without a handler: 3001; with the handler: answered as before', async () => {
    const w = setup()
    // the default applications: Cx, as a client node advertises it (and gets an RTR it has no handler for)
    const { hss, ask } = await open(w, undefined, CX)
    const a = await ask(rawMar(0x81), 0x81)
    assert.equal(a?.resultCode, 3001)
    assert.equal(a?.isError, true)
    hss.handle(MAR, CX, maaHandler)
    const b = await ask(rawMar(0x82), 0x82)
    assert.equal(b?.resultCode, 2001)
    assert.equal(b?.isError, false)
    assert.equal(b?.get('User-Name'), 'alice@ims.test')
  })

  test('a node advertising the Relay application supports every application: 3001', async () => {
    const w = setup()
    // the peer advertises Cx only: a relay has it in common with every peer (§2.4)
    const { ask } = await open(w, [{ applicationId: RELAY_APPLICATION_ID }], CX)
    const a = await ask(rawMar(0x91), 0x91)
    assert.equal(a?.resultCode, 3001)
    assert.equal(a?.isError, true)
  })
})

describe('election (RFC 6733 §5.6.4)', () => {
  async function both(w: World, a: string, b: string, holdA = false) {
    const na = w.node(
      {
        originHost: a,
        originRealm: 'ims.test',
        peers: [{ host: b, address: '127.0.0.1', port: 3869 }],
      },
      3868,
    )
    const nb = w.node(
      {
        originHost: b,
        originRealm: 'ims.test',
        peers: [{ host: a, address: '127.0.0.1', port: 3868 }],
      },
      3869,
    )
    na.handle(MAR, CX, maaHandler)
    nb.handle(MAR, CX, maaHandler)
    if (holdA) w.net.held.add(3869)
    const states = record('junction:diameter:peer-state')
    const closes = record('junction:diameter:connection-close')
    // started together: neither connects before the other listens
    await Promise.all([na.start(), nb.start()])
    await flush()
    if (holdA) {
      w.net.releaseConnects(3869)
      await flush()
    }
    states.stop()
    closes.stop()
    return { na, nb, states: states.events, closes: closes.events }
  }

  for (const [a, b] of [
    ['hss.ims.test', 'scscf.ims.test'],
    ['scscf.ims.test', 'hss.ims.test'],
  ] as const) {
    test(`both connect at once (${a} first): the higher Origin-Host keeps the connection the other opened`, async () => {
      const w = setup()
      const { na, nb, states, closes } = await both(w, a, b)
      const winner = a > b ? na : nb
      const loser = a > b ? nb : na
      const winnerSees = winner.peer(loser.originHost)!
      const loserSees = loser.peer(winner.originHost)!
      assert.equal(winnerSees.state, 'R-Open')
      assert.equal(loserSees.state, 'I-Open')
      // the winner went Wait-I-CEA → Wait-Returns → R-Open, the loser Wait-I-CEA → Wait-Returns → Wait-I-CEA → I-Open
      const path = (n: DiameterNode) =>
        states.filter((e) => (e['peer'] as { host: string }).host !== n.originHost).map((e) => e['to'])
      assert.deepEqual(path(winner), ['Wait-Conn-Ack', 'Wait-I-CEA', 'Wait-Returns', 'R-Open'])
      assert.deepEqual(path(loser), ['Wait-Conn-Ack', 'Wait-I-CEA', 'Wait-Returns', 'Wait-I-CEA', 'I-Open'])
      // the winner closes the connection it opened; the loser sees its responder connection end
      assert.deepEqual(
        closes.map((e) => [
          (e['peer'] as { host: string }).host,
          e['initiator'],
          (e['error'] as DiameterError | undefined)?.code,
        ]),
        [
          [loser.originHost, true, 'JUNCTION_ERR_DIAMETER_ELECTION'],
          [winner.originHost, false, undefined],
        ],
      )
      // one connection is left, and it carries requests both ways
      assert.equal((await na.request(mar('a', undefined))).resultCode, 2001)
      assert.equal((await nb.request(mar('b', undefined))).resultCode, 2001)
    })
  }

  for (const [a, b] of [
    ['hss.ims.test', 'scscf.ims.test'],
    ['scscf.ims.test', 'hss.ims.test'],
  ] as const) {
    test(`a CER while still connecting (${a} in Wait-Conn-Ack/Elect)`, async () => {
      const w = setup()
      const { na, nb, states } = await both(w, a, b, true)
      const ofA = states.filter((e) => (e['peer'] as { host: string }).host === b).map((e) => e['to'])
      assert.deepEqual(ofA.slice(0, 3), ['Wait-Conn-Ack', 'Wait-Conn-Ack/Elect', 'Wait-Returns'])
      const winner = a > b ? na : nb
      const loser = a > b ? nb : na
      assert.equal(winner.peer(loser.originHost)?.state, 'R-Open')
      assert.equal(loser.peer(winner.originHost)?.state, 'I-Open')
      assert.equal((await na.request(mar('a'))).resultCode, 2001)
      assert.equal((await nb.request(mar('b'))).resultCode, 2001)
    })
  }
})

describe('watchdog on a connection (RFC 3539)', () => {
  test('DWR after Tw idle, answered by DWA; both stay OKAY', async () => {
    const w = setup()
    const out = record('junction:diameter:message-out')
    // the server's Tw is longer: only the client's watchdog fires (any message restarts the other's)
    const { hss, scscf } = await pair(w, { watchdog: { tw: 5 * TW, jitter: 0 } })
    await w.run(TW + 200)
    out.stop()
    const names = out.events.map((e) => `${(e['message'] as { name: string } | undefined)?.name}`)
    assert.deepEqual(names, ['CER', 'CEA', 'DWR', 'DWA'])
    assert.equal(scscf.peer('hss.ims.test')?.watchdogState, 'OKAY')
    assert.equal(hss.peer('scscf.ims.test')?.watchdogState, 'OKAY')
  })

  test('failover to the priority-2 peer within 2 Tw of a freeze, failback through REOPEN', async () => {
    const w = setup(() => 0)
    const hss1 = w.node({ originHost: 'hss1.ims.test', originRealm: 'ims.test' }, 3868)
    const hss2 = w.node({ originHost: 'hss2.ims.test', originRealm: 'ims.test' }, 3869)
    hss1.handle(MAR, CX, maaHandler)
    hss2.handle(MAR, CX, maaHandler)
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [
        { host: 'hss1.ims.test', address: '127.0.0.1', port: 3868, priority: 1 },
        { host: 'hss2.ims.test', address: '127.0.0.1', port: 3869, priority: 2 },
      ],
      requestTimeout: 1000,
      handshakeTimeout: 2000,
    })
    await hss1.start()
    await hss2.start()
    await scscf.start()
    await flush()
    const wd = record('junction:diameter:watchdog')
    const who = async () => {
      try {
        return (await scscf.request(mar())).originHost
      } catch (e) {
        return (e as DiameterError).code
      }
    }
    assert.equal(await who(), 'hss1.ims.test')
    // freeze hss1: its TCP connection stays open, only the watchdog can tell
    const frozenAt = w.clock.now()
    w.net.freeze(3868, true)
    let movedAt: number | undefined
    while (movedAt === undefined && w.clock.now() - frozenAt < 4 * TW) {
      const answer = who()
      await w.run(1000)
      if ((await answer) === 'hss2.ims.test') movedAt = w.clock.now()
    }
    assert.ok(movedAt !== undefined)
    assert.ok(movedAt - frozenAt <= 2 * TW + 1000, `moved after ${movedAt - frozenAt} ms`)
    assert.equal(scscf.peer('hss1.ims.test')?.watchdogState, 'SUSPECT')
    // one Tw later: DOWN, the connection closed; reconnects time out on the frozen host
    await w.run(TW)
    assert.equal(scscf.peer('hss1.ims.test')?.watchdogState, 'DOWN')
    assert.equal(scscf.peer('hss1.ims.test')?.lastError?.code, 'JUNCTION_ERR_DIAMETER_WATCHDOG_TIMEOUT')
    await w.run(5000)
    assert.equal(await who(), 'hss2.ims.test')
    // thaw: the next connection goes through REOPEN and three DWAs before it takes requests
    w.net.freeze(3868, false)
    let reopenedAt: number | undefined
    let backAt: number | undefined
    for (let i = 0; i < 60 && backAt === undefined; i++) {
      await w.run(500)
      if (reopenedAt === undefined && scscf.peer('hss1.ims.test')?.watchdogState === 'REOPEN')
        reopenedAt = w.clock.now()
      if (scscf.peer('hss1.ims.test')?.watchdogState === 'OKAY') backAt = w.clock.now()
      else if (reopenedAt !== undefined) assert.equal(await who(), 'hss2.ims.test')
    }
    wd.stop()
    assert.ok(reopenedAt !== undefined && backAt !== undefined)
    assert.ok(backAt - reopenedAt >= 2 * TW - 500, 'three DWAs, one per Tw')
    assert.equal(await who(), 'hss1.ims.test')
    assert.deepEqual(
      wd.events.filter((e) => (e['peer'] as { host: string }).host === 'hss1.ims.test').map((e) => e['to']),
      ['SUSPECT', 'DOWN', 'REOPEN', 'OKAY'],
    )
  })
})

describe('reconnect', () => {
  test('exponential backoff while the peer refuses connections, bounded by maxDelay', async () => {
    const w = setup(() => 0)
    const times: number[] = []
    const connect = w.net.connect
    w.net.connect = (port, host) => {
      times.push(w.clock.now())
      return connect(port, host)
    }
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
      reconnect: { initialDelay: 1000, maxDelay: 8000 },
    })
    const t0 = w.clock.now()
    await scscf.start()
    await w.run(40_000)
    assert.deepEqual(
      times.map((t) => t - t0),
      [0, 1000, 3000, 7000, 15000, 23000, 31000, 39000],
    )
    assert.equal(scscf.peer('hss.ims.test')?.lastError?.code, 'JUNCTION_ERR_DIAMETER_CONNECT_FAILED')
  })

  test('a lost connection is reopened; attempts start again from initialDelay', async () => {
    const w = setup(() => 0)
    const { scscf } = await pair(w)
    const before = w.net.connects
    // the server side goes away without DPR
    for (const s of w.net.sockets) s.destroy()
    await flush()
    assert.equal(scscf.peer('hss.ims.test')?.state, 'Closed')
    assert.equal(scscf.peer('hss.ims.test')?.lastError?.code, 'JUNCTION_ERR_DIAMETER_PEER_DISCONNECTED')
    await w.run(1000)
    assert.equal(w.net.connects, before + 1)
    assert.equal(scscf.peer('hss.ims.test')?.state, 'I-Open')
    assert.equal(scscf.peer('hss.ims.test')?.watchdogState, 'REOPEN')
  })

  test('no TCP connection in time: Timeout in Wait-Conn-Ack', async () => {
    const w = setup(() => 0)
    w.net.blackholes.add(3868)
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
      connectTimeout: 2000,
    })
    await scscf.start()
    await w.run(2000)
    assert.equal(scscf.peer('hss.ims.test')?.lastError?.code, 'JUNCTION_ERR_DIAMETER_HANDSHAKE_TIMEOUT')
  })
})

describe('DPR/DPA (RFC 6733 §5.4)', () => {
  test('stop() sends DPR, the peer answers DPA; both Closed; the server forgets the dynamic peer', async () => {
    const w = setup()
    const { hss, scscf } = await pair(w)
    const out = record('junction:diameter:message-out')
    const stopped = scscf.stop()
    await flush()
    await stopped
    out.stop()
    assert.deepEqual(
      out.events.map((e) => (e['message'] as { name: string }).name),
      ['DPR', 'DPA'],
    )
    assert.equal(scscf.peer('hss.ims.test')?.state, 'Closed')
    assert.equal(scscf.peer('hss.ims.test')?.lastError, undefined)
    assert.equal(hss.peer('scscf.ims.test'), undefined)
  })

  for (const [cause, reconnects] of [
    ['REBOOTING', true],
    ['DO_NOT_WANT_TO_TALK_TO_YOU', false],
  ] as const) {
    test(`a DPR with ${cause}: the peer ${reconnects ? 'reconnects' : 'does not reconnect'}`, async () => {
      const w = setup(() => 0)
      const { hss, scscf } = await pair(w, { disconnectCause: cause })
      const before = w.net.connects
      const stopped = hss.stop()
      await flush()
      await stopped
      assert.equal(scscf.peer('hss.ims.test')?.state, 'Closed')
      await hss.start()
      await w.run(3000)
      assert.equal(w.net.connects > before, reconnects)
      assert.equal(scscf.peer('hss.ims.test')?.state, reconnects ? 'I-Open' : 'Closed')
    })
  }

  test('no DPA in time: closed after the disconnect timeout', async () => {
    const w = setup()
    const { scscf } = await pair(w, {}, { disconnectTimeout: 2000 })
    w.net.freeze(3868, true)
    const stopped = scscf.stop()
    await w.run(1900)
    assert.equal(scscf.peer('hss.ims.test')?.state, 'Closing')
    await w.run(200)
    await stopped
    assert.equal(scscf.peer('hss.ims.test')?.state, 'Closed')
  })
})

describe('request() and handle()', () => {
  test('Origin-Host, Origin-Realm and Session-Id are filled in; the answer comes back', async () => {
    const w = setup()
    const seen: string[] = []
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
    hss.handle(MAR, CX, (req, ctx) => {
      seen.push(`${req.originHost} ${req.originRealm} ${req.sessionId?.startsWith('scscf.ims.test;')}`)
      assert.equal(ctx.peer.host, 'scscf.ims.test')
      return maaHandler(req, ctx)
    })
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
    })
    await hss.start()
    await scscf.start()
    await flush()
    const m = mar()
    assert.equal(m.originHost, undefined)
    const a = await scscf.request(m)
    assert.equal(a.resultCode, 2001)
    assert.equal(a.get('User-Name'), 'alice@ims.test')
    assert.deepEqual(seen, ['scscf.ims.test ims.test true'])
    assert.equal(scscf.counters.pending, 0)
    assert.equal(scscf.counters.requestsSent, 1)
    assert.equal(scscf.counters.answersReceived, 1)
    assert.equal(hss.counters.requestsReceived, 1)
  })

  test('Destination-Host picks the peer; an unknown one falls back to the realm', async () => {
    const w = setup()
    const a = w.node({ originHost: 'hss1.ims.test', originRealm: 'ims.test' }, 3868)
    const b = w.node({ originHost: 'hss2.ims.test', originRealm: 'ims.test' }, 3869)
    a.handle(MAR, CX, maaHandler)
    b.handle(MAR, CX, maaHandler)
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [
        { host: 'hss1.ims.test', address: '127.0.0.1', port: 3868, priority: 1 },
        { host: 'hss2.ims.test', address: '127.0.0.1', port: 3869, priority: 2 },
      ],
    })
    await a.start()
    await b.start()
    await scscf.start()
    await flush()
    assert.equal((await scscf.request(mar('x', 'hss2.ims.test'))).originHost, 'hss2.ims.test')
    assert.equal((await scscf.request(mar('x'))).originHost, 'hss1.ims.test')
    // hss9 is not a peer: its Destination-Host reaches hss1, which is not hss9: 3002 from there
    const far = await scscf.request(mar('x', 'hss9.ims.test'))
    assert.equal(far.resultCode, 3002)
    assert.equal(far.originHost, 'hss1.ims.test')
  })

  test('no peer for the realm: a 3002 answer built locally, E bit set', async () => {
    const w = setup()
    const { scscf } = await pair(w)
    const a = await scscf.request(mar('x', undefined, 'other.test'))
    assert.equal(a.resultCode, 3002)
    assert.equal(a.isError, true)
    assert.equal(a.originHost, 'scscf.ims.test')
    assert.equal(scscf.counters.unableToDeliver, 1)
  })

  test('no handler: 3001; a handler that throws: 5012; another realm: 3003', async () => {
    const w = setup()
    const { hss, scscf } = await pair(w)
    const sar = createRequest('SAR', {
      avps: {
        'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
        'Auth-Session-State': 1,
        'Destination-Realm': 'ims.test',
        'Public-Identity': 'sip:alice@ims.test',
        'Server-Name': 'sip:scscf.ims.test',
        'Server-Assignment-Type': 1,
        'User-Data-Already-Available': 0,
      },
    })
    const a = await scscf.request(sar)
    assert.equal(a.resultCode, 3001)
    assert.equal(a.isError, true)
    hss.handle(300, CX, () => {
      throw new Error('database down')
    })
    const uar = createRequest('UAR', {
      avps: {
        'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
        'Auth-Session-State': 1,
        'Destination-Realm': 'ims.test',
        'User-Name': 'alice@ims.test',
        'Public-Identity': 'sip:alice@ims.test',
        'Visited-Network-Identifier': 'ims.test',
      },
    })
    const b = await scscf.request(uar)
    assert.equal(b.resultCode, 5012)
    assert.equal(b.isError, true)
    // a Destination-Host naming the server wins over the Destination-Realm
    const c = await scscf.request(mar('x', 'hss.ims.test', 'other.test'))
    assert.equal(c.resultCode, 2001)
  })

  test('a request for another realm: 3003 (the node does not relay)', async () => {
    const w = setup()
    const { scscf } = await pair(
      w,
      {},
      { peers: [{ host: 'hss.ims.test', realm: 'other.test', address: '127.0.0.1', port: 3868 }] },
    )
    const a = await scscf.request(mar('x', undefined, 'other.test'))
    assert.equal(a.resultCode, 3003)
    assert.equal(a.originHost, 'hss.ims.test')
  })

  test('an unknown AVP with the M bit: 5001 with Failed-AVP', async () => {
    const w = setup()
    const { scscf } = await pair(w)
    const m = createRequest('MAR', {
      avps: {
        'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
        'Auth-Session-State': 1,
        'Destination-Realm': 'ims.test',
        'User-Name': 'alice@ims.test',
        'Public-Identity': 'sip:alice@ims.test',
        'SIP-Number-Auth-Items': 1,
        'SIP-Auth-Data-Item': { 'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5' },
        'Server-Name': 'sip:scscf.ims.test',
      },
      extra: [rawAvp({ code: 4242, vendorId: 99, mandatory: true, data: Uint8Array.of(1, 2, 3, 4) })],
    })
    const a = await scscf.request(m)
    assert.equal(a.resultCode, 5001)
    const failed = a.get('Failed-AVP')
    assert.equal(failed?.byCode(4242, 99)?.data.length, 4)
    assert.equal(scscf.peer('hss.ims.test')?.state, 'I-Open')
  })

  test('a request with no answer times out; the pending count goes back', async () => {
    const w = setup()
    const { hss, scscf } = await pair(w, {}, { requestTimeout: 3000 })
    hss.handle(300, CX, () => new Promise(() => {}))
    const uar = createRequest('UAR', {
      avps: {
        'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
        'Auth-Session-State': 1,
        'Destination-Realm': 'ims.test',
        'User-Name': 'alice@ims.test',
        'Public-Identity': 'sip:alice@ims.test',
        'Visited-Network-Identifier': 'ims.test',
      },
    })
    const p = scscf.request(uar)
    const outcome = p.catch((e: DiameterError) => e.code)
    await flush()
    assert.equal(scscf.counters.pending, 1)
    assert.equal(scscf.peer('hss.ims.test')?.pending, 1)
    await w.run(3000)
    assert.equal(await outcome, 'JUNCTION_ERR_DIAMETER_TIMEOUT')
    assert.equal(scscf.counters.pending, 0)
    assert.equal(scscf.counters.timeouts, 1)
    assert.equal(scscf.peer('hss.ims.test')?.pending, 0)
  })

  test('past maxPending, request() rejects at once', async () => {
    const w = setup()
    const { hss, scscf } = await pair(w, {}, { maxPending: 2 })
    hss.handle(300, CX, () => new Promise(() => {}))
    const uar = () =>
      createRequest('UAR', {
        avps: {
          'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
          'Auth-Session-State': 1,
          'Destination-Realm': 'ims.test',
          'User-Name': 'alice@ims.test',
          'Public-Identity': 'sip:alice@ims.test',
          'Visited-Network-Identifier': 'ims.test',
        },
      })
    const waiting = [scscf.request(uar()), scscf.request(uar())].map((p) =>
      p.catch((e: DiameterError) => e.code),
    )
    await assert.rejects(scscf.request(uar()), { code: 'JUNCTION_ERR_DIAMETER_TOO_MANY_PENDING' })
    assert.equal(scscf.counters.overload, 1)
    await scscf.stop()
    assert.deepEqual(await Promise.all(waiting), [
      'JUNCTION_ERR_DIAMETER_CONNECTION_CLOSED',
      'JUNCTION_ERR_DIAMETER_CONNECTION_CLOSED',
    ])
    await assert.rejects(scscf.request(uar()), { code: 'JUNCTION_ERR_DIAMETER_NOT_STARTED' })
  })

  test('past maxHandlingBytes of requests being handled: 3004, until they are answered', {
    timeout: 5000,
  }, async () => {
    const w = setup()
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test', maxHandlingBytes: 900 }, 3868)
    const held: (() => void)[] = []
    hss.handle(MAR, CX, async (req, ctx) => {
      await new Promise<void>((r) => held.push(r))
      return maaHandler(req, ctx)
    })
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
    })
    await hss.start()
    await scscf.start()
    await flush()
    // a MAR is some 330 octets, the big one some 730: not both at once
    const first = scscf.request(mar())
    await flush()
    const big = mar('b'.repeat(200))
    assert.equal((await scscf.request(big)).resultCode, 3004)
    assert.equal(held.length, 1)
    for (const r of held.splice(0)) r()
    assert.equal((await first).resultCode, 2001)
    const again = scscf.request(mar('b'.repeat(200)))
    await flush()
    for (const r of held.splice(0)) r()
    assert.equal((await again).resultCode, 2001)
  })

  test('a request refused 3004 (maxHandling) is not remembered: its retransmission is handled', async () => {
    const w = setup()
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test', maxHandling: 1 }, 3868)
    let calls = 0
    let release: () => void = () => {}
    hss.handle(MAR, CX, async (req, ctx) => {
      calls++
      if (calls === 1) await new Promise<void>((r) => (release = r))
      return maaHandler(req, ctx)
    })
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
    })
    await hss.start()
    await scscf.start()
    await flush()
    const first = scscf.request(mar())
    await flush()
    const second = mar('bob')
    assert.equal((await scscf.request(second)).resultCode, 3004)
    release()
    assert.equal((await first).resultCode, 2001)
    const again = mar('bob')
    again.endToEnd = second.endToEnd
    again.isRetransmitted = true
    const a = await scscf.request(again)
    assert.equal(a.resultCode, 2001)
    assert.equal(calls, 2)
  })

  test('a retransmission with the T flag gets the first answer again; the handler runs once', async () => {
    const w = setup()
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
    let calls = 0
    hss.handle(MAR, CX, (_req, ctx) => {
      calls++
      return ctx.answer({
        resultCode: 2001,
        avps: {
          'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': CX },
          'Auth-Session-State': 1,
          'User-Name': `call ${calls}`,
        },
      })
    })
    const scscf = w.node({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
    })
    await hss.start()
    await scscf.start()
    await flush()
    const first = mar()
    const a1 = await scscf.request(first)
    const again = mar()
    again.endToEnd = first.endToEnd
    again.isRetransmitted = true
    const a2 = await scscf.request(again)
    assert.equal(calls, 1)
    assert.equal(a1.get('User-Name'), 'call 1')
    assert.equal(a2.get('User-Name'), 'call 1')
    assert.equal(a2.endToEnd, a1.endToEnd)
    assert.equal(hss.counters.duplicates, 1)
    // without the T flag it is a new request
    const a3 = await scscf.request(mar())
    assert.equal(a3.get('User-Name'), 'call 2')
  })
})

describe('faults', () => {
  test('an exception while handling a message closes that connection, not the process', async () => {
    const w = setup(() => 0)
    const hss = w.node({ originHost: 'hss.ims.test', originRealm: 'ims.test' }, 3868)
    await hss.start()
    // a socket whose local address cannot be a Host-IP-Address: building the CER throws
    const scscf = createDiameterNode(
      {
        originHost: 'scscf.ims.test',
        originRealm: 'ims.test',
        peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 3868 }],
        reconnect: { maxAttempts: 0 },
      },
      {
        clock: w.clock,
        connect: (port, host) => {
          const s = w.net.connect(port, host) as MemorySocket
          Object.defineProperty(s, 'localAddress', { value: 'not an address' })
          return s
        },
      },
    )
    w.nodes.push(scscf)
    await scscf.start()
    await flush()
    const p = scscf.peer('hss.ims.test')!
    assert.equal(p.state, 'Closed')
    assert.equal(p.lastError?.code, 'JUNCTION_ERR_DIAMETER_INTERNAL')
    assert.equal(
      (p.lastError?.cause as { code?: string } | undefined)?.code,
      'JUNCTION_ERR_DIAMETER_INVALID_ARGUMENT',
    )
  })

  test('an identity that cannot be encoded fails at creation', () => {
    assert.throws(() => createDiameterNode({ originHost: 'bad host', originRealm: 'ims.test' }), {
      code: 'JUNCTION_ERR_DIAMETER_INVALID_ARGUMENT',
    })
    assert.throws(
      () => createDiameterNode({ originHost: 'a.test', originRealm: 'test', hostIpAddresses: ['x'] }),
      { code: 'JUNCTION_ERR_DIAMETER_INVALID_ARGUMENT' },
    )
  })
})
