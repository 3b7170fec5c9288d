/**
 * @junction/diameter against npm `diameter` 0.7.0, side by side in one run, on Cx MAR/MAA
 * (TS 29.229 §6.1.7, §6.1.8) shaped as deps.md §4.7 measured them:
 *
 * - MAR: Session-Id, Vendor-Specific-Application-Id, Auth-Session-State, Origin-Host/Realm,
 *   Destination-Realm/Host, User-Name, Public-Identity, SIP-Number-Auth-Items,
 *   SIP-Auth-Data-Item { SIP-Authentication-Scheme }, Server-Name.
 * - MAA: the same identities plus Result-Code and a SIP-Auth-Data-Item with SIP-Item-Number, the
 *   scheme, a 32-octet SIP-Authenticate (RAND‖AUTN), an 8-octet SIP-Authorization (XRES), CK, IK.
 *
 * Operations: decode (and read the AVPs the receiver uses: an HSS the identities, scheme and
 * Server-Name of a MAR; an S-CSCF the vector of a MAA) and encode (build the message from values,
 * then the octets). The HSS row is decode MAR + encode MAA, the S-CSCF row encode MAR + decode MAA.
 *
 * npm `diameter` 0.7.0 knows no Cx (no application 16777216, no commands 300–305, no 3GPP AVPs
 * 600–699): as in deps.md §6, its exported dictionary lookups are overwritten to find the Cx
 * entries first, then fall through to its own (a linear search over 1,977 AVPs). It is GPL-3.0-only
 * and is a dev dependency of this benchmark package only.
 *
 *   ./junction pnpm --filter @junction/bench bench        (or: node --conditions=@junction/source diameter-codec.bench.ts)
 */
import { Buffer } from 'node:buffer'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import {
  createAnswer,
  createRequest,
  type DefaultDictionary,
  type DiameterMessage,
  decodeMessage,
  encodeMessage,
} from '@junction/diameter'
import { bench, do_not_optimize, run } from 'mitata'

// --- the messages' content
const SESSION = 'scscf.ims.test;1700000000;42'
const VENDOR_3GPP = 10415
const CX = 16777216
const RAND_AUTN = Buffer.from('23553cbe9637a89d218ae64dae47bf35aa689c648379ab0000b9b8d8e8a6a4ad', 'hex')
const XRES = Buffer.from('a54211d5e3ba50bf', 'hex')
const CK = Buffer.from('b40ba9a3c58b2a05bbf0d987b21bf8cb', 'hex')
const IK = Buffer.from('f769bcd751044604127672711c6d3441', 'hex')

// --- @junction/diameter
const cxAvps = {
  'Vendor-Specific-Application-Id': { 'Vendor-Id': VENDOR_3GPP, 'Auth-Application-Id': CX },
  'Auth-Session-State': 1,
} as const

function junctionEncodeMar(): Uint8Array {
  const mar = createRequest('MAR', {
    avps: {
      'Session-Id': SESSION,
      ...cxAvps,
      'Origin-Host': 'scscf.ims.test',
      'Origin-Realm': 'ims.test',
      'Destination-Realm': 'ims.test',
      'Destination-Host': 'hss.ims.test',
      'User-Name': 'alice@ims.test',
      'Public-Identity': 'sip:alice@ims.test',
      'SIP-Auth-Data-Item': { 'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5' },
      'SIP-Number-Auth-Items': 1,
      'Server-Name': 'sip:scscf.ims.test:6060',
    },
    hopByHop: 1,
    endToEnd: 2,
  })
  return encodeMessage(mar)
}

function junctionDecodeMar(bytes: Uint8Array): DiameterMessage {
  const r = decodeMessage(bytes)
  if (!r.ok) throw new Error(r.error.reason)
  const m = r.message
  do_not_optimize(m.get('Session-Id'))
  do_not_optimize(m.get('User-Name'))
  do_not_optimize(m.get('Public-Identity'))
  do_not_optimize(m.get('SIP-Number-Auth-Items'))
  do_not_optimize(m.get('SIP-Auth-Data-Item')?.get('SIP-Authentication-Scheme'))
  do_not_optimize(m.get('Server-Name'))
  do_not_optimize(m.get('Origin-Host'))
  return m
}

function junctionEncodeMaa(mar: DiameterMessage<DefaultDictionary>): Uint8Array {
  const maa = createAnswer(mar, {
    originHost: 'hss.ims.test',
    originRealm: 'ims.test',
    resultCode: 2001,
    avps: {
      ...cxAvps,
      'User-Name': 'alice@ims.test',
      'Public-Identity': 'sip:alice@ims.test',
      'SIP-Number-Auth-Items': 1,
      'SIP-Auth-Data-Item': {
        'SIP-Item-Number': 1,
        'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5',
        'SIP-Authenticate': RAND_AUTN,
        'SIP-Authorization': XRES,
        'Confidentiality-Key': CK,
        'Integrity-Key': IK,
      },
    },
  })
  return encodeMessage(maa)
}

function junctionDecodeMaa(bytes: Uint8Array): DiameterMessage {
  const r = decodeMessage(bytes)
  if (!r.ok) throw new Error(r.error.reason)
  const m = r.message
  do_not_optimize(m.resultCode)
  const item = m.get('SIP-Auth-Data-Item')!
  do_not_optimize(item.get('SIP-Authenticate'))
  do_not_optimize(item.get('SIP-Authorization'))
  do_not_optimize(item.get('Confidentiality-Key'))
  do_not_optimize(item.get('Integrity-Key'))
  return m
}

// --- npm diameter 0.7.0, with the Cx patch of deps.md §6
const require = createRequire(import.meta.url)
interface NpmAvpDef {
  code: number
  name: string
  vendorId: number
  type: string
  flags: { mandatory: boolean; protected: boolean; mayEncrypt: boolean; vendorBit: boolean }
}
type NpmAvp = [string, unknown]
interface NpmMessage {
  header: Record<string, unknown> & { flags: Record<string, boolean> }
  body: NpmAvp[]
  command?: string
}
const npmDictionary = require('diameter/lib/diameter-dictionary') as Record<
  string,
  (...a: unknown[]) => unknown
>
const npmCodec = require('diameter/lib/diameter-codec') as {
  decodeMessage(b: Buffer): NpmMessage
  encodeMessage(m: NpmMessage): Buffer
  constructResponse(m: NpmMessage): NpmMessage
}

const cxDefs: NpmAvpDef[] = (
  [
    [600, 'Visited-Network-Identifier', 'OctetString'],
    [601, 'Public-Identity', 'OctetString'],
    [602, 'Server-Name', 'OctetString'],
    [603, 'Server-Capabilities', 'Grouped'],
    [604, 'Mandatory-Capability', 'Unsigned32'],
    [605, 'Optional-Capability', 'Unsigned32'],
    [606, 'User-Data', 'OctetString'],
    [607, 'SIP-Number-Auth-Items', 'Unsigned32'],
    [608, 'SIP-Authentication-Scheme', 'OctetString'],
    [609, 'SIP-Authenticate', 'OctetString'],
    [610, 'SIP-Authorization', 'OctetString'],
    [611, 'SIP-Authentication-Context', 'OctetString'],
    [612, 'SIP-Auth-Data-Item', 'Grouped'],
    [613, 'SIP-Item-Number', 'Unsigned32'],
    [614, 'Server-Assignment-Type', 'Unsigned32'],
    [615, 'Deregistration-Reason', 'Grouped'],
    [616, 'Reason-Code', 'Unsigned32'],
    [617, 'Reason-Info', 'OctetString'],
    [623, 'User-Authorization-Type', 'Unsigned32'],
    [625, 'Confidentiality-Key', 'OctetString'],
    [626, 'Integrity-Key', 'OctetString'],
  ] as const
).map(([code, name, type]) => ({
  code,
  name,
  vendorId: VENDOR_3GPP,
  type,
  flags: { mandatory: true, protected: false, mayEncrypt: false, vendorBit: true },
}))
const cxCommands = [
  [300, 'User-Authorization'],
  [301, 'Server-Assignment'],
  [302, 'Location-Info'],
  [303, 'Multimedia-Auth'],
  [304, 'Registration-Termination'],
  [305, 'Push-Profile'],
].map(([code, name]) => ({ code, name }))
const cxApplication = { code: CX, name: '3GPP Cx' }

function patch(name: string, find: (...a: unknown[]) => unknown): void {
  const original = npmDictionary[name]!
  npmDictionary[name] = (...a: unknown[]) => find(...a) ?? original(...a)
}
patch('getApplicationById', (id) => (id === CX ? cxApplication : undefined))
patch('getApplicationByName', (n) => (n === cxApplication.name ? cxApplication : undefined))
patch('getCommandByCode', (code) => cxCommands.find((c) => c.code === code))
patch('getCommandByName', (n) => cxCommands.find((c) => c.name === n))
patch('getAvpByCodeAndVendorId', (code, vendor) =>
  vendor === VENDOR_3GPP ? cxDefs.find((d) => d.code === code) : undefined,
)
patch('getAvpByName', (n) => cxDefs.find((d) => d.name === n))

const find = (body: NpmAvp[], name: string): unknown => body.find((a) => a[0] === name)?.[1]

function npmEncodeMar(): Buffer {
  return npmCodec.encodeMessage({
    header: {
      version: 1,
      commandCode: 303,
      flags: { request: true, proxiable: true, error: false, potentiallyRetransmitted: false },
      applicationId: CX,
      hopByHopId: 1,
      endToEndId: 2,
    },
    body: [
      ['Session-Id', SESSION],
      [
        'Vendor-Specific-Application-Id',
        [
          ['Vendor-Id', VENDOR_3GPP],
          ['Auth-Application-Id', CX],
        ],
      ],
      ['Auth-Session-State', 1],
      ['Origin-Host', 'scscf.ims.test'],
      ['Origin-Realm', 'ims.test'],
      ['Destination-Realm', 'ims.test'],
      ['Destination-Host', 'hss.ims.test'],
      ['User-Name', 'alice@ims.test'],
      ['Public-Identity', 'sip:alice@ims.test'],
      ['SIP-Auth-Data-Item', [['SIP-Authentication-Scheme', 'Digest-AKAv1-MD5']]],
      ['SIP-Number-Auth-Items', 1],
      ['Server-Name', 'sip:scscf.ims.test:6060'],
    ],
  })
}

function npmDecodeMar(bytes: Buffer): NpmMessage {
  const m = npmCodec.decodeMessage(bytes)
  do_not_optimize(find(m.body, 'Session-Id'))
  do_not_optimize(find(m.body, 'User-Name'))
  do_not_optimize(find(m.body, 'Public-Identity'))
  do_not_optimize(find(m.body, 'SIP-Number-Auth-Items'))
  do_not_optimize(find(find(m.body, 'SIP-Auth-Data-Item') as NpmAvp[], 'SIP-Authentication-Scheme'))
  do_not_optimize(find(m.body, 'Server-Name'))
  do_not_optimize(find(m.body, 'Origin-Host'))
  return m
}

function npmEncodeMaa(mar: NpmMessage): Buffer {
  const maa = npmCodec.constructResponse(mar)
  maa.body.push(
    [
      'Vendor-Specific-Application-Id',
      [
        ['Vendor-Id', VENDOR_3GPP],
        ['Auth-Application-Id', CX],
      ],
    ],
    ['Result-Code', 2001],
    ['Auth-Session-State', 1],
    ['Origin-Host', 'hss.ims.test'],
    ['Origin-Realm', 'ims.test'],
    ['User-Name', 'alice@ims.test'],
    ['Public-Identity', 'sip:alice@ims.test'],
    ['SIP-Number-Auth-Items', 1],
    [
      'SIP-Auth-Data-Item',
      [
        ['SIP-Item-Number', 1],
        ['SIP-Authentication-Scheme', 'Digest-AKAv1-MD5'],
        ['SIP-Authenticate', RAND_AUTN],
        ['SIP-Authorization', XRES],
        ['Confidentiality-Key', CK],
        ['Integrity-Key', IK],
      ],
    ],
  )
  return npmCodec.encodeMessage(maa)
}

function npmDecodeMaa(bytes: Buffer): NpmMessage {
  const m = npmCodec.decodeMessage(bytes)
  do_not_optimize(find(m.body, 'Result-Code'))
  const item = find(m.body, 'SIP-Auth-Data-Item') as NpmAvp[]
  do_not_optimize(find(item, 'SIP-Authenticate'))
  do_not_optimize(find(item, 'SIP-Authorization'))
  do_not_optimize(find(item, 'Confidentiality-Key'))
  do_not_optimize(find(item, 'Integrity-Key'))
  return m
}

// --- sanity: the same messages on both sides, and each side decodes the other's octets
const marOurs = Buffer.from(junctionEncodeMar())
const marTheirs = npmEncodeMar()
const marDecoded = junctionDecodeMar(marOurs) as DiameterMessage<DefaultDictionary>
const maaOurs = Buffer.from(junctionEncodeMaa(marDecoded))
const maaTheirs = npmEncodeMaa(npmDecodeMar(marTheirs))
if (marOurs.length !== marTheirs.length || maaOurs.length !== maaTheirs.length) {
  throw new Error(
    `lengths differ: MAR ${marOurs.length}/${marTheirs.length}, MAA ${maaOurs.length}/${maaTheirs.length}`,
  )
}
npmDecodeMar(marOurs)
npmDecodeMaa(maaOurs)
junctionDecodeMar(marTheirs)
junctionDecodeMaa(maaTheirs)

bench('decode MAR junction', () => junctionDecodeMar(marOurs))
bench('decode MAR npm-diameter', () => npmDecodeMar(marOurs))
bench('encode MAA junction', () => junctionEncodeMaa(marDecoded))
const npmMar = npmDecodeMar(marOurs)
bench('encode MAA npm-diameter', () => npmEncodeMaa(npmMar))
bench('encode MAR junction', () => junctionEncodeMar())
bench('encode MAR npm-diameter', () => npmEncodeMar())
bench('decode MAA junction', () => junctionDecodeMaa(maaOurs))
bench('decode MAA npm-diameter', () => npmDecodeMaa(maaOurs))

const { benchmarks } = await run({ format: 'quiet' })
const avg = new Map<string, number>()
for (const b of benchmarks) avg.set(b.alias, b.runs[0]!.stats!.avg)

const opsPerSecond = (ns: number): string => Math.round(1e9 / ns).toLocaleString('en-US')
const lines: string[] = []
lines.push(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${new Date().toISOString()}`,
)
lines.push('')
lines.push('| operation | octets | @junction/diameter ops/s | npm diameter 0.7.0 ops/s | ratio |')
lines.push('|---|---:|---:|---:|---:|')
const rows: [string, number][] = [
  ['decode MAR', marOurs.length],
  ['encode MAA', maaOurs.length],
  ['encode MAR', marOurs.length],
  ['decode MAA', maaOurs.length],
]
for (const [op, octets] of rows) {
  const ours = avg.get(`${op} junction`)!
  const theirs = avg.get(`${op} npm-diameter`)!
  lines.push(
    `| ${op} | ${octets} | ${opsPerSecond(ours)} | ${opsPerSecond(theirs)} | ${(theirs / ours).toFixed(1)}× |`,
  )
}
const pair = (a: string, b: string, who: string) =>
  [avg.get(`${a} ${who}`)! + avg.get(`${b} ${who}`)!] as const
for (const [label, a, b] of [
  ['HSS: decode MAR + encode MAA', 'decode MAR', 'encode MAA'],
  ['S-CSCF: encode MAR + decode MAA', 'encode MAR', 'decode MAA'],
] as const) {
  const [ours] = pair(a, b, 'junction')
  const [theirs] = pair(a, b, 'npm-diameter')
  lines.push(
    `| **${label}** | | **${opsPerSecond(ours)}** | **${opsPerSecond(theirs)}** | **${(theirs / ours).toFixed(1)}×** |`,
  )
}
console.log(lines.join('\n'))
