/**
 * Slots: the headers a proxy or registrar reads on nearly every message get a slot each. While
 * parsing, the field index of each such header is recorded in its slot, so that reading it later
 * needs no search through the fields. Everything else is found by comparing names.
 */
import { canonicalName, compactOf } from './names.ts'

/** Keys of the headers that have a slot; the index is the slot. */
const slotted = [
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'route',
  'record-route',
  'contact',
  'content-length',
  'content-type',
  'expires',
  'require',
  'proxy-require',
  'supported',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'path',
  'event',
  'p-asserted-identity',
] as const

export const SLOT_COUNT = slotted.length
export const VIA_SLOT = 0
export const CONTENT_LENGTH_SLOT = slotted.indexOf('content-length')

/** The slot of a header key, or -1. */
export function slotOf(key: string): number {
  return (slotted as readonly string[]).indexOf(key)
}

// Candidates by (name length, first char): up to two slots share one (`contact` and `call-id`).
const WIDTH = 32
const first: number[] = new Array<number>(WIDTH * 64).fill(-1)
const second: number[] = new Array<number>(WIDTH * 64).fill(-1)

function cell(length: number, c: number): number {
  return length < 64 ? length * WIDTH + ((c | 0x20) & 31) : -1
}

for (let slot = 0; slot < slotted.length; slot++) {
  const key = slotted[slot]!
  for (const name of [key, compactOf(key)]) {
    if (name === undefined) continue
    const k = cell(name.length, name.charCodeAt(0))
    if (first[k] === -1) first[k] = slot
    else if (second[k] === -1) second[k] = slot
    else throw new Error(`three slotted headers share a cell: ${name}`)
  }
}

const compactCodes = slotted.map((key) => compactOf(key)?.charCodeAt(0) ?? -1)
// The spelling nearly every peer sends, compared first with one startsWith.
const spelled = slotted.map((key) => canonicalName(key))

function nameIs(s: string, start: number, length: number, slot: number): boolean {
  if (length === 1) return (s.charCodeAt(start) | 0x20) === compactCodes[slot]
  const key = slotted[slot]!
  if (length !== key.length) return false
  if (s.startsWith(spelled[slot]!, start)) return true
  for (let i = 0; i < length; i++) {
    let c = s.charCodeAt(start + i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== key.charCodeAt(i)) return false
  }
  return true
}

/** The slot of the header name at `s[start, start + length)`, or -1. */
export function slotAt(s: string, start: number, length: number): number {
  const k = cell(length, s.charCodeAt(start))
  if (k === -1) return -1
  const a = first[k]!
  if (a === -1) return -1
  if (nameIs(s, start, length, a)) return a
  const b = second[k]!
  return b !== -1 && nameIs(s, start, length, b) ? b : -1
}
