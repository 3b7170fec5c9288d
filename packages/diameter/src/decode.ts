/**
 * The decoder (RFC 6733 §3, §4). One pass checks the header, walks every AVP (grouped ones
 * included, down to `maxDepth`) and checks each payload against its data type; values are read
 * later, on access. Then the command, the header bits and the grammar are checked.
 *
 * Never throws and never loops on hostile octets: each AVP advances by its padded length, at least
 * 8 octets, and every length is checked against what encloses it first. Each problem gives a
 * result with the Result-Code an answer to a request carries and, where RFC 6733 §7.5 asks, the
 * AVP for Failed-AVP. Problems found after the AVPs could be walked keep the message in
 * `error.message`, so that a client can still read an answer and `answerFor` can copy the
 * Session-Id and Proxy-Info of a request.
 */
import { Buffer } from 'node:buffer'
import { type Avp, AvpFlags, decodedAvp, groupOf, wrapAvp, zeroFilledAvp } from './avp.ts'
import { checkValue, readU32, VALUE_BAD_LENGTH } from './data-types.ts'
import { type DefaultDictionary, defaultDictionary } from './default-dictionary.ts'
import type { AvpDef, Dictionary } from './dictionary.ts'
import { type DecodeErrorCode, decodeErrorCodes as E } from './errors.ts'
import { checkGrammar, type Grammar } from './grammar.ts'
import { type Limits, resolveLimits } from './limits.ts'
import { CommandFlags, type DiameterHeader, DiameterMessage } from './message.ts'

export interface DecodeError<D extends Dictionary = DefaultDictionary> {
  readonly code: DecodeErrorCode
  /** The Result-Code an answer to the request carries (RFC 6733 §7.1). */
  readonly resultCode: number
  readonly reason: string
  /** Offset in the input where the problem was found. */
  readonly offset: number
  /** The header, when the 20 octets could be read. */
  readonly header: DiameterHeader | undefined
  /** The AVP to put in Failed-AVP (RFC 6733 §7.5), wrapped in its enclosing grouped AVPs. */
  readonly failedAvp: Avp | undefined
  /** The whole message, when its AVPs could be walked (value, command and grammar problems). */
  readonly message: DiameterMessage<D> | undefined
  /** Session-Id, when one was read before the problem. */
  readonly sessionId: string | undefined
  readonly dictionary: D
}

export type DecodeResult<D extends Dictionary = DefaultDictionary> =
  | { readonly ok: true; readonly message: DiameterMessage<D> }
  | { readonly ok: false; readonly error: DecodeError<D> }

export interface DecodeOptions<D extends Dictionary = DefaultDictionary> extends Partial<Limits> {
  /** The dictionary (default: `defaultDictionary`, the base protocol and Cx/Dx). */
  readonly dictionary?: D
}

const R = CommandFlags.REQUEST
const P = CommandFlags.PROXIABLE
const ERR = CommandFlags.ERROR
const T = CommandFlags.RETRANSMITTED
const V = AvpFlags.VENDOR
const M = AvpFlags.MANDATORY

interface Problem {
  code: DecodeErrorCode
  resultCode: number
  reason: string
  offset: number
  avp: Avp | undefined
}

interface Ctx {
  readonly buf: Buffer
  readonly dict: Dictionary
  readonly lim: Limits
  readonly sessionIdDef: AvpDef | undefined
  count: number
  /** A structural failure: decoding stops. */
  failure: Problem | undefined
  /** The first value-level problem: decoding goes on, the message is kept. */
  problem: Problem | undefined
  sessionId: string | undefined
  /** An AVP was kept with an invalid value (no M bit): the requests' required AVPs are checked. */
  invalid: boolean
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Reads the 20-octet header at `b[0]` (the caller checked the length). */
export function readHeader(b: Uint8Array): DiameterHeader {
  return {
    version: b[0]!,
    length: (b[1]! << 16) | (b[2]! << 8) | b[3]!,
    flags: b[4]!,
    commandCode: (b[5]! << 16) | (b[6]! << 8) | b[7]!,
    applicationId: readU32(b, 8),
    hopByHop: readU32(b, 12),
    endToEnd: readU32(b, 16),
  }
}

/** Decodes one message: exactly the octets of `bytes`. Never throws. */
export function decodeMessage<D extends Dictionary = DefaultDictionary>(
  bytes: Uint8Array,
  options?: DecodeOptions<D>,
): DecodeResult<D> {
  const dict = (options?.dictionary ?? defaultDictionary) as unknown as D
  const lim = resolveLimits(options)
  const fail = (
    code: DecodeErrorCode,
    resultCode: number,
    offset: number,
    reason: string,
    header?: DiameterHeader,
    extra?: { avp?: Avp | undefined; message?: DiameterMessage<D>; sessionId?: string | undefined },
  ): DecodeResult<D> => ({
    ok: false,
    error: {
      code,
      resultCode,
      reason,
      offset,
      header,
      failedAvp: extra?.avp,
      message: extra?.message,
      sessionId: extra?.sessionId ?? extra?.message?.sessionId,
      dictionary: dict,
    },
  })

  if (bytes.length < 20) return fail(E.TRUNCATED, 5015, 0, `${bytes.length} octets: shorter than the header`)
  const header = readHeader(bytes)
  const { length } = header
  if (header.version !== 1) return fail(E.UNSUPPORTED_VERSION, 5011, 0, `version ${header.version}`, header)
  if (length > lim.maxMessageSize) {
    return fail(E.MESSAGE_TOO_LARGE, 5012, 1, `Message Length ${length} over ${lim.maxMessageSize}`, header)
  }
  if (length < 20 || length % 4 !== 0)
    return fail(E.BAD_MESSAGE_LENGTH, 5015, 1, `Message Length ${length}`, header)
  if (length > bytes.length) {
    return fail(E.TRUNCATED, 5015, bytes.length, `Message Length ${length}, ${bytes.length} octets`, header)
  }
  if (length < bytes.length) {
    return fail(
      E.BAD_MESSAGE_LENGTH,
      5015,
      length,
      `Message Length ${length}, ${bytes.length} octets`,
      header,
    )
  }

  const buf = asBuffer(bytes)
  const ctx: Ctx = {
    buf,
    dict,
    lim,
    sessionIdDef: dict.avp('Session-Id'),
    count: 0,
    failure: undefined,
    problem: undefined,
    sessionId: undefined,
    invalid: false,
  }
  const avps = walk(ctx, 20, length, 1)
  if (avps === undefined) {
    const f = ctx.failure!
    return fail(f.code, f.resultCode, f.offset, f.reason, header, { avp: f.avp, sessionId: ctx.sessionId })
  }
  const message = new DiameterMessage(dict, header, avps, buf)
  const { flags } = header
  const request = (flags & R) !== 0
  const semantic = (code: DecodeErrorCode, resultCode: number, offset: number, reason: string, avp?: Avp) =>
    fail(code, resultCode, offset, reason, header, { message, avp })

  if ((flags & CommandFlags.RESERVED) !== 0) {
    return semantic(
      E.RESERVED_HEADER_BITS,
      5013,
      4,
      `reserved command flag bits 0x${(flags & 0x0f).toString(16)}`,
    )
  }
  if (request && (flags & ERR) !== 0) return semantic(E.INVALID_HEADER_BITS, 3008, 4, 'E bit in a request')
  if (!request && (flags & T) !== 0) return semantic(E.INVALID_HEADER_BITS, 3008, 4, 'T bit in an answer')
  const cmd = dict.command(header.commandCode, request)
  if (cmd === undefined) {
    return semantic(E.COMMAND_UNSUPPORTED, 3001, 5, `unknown command code ${header.commandCode}`)
  }
  // an answer with the E bit may report a request's wrong Application-Id: it carries it back
  if (cmd.applicationId !== header.applicationId && (flags & ERR) === 0) {
    return semantic(
      E.APPLICATION_UNSUPPORTED,
      3007,
      8,
      `${cmd.name} with Application-Id ${header.applicationId}, not ${cmd.applicationId}`,
    )
  }
  if (request && ((flags & P) !== 0) !== cmd.proxiable) {
    return semantic(E.INVALID_HEADER_BITS, 3008, 4, `P bit ${cmd.proxiable ? 'clear' : 'set'} in ${cmd.name}`)
  }
  const pr = ctx.problem
  if (pr !== undefined) return semantic(pr.code, pr.resultCode, pr.offset, pr.reason, pr.avp)
  const g = (flags & ERR) !== 0 ? dict.errorAnswer : cmd.grammar
  const gp = checkGrammar(avps, g, (flags & ERR) !== 0 ? `${cmd.name} (E bit)` : cmd.name)
  if (gp !== undefined) return semantic(gp.code, gp.resultCode, 20, gp.reason, gp.avp)
  if (request && ctx.invalid) {
    const bad = invalidRequired(avps, g, cmd.name)
    if (bad !== undefined) return semantic(bad.code, bad.resultCode, 20, bad.reason, bad.avp)
  }
  return { ok: true, message }
}

/**
 * A required AVP of a request (`< >` or `{ }` in its grammar, or in the grammar of a grouped AVP
 * holding it) whose value cannot be read: bad UTF-8, a wrong length for its type, a malformed
 * address. With the M bit the walk reports it already; without it, RFC 6733 §4.1 lets the receiver
 * ignore the AVP, and then the request lacks a required one: it is answered 5004
 * DIAMETER_INVALID_AVP_VALUE (5014 for a wrong length, §7.1.5) with the AVP in Failed-AVP rather
 * than handed on with the field missing. An Enumerated value the dictionary does not list stays
 * accepted without the M bit (a later version of the application may have added it).
 */
function invalidRequired(avps: readonly Avp[], g: Grammar, where: string): Problem | undefined {
  for (const a of avps) {
    const def = a.def
    if (def === undefined) continue
    const ri = g.slot[def.id] ?? -1
    const rule = ri === -1 ? undefined : g.rules[ri]
    if (!a.valid) {
      if (rule === undefined || rule.kind === 'optional' || a._buf === undefined) continue
      const r = checkValue(def.type, a._buf, a._start, a._end, def.values)
      if (def.type === 'Enumerated' && r !== VALUE_BAD_LENGTH) continue
      return r === VALUE_BAD_LENGTH
        ? {
            code: E.BAD_AVP_LENGTH,
            resultCode: 5014,
            reason: `${where}: ${def.name}: ${a._end - a._start} octets for a ${def.type}`,
            offset: a._start,
            avp: a,
          }
        : {
            code: E.INVALID_AVP_VALUE,
            resultCode: 5004,
            reason: `${where}: ${def.name}: not a valid ${def.type}`,
            offset: a._start,
            avp: a,
          }
    }
    const sub = def.grammar
    if (sub === undefined || def.opaque || a._children === undefined) continue
    const inner = invalidRequired(a._children, sub, def.name)
    if (inner !== undefined) return { ...inner, avp: wrapAvp(a, inner.avp) }
  }
  return undefined
}

/**
 * Each list of AVPs starts as a `slice` of this, not as `[]`: V8 may allocate an array literal's
 * arrays in the old generation, which slows every scavenge down (see `buildAvps` in avp.ts).
 */
const NO_AVPS: readonly Avp[] = []

/**
 * Walks the AVPs of `buf[start, end)`. Returns undefined on a structural failure (`ctx.failure`):
 * a length that does not fit, a limit. Records the first value-level problem in `ctx.problem` and
 * goes on.
 */
function walk(ctx: Ctx, start: number, end: number, depth: number, opaque = false): Avp[] | undefined {
  const { buf, dict } = ctx
  const out = NO_AVPS.slice()
  let p = start
  while (p < end) {
    if (end - p < 8) {
      // only inside a group: at the top level both ends are multiples of 4 apart from a whole AVP
      ctx.failure = {
        code: depth === 1 ? E.BAD_MESSAGE_LENGTH : E.BAD_AVP_LENGTH,
        resultCode: depth === 1 ? 5015 : 5014,
        reason: `${end - p} octets left: too few for an AVP header`,
        offset: p,
        avp: undefined,
      }
      return undefined
    }
    const code = readU32(buf, p)
    const flags = buf[p + 4]!
    const len = (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!
    const hdr = (flags & V) !== 0 ? 12 : 8
    if (len < hdr || len > end - p) {
      const vendorId = (flags & V) !== 0 && end - p >= 12 ? readU32(buf, p + 8) : 0
      const def = dict.lookup(code, vendorId)
      ctx.failure = {
        code: E.BAD_AVP_LENGTH,
        resultCode: 5014,
        reason: `${def?.name ?? `AVP ${code}`}: AVP Length ${len} ${len < hdr ? 'shorter than its header' : `past the end (${end - p} octets left)`}`,
        offset: p + 5,
        avp: zeroFilledAvp(code, flags, vendorId, def),
      }
      return undefined
    }
    if (++ctx.count > ctx.lim.maxAvpCount) {
      ctx.failure = {
        code: E.TOO_MANY_AVPS,
        resultCode: 5012,
        reason: `more than ${ctx.lim.maxAvpCount} AVPs`,
        offset: p,
        avp: undefined,
      }
      return undefined
    }
    const vendorId = hdr === 12 ? readU32(buf, p + 8) : 0
    const def = dict.lookup(code, vendorId)
    const dataStart = p + hdr
    const dataEnd = p + len
    let children: Avp[] | undefined
    let invalid = false
    let problem: Problem | undefined
    if ((flags & AvpFlags.RESERVED) !== 0 && !opaque) {
      problem = {
        code: E.INVALID_AVP_BITS,
        resultCode: 3009,
        reason: `${def?.name ?? `AVP ${code}`}: reserved flag bits 0x${(flags & 0x1f).toString(16)}`,
        offset: p + 4,
        avp: undefined,
      }
    }
    if (def === undefined) {
      if ((flags & M) !== 0 && problem === undefined && !opaque) {
        problem = {
          code: E.AVP_UNSUPPORTED,
          resultCode: 5001,
          reason: `AVP ${code}${vendorId === 0 ? '' : ` of vendor ${vendorId}`} is not supported and has the M bit`,
          offset: p,
          avp: undefined,
        }
      }
    } else if (def.type === 'Grouped') {
      if (dataEnd === dataStart) children = []
      else {
        if (depth >= ctx.lim.maxDepth) {
          ctx.failure = {
            code: E.TOO_DEEP,
            resultCode: 5012,
            reason: `grouped AVPs nested deeper than ${ctx.lim.maxDepth}`,
            offset: dataStart,
            avp: undefined,
          }
          return undefined
        }
        const before = ctx.problem
        const inner = opaque || def.opaque
        children = walk(ctx, dataStart, dataEnd, depth + 1, inner)
        if (children === undefined) {
          const f = ctx.failure!
          const structural = f.code === E.BAD_AVP_LENGTH || f.code === E.BAD_MESSAGE_LENGTH
          if (structural && inner) {
            // the offending AVPs of a Failed-AVP may be broken themselves: keep its octets, unread
            ctx.failure = undefined
            children = []
            invalid = true
            ctx.invalid = true
          } else {
            if (structural) {
              f.code = E.BAD_AVP_LENGTH
              f.resultCode = 5014
              f.avp = groupOf(code, flags & ~AvpFlags.RESERVED, vendorId, def, f.avp, dict)
            }
            return undefined
          }
        }
        if (before === undefined && ctx.problem !== undefined) {
          // a problem inside: wrap its AVP in this one once it exists (below)
          problem ??= ctx.problem
          ctx.problem = undefined
        }
      }
    } else {
      const r = checkValue(def.type, buf, dataStart, dataEnd, def.values)
      if (r !== 0) {
        invalid = true
        ctx.invalid = true
        if ((flags & M) !== 0 && problem === undefined && !opaque) {
          problem =
            r === VALUE_BAD_LENGTH
              ? {
                  code: E.BAD_AVP_LENGTH,
                  resultCode: 5014,
                  reason: `${def.name}: ${dataEnd - dataStart} octets for a ${def.type}`,
                  offset: p + 5,
                  avp: undefined,
                }
              : {
                  code: E.INVALID_AVP_VALUE,
                  resultCode: 5004,
                  reason: `${def.name}: not a valid ${def.type}`,
                  offset: dataStart,
                  avp: undefined,
                }
        }
      }
    }
    const avp = decodedAvp(code, flags, vendorId, def, buf, dataStart, dataEnd, children, invalid, dict)
    out.push(avp)
    if (problem !== undefined && ctx.problem === undefined) {
      // the AVP itself, or (for a problem inside a group) this group holding the inner AVP
      problem.avp = problem.avp === undefined ? avp : wrapAvp(avp, problem.avp)
      ctx.problem = problem
    }
    if (
      depth === 1 &&
      def !== undefined &&
      def === ctx.sessionIdDef &&
      !invalid &&
      ctx.sessionId === undefined
    ) {
      ctx.sessionId = avp.value as string
    }
    // the padding of the last AVP of a group may be missing: stop at the group's end
    p = Math.min(p + ((len + 3) & ~3), end)
  }
  return out
}
