/**
 * Command Code Format (CCF) grammars, RFC 6733 §3.2 (commands) and §4.4 (grouped AVPs):
 *
 *   < AVP >    fixed position            { AVP }    required            [ AVP ]    optional
 *   min*max    occurrence counts (`*` alone: any number; `1*`: at least one; `0*1`: at most one)
 *   AVP        the wildcard: any AVP the grammar does not name (`*[ AVP ]`)
 *
 * Grammars are written in the dictionary as the specs print them, parsed once when the
 * dictionary is created, and checked on decode (the Result-Code to answer with) and on encode.
 */
import type { Avp } from './avp.ts'
import { exampleAvp, wrapAvp } from './avp.ts'
import type { AvpDef } from './dictionary.ts'
import { type DecodeErrorCode, DiameterCodecError, decodeErrorCodes as E, faultCodes } from './errors.ts'

export type RuleKind = 'fixed' | 'required' | 'optional'

export interface GrammarRule {
  readonly kind: RuleKind
  /** The AVP name, or 'AVP' for the wildcard. */
  readonly name: string
  readonly min: number
  /** Infinity when unbounded. */
  readonly max: number
  /** The AVP's definition; undefined for the wildcard. */
  readonly def: AvpDef | undefined
}

export interface Grammar {
  /** The grammar as written in the dictionary. */
  readonly text: string
  readonly rules: readonly GrammarRule[]
  /** The number of `< >` rules at the start. */
  readonly head: number
  /** Index of the first of the `< >` rules at the end (rules.length when none). */
  readonly tailStart: number
  /** Rule index by AVP definition. */
  readonly index: ReadonlyMap<AvpDef, number>
  /** Rule index by `AvpDef.id` (-1: not named), the decoder's and encoder's fast path. */
  readonly slot: Int16Array
  /** Index of the wildcard rule, -1 when the grammar has none. */
  readonly wildcard: number
}

/** A rule as parsed, before AVP names are resolved. */
export interface RawRule {
  readonly kind: RuleKind
  readonly name: string
  readonly min: number
  readonly max: number
}

/** The header line of a command's CCF: `< Diameter Header: 300, REQ, PXY, 16777216 >`. */
export interface CommandHeader {
  /** The name before `::=`, e.g. 'User-Authorization-Request' (without the angle brackets). */
  readonly name: string
  readonly code: number
  readonly request: boolean
  readonly proxiable: boolean
  readonly error: boolean
  readonly applicationId: number | undefined
}

function fault(message: string): DiameterCodecError {
  return new DiameterCodecError(faultCodes.BAD_DICTIONARY, message)
}

const COMMAND_HEAD = /^\s*<\s*([A-Za-z0-9-]+)\s*>\s*::=\s*<\s*Diameter\s+Header\s*:\s*([^>]*)>/
const AVP_HEAD = /^\s*<?\s*([A-Za-z0-9-]+)\s*>?\s*::=\s*<\s*AVP\s+[Hh]eader\s*:\s*(\d+)(?:\s+(\d+))?\s*>/
const RULE = /\s*(\d*)\s*(\*?)\s*(\d*)\s*([<{[])\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*([>}\]])/y
const CLOSE: Record<string, string> = { '<': '>', '{': '}', '[': ']' }
const KIND: Record<string, RuleKind> = { '<': 'fixed', '{': 'required', '[': 'optional' }

/** Parses a command's CCF: the header line, then the rules. */
export function parseCommandCcf(text: string): { readonly header: CommandHeader; readonly rules: RawRule[] } {
  const m = COMMAND_HEAD.exec(text)
  if (m === null)
    throw fault(`no "<Name> ::= < Diameter Header: code, ... >" line in ${JSON.stringify(text.slice(0, 60))}`)
  const parts = m[2]!.split(',').map((s) => s.trim())
  const code = Number(parts[0])
  if (!/^\d+$/.test(parts[0]!) || code > 0xffffff) throw fault(`bad command code in ${JSON.stringify(m[0])}`)
  let request = false
  let proxiable = false
  let error = false
  let applicationId: number | undefined
  for (const p of parts.slice(1)) {
    if (p === 'REQ') request = true
    else if (p === 'PXY') proxiable = true
    else if (p === 'ERR') error = true
    else if (/^\d+$/.test(p)) applicationId = Number(p)
    else throw fault(`unknown header flag ${JSON.stringify(p)} in ${JSON.stringify(m[0])}`)
  }
  return {
    header: { name: m[1]!, code, request, proxiable, error, applicationId },
    rules: parseRules(text, m[0].length),
  }
}

/** Parses the answer-message CCF of RFC 6733 §7.2, whose header line reads `code, ERR [, PXY]`. */
export function parseErrorAnswerCcf(text: string): RawRule[] {
  const m = COMMAND_HEAD.exec(text)
  if (m === null || !/\bERR\b/.test(m[2]!))
    throw fault('the error answer CCF has no "< Diameter Header: code, ERR ... >" line')
  return parseRules(text, m[0].length)
}

/**
 * Parses a grouped AVP's grammar: the rules, optionally after the
 * `<Name> ::= < AVP Header: code [vendor] >` line (checked against `code` and `vendorId`).
 */
export function parseGroupCcf(text: string, code: number, vendorId: number): RawRule[] {
  const m = AVP_HEAD.exec(text)
  if (m === null) return parseRules(text, 0)
  if (Number(m[2]) !== code || Number(m[3] ?? 0) !== vendorId) {
    throw fault(`AVP header ${JSON.stringify(m[0])} does not match code ${code}, vendor ${vendorId}`)
  }
  return parseRules(text, m[0].length)
}

function parseRules(text: string, from: number): RawRule[] {
  const rules: RawRule[] = []
  RULE.lastIndex = from
  let at = from
  for (;;) {
    const m = RULE.exec(text)
    if (m === null) break
    at = RULE.lastIndex
    const [, minText, star, maxText, open, name, close] = m as unknown as string[]
    if (CLOSE[open!] !== close) throw fault(`mismatched brackets around ${name}`)
    const kind = KIND[open!]!
    if (star === '' && (minText !== '' || maxText !== '')) throw fault(`a count without "*" before ${name}`)
    const q = star !== ''
    const min = minText !== '' ? Number(minText) : kind === 'optional' || (q && kind === 'fixed') ? 0 : 1
    const max = maxText !== '' ? Number(maxText) : q ? Number.POSITIVE_INFINITY : 1
    if (kind === 'required' && min < 1) throw fault(`{ ${name} } with a minimum below 1`)
    if (kind === 'optional' && min !== 0) throw fault(`[ ${name} ] with a minimum above 0`)
    if (max < min) throw fault(`${name}: maximum below minimum`)
    if (name === 'AVP' && kind === 'fixed') throw fault('< AVP > is not a valid rule')
    rules.push({ kind, name: name!, min, max })
  }
  if (text.slice(at).trim() !== '')
    throw fault(`cannot parse grammar at ${JSON.stringify(text.slice(at, at + 40))}`)
  return rules
}

/** Resolves the AVP names of parsed rules; throws BAD_DICTIONARY for an unknown name or a name listed twice. */
export function compileGrammar(
  text: string,
  raw: readonly RawRule[],
  resolve: (name: string) => AvpDef | undefined,
  defCount: number,
): Grammar {
  const rules: GrammarRule[] = []
  const index = new Map<AvpDef, number>()
  let wildcard = -1
  for (const r of raw) {
    if (r.name === 'AVP') {
      if (wildcard !== -1) throw fault('the AVP wildcard is listed twice')
      wildcard = rules.length
      rules.push({ ...r, def: undefined })
      continue
    }
    const def = resolve(r.name)
    if (def === undefined) throw fault(`unknown AVP ${JSON.stringify(r.name)} in grammar`)
    if (index.has(def)) throw fault(`${r.name} is listed twice in a grammar`)
    index.set(def, rules.length)
    rules.push({ ...r, def })
  }
  let head = 0
  while (head < rules.length && rules[head]!.kind === 'fixed') head++
  let tailStart = rules.length
  while (tailStart > head && rules[tailStart - 1]!.kind === 'fixed') tailStart--
  for (let i = head; i < tailStart; i++) {
    if (rules[i]!.kind === 'fixed') throw fault(`< ${rules[i]!.name} > must be at the start or the end`)
  }
  const slot = new Int16Array(defCount).fill(-1)
  for (const [def, i] of index) slot[def.id] = i
  return { text, rules, head, tailStart, index, slot, wildcard }
}

/** Occurrence counts, one array per nesting depth, reused from call to call. */
const countPool: number[][] = []

/** A grammar violation: the Result-Code to answer with and the AVP for Failed-AVP (RFC 6733 §7.5). */
export interface GrammarProblem {
  readonly code: DecodeErrorCode
  readonly resultCode: number
  readonly reason: string
  /** The offending AVP (wrapped in its enclosing grouped AVPs), or a zero-filled example of a missing one. */
  readonly avp: Avp | undefined
}

function missing(rule: GrammarRule, where: string): GrammarProblem {
  return {
    code: E.MISSING_AVP,
    resultCode: 5005,
    reason: `${where}: missing ${rule.name === 'AVP' ? 'AVP' : rule.name}`,
    avp: rule.def === undefined ? undefined : exampleAvp(rule.def),
  }
}

function notAllowed(avp: Avp, why: string): GrammarProblem {
  return { code: E.AVP_NOT_ALLOWED, resultCode: 5008, reason: why, avp }
}

/**
 * Checks AVPs against a grammar (and grouped AVPs against theirs): positions of `< >` AVPs,
 * minimum and maximum counts, AVPs not allowed. Returns the first problem, or undefined.
 */
export function checkGrammar(
  avps: readonly Avp[],
  g: Grammar,
  where: string,
  deep = true,
  depth = 0,
): GrammarProblem | undefined {
  const { rules, slot } = g
  const n = avps.length
  // fixed positions at the start ...
  let lo = 0
  for (let r = 0; r < g.head; r++) {
    const rule = rules[r]!
    let c = 0
    while (lo < n && c < rule.max && avps[lo]!.def === rule.def) {
      lo++
      c++
    }
    if (c < rule.min) return misplacedOrMissing(avps, rule, where)
  }
  // ... and at the end
  let hi = n
  for (let r = rules.length - 1; r >= g.tailStart; r--) {
    const rule = rules[r]!
    let c = 0
    while (hi > lo && c < rule.max && avps[hi - 1]!.def === rule.def) {
      hi--
      c++
    }
    if (c < rule.min) return misplacedOrMissing(avps, rule, where)
  }
  let counts = countPool[depth]
  if (counts === undefined) {
    counts = []
    countPool[depth] = counts
  }
  for (let r = 0; r < rules.length; r++) counts[r] = 0
  for (let i = 0; i < n; i++) {
    const a = avps[i]!
    let ri = a.def === undefined ? -1 : (slot[a.def.id] ?? -1)
    if (ri === -1) {
      ri = g.wildcard
      if (ri === -1) return notAllowed(a, `${where}: ${a.label} is not allowed`)
    }
    const rule = rules[ri]!
    if (rule.kind === 'fixed' && i >= lo && i < hi) {
      return notAllowed(a, `${where}: ${rule.name} is out of its fixed position`)
    }
    const c = ++counts[ri]!
    if (c > rule.max) {
      if (rule.max === 0) return notAllowed(a, `${where}: ${rule.name} is not allowed`)
      return {
        code: E.AVP_OCCURS_TOO_MANY_TIMES,
        resultCode: 5009,
        reason: `${where}: ${rule.name} occurs more than ${rule.max} time${rule.max === 1 ? '' : 's'}`,
        avp: a,
      }
    }
  }
  for (let r = g.head; r < g.tailStart; r++) {
    const rule = rules[r]!
    if (counts[r]! < rule.min) return missing(rule, where)
  }
  if (!deep) return undefined
  for (let i = 0; i < n; i++) {
    const a = avps[i]!
    const sub = a.def?.grammar
    if (sub === undefined || a._children === undefined || !a.valid) continue
    // Failed-AVP: its own count (1* {AVP}), not the grammars of the offending AVPs inside
    const p = checkGrammar(a._children, sub, a.def!.name, !a.def!.opaque, depth + 1)
    if (p !== undefined) return { ...p, avp: wrapAvp(a, p.avp) }
  }
  return undefined
}

function misplacedOrMissing(avps: readonly Avp[], rule: GrammarRule, where: string): GrammarProblem {
  const elsewhere = avps.find((a) => a.def === rule.def)
  if (elsewhere !== undefined)
    return notAllowed(elsewhere, `${where}: ${rule.name} is out of its fixed position`)
  return missing(rule, where)
}
