/**
 * One message of every command of the default dictionary (RFC 6733 base, TS 29.229 Cx/Dx), with
 * realistic content (ims.md Appendix B): for round trips, fuzzing seeds and the tshark oracle.
 */
import {
  type Avp,
  type AvpsInit,
  CX_APPLICATION_ID,
  createAnswer,
  createRequest,
  type DefaultDictionary,
  type DiameterMessage,
  rawAvp,
  VENDOR_3GPP,
} from '../src/index.ts'

export const SCSCF = 'scscf.ims.test'
export const ICSCF = 'icscf.ims.test'
export const HSS = 'hss.ims.test'
export const REALM = 'ims.test'

const vsai = { 'Vendor-Id': VENDOR_3GPP, 'Auth-Application-Id': CX_APPLICATION_ID } as const
const cx = { 'Vendor-Specific-Application-Id': vsai, 'Auth-Session-State': 1 } as const

/** AKA vector parts: RAND‖AUTN (32), XRES (8), CK (16), IK (16). */
export const RAND_AUTN = Buffer.from(
  '23553cbe9637a89d218ae64dae47bf35' + 'aa689c648379ab0000b9b8d8e8a6a4ad',
  'hex',
)
export const XRES = Buffer.from('a54211d5e3ba50bf', 'hex')
export const CK = Buffer.from('b40ba9a3c58b2a05bbf0d987b21bf8cb', 'hex')
export const IK = Buffer.from('f769bcd751044604127672711c6d3441', 'hex')

export const USER_DATA = `<?xml version="1.0" encoding="UTF-8"?>
<IMSSubscription><PrivateID>alice@ims.test</PrivateID><ServiceProfile><PublicIdentity><Identity>sip:alice@ims.test</Identity></PublicIdentity><InitialFilterCriteria><Priority>0</Priority><TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT></TriggerPoint><ApplicationServer><ServerName>sip:as.ims.test</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria></ServiceProfile></IMSSubscription>`

let n = 0
const sid = (host: string) => `${host};1700000000;${++n}`
let ids = 0

function request(
  name: Parameters<typeof createRequest<DefaultDictionary>>[0],
  avps: AvpsInit<DefaultDictionary>,
  extra?: Avp[],
): DiameterMessage {
  ids++
  return createRequest(name, {
    avps,
    hopByHop: 0x1000 + ids,
    endToEnd: 0x2000 + ids,
    ...(extra ? { extra } : {}),
  })
}

export interface Sample {
  readonly name: string
  readonly message: DiameterMessage
  /** Sent by the peer that opened the connection (the CSCF), not by the HSS. */
  readonly fromClient: boolean
}

export interface SampleOptions {
  /** Add an AVP no dictionary knows (Kamailio's vendor-50 AVP 494, M clear) to the MAR (default true). */
  readonly unknownAvp?: boolean
}

/** A request and its answer for every command, in a plausible order on one connection. */
export function samples(options?: SampleOptions): Sample[] {
  const out: Sample[] = []
  const fromHss = new Set(['RTR', 'PPR'])
  const add = (m: DiameterMessage) => {
    const request = m.isRequest ? m.name : m.command?.name.replace(/A$/, 'R')
    out.push({ name: m.name, message: m, fromClient: m.isRequest !== fromHss.has(request ?? '') })
  }

  const cer = request('CER', {
    'Origin-Host': SCSCF,
    'Origin-Realm': REALM,
    'Host-IP-Address': ['127.0.0.1', '2001:db8::1'],
    'Vendor-Id': 0,
    'Product-Name': 'Junction',
    'Origin-State-Id': 1700000000,
    'Supported-Vendor-Id': VENDOR_3GPP,
    'Auth-Application-Id': CX_APPLICATION_ID,
    'Inband-Security-Id': 0,
    'Vendor-Specific-Application-Id': vsai,
    'Firmware-Revision': 1,
  })
  add(cer)
  add(
    createAnswer(cer, {
      originHost: HSS,
      originRealm: REALM,
      resultCode: 2001,
      avps: {
        'Host-IP-Address': '127.0.0.1',
        'Vendor-Id': 0,
        'Product-Name': 'junction-hss',
        'Origin-State-Id': 1700000001,
        'Supported-Vendor-Id': VENDOR_3GPP,
        'Vendor-Specific-Application-Id': vsai,
      },
    }),
  )
  const dwr = request('DWR', { 'Origin-Host': SCSCF, 'Origin-Realm': REALM, 'Origin-State-Id': 1700000000 })
  add(dwr)
  add(createAnswer(dwr, { originHost: HSS, originRealm: REALM, resultCode: 2001 }))

  const uar = request('UAR', {
    'Session-Id': sid(ICSCF),
    ...cx,
    'Origin-Host': ICSCF,
    'Origin-Realm': REALM,
    'Destination-Realm': REALM,
    'User-Name': 'alice@ims.test',
    'Public-Identity': 'sip:alice@ims.test',
    'Visited-Network-Identifier': 'ims.test',
    'User-Authorization-Type': 0,
  })
  add(uar)
  add(
    createAnswer(uar, {
      originHost: HSS,
      originRealm: REALM,
      experimentalResult: { vendorId: VENDOR_3GPP, code: 2001 },
      avps: {
        ...cx,
        'Server-Name': 'sip:scscf.ims.test:6060',
        'Server-Capabilities': { 'Mandatory-Capability': [1, 2], 'Optional-Capability': 3 },
      },
    }),
  )

  const mar = request(
    'MAR',
    {
      'Session-Id': sid(SCSCF),
      ...cx,
      'Origin-Host': SCSCF,
      'Origin-Realm': REALM,
      'Destination-Realm': REALM,
      'Destination-Host': HSS,
      'User-Name': 'alice@ims.test',
      'Public-Identity': 'sip:alice@ims.test',
      'SIP-Auth-Data-Item': { 'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5' },
      'SIP-Number-Auth-Items': 1,
      'Server-Name': 'sip:scscf.ims.test:6060',
    },
    // Kamailio's private vendor-50 AVP (ims.md §2.4): unknown, M clear, carried along
    options?.unknownAvp === false
      ? []
      : [rawAvp({ code: 494, vendorId: 50, data: Buffer.from('call-id-1@ue') })],
  )
  add(mar)
  add(
    createAnswer(mar, {
      originHost: HSS,
      originRealm: REALM,
      resultCode: 2001,
      avps: {
        ...cx,
        'User-Name': 'alice@ims.test',
        'Public-Identity': 'sip:alice@ims.test',
        'SIP-Number-Auth-Items': 1,
        'SIP-Auth-Data-Item': [
          {
            'SIP-Item-Number': 1,
            'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5',
            'SIP-Authenticate': RAND_AUTN,
            'SIP-Authorization': XRES,
            'Confidentiality-Key': CK,
            'Integrity-Key': IK,
          },
        ],
      },
    }),
  )

  const sar = request('SAR', {
    'Session-Id': sid(SCSCF),
    ...cx,
    'Origin-Host': SCSCF,
    'Origin-Realm': REALM,
    'Destination-Realm': REALM,
    'Destination-Host': HSS,
    'User-Name': 'alice@ims.test',
    'Public-Identity': 'sip:alice@ims.test',
    'Server-Name': 'sip:scscf.ims.test:6060',
    'Server-Assignment-Type': 1,
    'User-Data-Already-Available': 0,
  })
  add(sar)
  add(
    createAnswer(sar, {
      originHost: HSS,
      originRealm: REALM,
      resultCode: 2001,
      avps: {
        ...cx,
        'User-Name': 'alice@ims.test',
        'User-Data': USER_DATA,
        'Charging-Information': { 'Primary-Charging-Collection-Function-Name': 'aaa://ccf.ims.test' },
        'Associated-Identities': { 'User-Name': ['alice@ims.test', 'alice2@ims.test'] },
      },
    }),
  )

  const lir = request('LIR', {
    'Session-Id': sid(ICSCF),
    ...cx,
    'Origin-Host': ICSCF,
    'Origin-Realm': REALM,
    'Destination-Realm': REALM,
    'Originating-Request': 0,
    'Public-Identity': 'sip:bob@ims.test',
  })
  add(lir)
  add(
    createAnswer(lir, {
      originHost: HSS,
      originRealm: REALM,
      resultCode: 2001,
      avps: { ...cx, 'Server-Name': 'sip:scscf.ims.test:6060' },
    }),
  )

  const rtr = request('RTR', {
    'Session-Id': sid(HSS),
    ...cx,
    'Origin-Host': HSS,
    'Origin-Realm': REALM,
    'Destination-Host': SCSCF,
    'Destination-Realm': REALM,
    'User-Name': 'alice@ims.test',
    'Public-Identity': ['sip:alice@ims.test', 'tel:+15551234'],
    'Deregistration-Reason': { 'Reason-Code': 0, 'Reason-Info': 'subscription ended' },
  })
  add(rtr)
  add(createAnswer(rtr, { originHost: SCSCF, originRealm: REALM, resultCode: 2001, avps: cx }))

  const ppr = request('PPR', {
    'Session-Id': sid(HSS),
    ...cx,
    'Origin-Host': HSS,
    'Origin-Realm': REALM,
    'Destination-Host': SCSCF,
    'Destination-Realm': REALM,
    'User-Name': 'alice@ims.test',
    'User-Data': USER_DATA,
    'Supported-Features': { 'Vendor-Id': VENDOR_3GPP, 'Feature-List-ID': 1, 'Feature-List': 1 },
  })
  add(ppr)
  add(createAnswer(ppr, { originHost: SCSCF, originRealm: REALM, resultCode: 2001, avps: cx }))

  // a protocol error answer (RFC 6733 §7.2): E bit, Failed-AVP
  const bad = request('UAR', {
    'Session-Id': sid(ICSCF),
    ...cx,
    'Origin-Host': ICSCF,
    'Origin-Realm': REALM,
    'Destination-Realm': REALM,
    'User-Name': 'alice@ims.test',
    'Public-Identity': 'sip:alice@ims.test',
    'Visited-Network-Identifier': 'ims.test',
  })
  add(
    createAnswer(bad, {
      originHost: HSS,
      originRealm: REALM,
      resultCode: 3002,
      errorMessage: 'No suitable candidate to route the message to',
      failedAvp: bad.find('Destination-Realm')!,
    }),
  )

  const dpr = request('DPR', { 'Origin-Host': SCSCF, 'Origin-Realm': REALM, 'Disconnect-Cause': 0 })
  add(dpr)
  add(createAnswer(dpr, { originHost: HSS, originRealm: REALM, resultCode: 2001 }))
  return out
}
