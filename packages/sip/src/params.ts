/**
 * Header parameters (RFC 3261 §25.1):
 *
 *   *( SEMI generic-param )    generic-param = token [ EQUAL gen-value ]
 *   gen-value = token / host / quoted-string
 *
 * Names compare case-insensitively and are stored in lower case; values are kept as written (a
 * quoted-string keeps its quotes), as text: UTF-8 octets in a quoted-string are decoded like a
 * display name's, so that a value formats back to the same octets (a formatted value is text, which
 * the header writer encodes as UTF-8). Header types take the parameters they know into typed fields
 * and keep the rest in a `params` map.
 */
import {
  charAt,
  is,
  parseDigits,
  scan,
  scanQuoted,
  skipWs,
  TOKEN,
  tokenOrQuoted,
  unquote,
  wireToText,
} from './chars.ts'
import { scanHost } from './host.ts'

export type Params = ReadonlyMap<string, string | null>
export const noParams: Params = new Map()

/**
 * Reads `SWS ";" SWS name [ SWS "=" SWS value ]` parameters one at a time, without allocating
 * anything but the strings it returns. One shared cursor serves every header parser: parsing is
 * synchronous and a parser never reads two parameter lists at once.
 *
 *   for (const p = params.start(s, i, end); p.next(); ) if (p.is('tag')) tag = p.token(); else p.keep()
 *   if (params.failed) return undefined
 */
class ParamCursor {
  #s = ''
  #i = 0
  #end = 0
  #nameStart = 0
  #nameEnd = 0
  #others: Map<string, string | null> | undefined
  /** Where the current parameter's value is in `source` (-1 when it has none). */
  valueStart = -1
  valueEnd = -1
  /** True when reading stopped at something that is not a parameter. */
  failed = false

  start(s: string, i: number, end: number): this {
    this.#s = s
    this.#i = i
    this.#end = end
    this.#others = undefined
    this.failed = false
    return this
  }

  /** Moves to the next parameter; false at the end, or on a syntax error (then `failed` is set). */
  next(): boolean {
    const s = this.#s
    const end = this.#end
    let i = skipWs(s, this.#i, end)
    if (i >= end) return false
    if (s.charCodeAt(i) !== 59) return this.#fail()
    i = skipWs(s, i + 1, end)
    const nameStart = i
    while (i < end && is(s.charCodeAt(i), TOKEN)) i++
    if (i === nameStart) return this.#fail()
    this.#nameStart = nameStart
    this.#nameEnd = i
    i = skipWs(s, i, end)
    if (charAt(s, i, end) === 61) {
      i = skipWs(s, i + 1, end)
      const valueEnd = scanValue(s, i, end)
      if (valueEnd <= i) return this.#fail()
      this.valueStart = i
      this.valueEnd = valueEnd
      i = valueEnd
    } else {
      this.valueStart = -1
      this.valueEnd = -1
    }
    this.#i = i
    return true
  }

  /** True when the current parameter's name is `name` (given in lower case), in any case. */
  is(name: string): boolean {
    const start = this.#nameStart
    if (this.#nameEnd - start !== name.length) return false
    const s = this.#s
    for (let k = 0; k < name.length; k++) {
      let c = s.charCodeAt(start + k)
      if (c >= 65 && c <= 90) c += 32
      if (c !== name.charCodeAt(k)) return false
    }
    return true
  }

  /** The current parameter's name, in lower case. */
  get name(): string {
    return this.#s.slice(this.#nameStart, this.#nameEnd).toLowerCase()
  }

  /** The string the value offsets point into. */
  get source(): string {
    return this.#s
  }

  /** The current value as written (a quoted-string keeps its quotes), `null` when there is none. */
  get value(): string | null {
    return this.valueStart === -1 ? null : this.#s.slice(this.valueStart, this.valueEnd)
  }

  /** The current value when it is a token, else undefined (no value, a quoted-string, a host). */
  token(): string | undefined {
    const start = this.valueStart
    if (start === -1 || scan(this.#s, start, this.valueEnd, TOKEN) !== this.valueEnd) return undefined
    return this.#s.slice(start, this.valueEnd)
  }

  /** The current value as a decimal number no larger than `max`; -1 when it is not one. */
  number(max: number): number {
    return this.valueStart === -1 ? -1 : parseDigits(this.#s, this.valueStart, this.valueEnd, max)
  }

  /** Keeps the current parameter among the others (the first of a name wins), its value as text. */
  keep(): void {
    this.#others ??= new Map()
    const map = this.#others
    const name = this.name
    if (!map.has(name)) {
      const value = this.value
      map.set(name, value === null ? null : wireToText(value))
    }
  }

  /** The parameters kept. */
  get others(): Params {
    return this.#others ?? noParams
  }

  #fail(): boolean {
    this.failed = true
    return false
  }
}

export const params = new ParamCursor()

/** Index after the gen-value at `i` (token, host or quoted-string); `i` or less when there is none. */
export function scanValue(s: string, i: number, end: number): number {
  if (i >= end) return i
  const c = s.charCodeAt(i)
  if (c === 34) return scanQuoted(s, i, end)
  if (c === 91) return scanHost(s, i, end)
  // a token, or a host / unbracketed IPv6 address (RFC 5118 §4.5 `received`): token chars and ":"
  while (i < end) {
    const d = s.charCodeAt(i)
    if (d !== 58 && !is(d, TOKEN)) break
    i++
  }
  return i
}

/** Reads every parameter from `i` to `end`; undefined on a syntax error. */
export function readParams(s: string, i: number, end: number): Params | undefined {
  const p = params.start(s, i, end)
  while (p.next()) p.keep()
  return p.failed ? undefined : p.others
}

/** `;name=value` for each parameter, in order. */
export function formatParams(map: Params | undefined): string {
  if (map === undefined || map.size === 0) return '' // (no iterator for the usual empty map)
  let out = ''
  for (const [name, value] of map) out += value === null ? `;${name}` : `;${name}=${value}`
  return out
}

/** `;name=value` when `value` is defined, quoting it unless it is a token. */
export function formatParam(name: string, value: string | number | null | undefined): string {
  if (value === undefined) return ''
  if (value === null) return `;${name}`
  return `;${name}=${typeof value === 'number' ? value : tokenOrQuoted(value)}`
}

/** A parameter value without its quotes (and quoted-pairs resolved). */
export function paramText(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined
  return value.charCodeAt(0) === 34 ? unquote(value) : value
}
