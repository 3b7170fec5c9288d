/**
 * Client ↔ server over TCP on 127.0.0.1: a CSCF node with `createCxClient` and an HSS node with
 * `registerCxHandlers`, each a real `createDiameterNode` (CER/CEA, then Cx requests). The handlers
 * see typed requests; the client gets typed answers, errors included.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import {
  createDiameterNode,
  createRequest,
  createStreamFramer,
  type DiameterMessage,
  type DiameterNode,
  decodeMessage,
  encodeMessage,
} from '@junction/diameter'
import {
  type CxClient,
  createCxClient,
  experimental,
  type Mar,
  registerCxHandlers,
  SUCCESS,
  sipFailureFor,
  type Uar,
} from '../src/index.ts'
import { buildMar } from '../src/mar.ts'
import { hex } from './support.ts'

let hss: DiameterNode
let cscf: DiameterNode
let cx: CxClient
const seen: { uar?: Uar; mar?: Mar } = {}

const vector = {
  rand: hex('c00d603103dcee52c4478119494202e8'),
  autn: hex('39f96cd9800faf175df5b31807e258b0'),
  xres: hex('d3a628ed988620f0'),
  ck: hex('58c433ff7a7082acd424220f2b67c556'),
  ik: hex('21a8c1f929702adb3e738488b9f5c5da'),
}

before(async () => {
  hss = createDiameterNode({
    originHost: 'hss.ims.test',
    originRealm: 'ims.test',
    listen: { host: '127.0.0.1', port: 0 },
  })
  registerCxHandlers(hss, {
    uar: (r) => {
      seen.uar = r
      return r.impu === 'sip:alice@ims.test'
        ? { result: experimental('DIAMETER_FIRST_REGISTRATION'), serverName: 'sip:scscf.ims.test' }
        : { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
    },
    mar: (r) => {
      seen.mar = r
      if (r.impi === 'boom') throw new Error('handler failure')
      return { result: SUCCESS, items: Array.from({ length: r.items }, () => vector) }
    },
    sar: (r) => ({
      result: SUCCESS,
      impi: r.impi,
      userData: `<IMSSubscription><PrivateID>${r.impi}</PrivateID></IMSSubscription>`,
    }),
    // no LIR handler: the node answers 3001
  })
  await hss.start()
  cscf = createDiameterNode({
    originHost: 'scscf.ims.test',
    originRealm: 'ims.test',
    peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.address!.port }],
    requestTimeout: 5000,
  })
  await cscf.start()
  const deadline = Date.now() + 5000
  while (!cscf.peer('hss.ims.test')?.available) {
    if (Date.now() > deadline) throw new Error('no CEA')
    await new Promise((r) => setTimeout(r, 20))
  }
  cx = createCxClient(cscf, { destinationRealm: 'ims.test' })
})

after(async () => {
  await cscf?.stop()
  await hss?.stop()
})

test('UAR → typed request at the HSS (quotes stripped) → UAA 2001 with Server-Name', async () => {
  const uaa = await cx.uar({
    impi: 'alice@ims.test',
    impu: 'sip:alice@ims.test',
    visitedNetworkIdentifier: '"ims.test"',
  })
  assert.equal(uaa.result.name, 'DIAMETER_FIRST_REGISTRATION')
  assert.equal(uaa.serverName, 'sip:scscf.ims.test')
  assert.equal(uaa.originHost, 'hss.ims.test')
  assert.equal(seen.uar?.visitedNetworkIdentifier, 'ims.test')
  assert.equal(seen.uar?.originHost, 'scscf.ims.test')
  assert.match(seen.uar?.sessionId ?? '', /^scscf\.ims\.test;/)
  assert.equal(sipFailureFor('UAR', uaa.result), undefined)
})

test('UAR for an unknown user → 5001 → SIP 403', async () => {
  const uaa = await cx.uar({
    impi: 'x@ims.test',
    impu: 'sip:x@ims.test',
    visitedNetworkIdentifier: 'ims.test',
  })
  assert.equal(uaa.result.name, 'DIAMETER_ERROR_USER_UNKNOWN')
  assert.equal(sipFailureFor('UAR', uaa.result)?.status, 403)
})

test('MAR for 3 items → 3 decoded AKA vectors, identities echoed', async () => {
  const maa = await cx.mar({
    impi: 'alice@ims.test',
    impu: 'sip:alice@ims.test',
    serverName: 'sip:scscf.ims.test',
    items: 3,
  })
  assert.equal(maa.result.success, true)
  assert.equal(seen.mar?.items, 3)
  assert.equal(maa.items.length, 3)
  assert.equal(maa.numberAuthItems, 3)
  for (const item of maa.items) assert.deepEqual(item.aka, vector)
  assert.equal(maa.impi, 'alice@ims.test')
  assert.equal(maa.impu, 'sip:alice@ims.test')
})

test('MAR whose handler throws → 5012 UNABLE_TO_COMPLY, a result, not a rejection', async () => {
  const maa = await cx.mar({ impi: 'boom', impu: 'sip:boom@ims.test', serverName: 's' })
  assert.equal(maa.result.code, 5012)
  assert.equal(maa.result.kind, 'result')
  assert.equal(maa.items.length, 0)
})

test('SAR → SAA with User-Data', async () => {
  const saa = await cx.sar({
    impi: 'alice@ims.test',
    impus: ['sip:alice@ims.test'],
    serverName: 'sip:scscf.ims.test',
    assignmentType: 'REGISTRATION',
    userDataAlreadyAvailable: false,
  })
  assert.equal(saa.result.success, true)
  assert.equal(saa.userData, '<IMSSubscription><PrivateID>alice@ims.test</PrivateID></IMSSubscription>')
})

test('LIR with no handler → 3001 with the E bit → SIP 480', async () => {
  const lia = await cx.lir({ impu: 'sip:alice@ims.test' })
  assert.equal(lia.result.code, 3001)
  assert.equal(lia.result.protocolError, true)
  assert.equal(sipFailureFor('LIR', lia.result)?.status, 480)
})

test('a request to another realm: 3002 from the client node itself (no peer serves it)', async () => {
  const other = createCxClient(cscf, {
    destinationRealm: 'elsewhere.test',
    destinationHost: 'hss.elsewhere.test',
  })
  const lia = await other.lir({ impu: 'sip:alice@ims.test' })
  assert.equal(lia.result.code, 3002)
})

/** Sends raw octets to the HSS after a CER/CEA of its own; resolves with the answer of hop-by-hop `hbh`. */
async function rawExchange(bytes: Uint8Array, hbh: number): Promise<DiameterMessage> {
  const socket = connect(hss.address!.port, '127.0.0.1')
  const framer = createStreamFramer()
  const got: DiameterMessage[] = []
  socket.on('data', (b) => {
    for (const e of framer.push(b)) {
      if (e.type !== 'message') continue
      const r = decodeMessage(e.bytes)
      const m = r.ok ? r.message : r.error.message
      if (m !== undefined) got.push(m)
    }
  })
  await new Promise((r) => socket.once('connect', r))
  const cer = createRequest('CER', {
    avps: {
      'Origin-Host': 'raw.ims.test',
      'Origin-Realm': 'ims.test',
      'Host-IP-Address': '127.0.0.1',
      'Vendor-Id': 0,
      'Product-Name': 'raw',
      'Supported-Vendor-Id': 10415,
      'Vendor-Specific-Application-Id': { 'Vendor-Id': 10415, 'Auth-Application-Id': 16777216 },
    },
  })
  socket.write(encodeMessage(cer))
  const until = async (f: () => DiameterMessage | undefined) => {
    const deadline = Date.now() + 3000
    while (f() === undefined) {
      if (Date.now() > deadline) throw new Error('no answer')
      await new Promise((r) => setTimeout(r, 10))
    }
    return f()!
  }
  await until(() => got.find((m) => m.name === 'CEA'))
  socket.write(bytes)
  try {
    return await until(() => got.find((m) => m.hopByHop === hbh))
  } finally {
    socket.destroy()
  }
}

test('MAR whose User-Name (M bit clear) is not UTF-8 → 5004 with Failed-AVP; the handler never sees it', async () => {
  delete seen.mar
  const m = buildMar(
    { impi: 'alice@ims.test', impu: 'sip:alice@ims.test', serverName: 'sip:scscf.ims.test' },
    {
      destinationRealm: 'ims.test',
      originHost: 'raw.ims.test',
      originRealm: 'ims.test',
      sessionId: 'raw;1;1',
    },
  )
  m.hopByHop = 0x5004
  const b = Buffer.from(encodeMessage(m))
  // User-Name (code 1): M bit off, and a truncated UTF-8 sequence as its first octets
  for (let p = 20; p < b.length; p += (b.readUIntBE(p + 5, 3) + 3) & ~3) {
    if (b.readUInt32BE(p) !== 1) continue
    b[p + 4] = 0
    b[p + 8] = 0xc3
    b[p + 9] = 0x41
  }
  const a = await rawExchange(b, 0x5004)
  assert.equal(a.resultCode, 5004)
  assert.equal(a.get('Failed-AVP')?.byCode(1)?.code, 1)
  assert.equal(seen.mar, undefined)
})
