/**
 * Messages whose octets are pinned in `fixtures/encode-golden.json`: what the encoder wrote at
 * commit f969216, before its allocation changes. Every data type (RFC 6733 §4.2, §4.3), strings of one
 * and several octets per character on both sides of the 64-character short-string paths, grouped
 * AVPs nested two deep, AVPs copied from decoded messages, unknown AVPs, Failed-AVP, answers built
 * by `createAnswer` and `answerFor`, and decoded messages encoded again. Identifiers are fixed, so
 * the octets do not depend on the process.
 */
import { Buffer } from 'node:buffer'
import {
  answerFor,
  baseDictionary,
  CX_APPLICATION_ID,
  createAnswer,
  createDictionary,
  createRequest,
  type DiameterMessage,
  decodeMessage,
  defineDictionary,
  rawAvp,
  VENDOR_3GPP,
} from '../src/index.ts'
import { CK, IK, RAND_AUTN, USER_DATA, XRES } from './messages.ts'
import { avp, message, origin, u32 } from './raw.ts'

const types = defineDictionary({
  name: 'golden: every data type',
  applicationId: 4242,
  vendorId: 99999,
  avps: {
    'G-OctetString': { code: 1, type: 'OctetString' },
    'G-Integer32': { code: 2, type: 'Integer32' },
    'G-Integer64': { code: 3, type: 'Integer64' },
    'G-Unsigned32': { code: 4, type: 'Unsigned32', vendorId: 0, m: 'may' },
    'G-Unsigned64': { code: 5, type: 'Unsigned64' },
    'G-Float32': { code: 6, type: 'Float32' },
    'G-Float64': { code: 7, type: 'Float64' },
    'G-Address': { code: 8, type: 'Address' },
    'G-Time': { code: 9, type: 'Time' },
    'G-UTF8String': { code: 10, type: 'UTF8String' },
    'G-DiameterIdentity': { code: 11, type: 'DiameterIdentity', m: 'mustnot' },
    'G-DiameterURI': { code: 12, type: 'DiameterURI' },
    'G-Enumerated': { code: 13, type: 'Enumerated', values: { ZERO: 0, ONE: 1, MINUS: -1 } },
    'G-Grouped': { code: 14, type: 'Grouped', grammar: '[ G-Unsigned32 ] *[ G-Grouped ] *[ AVP ]' },
  },
  commands: {
    GTR: `<Golden-Test-Request> ::= < Diameter Header: 8388601, REQ, PXY >
        { Origin-Host }
        { Origin-Realm }
       *[ AVP ]`,
    GTA: `<Golden-Test-Answer> ::= < Diameter Header: 8388601, PXY >
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
       *[ AVP ]`,
  },
})
const typesDictionary = createDictionary(baseDictionary, types)

const vsai = { 'Vendor-Id': VENDOR_3GPP, 'Auth-Application-Id': CX_APPLICATION_ID } as const
const cx = { 'Vendor-Specific-Application-Id': vsai, 'Auth-Session-State': 1 } as const
const LONG_ASCII = `${'x'.repeat(63)}yz`
const LONG_UTF8 = `Grüße aus Köln, ${'ünïcödé '.repeat(8)}`

function decoded(bytes: Uint8Array): DiameterMessage {
  const r = decodeMessage(bytes)
  if (!r.ok) throw new Error(r.error.reason)
  return r.message
}

/** The pinned messages, by name, in a fixed order. */
export function goldenMessages(
  encode: (m: DiameterMessage) => Uint8Array,
): [string, () => DiameterMessage][] {
  const mar = () =>
    createRequest('MAR', {
      avps: {
        'Session-Id': 'scscf.ims.test;1700000000;42',
        ...cx,
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
      extra: [rawAvp({ code: 494, vendorId: 50, data: Buffer.from('call-id-1@ue') })],
      hopByHop: 1,
      endToEnd: 2,
    })
  const maa = (request: DiameterMessage) =>
    createAnswer(request, {
      originHost: 'hss.ims.test',
      originRealm: 'ims.test',
      resultCode: 2001,
      avps: {
        ...cx,
        'User-Name': 'alice@ims.test',
        'Public-Identity': 'sip:alice@ims.test',
        'SIP-Number-Auth-Items': 2,
        'SIP-Auth-Data-Item': [1, 2].map((n) => ({
          'SIP-Item-Number': n,
          'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5',
          'SIP-Authenticate': RAND_AUTN,
          'SIP-Authorization': XRES,
          'Confidentiality-Key': CK,
          'Integrity-Key': IK,
        })),
      },
    })
  const sar = () =>
    createRequest('SAR', {
      avps: {
        'Session-Id': 'scscf.ims.test;1700000000;43',
        ...cx,
        'Origin-Host': 'scscf.ims.test',
        'Origin-Realm': 'ims.test',
        'Destination-Realm': 'ims.test',
        'User-Name': 'alice@ims.test',
        'Public-Identity': ['sip:alice@ims.test', 'tel:+15551234'],
        'Server-Name': 'sip:scscf.ims.test:6060',
        'Server-Assignment-Type': 1,
        'User-Data-Already-Available': 0,
      },
      hopByHop: 0xfffffffe,
      endToEnd: 0x80000001,
    })
  const proxyInfo = avp(284, 0x40, Buffer.concat([avp(280, 0x40, 'dra1.ims.test'), avp(33, 0x40, 'state1')]))
  const uarBytes = (publicIdentity: boolean) =>
    message(
      { code: 300, flags: 0xc0, applicationId: CX_APPLICATION_ID },
      avp(263, 0x40, 'icscf.ims.test;1;1'),
      avp(260, 0x40, Buffer.concat([avp(266, 0x40, u32(10415)), avp(258, 0x40, u32(16777216))])),
      avp(277, 0x40, u32(1)),
      ...origin,
      avp(283, 0x40, 'ims.test'),
      avp(1, 0x40, 'alice@ims.test'),
      ...(publicIdentity ? [avp(601, 0xc0, 'sip:alice@ims.test')] : []),
      avp(600, 0xc0, 'ims.test'),
      proxyInfo,
    )
  return [
    ['MAR', mar],
    ['MAR decoded', () => decoded(encode(mar()))],
    ['MAA to a built MAR', () => maa(mar())],
    ['MAA to a decoded MAR', () => maa(decoded(encode(mar())))],
    ['MAA decoded', () => decoded(encode(maa(mar())))],
    ['SAR', sar],
    [
      'SAA with User-Data (string) and nested groups',
      () =>
        createAnswer(sar(), {
          originHost: 'hss.ims.test',
          originRealm: 'ims.test',
          resultCode: 2001,
          avps: {
            ...cx,
            'User-Name': 'alice@ims.test',
            'User-Data': USER_DATA,
            'Charging-Information': { 'Primary-Charging-Collection-Function-Name': 'aaa://ccf.ims.test' },
            'Associated-Identities': { 'User-Name': ['alice@ims.test', 'alice2@ims.test'] },
          },
        }),
    ],
    [
      'UAA with Experimental-Result and Server-Capabilities',
      () =>
        createAnswer(decoded(uarBytes(true)), {
          originHost: 'hss.ims.test',
          originRealm: 'ims.test',
          experimentalResult: { vendorId: VENDOR_3GPP, code: 2001 },
          avps: {
            ...cx,
            'Server-Name': 'sip:scscf.ims.test:6060',
            'Server-Capabilities': { 'Mandatory-Capability': [1, 2], 'Optional-Capability': 3 },
          },
        }),
    ],
    [
      'CER with IPv4 and IPv6 Host-IP-Address',
      () =>
        createRequest('CER', {
          avps: {
            'Origin-Host': 'scscf.ims.test',
            'Origin-Realm': 'ims.test',
            'Host-IP-Address': ['127.0.0.1', '2001:db8::1'],
            'Vendor-Id': 0,
            'Product-Name': LONG_UTF8,
            'Origin-State-Id': 1700000000,
            'Supported-Vendor-Id': VENDOR_3GPP,
            'Auth-Application-Id': CX_APPLICATION_ID,
            'Inband-Security-Id': 0,
            'Vendor-Specific-Application-Id': vsai,
            'Firmware-Revision': 1,
          },
          hopByHop: 7,
          endToEnd: 8,
        }),
    ],
    [
      'error answer: E bit, Error-Message, Failed-AVP, Proxy-Info',
      () => {
        const request = decoded(uarBytes(true))
        return createAnswer(request, {
          originHost: 'hss.ims.test',
          originRealm: 'ims.test',
          resultCode: 3002,
          errorMessage: 'No suitable candidate to route the message to: é',
          failedAvp: request.find('Destination-Realm')!,
        })
      },
    ],
    [
      'answerFor a request missing Public-Identity',
      () => {
        const r = decodeMessage(uarBytes(false))
        if (r.ok) throw new Error('the UAR should be missing Public-Identity')
        return answerFor(r.error, { originHost: 'hss.ims.test', originRealm: 'ims.test' })!
      },
    ],
    [
      'every data type',
      () =>
        createRequest('GTR', {
          dictionary: typesDictionary,
          avps: {
            'Origin-Host': LONG_ASCII,
            'Origin-Realm': 'ims.test',
            'G-OctetString': ['', 'ünï', new Uint8Array([0, 1, 2, 3, 4]), 'o'.repeat(70)],
            'G-Integer32': [-1, 0x7fffffff, -0x80000000],
            'G-Integer64': [-5n, 9007199254740991, -(2n ** 63n)],
            'G-Unsigned32': [0, 0xffffffff],
            'G-Unsigned64': [2n ** 64n - 1n, 12345],
            'G-Float32': [1.5, -0],
            'G-Float64': [Math.PI, Number.POSITIVE_INFINITY],
            'G-Address': ['192.0.2.1', '::ffff:192.0.2.1', 'fe80::1:2'],
            'G-Time': [new Date(Date.UTC(2026, 10, 26, 12)), new Date(Date.UTC(2040, 0, 1))],
            'G-UTF8String': ['', 'ascii', 'é', LONG_ASCII, LONG_UTF8, '😀'.repeat(20)],
            'G-DiameterIdentity': [LONG_ASCII, 'a'],
            'G-DiameterURI': 'aaa://host.example.com:3868;transport=tcp',
            'G-Enumerated': [0, 1, -1],
            'G-Grouped': {
              'G-Unsigned32': 7,
              'G-Grouped': [{}, { 'G-Unsigned32': 1, 'G-UTF8String': 'deep' }],
              'G-OctetString': 'abc',
            },
          },
          extra: [
            rawAvp({ code: 7777, data: new Uint8Array([9, 8, 7]) }),
            rawAvp({ code: 7778, vendorId: 1, mandatory: true, data: new Uint8Array(0) }),
          ],
          hopByHop: 0,
          endToEnd: 0xffffffff,
        }) as unknown as DiameterMessage,
    ],
    [
      'a decoded Proxy-Info and an AvpList copied into a request',
      () => {
        const request = decoded(uarBytes(true))
        return createRequest('UAR', {
          avps: {
            'Session-Id': request.find('Session-Id')!,
            'Vendor-Specific-Application-Id': request.get('Vendor-Specific-Application-Id')!,
            'Auth-Session-State': 1,
            'Origin-Host': 'icscf.ims.test',
            'Origin-Realm': 'ims.test',
            'Destination-Realm': 'ims.test',
            'User-Name': 'alice@ims.test',
            'Public-Identity': 'sip:alice@ims.test',
            'Visited-Network-Identifier': 'ims.test',
            'Proxy-Info': request.findAll('Proxy-Info'),
          },
          hopByHop: 3,
          endToEnd: 4,
        })
      },
    ],
  ]
}
