/**
 * The dictionary: AVP definitions (code, vendor, data type, M-bit rule, enumeration values, group
 * grammar) and commands (RFC 6733 §3.2 CCF), written as the specs print them.
 *
 * An application is a module (`defineDictionary`), plain data; `createDictionary(...modules)`
 * resolves names across modules, parses the grammars once and builds the lookup tables. The
 * modules' literal types flow into the result, so names and values are checked at compile time:
 * `message.get('Origin-Host')` is a `string | undefined`, `get('Orgin-Host')` does not compile.
 */
import type { Avp, AvpList } from './avp.ts'
import type { DataType, DataTypeInputs, DataTypeValues } from './data-types.ts'
import { DiameterCodecError, faultCodes } from './errors.ts'
import {
  type CommandHeader,
  compileGrammar,
  type Grammar,
  parseCommandCcf,
  parseErrorAnswerCcf,
  parseGroupCcf,
  type RawRule,
} from './grammar.ts'

/** How the M bit is set on AVPs we send ("AVP Flag rules" of RFC 6733 §4.5, TS 29.229 table 6.3.1). */
export type FlagRule = 'must' | 'may' | 'mustnot'

export interface AvpSpec {
  readonly code: number
  readonly type: DataType
  /** Vendor-Id (the V bit is set when not 0); defaults to the module's `vendorId`. */
  readonly vendorId?: number
  /** The M-bit rule; defaults to 'must'. 'may' and 'mustnot' send the bit clear. */
  readonly m?: FlagRule
  /** Enumerated: the values by name. A received value outside them is invalid (RFC 6733 §4.1: rejected when the M bit is set). */
  readonly values?: Readonly<Record<string, number>>
  /** Grouped: the grammar of the content (RFC 6733 §4.4), e.g. '{ Vendor-Id } [ Auth-Application-Id ]'. */
  readonly grammar?: string
}

export type AvpSpecs = Readonly<Record<string, AvpSpec>>
/** Commands by short name (CER, UAR, ...): the CCF as the spec prints it, header line included. */
export type CommandSpecs = Readonly<Record<string, string>>

/** An application's part of a dictionary: plain data, combined by `createDictionary`. */
export interface DictionaryModule<A extends AvpSpecs = AvpSpecs, C extends CommandSpecs = CommandSpecs> {
  readonly name: string
  /** Application-Id of the module's commands (0: the base protocol's common messages). */
  readonly applicationId: number
  /** Default Vendor-Id of the module's AVPs. */
  readonly vendorId: number
  readonly avps: A
  readonly commands: C
  /** The CCF of answers with the E bit (RFC 6733 §7.2); the base module has it. */
  readonly errorAnswer: string | undefined
}

export interface DictionaryModuleSpec<A extends AvpSpecs, C extends CommandSpecs> {
  readonly name: string
  readonly applicationId?: number
  readonly vendorId?: number
  readonly avps: A
  readonly commands?: C
  readonly errorAnswer?: string
}

/** Declares a dictionary module; keeps the literal types of names, data types and commands. */
export function defineDictionary<
  const A extends AvpSpecs,
  const C extends CommandSpecs = Record<never, never>,
>(spec: DictionaryModuleSpec<A, C>): DictionaryModule<A, C> {
  return {
    name: spec.name,
    applicationId: spec.applicationId ?? 0,
    vendorId: spec.vendorId ?? 0,
    avps: spec.avps,
    commands: spec.commands ?? ({} as C),
    errorAnswer: spec.errorAnswer,
  }
}

/** A resolved AVP definition. */
export interface AvpDef {
  /** Its index in the dictionary. */
  readonly id: number
  readonly name: string
  readonly code: number
  readonly vendorId: number
  readonly type: DataType
  readonly m: FlagRule
  /** The flags a builder sets: V when the Vendor-Id is not 0, M when the rule is 'must'. */
  readonly flags: number
  /** Enumerated: names by value. */
  readonly values: ReadonlyMap<number, string> | undefined
  /** Grouped: the content's grammar. */
  readonly grammar: Grammar | undefined
  /**
   * Failed-AVP (RFC 6733 §7.5): its content is the offending AVPs of another message, so only its
   * structure is read; unknown AVPs, invalid values and grammars inside are not problems.
   */
  readonly opaque: boolean
  /** The module that defines it. */
  readonly module: string
}

/** A resolved command (one direction: a request or an answer). */
export interface CommandDef {
  /** The short name (CER, UAA, ...). */
  readonly name: string
  /** The name the CCF gives (Capabilities-Exchange-Request, ...). */
  readonly longName: string
  readonly code: number
  readonly applicationId: number
  readonly request: boolean
  /** PXY in the CCF: the P bit of requests. */
  readonly proxiable: boolean
  readonly grammar: Grammar
  readonly module: string
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

type MergeAvps<M extends readonly DictionaryModule[]> = M extends readonly [
  infer H extends DictionaryModule,
  ...infer T extends readonly DictionaryModule[],
]
  ? H['avps'] & MergeAvps<T>
  : Record<never, never>

type MergeCommands<M extends readonly DictionaryModule[]> = M extends readonly [
  infer H extends DictionaryModule,
  ...infer T extends readonly DictionaryModule[],
]
  ? H['commands'] & MergeCommands<T>
  : Record<never, never>

function fault(message: string): DiameterCodecError {
  return new DiameterCodecError(faultCodes.BAD_DICTIONARY, message)
}

const V_BIT = 0x80
const M_BIT = 0x40

/**
 * A resolved dictionary. `avps` and `commands` are the merged module specs (their types drive the
 * typed accessors); the methods are the lookups the codec uses.
 */
export class Dictionary<A extends AvpSpecs = AvpSpecs, C extends CommandSpecs = CommandSpecs> {
  readonly modules: readonly DictionaryModule[]
  readonly avps: A
  readonly commands: C
  /** The grammar of answers with the E bit (RFC 6733 §7.2). */
  readonly errorAnswer: Grammar
  readonly #byName = new Map<string, AvpDef>()
  /** The same, as an object: faster for the keys of a builder's object. */
  readonly #byKey: Record<string, AvpDef | undefined> = Object.create(null)
  readonly #ietf = new Map<number, AvpDef>()
  readonly #vendors = new Map<number, Map<number, AvpDef>>()
  readonly #requests = new Map<number, CommandDef>()
  readonly #answers = new Map<number, CommandDef>()
  readonly #commandsByName = new Map<string, CommandDef>()

  constructor(modules: readonly DictionaryModule[]) {
    this.modules = modules
    const avps: Record<string, AvpSpec> = {}
    const commands: Record<string, string> = {}
    const pendingGroups: [Mutable<AvpDef>, RawRule[], string][] = []
    let errorAnswer: string | undefined
    for (const mod of modules) {
      for (const [name, spec] of Object.entries(mod.avps)) {
        if (this.#byName.has(name)) throw fault(`AVP ${name} is defined twice`)
        const vendorId = spec.vendorId ?? mod.vendorId
        const code = spec.code
        if (!Number.isInteger(code) || code < 0 || code > 0xffffffff) throw fault(`${name}: bad code`)
        if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffffff)
          throw fault(`${name}: bad vendor`)
        if (this.lookup(code, vendorId) !== undefined) {
          throw fault(
            `${name}: code ${code} of vendor ${vendorId} is already ${this.lookup(code, vendorId)!.name}`,
          )
        }
        const m = spec.m ?? 'must'
        if (spec.type === 'Enumerated' && spec.values === undefined)
          throw fault(`${name}: an Enumerated without values`)
        if ((spec.type === 'Grouped') !== (spec.grammar !== undefined)) {
          throw fault(`${name}: a grammar is given for Grouped AVPs, and only for them`)
        }
        const def: Mutable<AvpDef> = {
          id: this.#byName.size,
          name,
          code,
          vendorId,
          type: spec.type,
          m,
          flags: (vendorId !== 0 ? V_BIT : 0) | (m === 'must' ? M_BIT : 0),
          values:
            spec.values === undefined
              ? undefined
              : new Map(Object.entries(spec.values).map(([k, v]) => [v, k] as [number, string])),
          grammar: undefined,
          opaque: name === 'Failed-AVP' && code === 279 && vendorId === 0,
          module: mod.name,
        }
        this.#byName.set(name, def)
        this.#byKey[name] = def
        if (vendorId === 0) this.#ietf.set(code, def)
        else {
          let table = this.#vendors.get(vendorId)
          if (table === undefined) {
            table = new Map()
            this.#vendors.set(vendorId, table)
          }
          table.set(code, def)
        }
        if (spec.grammar !== undefined)
          pendingGroups.push([def, parseGroupCcf(spec.grammar, code, vendorId), spec.grammar])
        avps[name] = spec
      }
      if (mod.errorAnswer !== undefined) errorAnswer ??= mod.errorAnswer
    }
    const resolve = (name: string) => this.#byName.get(name)
    const defCount = this.#byName.size
    for (const [def, raw, text] of pendingGroups) def.grammar = compileGrammar(text, raw, resolve, defCount)
    for (const mod of modules) {
      for (const [name, text] of Object.entries(mod.commands)) {
        if (this.#commandsByName.has(name)) throw fault(`command ${name} is defined twice`)
        const { header, rules } = parseCommandCcf(text)
        const applicationId = header.applicationId ?? mod.applicationId
        if (header.applicationId !== undefined && header.applicationId !== mod.applicationId) {
          throw fault(
            `${name}: Application-Id ${header.applicationId} is not the module's ${mod.applicationId}`,
          )
        }
        const cmd: CommandDef = {
          name,
          longName: header.name,
          code: header.code,
          applicationId,
          request: header.request,
          proxiable: header.proxiable,
          grammar: compileGrammar(text, rules, resolve, defCount),
          module: mod.name,
        }
        checkHeader(name, header)
        const table = header.request ? this.#requests : this.#answers
        if (table.has(header.code))
          throw fault(`${name}: code ${header.code} is already ${table.get(header.code)!.name}`)
        table.set(header.code, cmd)
        this.#commandsByName.set(name, cmd)
        commands[name] = text
      }
    }
    if (errorAnswer === undefined) throw fault('no module gives the error answer grammar (RFC 6733 §7.2)')
    this.errorAnswer = compileGrammar(errorAnswer, parseErrorAnswerCcf(errorAnswer), resolve, defCount)
    this.avps = avps as A
    this.commands = commands as C
  }

  /** The definition of an AVP by name. */
  avp(name: string): AvpDef | undefined {
    return this.#byKey[name]
  }

  /** The definition of an AVP by code and Vendor-Id (0 when the V bit is clear). */
  lookup(code: number, vendorId: number): AvpDef | undefined {
    return vendorId === 0 ? this.#ietf.get(code) : this.#vendors.get(vendorId)?.get(code)
  }

  /** A request's or an answer's definition by Command Code. */
  command(code: number, request: boolean): CommandDef | undefined {
    return (request ? this.#requests : this.#answers).get(code)
  }

  /** A command's definition by short name (CER, UAA, ...). */
  commandByName(name: string): CommandDef | undefined {
    return this.#commandsByName.get(name)
  }

  /** Every AVP definition. */
  avpDefs(): IterableIterator<AvpDef> {
    return this.#byName.values()
  }

  /** Every command definition. */
  commandDefs(): IterableIterator<CommandDef> {
    return this.#commandsByName.values()
  }
}

function checkHeader(name: string, h: CommandHeader): void {
  if (h.error) throw fault(`${name}: ERR belongs to the error answer grammar only`)
}

/** Combines modules into a dictionary (the base module first, then applications). */
export function createDictionary<const M extends readonly DictionaryModule[]>(
  ...modules: M
): Dictionary<MergeAvps<M>, MergeCommands<M>> {
  return new Dictionary(modules)
}

// --- types derived from a dictionary

/** AVP names of a dictionary. */
export type AvpName<D extends Dictionary> = keyof D['avps'] & string

/** Command short names of a dictionary. */
export type CommandName<D extends Dictionary> = keyof D['commands'] & string

/** The short names of a dictionary's requests (their CCF says REQ). */
export type RequestName<D extends Dictionary> = {
  [K in CommandName<D>]: D['commands'][K] extends `${string}REQ${string}` ? K : never
}[CommandName<D>]

/** The data type of an AVP, by name. */
export type AvpType<D extends Dictionary, N> = N extends keyof D['avps']
  ? D['avps'][N] extends { readonly type: infer T }
    ? T
    : never
  : never

type ValueOfType<D extends Dictionary, T> = T extends 'Grouped'
  ? AvpList<D>
  : T extends keyof DataTypeValues
    ? DataTypeValues[T]
    : never

type InputOfType<D extends Dictionary, T> = T extends 'Grouped'
  ? AvpsInit<D> | AvpList<D>
  : T extends keyof DataTypeInputs
    ? DataTypeInputs[T]
    : never

/** The decoded value of an AVP, by name: `string` for Origin-Host, `AvpList` for a grouped AVP, ... */
export type AvpValue<D extends Dictionary, N> = ValueOfType<D, AvpType<D, N>>

/** What a builder takes for an AVP, by name (grouped: an object of AVPs or an AvpList). */
export type AvpInput<D extends Dictionary, N> = InputOfType<D, AvpType<D, N>>

/**
 * AVPs to build, by name: a value, or an array of values for an AVP that occurs more than once.
 * An `Avp` (e.g. one from a received message) is copied as it is; undefined is left out.
 */
export type AvpsInit<D extends Dictionary> = {
  readonly [N in AvpName<D>]?: AvpInput<D, N> | Avp | readonly (AvpInput<D, N> | Avp)[] | undefined
}
