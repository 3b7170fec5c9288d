/**
 * Multimedia-Auth-Request/Answer (TS 29.229 §6.1.7, §6.1.8; procedure TS 29.228 §6.3): the
 * S-CSCF asks for authentication vectors, or resynchronises SQN with RAND ‖ AUTS in
 * SIP-Authorization (TS 33.203 §6.1.2, TS 29.228 §6.3.1).
 */
import {
  type AvpList,
  createRequest,
  type DefaultDictionary,
  type DiameterMessage,
  type HandlerContext,
} from '@junction/diameter'
import {
  cxAnswer,
  type Destination,
  type RequestDefaults,
  type RequestMeta,
  requestCommon,
  requestMeta,
} from './common.ts'
import { CxFaultError, cxFaultCodes } from './errors.ts'
import { type CxResult, type CxResultInit, readResult } from './result-codes.ts'

/** SIP-Authentication-Scheme values (TS 29.229 §6.3.9). */
export const AuthScheme = {
  AKAV1_MD5: 'Digest-AKAv1-MD5',
  AKAV2_SHA256: 'Digest-AKAv2-SHA-256',
  SIP_DIGEST: 'SIP Digest',
  NASS_BUNDLED: 'NASS-Bundled',
  EARLY_IMS: 'Early-IMS-Security',
  UNKNOWN: 'Unknown',
} as const

/** An AKA vector as carried in SIP-Auth-Data-Item (TS 29.229 §6.3.9–§6.3.11, §6.3.18, §6.3.19). */
export interface AkaItem {
  readonly rand: Uint8Array
  readonly autn: Uint8Array
  readonly xres: Uint8Array
  readonly ck: Uint8Array
  readonly ik: Uint8Array
}

/** SIP-Digest-Authenticate (TS 29.229 §6.3.36): HA1 for SIP Digest. */
export interface DigestItem {
  readonly realm: string
  readonly algorithm?: string | undefined
  readonly qop: string
  readonly ha1: string
}

/** One SIP-Auth-Data-Item of an MAA. */
export interface AuthDataItem {
  readonly itemNumber?: number | undefined
  readonly scheme?: string | undefined
  /** SIP-Authenticate; for AKA RAND ‖ AUTN. */
  readonly authenticate?: Uint8Array | undefined
  /** SIP-Authorization; for AKA XRES. */
  readonly authorization?: Uint8Array | undefined
  readonly confidentialityKey?: Uint8Array | undefined
  readonly integrityKey?: Uint8Array | undefined
  readonly digest?: DigestItem | undefined
  /** Read side: the AKA vector, when the item has 32 octets of SIP-Authenticate, XRES, CK and IK. */
  readonly aka?: AkaItem | undefined
}

export interface MarInput extends Destination {
  readonly impi: string
  readonly impu: string
  /** SIP-Authentication-Scheme; default Digest-AKAv1-MD5. */
  readonly scheme?: string | undefined
  /** SIP-Number-Auth-Items; default 1. */
  readonly items?: number | undefined
  /** This S-CSCF's name (Server-Name). */
  readonly serverName: string
  /** Resynchronisation: RAND (16 octets) of the failed challenge and the UE's AUTS (14 octets). */
  readonly resync?: { readonly rand: Uint8Array; readonly auts: Uint8Array } | undefined
}

export interface Mar extends RequestMeta {
  readonly impi: string
  readonly impu: string
  readonly scheme: string
  readonly items: number
  readonly serverName: string
  /** Present when SIP-Authorization held RAND ‖ AUTS (30 octets). */
  readonly resync: { readonly rand: Uint8Array; readonly auts: Uint8Array } | undefined
  /** SIP-Authorization of the request as received (any length). */
  readonly authorization: Uint8Array | undefined
}

/** AKA vectors (or other items) of the answer; SIP-Number-Auth-Items follows their count. */
export interface MaaInit {
  readonly result: CxResultInit
  /** User-Name and Public-Identity: echoed from the request unless given (Kamailio needs them). */
  readonly impi?: string | undefined
  readonly impu?: string | undefined
  readonly items?: readonly (AuthDataItem | AkaItem)[] | undefined
  readonly errorMessage?: string | undefined
}

export interface Maa {
  readonly result: CxResult
  readonly impi: string | undefined
  readonly impu: string | undefined
  readonly numberAuthItems: number | undefined
  /** In SIP-Item-Number order. */
  readonly items: readonly AuthDataItem[]
  readonly originHost: string | undefined
  readonly message: DiameterMessage
}

export function buildMar(input: MarInput, defaults: RequestDefaults): DiameterMessage {
  let authorization: Uint8Array | undefined
  if (input.resync !== undefined) {
    const { rand, auts } = input.resync
    if (rand.length !== 16 || auts.length !== 14) {
      throw new CxFaultError(
        cxFaultCodes.INVALID_ARGUMENT,
        `resync needs RAND of 16 octets and AUTS of 14 (got ${rand.length} and ${auts.length})`,
      )
    }
    authorization = new Uint8Array(30)
    authorization.set(rand, 0)
    authorization.set(auts, 16)
  }
  const items = input.items ?? 1
  if (!Number.isInteger(items) || items < 1 || items > 0xffffffff) {
    throw new CxFaultError(cxFaultCodes.INVALID_ARGUMENT, `SIP-Number-Auth-Items ${items}`)
  }
  return createRequest('MAR', {
    avps: {
      ...requestCommon(input, defaults),
      'User-Name': input.impi,
      'Public-Identity': input.impu,
      'SIP-Auth-Data-Item': {
        'SIP-Authentication-Scheme': input.scheme ?? AuthScheme.AKAV1_MD5,
        'SIP-Authorization': authorization,
      },
      'SIP-Number-Auth-Items': items,
      'Server-Name': input.serverName,
    },
  })
}

export function readMar(m: DiameterMessage): Mar {
  const item = m.get('SIP-Auth-Data-Item')
  const authorization = item?.get('SIP-Authorization')
  return {
    ...requestMeta(m),
    impi: m.get('User-Name') ?? '',
    impu: m.get('Public-Identity') ?? '',
    scheme: item?.get('SIP-Authentication-Scheme') ?? AuthScheme.UNKNOWN,
    items: m.get('SIP-Number-Auth-Items') ?? 1,
    serverName: m.get('Server-Name') ?? '',
    authorization,
    resync:
      authorization?.length === 30
        ? { rand: authorization.subarray(0, 16), auts: authorization.subarray(16) }
        : undefined,
  }
}

function isAka(i: AuthDataItem | AkaItem): i is AkaItem {
  return 'rand' in i && 'autn' in i
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

function itemAvp(i: AuthDataItem | AkaItem, n: number, scheme: string) {
  if (isAka(i)) {
    return {
      'SIP-Item-Number': n,
      'SIP-Authentication-Scheme': scheme,
      'SIP-Authenticate': concat(i.rand, i.autn),
      'SIP-Authorization': i.xres,
      'Confidentiality-Key': i.ck,
      'Integrity-Key': i.ik,
    }
  }
  return {
    'SIP-Item-Number': i.itemNumber ?? n,
    'SIP-Authentication-Scheme': i.scheme ?? scheme,
    'SIP-Authenticate': i.authenticate,
    'SIP-Authorization': i.authorization,
    'Confidentiality-Key': i.confidentialityKey,
    'Integrity-Key': i.integrityKey,
    'SIP-Digest-Authenticate':
      i.digest === undefined
        ? undefined
        : {
            'Digest-Realm': i.digest.realm,
            'Digest-Algorithm': i.digest.algorithm,
            'Digest-QoP': i.digest.qop,
            'Digest-HA1': i.digest.ha1,
          },
  }
}

export function buildMaa(
  ctx: HandlerContext<DefaultDictionary>,
  request: Mar,
  init: MaaInit,
): DiameterMessage {
  const items = init.items ?? []
  return cxAnswer(
    ctx,
    init.result,
    {
      'User-Name': init.impi ?? request.impi,
      'Public-Identity': init.impu ?? request.impu,
      'SIP-Number-Auth-Items': items.length > 0 ? items.length : undefined,
      'SIP-Auth-Data-Item':
        items.length === 0 ? undefined : items.map((i, k) => itemAvp(i, k + 1, request.scheme)),
    },
    init.errorMessage,
  )
}

function readItem(g: AvpList): AuthDataItem {
  const authenticate = g.get('SIP-Authenticate')
  const authorization = g.get('SIP-Authorization')
  const ck = g.get('Confidentiality-Key')
  const ik = g.get('Integrity-Key')
  const d = g.get('SIP-Digest-Authenticate')
  return {
    itemNumber: g.get('SIP-Item-Number'),
    scheme: g.get('SIP-Authentication-Scheme'),
    authenticate,
    authorization,
    confidentialityKey: ck,
    integrityKey: ik,
    digest:
      d === undefined
        ? undefined
        : {
            realm: d.get('Digest-Realm') ?? '',
            algorithm: d.get('Digest-Algorithm'),
            qop: d.get('Digest-QoP') ?? '',
            ha1: d.get('Digest-HA1') ?? '',
          },
    aka:
      authenticate?.length === 32 && authorization !== undefined && ck !== undefined && ik !== undefined
        ? { rand: authenticate.subarray(0, 16), autn: authenticate.subarray(16), xres: authorization, ck, ik }
        : undefined,
  }
}

export function readMaa(m: DiameterMessage): Maa {
  const items = m.getAll('SIP-Auth-Data-Item').map(readItem)
  items.sort((a, b) => (a.itemNumber ?? 0) - (b.itemNumber ?? 0))
  return {
    result: readResult(m),
    impi: m.get('User-Name'),
    impu: m.get('Public-Identity'),
    numberAuthItems: m.get('SIP-Number-Auth-Items'),
    items,
    originHost: m.originHost,
    message: m,
  }
}
