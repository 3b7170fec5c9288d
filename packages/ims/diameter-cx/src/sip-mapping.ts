/**
 * From a Cx outcome to the SIP response a CSCF sends (TS 24.229 §5.3.1.3 I-CSCF registration,
 * §5.3.2.2 I-CSCF initial requests, §5.4.1.2 S-CSCF registration; ims.md §2.6). `undefined` means
 * the procedure succeeded and the CSCF goes on.
 *
 * | procedure | outcome | SIP |
 * |---|---|---|
 * | UAR | Cx 5001, 5002, 5003, 5004, 5005; RC 5003; other 5xxx | 403 |
 * | UAR, LIR | 3xxx, 4xxx, RC 5012, no answer | 480 |
 * | LIR | Cx 5001 (user unknown) | 404 |
 * | LIR | Cx 5003 (not registered, no unregistered services) | 480 |
 * | MAR | Cx 5001, 5002, 5006; RC 4001, 5003; other 5xxx | 403 |
 * | MAR, SAR | 3xxx, 4xxx, no answer | 480 |
 * | SAR (registration) | any 5xxx | 403 |
 * | SAR (terminating, unregistered user) | any 5xxx | 480 |
 * | any | no result at all | 500 |
 */
import { ResultCode } from '@junction/diameter'
import { type CxResult, CxResultCode, isBase, isCx } from './result-codes.ts'

export type CxProcedure = 'UAR' | 'LIR' | 'MAR' | 'SAR'

export interface SipFailure {
  readonly status: number
  readonly reason: string
}

export interface SipMappingOptions {
  /** SAR for a terminating request to an unregistered user (480 instead of 403). */
  readonly terminating?: boolean | undefined
}

const FORBIDDEN = 403
const UNAVAILABLE = 480

function transient(r: CxResult): boolean {
  return (r.code >= 3000 && r.code < 5000) || isBase(r, ResultCode.DIAMETER_UNABLE_TO_COMPLY)
}

/**
 * The SIP failure for a Cx outcome, or undefined on success. `'no-answer'` stands for a timeout,
 * no HSS peer, or a lost connection (the client's rejection).
 */
export function sipFailureFor(
  procedure: CxProcedure,
  outcome: CxResult | 'no-answer',
  options: SipMappingOptions = {},
): SipFailure | undefined {
  if (outcome === 'no-answer') return { status: UNAVAILABLE, reason: 'HSS Unavailable' }
  if (outcome.success) return undefined
  if (outcome.kind === 'none') return { status: 500, reason: 'No Result From HSS' }
  const cx = outcome.kind === 'experimental' && outcome.vendorId !== 0
  if (transient(outcome)) return { status: UNAVAILABLE, reason: 'HSS Temporarily Unavailable' }
  switch (procedure) {
    case 'UAR':
      if (isCx(outcome, 'DIAMETER_ERROR_USER_UNKNOWN')) return { status: FORBIDDEN, reason: 'User Unknown' }
      if (isCx(outcome, 'DIAMETER_ERROR_IDENTITIES_DONT_MATCH'))
        return { status: FORBIDDEN, reason: 'Identities Do Not Match' }
      if (isCx(outcome, 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED'))
        return { status: FORBIDDEN, reason: 'Roaming Not Allowed' }
      return { status: FORBIDDEN, reason: cx ? 'Forbidden' : 'Authorization Rejected' }
    case 'LIR':
      if (isCx(outcome, 'DIAMETER_ERROR_USER_UNKNOWN')) return { status: 404, reason: 'Not Found' }
      if (isCx(outcome, 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED'))
        return { status: UNAVAILABLE, reason: 'Temporarily Unavailable' }
      return { status: 404, reason: 'Not Found' }
    case 'MAR':
      if (isCx(outcome, 'DIAMETER_ERROR_USER_UNKNOWN')) return { status: FORBIDDEN, reason: 'User Unknown' }
      if (isCx(outcome, 'DIAMETER_ERROR_IDENTITIES_DONT_MATCH'))
        return { status: FORBIDDEN, reason: 'Identities Do Not Match' }
      if (isCx(outcome, 'DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED'))
        return { status: FORBIDDEN, reason: 'Authentication Scheme Not Supported' }
      return { status: FORBIDDEN, reason: 'Forbidden' }
    case 'SAR':
      if (options.terminating === true) return { status: UNAVAILABLE, reason: 'Temporarily Unavailable' }
      return {
        status: FORBIDDEN,
        reason:
          outcome.code === CxResultCode.DIAMETER_ERROR_USER_UNKNOWN && cx ? 'User Unknown' : 'Forbidden',
      }
  }
}
