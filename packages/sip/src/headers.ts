/**
 * The header fields of a message. Parsing records only where each field is (five offsets per
 * field, no object per field); a header is looked up by comparing names in place, parsed when read
 * (once), and edited by recording fields Junction writes, so that serialization copies every
 * untouched field's octets verbatim (RFC 3261 §16.6: a proxy changes only what it must).
 */
import { wireToText } from './chars.ts'
import type { HeaderDef, ListHeader, SingleHeader } from './header.ts'
import { firstElementEnd, splitList } from './list.ts'
import { canonicalName, compactOf, headerKey } from './names.ts'
import { FOLDED, slotOf } from './slots.ts'
import { restAfterFirst, Written, written, writtenRaw } from './written.ts'

export { Written } from './written.ts'

const INVALID: unique symbol = Symbol('invalid')

// Where the value of the field located last is: text[valueStart, valueEnd) (see #locate).
let text = ''
let valueStart = 0
let valueEnd_ = 0

/**
 * Numbers per parsed field in `pos`: start, name end, end (after its CRLF), and a name signature:
 * length * 256 + the first char in lower case (see {@link nameSignature}). Where the value starts
 * and ends is worked out when it is read.
 */
export const STRIDE = 4

/** Entries per field in a Headers' parse cache. */
const CACHE_STRIDE = 4

/** The signature of a header name, to skip most fields with one comparison when looking up. */
export function nameSignature(length: number, firstChar: number): number {
  return length * 256 + (firstChar >= 65 && firstChar <= 90 ? firstChar + 32 : firstChar)
}

/** A field: the index of a parsed field, or a field Junction wrote. */
export type FieldRef = number | Written

/** What is looked up: a header key, its compact letter and its slot (see slots.ts). */
interface Name {
  readonly key: string
  readonly compact: string | undefined
  readonly slot: number
}

function nameOf(header: Name | string): Name {
  if (typeof header !== 'string') return header
  const key = headerKey(header)
  return { key, compact: compactOf(key), slot: slotOf(key) }
}

export interface HeaderState {
  readonly src: string
  readonly pos: readonly number[]
  /** The parsed fields' slots (see slots.ts); undefined for built headers and partial parses. */
  readonly slots: readonly number[] | undefined
  /** The fields in order; undefined while they are the parsed ones, unedited. */
  readonly list: readonly FieldRef[] | undefined
}

let stateOf: (headers: Headers) => HeaderState
let parsedOf: (headers: Headers) => number[]
let copyOf: (
  headers: Headers,
  name: Name,
  edit: ((wire: string) => string) | undefined,
  out: Written[],
) => void

/** @internal For the serializer and the builders. */
export function headerState(headers: Headers): HeaderState {
  return stateOf(headers)
}

/** @internal For tests of laziness: the indexes of the parsed fields whose value was parsed (and cached). */
export function parsedFields(headers: Headers): number[] {
  return parsedOf(headers)
}

export class Headers {
  /** Wire text the parsed fields' offsets point into. */
  readonly #src: string
  readonly #pos: number[]
  /**
   * Per slot (see slots.ts): 0 when the header is absent, field index + 1 when it occurs once,
   * -(index + 1) of its first field when more than once. Valid while the fields are unedited.
   */
  readonly #slots: number[] | undefined
  #list: FieldRef[] | undefined
  /**
   * Parse caches of the parsed fields (shared by clones: same index, same text), CACHE_STRIDE
   * entries per field index: the value, the parser that produced it (two definitions may read one
   * header: `From` and `FromTag`), the first value alone (`first()`) and its parser.
   */
  #cache: unknown[] | undefined
  /** False when no parsed field is folded over several lines. */
  readonly #folded: boolean
  /**
   * One bit per slot (see slots.ts) that a written field in `#list` may hold (set when one is
   * added, never cleared): with the parsed slots, a lookup of a header that is absent from both
   * needs no search through an edited list.
   */
  #writtenSlots = 0

  static {
    stateOf = (h) => ({ src: h.#src, pos: h.#pos, slots: h.#slots, list: h.#list })
    parsedOf = (h) => {
      const cache = h.#cache
      const out: number[] = []
      if (cache === undefined) return out
      for (let k = 0; k * CACHE_STRIDE < cache.length; k++) {
        const at = k * CACHE_STRIDE
        if (cache[at + 1] !== undefined || cache[at + 3] !== undefined) out.push(k)
      }
      return out
    }
    copyOf = (h, name, edit, out) => {
      // every field copied gets the canonical name of a known header, else its name as written
      let canonical: string | undefined
      for (let k = h.#next(name, 0); k !== -1; k = h.#next(name, k + 1)) {
        canonical ??= canonicalName(name.key)
        const ref = h.#ref(k)
        const wire = h.#wire(ref)
        const spelled = canonical !== name.key ? canonical : canonicalName(h.#name(ref))
        out.push(new Written(name.key, spelled, edit === undefined ? wire : edit(wire), name.slot))
      }
    }
  }

  /** @internal Use parseMessage(), createRequest() or createResponse() to get headers. */
  constructor(src: string, pos: number[], slots?: number[], list?: FieldRef[], cache?: unknown[]) {
    this.#src = src
    this.#pos = pos
    this.#slots = slots
    this.#list = list
    this.#cache = cache
    this.#folded = slots === undefined || slots[FOLDED] !== 0
    if (list !== undefined) for (const ref of list) if (typeof ref !== 'number') this.#noteWritten(ref)
  }

  /** True when at least one field of that header is present. */
  has(header: Name | string): boolean {
    return this.#next(nameOf(header), 0) !== -1
  }

  /** Number of fields (lines) of that header. */
  count(header: Name | string): number {
    const name = nameOf(header)
    let count = 0
    for (let k = this.#next(name, 0); k !== -1; k = this.#next(name, k + 1)) count++
    return count
  }

  /**
   * The typed value(s) of a header. `single`: the value, or undefined when absent or invalid
   * (several fields count as invalid). `list`/`lines`: every value in order ([] when absent), or
   * undefined when any is invalid. Parsed on first read, then cached.
   */
  get<T>(header: SingleHeader<T>): T | undefined
  get<T>(header: ListHeader<T>): readonly T[] | undefined
  get<T>(header: HeaderDef<T>): T | readonly T[] | undefined {
    if (header.kind === 'single') {
      const slots = this.#slots
      if (slots !== undefined && header.slot >= 0 && this.#list === undefined) {
        // unedited, a slotted header: where it is, and whether it is there once, is known
        const once = slots[header.slot]!
        if (once <= 0) return undefined
        const k = once - 1
        const cache = this.#cache
        if (cache !== undefined && cache[k * CACHE_STRIDE + 1] === header.parse) {
          const v = cache[k * CACHE_STRIDE]
          return v === INVALID ? undefined : (v as T)
        }
        this.#locate(k)
        const v = this.#cacheValue(k, header, header.parse(text, valueStart, valueEnd_) ?? INVALID)
        return v === INVALID ? undefined : (v as T)
      }
      const k = this.#next(header, 0)
      if (k === -1 || this.#next(header, k + 1) !== -1) return undefined
      const found = this.#ref(k)
      let v = this.#cached(found, header)
      if (v === undefined) {
        this.#locate(found)
        v = this.#cacheValue(found, header, header.parse(text, valueStart, valueEnd_) ?? INVALID)
      }
      return v === INVALID ? undefined : (v as T)
    }
    let out: readonly T[] | undefined
    let copied = false
    for (let k = this.#next(header, 0); k !== -1; k = this.#next(header, k + 1)) {
      const ref = this.#ref(k)
      const values = this.#values(ref, header)
      if (values === undefined) return undefined
      if (out === undefined) out = values
      else {
        if (!copied) {
          out = out.slice()
          copied = true
        }
        ;(out as T[]).push(...values)
      }
    }
    if (out === undefined) return []
    return header.together === undefined || header.together(out) ? out : undefined
  }

  /** The first value of a list header, parsing only that value; undefined when absent or invalid. */
  first<T>(header: ListHeader<T>): T | undefined {
    for (let k = this.#next(header, 0); k !== -1; k = this.#next(header, k + 1)) {
      const ref = this.#ref(k)
      const all = this.#cached(ref, header)
      if (Array.isArray(all)) {
        if (all.length === 0) continue
        return all[0] as T
      }
      // (a field found invalid as a whole may still start with a valid value)
      let v = this.#cachedHead(ref, header)
      if (v === undefined) {
        this.#locate(ref)
        // an empty field holds no value where the header allows that (`Supported:`)
        if (valueStart === valueEnd_ && header.allowEmpty) continue
        const end = header.kind === 'lines' ? valueEnd_ : firstElementEnd(text, valueStart, valueEnd_)
        v = this.#cacheHead(
          ref,
          header,
          end === -1 ? INVALID : (header.parse(text, valueStart, end) ?? INVALID),
        )
      }
      return v === INVALID ? undefined : (v as T)
    }
    return undefined
  }

  /** The text of each field of a header, in order (folding replaced by SP). */
  raw(header: Name | string): string[] {
    const name = nameOf(header)
    const out: string[] = []
    for (let k = this.#next(name, 0); k !== -1; k = this.#next(name, k + 1))
      out.push(wireToText(this.#wire(this.#ref(k))))
    return out
  }

  /** Every field as `[name as written, text]`, in message order. */
  entries(): Array<[name: string, value: string]> {
    const out: Array<[string, string]> = []
    const n = this.size
    for (let k = 0; k < n; k++) {
      const ref = this.#ref(k)
      out.push([this.#name(ref), wireToText(this.#wire(ref))])
    }
    return out
  }

  /** Number of header fields. */
  get size(): number {
    return this.#list === undefined ? this.#pos.length / STRIDE : this.#list.length
  }

  /** Replaces every field of the header by one holding `value` (several, for a list header). */
  set<T>(header: SingleHeader<T>, value: T): void
  set<T>(header: ListHeader<T>, value: T | readonly T[]): void
  set<T>(header: HeaderDef<T>, value: T | readonly T[]): void {
    if (header.kind === 'lines' && Array.isArray(value)) {
      this.remove(header)
      for (const v of value as readonly T[]) this.append(header, v)
      return
    }
    if (header.kind === 'list' && Array.isArray(value)) {
      this.#replaceAll(
        header,
        written(header, (value as readonly T[]).map((v) => header.format(v)).join(', ')),
      )
    } else this.#replaceAll(header, Written.of(header, value as T))
  }

  /** Sets a header from text, replacing every field of that name. */
  setRaw(name: string, text: string): void {
    this.#replaceAll(nameOf(name), writtenRaw(name, text))
  }

  /** Adds a value after the last field of that header (or at the end of the header fields). */
  append<T>(header: HeaderDef<T>, value: T): void {
    this.#insertAfterLast(header, Written.of(header, value))
  }

  /** Adds a field from text after the last field of that name (or at the end). */
  appendRaw(name: string, text: string): void {
    this.#insertAfterLast(nameOf(name), writtenRaw(name, text))
  }

  /**
   * Adds a value before every other value of that header (a new top Via or Record-Route); a header
   * that is absent goes on top of the header fields.
   */
  prepend<T>(header: ListHeader<T>, value: T): void {
    const k = this.#indexOf(header) // before #edit(): while unedited, slots answer at once
    const list = this.#edit()
    list.splice(k === -1 ? 0 : k, 0, this.#noteWritten(Written.of(header, value)))
  }

  /**
   * Removes the first value of a list header and returns it (pops the top Route, §16.4). The other
   * values of that field keep their text. Undefined, and nothing removed, when the header is absent
   * or its first value is invalid.
   */
  shift<T>(header: ListHeader<T>): T | undefined {
    const k = this.#indexOf(header)
    if (k === -1) return undefined
    const value = this.first(header)
    if (value === undefined) return undefined
    const list = this.#edit()
    const ref = list[k]!
    const rest = header.kind === 'lines' ? undefined : this.#restAfterFirst(ref)
    if (rest === undefined) list.splice(k, 1)
    else list[k] = this.#noteWritten(new Written(header.key, this.#name(ref), rest, header.slot))
    return value
  }

  /** Replaces the first value of a list header (e.g. adds received/rport to the top Via, §18.2.1). */
  replaceFirst<T>(header: ListHeader<T>, value: T): void {
    const k = this.#indexOf(header)
    if (k === -1) {
      this.prepend(header, value)
      return
    }
    const list = this.#edit()
    const ref = list[k]!
    const rest = header.kind === 'lines' ? undefined : this.#restAfterFirst(ref)
    list[k] = this.#noteWritten(Written.of(header, value, this.#name(ref), rest))
  }

  /** Removes every field of that header; returns how many were removed. */
  remove(header: Name | string): number {
    const name = nameOf(header)
    const before = this.size
    if (this.count(name) === 0) return 0
    const list = this.#edit()
    this.#list = list.filter((ref) => !this.#matches(ref, name))
    return before - this.#list.length
  }

  /** An independent copy: edits to either do not show in the other. Parsed values are shared. */
  clone(): Headers {
    const cache = this.#cacheArray()
    const copy = new Headers(this.#src, this.#pos, this.#slots, undefined, cache)
    copy.#list = this.#list?.slice()
    copy.#writtenSlots = this.#writtenSlots
    return copy
  }

  // --- internals

  #ref(k: number): FieldRef {
    return this.#list === undefined ? k : this.#list[k]!
  }

  /** Compares a field's name with `name` in place: case-insensitive, compact form included. */
  #matches(ref: FieldRef, name: Name): boolean {
    const slot = name.slot
    if (typeof ref !== 'number') return slot >= 0 ? ref.slot === slot : ref.key === name.key
    const slots = this.#slots
    if (slots !== undefined && slot >= 0) {
      // a slotted header's parsed fields: none, one known field, or fields from a known one on
      const v = slots[slot]!
      if (v >= 0) return ref === v - 1
      if (ref < -v - 1) return false
    }
    const key = name.key
    const sig = this.#pos[ref * STRIDE + 3]!
    if (sig === key.length * 256 + key.charCodeAt(0)) return this.#sameName(this.#pos[ref * STRIDE]!, key)
    return name.compact !== undefined && sig === 256 + name.compact.charCodeAt(0)
  }

  /** Position of the next field at or after `k` whose name is `name`, or -1. */
  #next(name: Name, k: number): number {
    const list = this.#list
    const slots = this.#slots
    if (list !== undefined) {
      // edited: a slotted header neither parsed nor written is absent
      const slot = name.slot
      if (slot >= 0 && (slots === undefined || slots[slot] === 0) && (this.#writtenSlots & (1 << slot)) === 0)
        return -1
      for (; k < list.length; k++) if (this.#matches(list[k]!, name)) return k
      return -1
    }
    // unedited: a slotted header's fields are known from parsing
    if (slots !== undefined && name.slot >= 0) {
      const v = slots[name.slot]!
      if (v === 0) return -1
      if (k === 0) return (v > 0 ? v : -v) - 1
      if (v > 0) return -1
    }
    // compare signatures, then the rest of the name where they agree
    const key = name.key
    const full = key.length * 256 + key.charCodeAt(0)
    const compact = name.compact === undefined ? -1 : 256 + name.compact.charCodeAt(0)
    const pos = this.#pos
    for (let i = k * STRIDE; i < pos.length; i += STRIDE) {
      const sig = pos[i + 3]!
      if (sig === compact || (sig === full && this.#sameName(pos[i]!, key))) return i / STRIDE
    }
    return -1
  }

  /** True when the name at `start` continues like `key` after its first char (already compared). */
  #sameName(start: number, key: string): boolean {
    const src = this.#src
    for (let i = 1; i < key.length; i++) {
      let c = src.charCodeAt(start + i)
      if (c >= 65 && c <= 90) c += 32
      if (c !== key.charCodeAt(i)) return false
    }
    return true
  }

  /** Records the slot of a written field that goes into the list; returns the field. */
  #noteWritten(field: Written): Written {
    if (field.slot >= 0) this.#writtenSlots |= 1 << field.slot
    return field
  }

  #indexOf(name: Name): number {
    return this.#next(name, 0)
  }

  /** Sets `text`, `valueStart` and `valueEnd_` to where the field's value is (unfolded). */
  #locate(ref: FieldRef): void {
    if (typeof ref !== 'number') {
      text = ref.wire
      valueStart = 0
      valueEnd_ = text.length
      return
    }
    const src = this.#src
    // HCOLON = *( SP / HTAB ) ":" SWS; the value ends before trailing LWS and the CRLF
    let i = this.#pos[ref * STRIDE + 1]!
    while (src.charCodeAt(i) !== 58) i++
    let end = this.#pos[ref * STRIDE + 2]! - 2
    let c = src.charCodeAt(++i)
    while (i < end && (c === 32 || c === 9 || c === 13 || c === 10)) c = src.charCodeAt(++i)
    c = src.charCodeAt(end - 1)
    while (end > i && (c === 32 || c === 9 || c === 13 || c === 10)) c = src.charCodeAt(--end - 1)
    const cr = this.#folded ? src.indexOf('\r', i) : -1
    if (cr !== -1 && cr < end) {
      // LWS folding (§7.3.1): a CRLF followed by SP/HTAB reads as SP
      text = src.slice(i, end).replace(/\r\n[ \t]+/g, ' ')
      valueStart = 0
      valueEnd_ = text.length
      return
    }
    text = src
    valueStart = i
    valueEnd_ = end
  }

  /** The wire text after the first value of a field, or undefined when it holds one value. */
  #restAfterFirst(ref: FieldRef): string | undefined {
    if (typeof ref === 'number') {
      // a parsed field without a comma holds one value: known without a slice of its text
      const comma = this.#src.indexOf(',', this.#pos[ref * STRIDE + 1]!)
      if (comma === -1 || comma >= this.#pos[ref * STRIDE + 2]!) return undefined
    } else if (ref.single) return undefined
    return restAfterFirst(this.#wire(ref))
  }

  #wire(ref: FieldRef): string {
    if (typeof ref !== 'number') return ref.wire
    this.#locate(ref)
    return text.slice(valueStart, valueEnd_)
  }

  #name(ref: FieldRef): string {
    if (typeof ref !== 'number') return ref.name
    return this.#src.slice(this.#pos[ref * STRIDE], this.#pos[ref * STRIDE + 1])
  }

  #cacheArray(): unknown[] {
    this.#cache ??= new Array<unknown>((this.#pos.length / STRIDE) * CACHE_STRIDE)
    return this.#cache
  }

  #cached(ref: FieldRef, header: HeaderDef<unknown>): unknown {
    if (typeof ref !== 'number') return ref.parsedBy === header.parse ? ref.parsed : undefined
    const cache = this.#cache
    const at = ref * CACHE_STRIDE
    return cache !== undefined && cache[at + 1] === header.parse ? cache[at] : undefined
  }

  #cacheValue(ref: FieldRef, header: HeaderDef<unknown>, v: unknown): unknown {
    if (typeof ref !== 'number') {
      ref.parsed = v
      ref.parsedBy = header.parse
    } else {
      const cache = this.#cacheArray()
      cache[ref * CACHE_STRIDE] = v
      cache[ref * CACHE_STRIDE + 1] = header.parse
    }
    return v
  }

  #cachedHead(ref: FieldRef, header: HeaderDef<unknown>): unknown {
    if (typeof ref !== 'number') return ref.headBy === header.parse ? ref.head : undefined
    const cache = this.#cache
    const at = ref * CACHE_STRIDE
    return cache !== undefined && cache[at + 3] === header.parse ? cache[at + 2] : undefined
  }

  #cacheHead(ref: FieldRef, header: HeaderDef<unknown>, v: unknown): unknown {
    if (typeof ref !== 'number') {
      ref.head = v
      ref.headBy = header.parse
    } else {
      const cache = this.#cacheArray()
      cache[ref * CACHE_STRIDE + 2] = v
      cache[ref * CACHE_STRIDE + 3] = header.parse
    }
    return v
  }

  #values<T>(ref: FieldRef, header: HeaderDef<T>): readonly T[] | undefined {
    let v = this.#cached(ref, header)
    if (v === undefined) {
      this.#locate(ref)
      if (header.kind === 'lines') {
        const one = header.parse(text, valueStart, valueEnd_)
        v = this.#cacheValue(ref, header, one === undefined ? INVALID : [one])
      } else {
        const s = text
        const ranges = splitList(s, valueStart, valueEnd_)
        let values: T[] | typeof INVALID = INVALID
        if (ranges !== undefined && (ranges.length > 0 || header.allowEmpty)) {
          values = new Array<T>(ranges.length / 2)
          for (let k = 0; k < ranges.length; k += 2) {
            const one = header.parse(s, ranges[k]!, ranges[k + 1]!)
            if (one === undefined) {
              values = INVALID
              break
            }
            values[k / 2] = one
          }
        }
        v = this.#cacheValue(ref, header, values)
      }
    }
    return v === INVALID ? undefined : (v as readonly T[])
  }

  /** The field list, materialized for an edit. */
  #edit(): FieldRef[] {
    if (this.#list === undefined) {
      const n = this.#pos.length / STRIDE
      const list = new Array<FieldRef>(n)
      for (let k = 0; k < n; k++) list[k] = k
      this.#list = list
    }
    return this.#list
  }

  #replaceAll(name: Name, field: Written): void {
    this.#noteWritten(field)
    const k = this.#indexOf(name)
    const more = k !== -1 && this.#next(name, k + 1) !== -1
    const list = this.#edit()
    if (k === -1) list.push(field)
    else if (!more) list[k] = field
    else
      this.#list = list
        .filter((ref, i) => i === k || !this.#matches(ref, name))
        .map((ref, i) => (i === k ? field : ref))
  }

  #insertAfterLast(name: Name, field: Written): void {
    this.#noteWritten(field)
    const list = this.#edit()
    let last = -1
    for (let k = 0; k < list.length; k++) if (this.#matches(list[k]!, name)) last = k
    if (last === -1) list.push(field)
    else list.splice(last + 1, 0, field)
  }
}

/**
 * @internal The fields of one header from `from`, as new fields with the same value octets (for
 * responses that repeat the request's Via, From, To, Call-ID and CSeq, §8.2.6.2).
 */
export function copyFields(from: Headers, header: Name | string, edit?: (wire: string) => string): Written[] {
  const out: Written[] = []
  copyOf(from, nameOf(header), edit, out)
  return out
}

/** @internal copyFields onto the end of `out` (the response builder copies five headers so). */
export function copyFieldsInto(
  out: Written[],
  from: Headers,
  header: Name,
  edit?: (wire: string) => string,
): void {
  copyOf(from, header, edit, out)
}
