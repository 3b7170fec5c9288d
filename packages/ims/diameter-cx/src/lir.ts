/**
 * Location-Info-Request/Answer (TS 29.229 §6.1.5, §6.1.6; procedure TS 29.228 §6.3): the I-CSCF
 * asks which S-CSCF serves a public identity, for a terminating (or originating) request.
 */
import {
  createRequest,
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
} from './common.ts'
import { type CxResult, type CxResultInit, readResult } from './result-codes.ts'
import { UserAuthorizationType, type UserAuthorizationTypeName } from './uar.ts'

export interface LirInput extends Destination {
  readonly impu: string
  /** Originating-Request ORIGINATING (an AS originating on behalf of the user). */
  readonly originating?: boolean | undefined
  readonly userAuthorizationType?: UserAuthorizationTypeName | undefined
}

export interface Lir extends RequestMeta {
  readonly impu: string
  readonly originating: boolean
  readonly userAuthorizationType: UserAuthorizationTypeName | undefined
}

export interface LiaInit {
  readonly result: CxResultInit
  readonly serverName?: string | undefined
  readonly serverCapabilities?: ServerCapabilities | undefined
  readonly wildcardedPublicIdentity?: string | undefined
  readonly errorMessage?: string | undefined
}

export interface Lia {
  readonly result: CxResult
  readonly serverName: string | undefined
  readonly serverCapabilities: ServerCapabilities | undefined
  readonly wildcardedPublicIdentity: string | undefined
  readonly originHost: string | undefined
  readonly message: DiameterMessage
}

export function buildLir(input: LirInput, defaults: RequestDefaults): DiameterMessage {
  return createRequest('LIR', {
    avps: {
      ...requestCommon(input, defaults),
      'Originating-Request': input.originating === true ? 0 : undefined,
      'Public-Identity': input.impu,
      'User-Authorization-Type':
        input.userAuthorizationType === undefined
          ? undefined
          : UserAuthorizationType[input.userAuthorizationType],
    },
  })
}

export function readLir(m: DiameterMessage): Lir {
  const uat = m.get('User-Authorization-Type')
  return {
    ...requestMeta(m),
    impu: m.get('Public-Identity') ?? '',
    originating: m.get('Originating-Request') !== undefined,
    userAuthorizationType: uat === undefined ? undefined : nameOf(UserAuthorizationType, uat, 'REGISTRATION'),
  }
}

export function buildLia(ctx: HandlerContext<DefaultDictionary>, init: LiaInit): DiameterMessage {
  return cxAnswer(
    ctx,
    init.result,
    {
      'Server-Name': init.serverName,
      'Server-Capabilities': capabilitiesAvp(init.serverCapabilities),
      'Wildcarded-Public-Identity': init.wildcardedPublicIdentity,
    },
    init.errorMessage,
  )
}

export function readLia(m: DiameterMessage): Lia {
  return {
    result: readResult(m),
    serverName: m.get('Server-Name'),
    serverCapabilities: readCapabilities(m.get('Server-Capabilities')),
    wildcardedPublicIdentity: m.get('Wildcarded-Public-Identity'),
    originHost: m.originHost,
    message: m,
  }
}
