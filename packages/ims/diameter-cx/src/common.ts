/**
 * What every Cx/Dx command shares (TS 29.229 §6.1): the Vendor-Specific-Application-Id
 * {10415, 16777216} and Auth-Session-State NO_STATE_MAINTAINED (Cx is stateless), the answer's
 * result, and the Server-Capabilities group (§6.3.4).
 */
import {
  type AvpList,
  CX_APPLICATION_ID,
  type DefaultDictionary,
  type DiameterMessage,
  type HandlerContext,
  VENDOR_3GPP,
} from '@junction/diameter'
import type { CxResultInit } from './result-codes.ts'

/** Vendor-Specific-Application-Id of Cx (TS 29.229 §6.1: required in every command). */
export const CX_VSAI = { 'Vendor-Id': VENDOR_3GPP, 'Auth-Application-Id': CX_APPLICATION_ID } as const

/** Auth-Session-State NO_STATE_MAINTAINED (RFC 6733 §8.11). */
export const NO_STATE_MAINTAINED = 1

/** Where a request goes: the client's defaults, overridable per request. */
export interface Destination {
  readonly destinationRealm?: string | undefined
  /** Known once an HSS was picked (e.g. from a previous answer's Origin-Host). */
  readonly destinationHost?: string | undefined
}

/** What the server side knows of every request, beside its command's own fields. */
export interface RequestMeta {
  readonly sessionId: string
  readonly originHost: string
  readonly originRealm: string
  readonly destinationRealm: string | undefined
  readonly destinationHost: string | undefined
  /** The decoded request, for AVPs the typed view leaves out. */
  readonly message: DiameterMessage
}

/** S-CSCF capabilities (TS 29.229 §6.3.4), for the I-CSCF's selection. */
export interface ServerCapabilities {
  readonly mandatory: readonly number[]
  readonly optional: readonly number[]
  readonly serverNames: readonly string[]
}

export function requestMeta(m: DiameterMessage): RequestMeta {
  return {
    sessionId: m.sessionId ?? '',
    originHost: m.originHost ?? '',
    originRealm: m.originRealm ?? '',
    destinationRealm: m.get('Destination-Realm'),
    destinationHost: m.get('Destination-Host'),
    message: m,
  }
}

/**
 * What a request takes beside its command's fields: Destination-Realm (and -Host) unless the
 * input names its own; Session-Id, Origin-Host and Origin-Realm, which a `DiameterNode` fills in
 * when they are absent (give them to build a complete message without a node).
 */
export interface RequestDefaults {
  readonly destinationRealm: string
  readonly destinationHost?: string | undefined
  readonly sessionId?: string | undefined
  readonly originHost?: string | undefined
  readonly originRealm?: string | undefined
}

export function requestCommon(d: Destination, defaults: RequestDefaults) {
  return {
    'Session-Id': defaults.sessionId,
    'Origin-Host': defaults.originHost,
    'Origin-Realm': defaults.originRealm,
    'Vendor-Specific-Application-Id': CX_VSAI,
    'Auth-Session-State': NO_STATE_MAINTAINED,
    'Destination-Realm': d.destinationRealm ?? defaults.destinationRealm,
    'Destination-Host': d.destinationHost ?? defaults.destinationHost,
  }
}

/** Builds a Cx answer: the result, VSAI, Auth-Session-State and the command's AVPs. */
export function cxAnswer(
  ctx: HandlerContext<DefaultDictionary>,
  result: CxResultInit,
  avps: Record<string, unknown>,
  errorMessage?: string,
): DiameterMessage {
  return ctx.answer({
    ...(result.resultCode === undefined ? {} : { resultCode: result.resultCode }),
    ...(result.experimentalResultCode === undefined
      ? {}
      : { experimentalResult: { vendorId: VENDOR_3GPP, code: result.experimentalResultCode } }),
    ...(errorMessage === undefined ? {} : { errorMessage }),
    avps: {
      'Vendor-Specific-Application-Id': CX_VSAI,
      'Auth-Session-State': NO_STATE_MAINTAINED,
      ...avps,
    } as never,
  })
}

export function capabilitiesAvp(c: ServerCapabilities | undefined) {
  if (c === undefined) return undefined
  return {
    'Mandatory-Capability': [...c.mandatory],
    'Optional-Capability': [...c.optional],
    'Server-Name': [...c.serverNames],
  }
}

export function readCapabilities(g: AvpList | undefined): ServerCapabilities | undefined {
  if (g === undefined) return undefined
  return {
    mandatory: g.getAll('Mandatory-Capability'),
    optional: g.getAll('Optional-Capability'),
    serverNames: g.getAll('Server-Name'),
  }
}

const decoder = new TextDecoder()

/** An OctetString as text (Visited-Network-Identifier, User-Data). */
export function text(v: Uint8Array | undefined): string | undefined {
  return v === undefined ? undefined : decoder.decode(v)
}

/** The name of an Enumerated value, or `fallback` for an absent or unknown one. */
export function nameOf<T extends Record<string, number>>(
  values: T,
  v: number | undefined,
  fallback: keyof T,
): keyof T {
  if (v === undefined) return fallback
  for (const k in values) if (values[k] === v) return k
  return fallback
}
