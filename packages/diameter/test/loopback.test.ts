/**
 * Two Junction nodes over real TCP on 127.0.0.1: CER/CEA, a Cx MAR/MAA through request()/handle(),
 * DWR/DWA with a short Tw, DPR/DPA; then hostile peers (raw sockets) against a server node: garbage
 * after the CER, a zero-length AVP, a 16 MB Message Length, a peer that never answers DWR, one that
 * never sends its CER. The node stays up, each bad connection is dropped with its error, and a
 * well-behaved client is served afterwards.
 */
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import {
  createDiameterNode,
  createRequest,
  createStreamFramer,
  type DiameterError,
  type DiameterMessage,
  type DiameterNode,
  decodeMessage,
  encodeMessage,
} from '../src/index.ts'
import { CX, MAR, maaHandler, mar } from './cx.ts'
import { host, record, sleep, until } from './helpers.ts'
import { avp, message, origin, u32 } from './raw.ts'

const TW = 300

describe('two nodes on loopback', () => {
  let hss: DiameterNode
  let scscf: DiameterNode
  const states = record('junction:diameter:peer-state')
  const out = record('junction:diameter:message-out')
  const inn = record('junction:diameter:message-in')

  before(async () => {
    hss = createDiameterNode({
      originHost: 'hss.ims.test',
      originRealm: 'ims.test',
      listen: { host: '127.0.0.1', port: 0 },
      watchdog: { tw: 10_000 },
    })
    hss.handle(MAR, CX, maaHandler)
    await hss.start()
    scscf = createDiameterNode({
      originHost: 'scscf.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.address!.port }],
      watchdog: { tw: TW, jitter: 0 },
    })
    await scscf.start()
  })

  after(async () => {
    states.stop()
    out.stop()
    inn.stop()
    await scscf.stop()
    await hss.stop()
  })

  test('CER/CEA: I-Open and R-Open', async () => {
    await until(() => scscf.peer('hss.ims.test')?.available === true, 2000, 'I-Open')
    assert.equal(scscf.peer('hss.ims.test')?.state, 'I-Open')
    assert.equal(hss.peer('scscf.ims.test')?.state, 'R-Open')
    assert.deepEqual(scscf.peer('hss.ims.test')?.capabilities?.hostIpAddresses, ['127.0.0.1'])
  })

  test('a Cx MAR/MAA through request() and handle()', async () => {
    const maa = await scscf.request(mar('alice'))
    assert.equal(maa.name, 'MAA')
    assert.equal(maa.resultCode, 2001)
    assert.equal(maa.get('User-Name'), 'alice@ims.test')
    assert.equal(maa.originHost, 'hss.ims.test')
    const many = await Promise.all(Array.from({ length: 200 }, (_, i) => scscf.request(mar(`u${i}`))))
    assert.deepEqual(
      many.map((a) => a.get('User-Name')),
      Array.from({ length: 200 }, (_, i) => `u${i}@ims.test`),
    )
    assert.equal(scscf.counters.pending, 0)
  })

  test('DWR/DWA with a short Tw', async () => {
    const since = performance.now()
    await sleep(3 * TW)
    const dwas = inn.events.filter(
      (e) => (e['at'] as number) > since && (e['message'] as DiameterMessage).name === 'DWA',
    )
    assert.ok(dwas.length >= 2, `${dwas.length} DWAs`)
    assert.equal(scscf.peer('hss.ims.test')?.watchdogState, 'OKAY')
  })

  test('DPR/DPA on stop()', async () => {
    const since = performance.now()
    await scscf.stop()
    // a watchdog exchange (RFC 3539) may cross the DPR on a busy machine: it is answered, and is
    // not what this test is about
    const names = out.events
      .filter((e) => (e['at'] as number) > since)
      .map((e) => `${host(e)}: ${(e['message'] as DiameterMessage).name}`)
      .filter((n) => !/: DW[RA]$/.test(n))
    assert.deepEqual(names, ['hss.ims.test: DPR', 'scscf.ims.test: DPA'])
    assert.equal(scscf.peer('hss.ims.test')?.state, 'Closed')
    assert.equal(scscf.peer('hss.ims.test')?.lastError, undefined)
    await until(() => hss.peer('scscf.ims.test') === undefined, 2000, 'the server to forget the peer')
    const path = states.events.filter((e) => host(e) === 'hss.ims.test').map((e) => e['to'])
    assert.deepEqual(path, ['Wait-Conn-Ack', 'Wait-I-CEA', 'I-Open', 'Closing', 'Closed'])
  })
})

/** A raw TCP client: writes octets, collects decoded messages, notices the close. */
class RawPeer {
  readonly socket: Socket
  readonly messages: DiameterMessage[] = []
  closed = false
  readonly #framer = createStreamFramer()

  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1' })
    this.socket.on('error', () => {})
    this.socket.on('close', () => {
      this.closed = true
    })
    this.socket.on('data', (chunk) => {
      for (const ev of this.#framer.push(chunk)) {
        if (ev.type !== 'message') continue
        const r = decodeMessage(ev.bytes)
        this.messages.push(r.ok ? r.message : r.error.message!)
      }
    })
  }

  async ready(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.once('connect', () => resolve()))
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  cer(originHost: string): Uint8Array {
    return encodeMessage(
      createRequest('CER', {
        avps: {
          'Origin-Host': originHost,
          'Origin-Realm': 'ims.test',
          'Host-IP-Address': '127.0.0.1',
          'Vendor-Id': 0,
          'Product-Name': 'raw',
          'Auth-Application-Id': CX,
        },
      }),
    )
  }

  /** Connects and completes the capabilities exchange. */
  async open(originHost: string): Promise<void> {
    await this.ready()
    this.send(this.cer(originHost))
    await until(() => this.messages.some((m) => m.name === 'CEA'), 2000, 'CEA')
    assert.equal(this.messages.find((m) => m.name === 'CEA')?.resultCode, 2001)
  }

  close(): void {
    this.socket.destroy()
  }
}

describe('hostile peers against a server node', () => {
  let server: DiameterNode
  let port: number
  const closes = record('junction:diameter:connection-close')
  /**
   * The error of the first connection the server closed on an error after `seen` events, once it
   * is published (the close of an earlier test's connection, without error, may come in between).
   */
  const closedSince = async (seen: number): Promise<DiameterError | undefined> => {
    const failed = () => closes.events.slice(seen).find((e) => e['error'] !== undefined)
    await until(() => failed() !== undefined, 2000, 'the connection-close event')
    return failed()?.['error'] as DiameterError | undefined
  }
  const closeOf = (originHost: string) =>
    closes.events.find((e) => host(e) === originHost && e['initiator'] === false)?.['error'] as
      | DiameterError
      | undefined

  before(async () => {
    server = createDiameterNode({
      originHost: 'hss.ims.test',
      originRealm: 'ims.test',
      listen: { host: '127.0.0.1', port: 0 },
      watchdog: { tw: TW, jitter: 0 },
      handshakeTimeout: 500,
    })
    server.handle(MAR, CX, maaHandler)
    await server.start()
    port = server.address!.port
  })

  after(async () => {
    closes.stop()
    await server.stop()
  })

  /** A well-behaved client still gets its MAA. */
  async function stillServes(): Promise<void> {
    const client = createDiameterNode({
      originHost: 'good.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port }],
    })
    await client.start()
    try {
      await until(() => client.peer('hss.ims.test')?.available === true, 2000, 'I-Open')
      assert.equal((await client.request(mar())).resultCode, 2001)
    } finally {
      await client.stop()
    }
  }

  test('garbage after the CER: the connection is dropped (UNSUPPORTED_VERSION)', async () => {
    const raw = new RawPeer(port)
    await raw.open('garbage.ims.test')
    raw.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    await until(() => raw.closed, 2000, 'the close')
    assert.equal(closeOf('garbage.ims.test')?.code, 'JUNCTION_ERR_DIAMETER_UNSUPPORTED_VERSION')
    assert.equal(server.peer('garbage.ims.test'), undefined)
    await stillServes()
  })

  test('a zero-length AVP in a request: answered 5014, the connection stays', async () => {
    const raw = new RawPeer(port)
    await raw.open('zero.ims.test')
    // a DWR whose last AVP says length 0 (the npm `diameter` package loops forever on it)
    raw.send(message({ code: 280, hopByHop: 77 }, ...origin, Buffer.from([0, 0, 1, 22, 0x40, 0, 0, 0])))
    await until(() => raw.messages.some((m) => m.hopByHop === 77), 2000, 'the answer')
    const answer = raw.messages.find((m) => m.hopByHop === 77)!
    assert.equal(answer.resultCode, 5014)
    assert.equal(raw.closed, false)
    assert.equal(server.peer('zero.ims.test')?.state, 'R-Open')
    raw.close()
  })

  test('a zero-length AVP in the CER: CEA 5014, the connection is dropped (BAD_AVP_LENGTH)', async () => {
    const raw = new RawPeer(port)
    await raw.ready()
    const seen = closes.events.length
    raw.send(
      message(
        { code: 257 },
        avp(264, 0x40, 'zerocer.ims.test'),
        avp(296, 0x40, 'ims.test'),
        Buffer.from([0, 0, 1, 1, 0x40, 0, 0, 0]),
      ),
    )
    await until(() => raw.closed, 2000, 'the close')
    assert.equal(raw.messages[0]?.resultCode, 5014)
    assert.equal(server.peer('zerocer.ims.test'), undefined)
    // the server publishes its close when its side of the socket closes: after ours, at times
    const e = await closedSince(seen)
    assert.equal(e?.code, 'JUNCTION_ERR_DIAMETER_BAD_AVP_LENGTH')
  })

  test('a 16 MB Message Length: answered 5012 and dropped (MESSAGE_TOO_LARGE), nothing buffered', async () => {
    const raw = new RawPeer(port)
    await raw.open('huge.ims.test')
    const heap = process.memoryUsage().arrayBuffers
    const header = Buffer.alloc(20)
    header[0] = 1
    header.writeUIntBE(0xfffffc, 1, 3)
    header[4] = 0x80
    header.writeUIntBE(303, 5, 3)
    header.writeUInt32BE(CX, 8)
    raw.send(header)
    // then keep sending what would be the body
    for (let i = 0; i < 64 && !raw.closed; i++) {
      raw.send(Buffer.alloc(64 * 1024, 0x41))
      await sleep(1)
    }
    await until(() => raw.closed, 2000, 'the close')
    // the request's header came in: answered before the close (RFC 6733 §7.1.5), which is graceful
    assert.ok(raw.messages.some((m) => m.resultCode === 5012 && m.isError))
    // the server publishes its close when its side of the socket closes: after ours, at times
    await until(() => closeOf('huge.ims.test') !== undefined, 2000, 'the server close')
    assert.equal(closeOf('huge.ims.test')?.code, 'JUNCTION_ERR_DIAMETER_MESSAGE_TOO_LARGE')
    assert.ok(process.memoryUsage().arrayBuffers - heap < 8 * 1024 * 1024, 'no 16 MB buffer')
    await stillServes()
  })

  test('a peer that never answers DWR: SUSPECT, then DOWN and dropped (WATCHDOG_TIMEOUT)', async () => {
    const wd = record('junction:diameter:watchdog')
    const raw = new RawPeer(port)
    await raw.open('mute.ims.test')
    const opened = performance.now()
    await until(() => raw.closed, 10 * TW, 'the close')
    const elapsed = performance.now() - opened
    wd.stop()
    assert.deepEqual(
      wd.events.filter((e) => host(e) === 'mute.ims.test').map((e) => e['to']),
      ['OKAY', 'SUSPECT', 'DOWN'],
    )
    assert.ok(raw.messages.some((m) => m.name === 'DWR'))
    assert.equal(closeOf('mute.ims.test')?.code, 'JUNCTION_ERR_DIAMETER_WATCHDOG_TIMEOUT')
    // DWR after Tw, SUSPECT after 2 Tw, DOWN after 3 Tw
    assert.ok(elapsed >= 3 * TW - 50, `closed after ${elapsed} ms`)
  })

  test('a peer that never sends its CER: dropped after the handshake timeout', async () => {
    const raw = new RawPeer(port)
    await raw.ready()
    const seen = closes.events.length
    await until(() => raw.closed, 2000, 'the close')
    const e = await closedSince(seen)
    assert.equal(e?.code, 'JUNCTION_ERR_DIAMETER_HANDSHAKE_TIMEOUT')
  })

  test('an unknown command: 3001; a request before CER: dropped', async () => {
    const raw = new RawPeer(port)
    await raw.open('cmd.ims.test')
    raw.send(message({ code: 9999, hopByHop: 5, flags: 0x80 }, ...origin))
    await until(() => raw.messages.some((m) => m.hopByHop === 5), 2000, 'the answer')
    const answer = raw.messages.find((m) => m.hopByHop === 5)!
    assert.equal(answer.resultCode, 3001)
    assert.equal(answer.isError, true)
    raw.close()
    const early = new RawPeer(port)
    await early.ready()
    early.send(message({ code: 280 }, ...origin, avp(278, 0x40, u32(1))))
    await until(() => early.closed, 2000, 'the close')
  })
})
