/**
 * AVPs (RFC 6733 §4) and lists of them. A decoded AVP is a view on the received octets: its value
 * is read on first access and kept. A built AVP holds its checked value and is written straight
 * into the outgoing message. Grouped AVPs (§4.4) hold their AVPs, decoded or built.
 */
import { Buffer } from 'node:buffer'
import {
  decodeValue,
  minimumLength,
  normalizeInput,
  valueLength,
  valueOfNormalized,
  writeValue,
} from './data-types.ts'
import type { DefaultDictionary } from './default-dictionary.ts'
import type { AvpDef, AvpName, AvpValue, Dictionary } from './dictionary.ts'
import { DiameterCodecError, faultCodes } from './errors.ts'
import type { Grammar } from './grammar.ts'

/** AVP flags (RFC 6733 §4.1). */
export const AvpFlags = {
  /** V: the Vendor-ID field is present. */
  VENDOR: 0x80,
  /** M: the receiver must support the AVP (or reject the message). */
  MANDATORY: 0x40,
  /** P: reserved for end-to-end security; sent clear. */
  PROTECTED: 0x20,
  /** The five reserved bits. */
  RESERVED: 0x1f,
} as const

/** _state bits */
const HAS_VALUE = 1
const INVALID = 2
const BUILT = 4

const EMPTY = Buffer.alloc(0)

/** One AVP, decoded or built. */
export class Avp {
  readonly code: number
  readonly flags: number
  readonly vendorId: number
  /** The dictionary's definition; undefined for an AVP the dictionary does not know. */
  readonly def: AvpDef | undefined
  /** @internal decoded: the message octets; built: undefined */
  _buf: Buffer | undefined
  /** @internal decoded: data offset in _buf; built: 0 */
  _start: number
  /** @internal decoded: data end in _buf; built: the data length */
  _end: number
  /** @internal grouped: the AVPs inside */
  _children: Avp[] | undefined
  /** @internal decoded: the value once read; built: the normalized value */
  _value: unknown
  /** @internal HAS_VALUE | INVALID | BUILT */
  _state: number
  /** @internal grouped: the dictionary, for the AvpList of `value` */
  _dict: Dictionary | undefined

  /** @internal use `rawAvp()` or the builders */
  constructor(
    code: number,
    flags: number,
    vendorId: number,
    def: AvpDef | undefined,
    buf: Buffer | undefined,
    start: number,
    end: number,
    children: Avp[] | undefined,
    state: number,
    value: unknown,
    dict: Dictionary | undefined,
  ) {
    this.code = code
    this.flags = flags
    this.vendorId = vendorId
    this.def = def
    this._buf = buf
    this._start = start
    this._end = end
    this._children = children
    this._state = state
    this._value = value
    this._dict = dict
  }

  /** The dictionary name, or undefined for an unknown AVP. */
  get name(): string | undefined {
    return this.def?.name
  }

  /** The name, or `AVP <code>` / `AVP <code> (vendor <id>)` for an unknown one. */
  get label(): string {
    if (this.def !== undefined) return this.def.name
    return this.vendorId === 0 ? `AVP ${this.code}` : `AVP ${this.code} (vendor ${this.vendorId})`
  }

  get mandatory(): boolean {
    return (this.flags & AvpFlags.MANDATORY) !== 0
  }

  /** False for a decoded AVP whose value does not check against its data type (kept only when its M bit is clear). */
  get valid(): boolean {
    return (this._state & INVALID) === 0
  }

  /** The AVP Length field: header and data, without padding. */
  get length(): number {
    return ((this.flags & AvpFlags.VENDOR) !== 0 ? 12 : 8) + (this._end - this._start)
  }

  /** The payload octets (a view on the received message for a decoded AVP). */
  get data(): Uint8Array {
    if (this._buf !== undefined) return this._buf.subarray(this._start, this._end)
    const len = this._end
    if (len === 0) return EMPTY
    const out = Buffer.allocUnsafe(len)
    writeData(this, out, 0)
    return out
  }

  /**
   * The typed value: a string, number, bigint, Date or octets per the data type, an `AvpList` for
   * a grouped AVP; undefined for an AVP the dictionary does not know or whose value is invalid.
   */
  get value(): unknown {
    const s = this._state
    if ((s & INVALID) !== 0 || this.def === undefined) return undefined
    if ((s & BUILT) !== 0) {
      if (this._children !== undefined) {
        if (this._value === undefined && this._dict !== undefined)
          this._value = new AvpList(this._dict, this._children)
        return this._value
      }
      const v = valueOfNormalized(this.def.type, this._value, this._end)
      // an OctetString given as a string: its octets, made once
      if (typeof this._value === 'string' && typeof v !== 'string') this._value = v
      return v
    }
    if ((s & HAS_VALUE) !== 0) return this._value
    if (this._children !== undefined && this._dict === undefined) return undefined
    const v =
      this._children !== undefined
        ? new AvpList(this._dict!, this._children)
        : decodeValue(this.def.type, this._buf!, this._start, this._end)
    this._value = v
    this._state = s | HAS_VALUE
    return v
  }

  /** A grouped AVP's AVPs (undefined for other AVPs). */
  get group(): AvpList<DefaultDictionary> | undefined {
    return this._children === undefined ? undefined : (this.value as AvpList<DefaultDictionary>)
  }
}

/**
 * An AVP given as code, Vendor-Id and octets, for `extra`: an AVP the dictionary does not know
 * (RFC 6733 §4.1). The V bit follows the Vendor-Id; the M bit is clear unless `mandatory`.
 */
export function rawAvp(init: {
  readonly code: number
  readonly vendorId?: number
  readonly mandatory?: boolean
  readonly data: Uint8Array
}): Avp {
  const vendorId = init.vendorId ?? 0
  if (!Number.isInteger(init.code) || init.code < 0 || init.code > 0xffffffff) {
    throw new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `bad AVP code ${init.code}`)
  }
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffffff) {
    throw new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `bad Vendor-Id ${vendorId}`)
  }
  const data = Buffer.from(init.data)
  const flags = (vendorId !== 0 ? AvpFlags.VENDOR : 0) | (init.mandatory === true ? AvpFlags.MANDATORY : 0)
  return new Avp(
    init.code,
    flags,
    vendorId,
    undefined,
    data,
    0,
    data.length,
    undefined,
    0,
    undefined,
    undefined,
  )
}

/** The AVP, with its data padded: what it takes in a message. */
export function paddedLength(a: Avp): number {
  return (a.length + 3) & ~3
}

/** Writes the AVP (header, data, zero padding) at `buf[at]`; returns the offset after it. */
export function writeAvp(a: Avp, buf: Buffer, at: number): number {
  const len = a.length
  buf[at] = a.code >>> 24
  buf[at + 1] = a.code >>> 16
  buf[at + 2] = a.code >>> 8
  buf[at + 3] = a.code
  buf[at + 4] = a.flags
  buf[at + 5] = len >>> 16
  buf[at + 6] = len >>> 8
  buf[at + 7] = len
  let p = at + 8
  if ((a.flags & AvpFlags.VENDOR) !== 0) {
    const v = a.vendorId
    buf[p] = v >>> 24
    buf[p + 1] = v >>> 16
    buf[p + 2] = v >>> 8
    buf[p + 3] = v
    p += 4
  }
  writeData(a, buf, p)
  const end = at + len
  const padded = (end + 3) & ~3
  for (let i = end; i < padded; i++) buf[i] = 0
  return at + ((len + 3) & ~3)
}

function writeData(a: Avp, buf: Buffer, at: number): void {
  if (a._buf !== undefined) {
    copyOctets(a._buf, a._start, a._end, buf, at)
  } else if (a._children !== undefined) {
    let p = at
    for (const c of a._children) p = writeAvp(c, buf, p)
  } else {
    writeValue(a.def!.type, a._value, a._end, buf, at)
  }
}

/** Copies `from[start, end)` to `to[at]`: short runs (most AVP payloads) in JS, long ones natively. */
function copyOctets(from: Buffer, start: number, end: number, to: Buffer, at: number): void {
  if (end - start > 64) {
    from.copy(to, at, start, end)
    return
  }
  for (let i = start; i < end; i++) to[at++] = from[i]!
}

/** A grouped AVP like `parent` holding only `child` (or nothing): Failed-AVP content for a problem inside a group (RFC 6733 §7.5). */
export function wrapAvp(parent: Avp, child: Avp | undefined): Avp {
  return groupOf(
    parent.code,
    parent.flags & ~AvpFlags.RESERVED,
    parent.vendorId,
    parent.def,
    child,
    parent._dict,
  )
}

/** @internal */
export function groupOf(
  code: number,
  flags: number,
  vendorId: number,
  def: AvpDef | undefined,
  child: Avp | undefined,
  dict: Dictionary | undefined,
): Avp {
  const children = child === undefined ? [] : [child]
  const len = child === undefined ? 0 : paddedLength(child)
  return new Avp(code, flags, vendorId, def, undefined, 0, len, children, BUILT, undefined, dict)
}

/**
 * An AVP with the header of the offending one and a zero-filled payload of the minimum length for
 * its type: the Failed-AVP content when the offending AVP cannot be copied (RFC 6733 §7.1.5, 5014).
 */
export function zeroFilledAvp(code: number, flags: number, vendorId: number, def: AvpDef | undefined): Avp {
  const len = def === undefined || def.type === 'Grouped' ? 0 : minimumLength(def.type)
  const data = Buffer.alloc(len)
  const f = flags & ~AvpFlags.RESERVED
  return new Avp(
    code,
    f,
    vendorId,
    def,
    data,
    0,
    len,
    def?.type === 'Grouped' ? [] : undefined,
    0,
    undefined,
    undefined,
  )
}

/** A zero-filled example of a missing AVP, for Failed-AVP (RFC 6733 §7.5, 5005). */
export function exampleAvp(def: AvpDef): Avp {
  return zeroFilledAvp(def.code, def.flags, def.vendorId, def)
}

/** @internal creates a decoded AVP */
export function decodedAvp(
  code: number,
  flags: number,
  vendorId: number,
  def: AvpDef | undefined,
  buf: Buffer,
  start: number,
  end: number,
  children: Avp[] | undefined,
  invalid: boolean,
  dict: Dictionary,
): Avp {
  return new Avp(
    code,
    flags,
    vendorId,
    def,
    buf,
    start,
    end,
    children,
    invalid ? INVALID : 0,
    undefined,
    dict,
  )
}

function badName(name: string): DiameterCodecError {
  return new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `unknown AVP ${JSON.stringify(name)}`)
}

/** Builds one AVP of `def` from a builder value. */
export function buildAvp(dict: Dictionary, def: AvpDef, input: unknown): Avp {
  if (input instanceof Avp) {
    if (
      input.def !== def &&
      !(input.def === undefined && input.code === def.code && input.vendorId === def.vendorId)
    ) {
      const why = input.def?.name === def.name ? 'an AVP of another dictionary' : input.label
      throw new DiameterCodecError(faultCodes.INVALID_ARGUMENT, `${why} given for ${def.name}`)
    }
    return input
  }
  if (def.type === 'Grouped') {
    let children: Avp[]
    if (input instanceof AvpList) children = input.items.slice()
    else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      children = buildAvps(dict, def.grammar, input as Record<string, unknown>, undefined)
    } else {
      throw new DiameterCodecError(
        faultCodes.INVALID_ARGUMENT,
        `${def.name} (Grouped): not an object of AVPs`,
      )
    }
    let len = 0
    for (const c of children) len += paddedLength(c)
    return new Avp(
      def.code,
      def.flags,
      def.vendorId,
      def,
      undefined,
      0,
      len,
      children,
      BUILT,
      undefined,
      dict,
    )
  }
  const v = normalizeInput(def.name, def.type, input)
  return new Avp(
    def.code,
    def.flags,
    def.vendorId,
    def,
    undefined,
    0,
    valueLength(def.type, v),
    undefined,
    BUILT,
    v,
    dict,
  )
}

/**
 * The arrays `buildAvps` collects into, one pair per nesting depth (a grouped AVP's content is
 * built one level down), kept from call to call. What a build keeps is copied out at its final
 * length by `slice`, not grown from an array literal: V8 allocates a literal's arrays straight in
 * the old generation once enough of them survive a scavenge ("pretenuring"), and old arrays that
 * point at young AVPs slow every later scavenge down (builds took twice as long in the codec
 * benchmark when that happened).
 */
const collected: (Avp | undefined)[][] = []
const positions: number[][] = []
let depth = 0

/**
 * Builds AVPs from an object of builder values, in the order of `grammar` (the AVPs it does not
 * name, then `extra`, where its `*[ AVP ]` stands, or at the end). `defaults` are values the
 * caller sets itself: each is left out when `init` gives that AVP.
 */
export function buildAvps(
  dict: Dictionary,
  grammar: Grammar | undefined,
  init: Readonly<Record<string, unknown>> | undefined,
  extra: readonly Avp[] | undefined,
  defaults?: Readonly<Record<string, unknown>>,
): Avp[] {
  const level = depth++
  if (collected.length === level) {
    collected.push([])
    positions.push([])
  }
  const out = collected[level]!
  /** The grammar position of each AVP of `out`. */
  const order = positions[level]!
  let n = 0
  try {
    const wild = grammar === undefined ? 0 : grammar.wildcard === -1 ? grammar.rules.length : grammar.wildcard
    // defaults: the AVPs a builder sets itself, unless `init` gives them
    if (defaults !== undefined) {
      for (const name in defaults) {
        const input = defaults[name]
        if (input !== undefined && init?.[name] === undefined)
          n = add(dict, grammar, wild, out, order, n, name, input)
      }
    }
    if (init !== undefined) {
      for (const name in init) {
        const input = init[name]
        if (input !== undefined) n = add(dict, grammar, wild, out, order, n, name, input)
      }
    }
    if (extra !== undefined) {
      for (const a of extra) {
        out[n] = a
        order[n++] = wild
      }
    }
    if (grammar !== undefined) sortByPosition(out, order, n)
    const avps = out.slice(0, n) as Avp[]
    for (let i = 0; i < n; i++) out[i] = undefined
    return avps
  } catch (e) {
    out.length = 0
    throw e
  } finally {
    depth = level
  }
}

/** Builds the AVPs of one name (one, or one per element of an array) into `out[n]`; returns the new count. */
function add(
  dict: Dictionary,
  grammar: Grammar | undefined,
  wild: number,
  out: (Avp | undefined)[],
  order: number[],
  n: number,
  name: string,
  input: unknown,
): number {
  const def = dict.avp(name)
  if (def === undefined) throw badName(name)
  const s = grammar === undefined ? -1 : grammar.slot[def.id]!
  const key = s >= 0 ? s : wild
  if (Array.isArray(input)) {
    for (const v of input) {
      out[n] = buildAvp(dict, def, v)
      order[n++] = key
    }
  } else {
    out[n] = buildAvp(dict, def, input)
    order[n++] = key
  }
  return n
}

/** A stable insertion sort of `out[0, n)` by `order`: the input is mostly in order already. */
function sortByPosition(out: (Avp | undefined)[], order: number[], n: number): void {
  for (let i = 1; i < n; i++) {
    const key = order[i]!
    if (order[i - 1]! <= key) continue
    const a = out[i]!
    let j = i
    while (j > 0 && order[j - 1]! > key) {
      out[j] = out[j - 1]!
      order[j] = order[j - 1]!
      j--
    }
    out[j] = a
    order[j] = key
  }
}

/**
 * A list of AVPs: a message's, or a grouped AVP's. Typed access by name: `get` the first value,
 * `getAll` every value, `find`/`findAll` the AVPs themselves.
 */
export class AvpList<D extends Dictionary = DefaultDictionary> implements Iterable<Avp> {
  readonly dictionary: D
  readonly items: readonly Avp[]

  constructor(dictionary: D, items: readonly Avp[]) {
    this.dictionary = dictionary
    this.items = items
  }

  get length(): number {
    return this.items.length
  }

  [Symbol.iterator](): Iterator<Avp> {
    return this.items[Symbol.iterator]()
  }

  /** The value of the first valid AVP of that name, or undefined. */
  get<N extends AvpName<D>>(name: N): AvpValue<D, N> | undefined {
    const def = this.dictionary.avp(name)
    if (def === undefined) return undefined
    for (const a of this.items)
      if (a.def === def && (a._state & INVALID) === 0) return a.value as AvpValue<D, N>
    return undefined
  }

  /** The values of every valid AVP of that name, in order. */
  getAll<N extends AvpName<D>>(name: N): AvpValue<D, N>[] {
    const out: AvpValue<D, N>[] = []
    const def = this.dictionary.avp(name)
    if (def === undefined) return out
    for (const a of this.items)
      if (a.def === def && (a._state & INVALID) === 0) out.push(a.value as AvpValue<D, N>)
    return out
  }

  /** Whether an AVP of that name is present (valid or not). */
  has(name: AvpName<D>): boolean {
    return this.find(name) !== undefined
  }

  /** The first AVP of that name. */
  find(name: AvpName<D>): Avp | undefined {
    const def = this.dictionary.avp(name)
    if (def === undefined) return undefined
    for (const a of this.items) if (a.def === def) return a
    return undefined
  }

  /** Every AVP of that name. */
  findAll(name: AvpName<D>): Avp[] {
    const def = this.dictionary.avp(name)
    return def === undefined ? [] : this.items.filter((a) => a.def === def)
  }

  /** The first AVP with that code and Vendor-Id, known to the dictionary or not. */
  byCode(code: number, vendorId = 0): Avp | undefined {
    for (const a of this.items) if (a.code === code && a.vendorId === vendorId) return a
    return undefined
  }
}
