/**
 * Header fields Junction writes (by an edit, a builder or a response copying the request's
 * fields, RFC 3261 §8.2.6.2): a name and a value as wire text, shared between clones and never
 * changed once made.
 */
import { textToWire } from './chars.ts'
import type { HeaderDef } from './header.ts'
import { valueEnd } from './list.ts'
import { canonicalName, headerKey } from './names.ts'
import { slotOf } from './slots.ts'

/** A field Junction wrote (by an edit or a builder). Shared between clones; never changed. */
export class Written {
  readonly key: string
  readonly name: string
  /** The header's slot (see slots.ts), or -1: lookups compare it instead of the key. */
  readonly slot: number
  /** Parse caches, as for parsed fields, with the parser that filled each. */
  parsed: unknown = undefined
  parsedBy: unknown = undefined
  head: unknown = undefined
  headBy: unknown = undefined
  #wire: string | undefined
  /** For a field written from one typed value: the value and its header's formatter. */
  #value: unknown = undefined
  #format: ((value: never) => string) | undefined = undefined

  constructor(key: string, name: string, wire: string | undefined, slot: number = slotOf(key)) {
    this.key = key
    this.name = name
    this.#wire = wire
    this.slot = slot
  }

  /**
   * A field whose first value is `value`, and `rest` the text of the values after it, if any. The
   * value is what reading the field returns (it is not parsed back from its text). A list
   * header's field holding that one value is formatted when its text is first needed, so that a
   * Via the transport completes before it is sent (§18.1.1) is formatted once; a single header's
   * is formatted at once, so that a formatter that refuses a value (FromTag, say) throws at the
   * edit.
   */
  static of<T>(header: HeaderDef<T>, value: T, name: string = header.name, rest?: string): Written {
    const lazy = header.kind !== 'single' && rest === undefined
    let wire: string | undefined
    if (!lazy) {
      const text = textToWire(header.format(value))
      wire = rest === undefined ? text : `${text}, ${rest}`
    }
    const field = new Written(header.key, name, wire, header.slot)
    if (lazy) {
      field.#value = value
      field.#format = header.format as (value: never) => string
    }
    if (header.kind === 'single') {
      field.parsed = value
      field.parsedBy = header.parse
    } else {
      field.head = value
      field.headBy = header.parse
    }
    return field
  }

  /** Value as wire text (latin1, one char per octet). */
  get wire(): string {
    let wire = this.#wire
    if (wire === undefined) {
      wire = textToWire(this.#format!(this.#value as never))
      this.#wire = wire
    }
    return wire
  }

  /** True when the field is known to hold one value of a list header (written from a typed value). */
  get single(): boolean {
    return this.#format !== undefined
  }
}

/** A new field of a known header from its formatted text. */
export function written(header: { key: string; name: string; slot: number }, text: string): Written {
  return new Written(header.key, header.name, textToWire(text), header.slot)
}

/** A new field from a name and text as given. */
export function writtenRaw(name: string, text: string): Written {
  return new Written(headerKey(name), canonicalName(name), textToWire(text))
}

/** The wire text after the first value of a list field, or undefined when it holds one value. */
export function restAfterFirst(wire: string): string | undefined {
  if (wire.indexOf(',') === -1) return undefined // one value: no char-by-char scan
  let i = 0
  while (wire.charCodeAt(i) === 32 || wire.charCodeAt(i) === 9) i++
  const stop = valueEnd(wire, i, wire.length)
  if (stop === -1 || stop === wire.length) return undefined
  const rest = wire.slice(stop + 1).trim()
  return rest === '' ? undefined : rest
}
