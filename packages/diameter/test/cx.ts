/** Cx MAR/MAA helpers for the peer and node tests. */
import {
  CX_APPLICATION_ID,
  createRequest,
  type DefaultDictionary,
  type DiameterMessage,
  type HandlerContext,
  type RequestHandler,
  VENDOR_3GPP,
} from '../src/index.ts'

export const CX = CX_APPLICATION_ID
export const MAR = 303
export const vsai = { 'Vendor-Id': VENDOR_3GPP, 'Auth-Application-Id': CX_APPLICATION_ID } as const

/** A MAR as an S-CSCF sends it (Origin-*, Session-Id left to the node). */
export function mar(user = 'alice', destinationHost?: string, realm = 'ims.test'): DiameterMessage {
  return createRequest('MAR', {
    avps: {
      'Vendor-Specific-Application-Id': vsai,
      'Auth-Session-State': 1,
      'Destination-Realm': realm,
      ...(destinationHost === undefined ? {} : { 'Destination-Host': destinationHost }),
      'User-Name': `${user}@ims.test`,
      'Public-Identity': `sip:${user}@ims.test`,
      'SIP-Number-Auth-Items': 1,
      'SIP-Auth-Data-Item': { 'SIP-Authentication-Scheme': 'Digest-AKAv1-MD5' },
      'Server-Name': 'sip:scscf.ims.test',
    } as never,
  })
}

/** An MAA for a MAR: 2001, the User-Name back. */
export function maa(request: DiameterMessage, ctx: HandlerContext<DefaultDictionary>): DiameterMessage {
  return ctx.answer({
    resultCode: 2001,
    avps: {
      'Vendor-Specific-Application-Id': vsai,
      'Auth-Session-State': 1,
      'User-Name': request.get('User-Name'),
      'Public-Identity': request.get('Public-Identity'),
      'SIP-Number-Auth-Items': 1,
    } as never,
  })
}

export const maaHandler: RequestHandler<DefaultDictionary> = maa
