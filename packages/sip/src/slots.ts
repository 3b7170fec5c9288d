/**
 * Slots: the headers a proxy or registrar reads on nearly every message get a slot each. While
 * parsing, the field index of each such header is recorded in its slot, so that reading it later
 * needs no search through the fields. Everything else is found by comparing names.
 */

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
/**
 * The slots array of a parsed message has one entry more, after the slots: 1 when a field is folded
 * over several lines (LWS folding, RFC 3261 §7.3.1), else 0.
 */
export const FOLDED = SLOT_COUNT
export const VIA_SLOT = 0
export const CONTENT_LENGTH_SLOT = slotted.indexOf('content-length')

/** The key of a slot. */
export function slotKey(slot: number): string {
  return slotted[slot]!
}

/** The slot of a header key, or -1. */
export function slotOf(key: string): number {
  return (slotted as readonly string[]).indexOf(key)
}
