/**
 * Cx/Dx results (TS 29.229 §6.2): the Experimental-Result-Code values of vendor 10415, and the
 * reading of an answer's outcome from either Result-Code (RFC 6733 §7.1) or Experimental-Result
 * (§7.6). Real HSSs mix the two, so a CSCF must read both; base 5001/5003 collide numerically with
 * Cx 5001/5003, which is why a result always says which AVP carried it.
 */
import { type DiameterMessage, ResultCode, VENDOR_3GPP } from '@junction/diameter'

/** Experimental-Result-Code values of TS 29.229 §6.2 (carried with Vendor-Id 10415). */
export const CxResultCode = {
  // §6.2.1 success
  /** UAA: the user is not registered yet; the I-CSCF selects an S-CSCF (capabilities may come along). */
  DIAMETER_FIRST_REGISTRATION: 2001,
  /** UAA: the user is registered (or unregistered with an S-CSCF kept); Server-Name comes along. */
  DIAMETER_SUBSEQUENT_REGISTRATION: 2002,
  /** LIA: the identity is not registered but has services for the unregistered state. */
  DIAMETER_UNREGISTERED_SERVICE: 2003,
  /** SAA: de-registration done, the S-CSCF name not kept. */
  DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED: 2004,
  /** Obsolete since Rel-6; kept to name it when received. */
  DIAMETER_SERVER_SELECTION: 2005,
  // §6.2.2 permanent failures
  DIAMETER_ERROR_USER_UNKNOWN: 5001,
  DIAMETER_ERROR_IDENTITIES_DONT_MATCH: 5002,
  DIAMETER_ERROR_IDENTITY_NOT_REGISTERED: 5003,
  DIAMETER_ERROR_ROAMING_NOT_ALLOWED: 5004,
  DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED: 5005,
  DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED: 5006,
  DIAMETER_ERROR_IN_ASSIGNMENT_TYPE: 5007,
  DIAMETER_ERROR_TOO_MUCH_DATA: 5008,
  DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA: 5009,
  DIAMETER_ERROR_FEATURE_UNSUPPORTED: 5011,
  DIAMETER_ERROR_SERVING_NODE_FEATURE_UNSUPPORTED: 5012,
} as const

export type CxResultCodeName = keyof typeof CxResultCode

const cxNames = new Map<number, string>(Object.entries(CxResultCode).map(([k, v]) => [v, k]))
const baseNames = new Map<number, string>(Object.entries(ResultCode).map(([k, v]) => [v, k]))

/** The outcome of a Cx answer. */
export interface CxResult {
  /**
   * 'result': a Result-Code (base); 'experimental': an Experimental-Result (vendor `vendorId`);
   * 'none': the answer carries neither (a broken answer: treat as a failure).
   */
  readonly kind: 'result' | 'experimental' | 'none'
  /** The code (0 for 'none'). */
  readonly code: number
  /** 0 for a Result-Code, the Experimental-Result's Vendor-Id otherwise. */
  readonly vendorId: number
  /** A 2xxx code. */
  readonly success: boolean
  /** The answer had the E bit (a 3xxx protocol error, RFC 6733 §7.2). */
  readonly protocolError: boolean
  /** DIAMETER_SUCCESS, DIAMETER_FIRST_REGISTRATION, ...; `<kind> <code>` for a code we do not name. */
  readonly name: string
  /** Error-Message, when present. */
  readonly errorMessage?: string | undefined
}

/** The outcome to put into an answer: a base Result-Code or a Cx Experimental-Result-Code. */
export type CxResultInit =
  | { readonly resultCode: number; readonly experimentalResultCode?: undefined }
  | { readonly experimentalResultCode: number; readonly resultCode?: undefined }

/** Result-Code 2001 DIAMETER_SUCCESS. */
export const SUCCESS: CxResultInit = { resultCode: ResultCode.DIAMETER_SUCCESS }

/** An Experimental-Result of TS 29.229 §6.2, by name. */
export function experimental(name: CxResultCodeName): CxResultInit {
  return { experimentalResultCode: CxResultCode[name] }
}

/** Reads an answer's outcome: Experimental-Result first (it is the more specific), then Result-Code. */
export function readResult(answer: DiameterMessage): CxResult {
  const errorMessage = answer.get('Error-Message')
  const protocolError = answer.isError
  const exp = answer.experimentalResult
  if (exp !== undefined) {
    const name =
      exp.vendorId === VENDOR_3GPP
        ? (cxNames.get(exp.code) ?? `experimental ${exp.code}`)
        : `experimental ${exp.code} (vendor ${exp.vendorId})`
    return {
      kind: 'experimental',
      code: exp.code,
      vendorId: exp.vendorId,
      success: exp.code >= 2000 && exp.code < 3000,
      protocolError,
      name,
      errorMessage,
    }
  }
  const rc = answer.resultCode
  if (rc !== undefined) {
    return {
      kind: 'result',
      code: rc,
      vendorId: 0,
      success: rc >= 2000 && rc < 3000,
      protocolError,
      name: baseNames.get(rc) ?? `result ${rc}`,
      errorMessage,
    }
  }
  return { kind: 'none', code: 0, vendorId: 0, success: false, protocolError, name: 'none', errorMessage }
}

/** Whether a result is the Cx Experimental-Result `name` (vendor 10415). */
export function isCx(result: CxResult, name: CxResultCodeName): boolean {
  return (
    result.kind === 'experimental' && result.vendorId === VENDOR_3GPP && result.code === CxResultCode[name]
  )
}

/** Whether a result is the base Result-Code `code`. */
export function isBase(result: CxResult, code: number): boolean {
  return result.kind === 'result' && result.code === code
}
