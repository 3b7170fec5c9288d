/**
 * Typed header definitions. A definition is a value: its name, its compact form, how many values
 * it carries, and a parser and formatter for one value. `message.headers.get(Via)` returns typed
 * values; a header that is never read is never parsed.
 *
 * - `single`: one value per message (From, CSeq, Max-Forwards). Two fields, or a comma-separated
 *   list, make it invalid.
 * - `list`: comma-separated values, possibly over several fields, combined in order (§7.3.1).
 * - `lines`: one value per field, never split at commas (WWW-Authenticate and the other
 *   authentication headers, §7.3.1's exception).
 */
import { compactOf, headerKey } from './names.ts'
import { slotOf } from './slots.ts'

export type HeaderKind = 'single' | 'list' | 'lines'

export interface HeaderDef<T, K extends HeaderKind = HeaderKind> {
  /** Canonical name, used when Junction writes the header (`Via`, `Call-ID`). */
  readonly name: string
  /** Lower-case full name; compact forms on the wire map to it. */
  readonly key: string
  /** The compact form (§7.3.3), lower case: `v` for Via. */
  readonly compact: string | undefined
  /** The parser's lookup slot for the most read headers (see slots.ts), or -1. */
  readonly slot: number
  readonly kind: K
  /** A `list` header whose value may be empty (`Supported:`, `Allow:`): an empty field holds no value. */
  readonly allowEmpty: boolean
  /**
   * Parses one value: exactly `s[start, end)`, wire text (octets as latin1 chars), trimmed, folding
   * already replaced by SP. Returns undefined when the text is not valid for this header. A parser
   * must not read outside its range (the rest of `s` is other header fields).
   */
  parse(s: string, start: number, end: number): T | undefined
  /** Formats one value as header text (may hold non-ASCII text, written as UTF-8). */
  format(value: T): string
  /**
   * For a list header whose grammar constrains the values together (Contact: `*` only alone,
   * §20.10): true when `values`, every value of the message, are valid together.
   */
  together?(values: readonly T[]): boolean
}

export type SingleHeader<T> = HeaderDef<T, 'single'>
export type ListHeader<T> = HeaderDef<T, 'list' | 'lines'>

/** Defines a typed header. Adding one is a small file: a value type, a parse and a format. */
export function defineHeader<T, K extends HeaderKind>(spec: {
  name: string
  kind: K
  allowEmpty?: boolean
  parse: (s: string, start: number, end: number) => T | undefined
  format: (value: T) => string
  together?: (values: readonly T[]) => boolean
}): HeaderDef<T, K> {
  return Object.freeze({
    name: spec.name,
    key: headerKey(spec.name),
    compact: compactOf(headerKey(spec.name)),
    slot: slotOf(headerKey(spec.name)),
    kind: spec.kind,
    allowEmpty: spec.allowEmpty ?? false,
    parse: spec.parse,
    format: spec.format,
    ...(spec.together === undefined ? {} : { together: spec.together }),
  })
}
