/**
 * Building messages: requests from typed AVP values (RFC 6733 §6.1), answers to requests (§6.2:
 * same Command Code, Application-Id, Hop-by-Hop and End-to-End Identifiers, Session-Id and
 * Proxy-Info copied), and error answers to requests that could not be decoded (§7.2).
 */
import { randomInt } from 'node:crypto'
import { type Avp, AvpFlags, AvpList, buildAvps } from './avp.ts'
import type { DecodeError } from './decode.ts'
import { type DefaultDictionary, defaultDictionary } from './default-dictionary.ts'
import type { AvpsInit, Dictionary, RequestName } from './dictionary.ts'
import { DiameterCodecError, faultCodes } from './errors.ts'
import { checkGrammar } from './grammar.ts'
import { CommandFlags, DiameterMessage } from './message.ts'
import { isProtocolError } from './result-codes.ts'

/** Hop-by-Hop and End-to-End Identifiers (RFC 6733 §3). */
export interface IdGenerator {
  /** Unique per connection: a random start, then +1 (mod 2^32). */
  hopByHop(): number
  /**
   * Unique for at least 4 minutes, across reboots: the high 12 bits from the low 12 bits of the
   * time at start, the low 20 bits random; then +1 (mod 2^32).
   */
  endToEnd(): number
}

export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  let hbh = randomInt(0, 0x100000000)
  let e2e = ((((Math.floor(now() / 1000) & 0xfff) << 20) | randomInt(0, 0x100000)) >>> 0) - 1
  return {
    hopByHop() {
      hbh = (hbh + 1) >>> 0
      return hbh
    },
    endToEnd() {
      e2e = (e2e + 1) >>> 0
      return e2e
    },
  }
}

/**
 * Session-Ids (RFC 6733 §8.8): `<DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional>]`,
 * the high part from the time at start, the low part counting up.
 */
export function createSessionIdGenerator(
  originHost: string,
  now: () => number = Date.now,
): (optional?: string) => string {
  const high = Math.floor(now() / 1000) >>> 0
  let low = randomInt(0, 0x100000000)
  return (optional) => {
    low = (low + 1) >>> 0
    return optional === undefined
      ? `${originHost};${high};${low}`
      : `${originHost};${high};${low};${optional}`
  }
}

let defaultIds: IdGenerator | undefined

export interface RequestInit<D extends Dictionary> {
  /** The AVPs by name; written in the order of the command grammar. */
  readonly avps: NoInfer<AvpsInit<D>>
  /** AVPs to add as they are (ones the dictionary does not know, copies), where `*[ AVP ]` stands. */
  readonly extra?: readonly Avp[]
  /** Default: `defaultDictionary`. */
  readonly dictionary?: D
  /** Default: the command's (PXY). */
  readonly proxiable?: boolean
  /** Default: the command's. */
  readonly applicationId?: number
  /** Default: from a generator shared by the process (the peer layer sets its own). */
  readonly hopByHop?: number
  readonly endToEnd?: number
}

/** Builds a request of a dictionary command: `createRequest('MAR', { avps: { ... } })`. */
export function createRequest<D extends Dictionary = DefaultDictionary>(
  command: RequestName<D>,
  init: RequestInit<D>,
): DiameterMessage<D> {
  const dict = (init.dictionary ?? defaultDictionary) as unknown as D
  const cmd = dict.commandByName(command)
  if (cmd === undefined || !cmd.request) {
    throw new DiameterCodecError(
      faultCodes.INVALID_ARGUMENT,
      `${JSON.stringify(command)} is not a request of the dictionary`,
    )
  }
  const avps = buildAvps(dict, cmd.grammar, init.avps as Record<string, unknown>, init.extra)
  defaultIds ??= createIdGenerator()
  return new DiameterMessage(
    dict,
    {
      flags: CommandFlags.REQUEST | ((init.proxiable ?? cmd.proxiable) ? CommandFlags.PROXIABLE : 0),
      commandCode: cmd.code,
      applicationId: init.applicationId ?? cmd.applicationId,
      hopByHop: init.hopByHop ?? defaultIds.hopByHop(),
      endToEnd: init.endToEnd ?? defaultIds.endToEnd(),
    },
    avps,
  )
}

export interface AnswerInit<D extends Dictionary> {
  /** Origin-Host of the answering node. */
  readonly originHost: string
  /** Origin-Realm of the answering node. */
  readonly originRealm: string
  /** Result-Code (RFC 6733 §7.1); a 3xxx code sets the E bit and uses the §7.2 grammar. */
  readonly resultCode?: number
  /** Experimental-Result (RFC 6733 §7.6), e.g. `{ vendorId: 10415, code: 2001 }` for a Cx first registration. */
  readonly experimentalResult?: { readonly vendorId: number; readonly code: number }
  /** Error-Message (RFC 6733 §7.3). */
  readonly errorMessage?: string
  /** The AVPs for Failed-AVP (RFC 6733 §7.5). */
  readonly failedAvp?: Avp | readonly Avp[]
  /** More AVPs by name; they win over the ones set from the options above. */
  readonly avps?: NoInfer<AvpsInit<D>>
  readonly extra?: readonly Avp[]
  /** The E bit; default: set for a 3xxx Result-Code. */
  readonly error?: boolean
}

/**
 * Builds the answer to a request (RFC 6733 §6.2): the same Command Code, Application-Id,
 * Hop-by-Hop and End-to-End Identifiers and P bit; Session-Id and every Proxy-Info copied in order;
 * Origin-Host, Origin-Realm and the result set. Application AVPs (for Cx: the
 * Vendor-Specific-Application-Id and Auth-Session-State) are the caller's.
 */
export function createAnswer<D extends Dictionary>(
  request: DiameterMessage<D>,
  init: AnswerInit<D>,
): DiameterMessage<D> {
  if (!request.isRequest)
    throw new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `${request.name} is not a request`)
  const dict = request.dictionary
  const error = init.error ?? (init.resultCode !== undefined && isProtocolError(init.resultCode))
  const cmd = dict.command(request.commandCode, false)
  // one pass over the request: Session-Id, and every Proxy-Info in order
  let sessionId: Avp | undefined
  let proxyInfo: Avp[] | undefined
  const sessionDef = dict.avp('Session-Id')
  const proxyDef = dict.avp('Proxy-Info')
  for (const a of request.avps.items) {
    if (a.def === sessionDef) sessionId ??= a
    else if (a.def === proxyDef) {
      proxyInfo ??= []
      proxyInfo.push(a)
    }
  }
  const failed =
    init.failedAvp === undefined
      ? undefined
      : Array.isArray(init.failedAvp)
        ? init.failedAvp
        : [init.failedAvp]
  // the AVPs set from the options, unless `init.avps` gives them
  const defaults = {
    'Session-Id': sessionId,
    'Origin-Host': init.originHost,
    'Origin-Realm': init.originRealm,
    'Result-Code': init.resultCode,
    'Experimental-Result':
      init.experimentalResult === undefined
        ? undefined
        : {
            'Vendor-Id': init.experimentalResult.vendorId,
            'Experimental-Result-Code': init.experimentalResult.code,
          },
    'Error-Message': init.errorMessage,
    'Failed-AVP':
      failed === undefined || failed.length === 0 ? undefined : new AvpList(dict, failed as Avp[]),
    'Proxy-Info': proxyInfo,
  }
  const avps = buildAvps(
    dict,
    error ? dict.errorAnswer : cmd?.grammar,
    init.avps as Record<string, unknown> | undefined,
    init.extra,
    defaults,
  )
  return new DiameterMessage(
    dict,
    {
      flags: (request.flags & CommandFlags.PROXIABLE) | (error ? CommandFlags.ERROR : 0),
      commandCode: request.commandCode,
      applicationId: request.applicationId,
      hopByHop: request.hopByHop,
      endToEnd: request.endToEnd,
    },
    avps,
  )
}

/** An AVP that decodes without any problem, all the way down (what may be copied into an answer). */
function sound(a: Avp): boolean {
  if (!a.valid || (a.flags & AvpFlags.RESERVED) !== 0 || (a.def === undefined && a.mandatory)) return false
  const children = a._children
  if (children === undefined) return true
  const g = a.def?.grammar
  if (g !== undefined && checkGrammar(children, g, a.def!.name) !== undefined) return false
  return a.def?.opaque === true || children.every(sound)
}

export interface ErrorAnswerInit {
  readonly originHost: string
  readonly originRealm: string
  /** Error-Message: the decoder's reason by default; false leaves it out. */
  readonly errorMessage?: string | false
}

/**
 * The answer to a request that `decodeMessage` rejected: the error's Result-Code, Failed-AVP and
 * (when it could be read) Session-Id and Proxy-Info, in the RFC 6733 §7.2 format (E bit set, which
 * §7.1.5 allows for permanent failures too). Undefined when there is nothing to answer: the input
 * was an answer, or not even its header could be read (then close the connection).
 */
export function answerFor<D extends Dictionary>(
  error: DecodeError<D>,
  init: ErrorAnswerInit,
): DiameterMessage<D> | undefined {
  const h = error.header
  if (h === undefined || (h.flags & CommandFlags.REQUEST) === 0) return undefined
  const dict = error.dictionary
  const request = error.message?.avps as unknown as AvpList<Dictionary> | undefined
  // copy only what is sound: the request may hold more problems than the one reported
  const proxyInfo = request?.findAll('Proxy-Info').filter(sound) ?? []
  const sessionId = request?.find('Session-Id')
  const values: Record<string, unknown> = {
    'Session-Id': sessionId !== undefined && sound(sessionId) ? sessionId : error.sessionId,
    'Origin-Host': init.originHost,
    'Origin-Realm': init.originRealm,
    'Result-Code': error.resultCode,
    'Error-Message': init.errorMessage === false ? undefined : (init.errorMessage ?? error.reason),
    'Failed-AVP': error.failedAvp === undefined ? undefined : new AvpList(dict, [error.failedAvp]),
    'Proxy-Info': proxyInfo.length === 0 ? undefined : proxyInfo,
  }
  return new DiameterMessage(
    dict,
    {
      flags: CommandFlags.ERROR | (h.flags & CommandFlags.PROXIABLE),
      commandCode: h.commandCode,
      applicationId: h.applicationId,
      hopByHop: h.hopByHop,
      endToEnd: h.endToEnd,
    },
    buildAvps(dict, dict.errorAnswer, values, undefined),
  )
}
