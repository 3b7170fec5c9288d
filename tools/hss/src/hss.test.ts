import assert from 'node:assert/strict'
import { test } from 'node:test'
import { computeAuts, verifyAutn } from '@junction/aka'
import type { Lir, Mar, Sar, Uar } from '@junction/diameter-cx'
import { type HssConfigInput, parseConfig } from './config.ts'
import { createHss } from './hss.ts'
import { createMemoryStore } from './state.ts'

const K = '0396eb317b6d1c36f19c1c84cd6ffd16'
const OP = 'ff53bade17df5d4e793073ce9d7579fa'
const keys = { k: Buffer.from(K, 'hex'), op: Buffer.from(OP, 'hex') }

const input: HssConfigInput = {
  hss: { scscf: { name: 'sip:scscf.ims.test' } },
  subscribers: [
    {
      impi: 'alice@ims.test',
      impus: ['sip:alice@ims.test', 'tel:+15551230001', 'sip:alice-work@ims.test'],
      implicitSets: [['sip:alice@ims.test', 'tel:+15551230001']],
      k: K,
      op: OP,
      amf: 'af17',
      sqn: 'fd8eef40df7d',
      ifcs: [
        {
          priority: 1,
          applicationServer: { serverName: 'sip:as.ims.test' },
          profilePartIndicator: 'REGISTERED',
        },
      ],
    },
    {
      impi: 'carol@ims.test',
      impus: ['sip:carol@ims.test'],
      k: K,
      opc: '53c15671c60a4b731c55b4a441c0bde2',
      scscf: 'sip:scscf2.ims.test',
      ifcs: [{ priority: 1, applicationServer: { serverName: 'sip:vm.ims.test' } }],
    },
  ],
}

function setup() {
  const r = parseConfig(input)
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'))
  const store = createMemoryStore()
  const hss = createHss(r.config, { store })
  return { store, h: hss.handlers }
}

const meta = {
  sessionId: 's;1;1',
  originHost: 'scscf.ims.test',
  originRealm: 'ims.test',
  destinationRealm: 'ims.test',
  destinationHost: undefined,
  message: undefined as never,
}
const ctx = { peer: undefined as never }
const uar = (impi: string, impu: string, type: Uar['userAuthorizationType'] = 'REGISTRATION'): Uar => ({
  ...meta,
  impi,
  impu,
  visitedNetworkIdentifier: 'ims.test',
  userAuthorizationType: type,
  emergency: false,
})
const mar = (impi: string, impu: string, over: Partial<Mar> = {}): Mar => ({
  ...meta,
  impi,
  impu,
  scheme: 'Digest-AKAv1-MD5',
  items: 1,
  serverName: 'sip:scscf.ims.test',
  authorization: undefined,
  resync: undefined,
  ...over,
})
const sar = (impus: string[], type: Sar['assignmentType'], impi?: string, udaa = false): Sar => ({
  ...meta,
  impi,
  impus,
  serverName: 'sip:scscf.ims.test',
  assignmentType: type,
  userDataAlreadyAvailable: udaa,
  wildcardedPublicIdentity: undefined,
})
const lir = (impu: string): Lir => ({ ...meta, impu, originating: false, userAuthorizationType: undefined })

test('UAR: unknown user 5001, identities that do not match 5002, first registration with the configured S-CSCF', async () => {
  const { h } = setup()
  assert.equal((await h.uar!(uar('x@ims.test', 'sip:x@ims.test'), ctx)).result.experimentalResultCode, 5001)
  assert.equal(
    (await h.uar!(uar('carol@ims.test', 'sip:alice@ims.test'), ctx)).result.experimentalResultCode,
    5002,
  )
  const first = await h.uar!(uar('alice@ims.test', 'sip:alice@ims.test'), ctx)
  assert.equal(first.result.experimentalResultCode, 2001)
  assert.equal(first.serverName, 'sip:scscf.ims.test')
  const dereg = await h.uar!(uar('alice@ims.test', 'sip:alice@ims.test', 'DE_REGISTRATION'), ctx)
  assert.equal(dereg.result.experimentalResultCode, 5003)
})

test('MAR: vectors with SQN from the configuration, +32 each; several per MAR; the UE side accepts them', async () => {
  const { h, store } = setup()
  const a = await h.mar!(mar('alice@ims.test', 'sip:alice@ims.test', { items: 3 }), ctx)
  assert.equal(a.result.resultCode, 2001)
  assert.equal(a.items?.length, 3)
  const sqns = a.items!.map((i) => {
    const v = i as { rand: Uint8Array; autn: Uint8Array; xres: Uint8Array }
    const ue = verifyAutn({ ...keys, rand: v.rand, autn: v.autn })
    assert.ok(ue.ok)
    assert.deepEqual(Buffer.from(ue.res), Buffer.from(v.xres))
    return ue.sqn
  })
  assert.deepEqual(sqns, [0xfd8eef40df7dn, 0xfd8eef40df9dn, 0xfd8eef40dfbdn])
  assert.equal(store.sqn('alice@ims.test'), 0xfd8eef40dfddn)
  // the S-CSCF name is stored for a user not registered yet: UAR now says 2002 with it
  const again = await h.uar!(uar('alice@ims.test', 'sip:alice@ims.test'), ctx)
  assert.equal(again.result.experimentalResultCode, 2002)
  assert.equal(again.serverName, 'sip:scscf.ims.test')
})

test('MAR resync: AUTS with SQN_MS → next vector above SQN_MS; a bad MAC-S → 5012 and SQN unchanged', async () => {
  const { h, store } = setup()
  const first = (await h.mar!(mar('alice@ims.test', 'sip:alice@ims.test'), ctx)).items![0] as {
    rand: Uint8Array
  }
  const sqnMs = 0xfd8eef41ffffn
  const auts = computeAuts({ ...keys, rand: first.rand, sqnMs })
  const a = await h.mar!(
    mar('alice@ims.test', 'sip:alice@ims.test', {
      authorization: new Uint8Array(30),
      resync: { rand: first.rand, auts },
    }),
    ctx,
  )
  const v = a.items![0] as { rand: Uint8Array; autn: Uint8Array }
  const ue = verifyAutn({ ...keys, rand: v.rand, autn: v.autn })
  assert.ok(ue.ok)
  assert.ok(ue.sqn > sqnMs, `${ue.sqn.toString(16)} > ${sqnMs.toString(16)}`)
  const before = store.sqn('alice@ims.test')
  const bad = Uint8Array.from(auts)
  bad[13] = (bad[13] ?? 0) ^ 1
  const refused = await h.mar!(
    mar('alice@ims.test', 'sip:alice@ims.test', {
      authorization: new Uint8Array(30),
      resync: { rand: first.rand, auts: bad },
    }),
    ctx,
  )
  assert.equal(refused.result.resultCode, 5012)
  assert.equal(store.sqn('alice@ims.test'), before)
})

test('MAR: unknown scheme 5006; SIP Digest without a password 5006; identities of two users 5002', async () => {
  const { h } = setup()
  assert.equal(
    (await h.mar!(mar('alice@ims.test', 'sip:alice@ims.test', { scheme: 'NASS-Bundled' }), ctx)).result
      .experimentalResultCode,
    5006,
  )
  assert.equal(
    (await h.mar!(mar('alice@ims.test', 'sip:alice@ims.test', { scheme: 'SIP Digest' }), ctx)).result
      .experimentalResultCode,
    5006,
  )
  assert.equal(
    (await h.mar!(mar('alice@ims.test', 'sip:carol@ims.test'), ctx)).result.experimentalResultCode,
    5002,
  )
})

test('SAR REGISTRATION registers the implicit set only; User-Data lists it; LIR then 2001 with the name', async () => {
  const { h, store } = setup()
  const a = await h.sar!(sar(['sip:alice@ims.test'], 'REGISTRATION', 'alice@ims.test'), ctx)
  assert.equal(a.result.resultCode, 2001)
  assert.equal(a.impi, 'alice@ims.test')
  assert.match(a.userData ?? '', /<Identity>sip:alice@ims.test<\/Identity>/)
  assert.match(a.userData ?? '', /<Identity>tel:\+15551230001<\/Identity>/)
  assert.doesNotMatch(a.userData ?? '', /alice-work/)
  assert.equal(store.impu('tel:+15551230001').state, 'REGISTERED')
  assert.equal(store.impu('sip:alice-work@ims.test').state, 'NOT_REGISTERED')
  const l = await h.lir!(lir('tel:+15551230001'), ctx)
  assert.equal(l.result.resultCode, 2001)
  assert.equal(l.serverName, 'sip:scscf.ims.test')
  // UDAA: no User-Data
  const re = await h.sar!(sar(['sip:alice@ims.test'], 'RE_REGISTRATION', 'alice@ims.test', true), ctx)
  assert.equal(re.userData, undefined)
  // de-registration clears state and name: LIR 5003 (alice has no unregistered services)
  await h.sar!(sar(['sip:alice@ims.test'], 'USER_DEREGISTRATION', 'alice@ims.test', true), ctx)
  assert.equal(store.impu('tel:+15551230001').state, 'NOT_REGISTERED')
  assert.equal((await h.lir!(lir('sip:alice@ims.test'), ctx)).result.experimentalResultCode, 5003)
})

test('unregistered services: LIR 2003 with the S-CSCF; SAR UNREGISTERED_USER without User-Name; then LIR 2001', async () => {
  const { h, store } = setup()
  const l = await h.lir!(lir('sip:carol@ims.test'), ctx)
  assert.equal(l.result.experimentalResultCode, 2003)
  assert.equal(l.serverName, 'sip:scscf2.ims.test')
  const a = await h.sar!(sar(['sip:carol@ims.test'], 'UNREGISTERED_USER'), ctx)
  assert.equal(a.result.resultCode, 2001)
  assert.equal(a.impi, 'carol@ims.test')
  assert.match(a.userData ?? '', /sip:vm.ims.test/)
  assert.equal(store.impu('sip:carol@ims.test').state, 'UNREGISTERED')
  assert.equal((await h.lir!(lir('sip:carol@ims.test'), ctx)).result.resultCode, 2001)
  assert.equal((await h.lir!(lir('sip:nobody@ims.test'), ctx)).result.experimentalResultCode, 5001)
})

test('SAR: an IMPU of another user 5002; NO_ASSIGNMENT from another S-CSCF 5012', async () => {
  const { h } = setup()
  assert.equal(
    (await h.sar!(sar(['sip:carol@ims.test'], 'REGISTRATION', 'alice@ims.test'), ctx)).result
      .experimentalResultCode,
    5002,
  )
  await h.sar!(sar(['sip:alice@ims.test'], 'REGISTRATION', 'alice@ims.test'), ctx)
  const other = { ...sar(['sip:alice@ims.test'], 'NO_ASSIGNMENT', 'alice@ims.test'), serverName: 'sip:other' }
  assert.equal((await h.sar!(other, ctx)).result.resultCode, 5012)
})
