/**
 * Server-Assignment-Request/Answer (TS 29.229 §6.1.3, §6.1.4; procedure TS 29.228 §6.1.2): the
 * S-CSCF registers, re-registers or de-registers a user at the HSS (or takes an unregistered user
 * for a terminating request) and receives the user profile (User-Data, TS 29.228 Annex E).
 */
import {
  createRequest,
  cxDictionary,
  type DefaultDictionary,
  type DiameterMessage,
  type HandlerContext,
} from '@junction/diameter'
import {
  cxAnswer,
  type Destination,
  nameOf,
  type RequestDefaults,
  type RequestMeta,
  requestCommon,
  requestMeta,
  text,
} from './common.ts'
import { type CxResult, type CxResultInit, readResult } from './result-codes.ts'

/** Server-Assignment-Type values (TS 29.229 §6.3.15). */
export const ServerAssignmentType = cxDictionary.avps['Server-Assignment-Type'].values
export type ServerAssignmentTypeName = keyof typeof ServerAssignmentType

/** Charging-Information (TS 29.229 §6.3.19): DiameterURIs of the charging functions. */
export interface ChargingInformation {
  readonly primaryEventChargingFunctionName?: string | undefined
  readonly secondaryEventChargingFunctionName?: string | undefined
  readonly primaryChargingCollectionFunctionName?: string | undefined
  readonly secondaryChargingCollectionFunctionName?: string | undefined
}

export interface SarInput extends Destination {
  /** User-Name; absent for UNREGISTERED_USER (the HSS finds the user by Public-Identity). */
  readonly impi?: string | undefined
  readonly impus?: readonly string[] | undefined
  readonly serverName: string
  readonly assignmentType: ServerAssignmentTypeName
  /** User-Data-Already-Available. */
  readonly userDataAlreadyAvailable: boolean
  readonly wildcardedPublicIdentity?: string | undefined
}

export interface Sar extends RequestMeta {
  readonly impi: string | undefined
  readonly impus: readonly string[]
  readonly serverName: string
  readonly assignmentType: ServerAssignmentTypeName
  readonly userDataAlreadyAvailable: boolean
  readonly wildcardedPublicIdentity: string | undefined
}

export interface SaaInit {
  readonly result: CxResultInit
  readonly impi?: string | undefined
  /** The IMSSubscription XML (TS 29.228 Annex E). */
  readonly userData?: string | undefined
  readonly chargingInformation?: ChargingInformation | undefined
  /** Other IMPIs sharing the IMPU (Associated-Identities). */
  readonly associatedIdentities?: readonly string[] | undefined
  /** Server-Name: the S-CSCF already assigned (with DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED). */
  readonly serverName?: string | undefined
  readonly errorMessage?: string | undefined
}

export interface Saa {
  readonly result: CxResult
  readonly impi: string | undefined
  readonly userData: string | undefined
  readonly chargingInformation: ChargingInformation | undefined
  readonly associatedIdentities: readonly string[]
  readonly serverName: string | undefined
  readonly originHost: string | undefined
  readonly message: DiameterMessage
}

export function buildSar(input: SarInput, defaults: RequestDefaults): DiameterMessage {
  return createRequest('SAR', {
    avps: {
      ...requestCommon(input, defaults),
      'User-Name': input.impi,
      'Public-Identity': input.impus === undefined ? undefined : [...input.impus],
      'Wildcarded-Public-Identity': input.wildcardedPublicIdentity,
      'Server-Name': input.serverName,
      'Server-Assignment-Type': ServerAssignmentType[input.assignmentType],
      'User-Data-Already-Available': input.userDataAlreadyAvailable ? 1 : 0,
    },
  })
}

export function readSar(m: DiameterMessage): Sar {
  return {
    ...requestMeta(m),
    impi: m.get('User-Name'),
    impus: m.getAll('Public-Identity'),
    serverName: m.get('Server-Name') ?? '',
    assignmentType: nameOf(ServerAssignmentType, m.get('Server-Assignment-Type'), 'NO_ASSIGNMENT'),
    userDataAlreadyAvailable: m.get('User-Data-Already-Available') === 1,
    wildcardedPublicIdentity: m.get('Wildcarded-Public-Identity'),
  }
}

export function buildSaa(ctx: HandlerContext<DefaultDictionary>, init: SaaInit): DiameterMessage {
  const c = init.chargingInformation
  return cxAnswer(
    ctx,
    init.result,
    {
      'User-Name': init.impi,
      'User-Data': init.userData,
      'Charging-Information':
        c === undefined
          ? undefined
          : {
              'Primary-Event-Charging-Function-Name': c.primaryEventChargingFunctionName,
              'Secondary-Event-Charging-Function-Name': c.secondaryEventChargingFunctionName,
              'Primary-Charging-Collection-Function-Name': c.primaryChargingCollectionFunctionName,
              'Secondary-Charging-Collection-Function-Name': c.secondaryChargingCollectionFunctionName,
            },
      'Associated-Identities':
        init.associatedIdentities === undefined || init.associatedIdentities.length === 0
          ? undefined
          : { 'User-Name': [...init.associatedIdentities] },
      'Server-Name': init.serverName,
    },
    init.errorMessage,
  )
}

export function readSaa(m: DiameterMessage): Saa {
  const c = m.get('Charging-Information')
  return {
    result: readResult(m),
    impi: m.get('User-Name'),
    userData: text(m.get('User-Data')),
    chargingInformation:
      c === undefined
        ? undefined
        : {
            primaryEventChargingFunctionName: c.get('Primary-Event-Charging-Function-Name'),
            secondaryEventChargingFunctionName: c.get('Secondary-Event-Charging-Function-Name'),
            primaryChargingCollectionFunctionName: c.get('Primary-Charging-Collection-Function-Name'),
            secondaryChargingCollectionFunctionName: c.get('Secondary-Charging-Collection-Function-Name'),
          },
    associatedIdentities: m.get('Associated-Identities')?.getAll('User-Name') ?? [],
    serverName: m.get('Server-Name'),
    originHost: m.originHost,
    message: m,
  }
}
