/**
 * User-Authorization-Request/Answer (TS 29.229 §6.1.1, §6.1.2; procedure TS 29.228 §6.1.1): the
 * I-CSCF asks whether a user may register and which S-CSCF serves it.
 */
import {
  createRequest,
  cxDictionary,
  type DefaultDictionary,
  type DiameterMessage,
  type HandlerContext,
} from '@junction/diameter'
import {
  capabilitiesAvp,
  cxAnswer,
  type Destination,
  nameOf,
  type RequestDefaults,
  type RequestMeta,
  readCapabilities,
  requestCommon,
  requestMeta,
  type ServerCapabilities,
  text,
} from './common.ts'
import { type CxResult, type CxResultInit, readResult } from './result-codes.ts'

/** User-Authorization-Type values (TS 29.229 §6.3.24). */
export const UserAuthorizationType = cxDictionary.avps['User-Authorization-Type'].values
export type UserAuthorizationTypeName = keyof typeof UserAuthorizationType

/** UAR-Flags bit 0 (TS 29.229 §6.3.44). */
const IMS_EMERGENCY_REGISTRATION = 1

export interface UarInput extends Destination {
  /** User-Name. */
  readonly impi: string
  /** Public-Identity. */
  readonly impu: string
  /** Visited-Network-Identifier (from P-Visited-Network-ID). */
  readonly visitedNetworkIdentifier: string
  /** Absent means REGISTRATION. */
  readonly userAuthorizationType?: UserAuthorizationTypeName | undefined
  /** UAR-Flags bit 0: an emergency registration. */
  readonly emergency?: boolean | undefined
}

/** A received UAR. */
export interface Uar extends RequestMeta {
  readonly impi: string
  readonly impu: string
  /** With surrounding quotes removed (Kamailio's I-CSCF forwards them). */
  readonly visitedNetworkIdentifier: string
  readonly userAuthorizationType: UserAuthorizationTypeName
  readonly emergency: boolean
}

export interface UaaInit {
  readonly result: CxResultInit
  readonly serverName?: string | undefined
  readonly serverCapabilities?: ServerCapabilities | undefined
  readonly errorMessage?: string | undefined
}

export interface Uaa {
  readonly result: CxResult
  readonly serverName: string | undefined
  readonly serverCapabilities: ServerCapabilities | undefined
  readonly originHost: string | undefined
  readonly message: DiameterMessage
}

export function buildUar(input: UarInput, defaults: RequestDefaults): DiameterMessage {
  return createRequest('UAR', {
    avps: {
      ...requestCommon(input, defaults),
      'User-Name': input.impi,
      'Public-Identity': input.impu,
      'Visited-Network-Identifier': input.visitedNetworkIdentifier,
      'User-Authorization-Type':
        input.userAuthorizationType === undefined
          ? undefined
          : UserAuthorizationType[input.userAuthorizationType],
      'UAR-Flags': input.emergency === true ? IMS_EMERGENCY_REGISTRATION : undefined,
    },
  })
}

/** Removes one pair of surrounding double quotes. */
export function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s
}

export function readUar(m: DiameterMessage): Uar {
  return {
    ...requestMeta(m),
    impi: m.get('User-Name') ?? '',
    impu: m.get('Public-Identity') ?? '',
    visitedNetworkIdentifier: unquote(text(m.get('Visited-Network-Identifier')) ?? ''),
    userAuthorizationType: nameOf(UserAuthorizationType, m.get('User-Authorization-Type'), 'REGISTRATION'),
    emergency: ((m.get('UAR-Flags') ?? 0) & IMS_EMERGENCY_REGISTRATION) !== 0,
  }
}

export function buildUaa(ctx: HandlerContext<DefaultDictionary>, init: UaaInit): DiameterMessage {
  return cxAnswer(
    ctx,
    init.result,
    {
      'Server-Name': init.serverName,
      'Server-Capabilities': capabilitiesAvp(init.serverCapabilities),
    },
    init.errorMessage,
  )
}

export function readUaa(m: DiameterMessage): Uaa {
  return {
    result: readResult(m),
    serverName: m.get('Server-Name'),
    serverCapabilities: readCapabilities(m.get('Server-Capabilities')),
    originHost: m.originHost,
    message: m,
  }
}
