/**
 * Reads a header field name (RFC 3261 §7.3.1, §25.1: `field-name = token`) and recognizes the
 * slotted headers (see slots.ts) in the same pass: a small automaton over the name's characters,
 * case-insensitive, compact forms (§7.3.3) included. One table read per character checks that it is
 * a token character and moves through the names the parser records slots for.
 */
import { tokenChar } from './chars.ts'
import { compactOf } from './names.ts'
import { SLOT_COUNT, slotKey } from './slots.ts'

/** The state reached by a token that is no slotted name (or a prefix of one). */
const OTHER = 0
const ROOT = 1
const WIDTH = 128 // char codes: every token character is ASCII

// The trie of the slotted names (full keys and compact letters), as transitions per state.
const trie: Array<Map<number, number>> = [new Map(), new Map()]
const accept: number[] = [-1, -1]

function add(name: string, slot: number): void {
  let state = ROOT
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    let next = trie[state]!.get(c)
    if (next === undefined) {
      next = trie.length
      trie.push(new Map())
      accept.push(-1)
      trie[state]!.set(c, next)
    }
    state = next
  }
  accept[state] = slot
}

for (let slot = 0; slot < SLOT_COUNT; slot++) {
  const key = slotKey(slot)
  add(key, slot)
  const c = compactOf(key)
  if (c !== undefined) add(c, slot)
}

/** next state = transitions[state * WIDTH + char], or -1 where the char is no token char. */
const transitions = new Int16Array(trie.length * WIDTH).fill(-1)
for (let state = 0; state < trie.length; state++) {
  for (let c = 0; c < WIDTH; c++) {
    if (tokenChar[c] !== 1) continue
    // names compare case-insensitively; the keys are in lower case
    const lower = c >= 65 && c <= 90 ? c + 32 : c
    transitions[state * WIDTH + c] = state === OTHER ? OTHER : (trie[state]!.get(lower) ?? OTHER)
  }
}
const slotOfState = Int8Array.from(accept)

/** The slot of the name read by the last {@link readFieldName}, or -1. */
export let nameSlot = -1

/**
 * Reads the token starting at `s[start]` and returns the index after it (`start` when there is no
 * token). Sets {@link nameSlot}. The string must hold a non-token char after `start` (a header
 * field's line always ends with CR), so the scan stops inside it.
 */
export function readFieldName(s: string, start: number): number {
  let state = ROOT
  let i = start
  for (;;) {
    const c = s.charCodeAt(i)
    if (c >= WIDTH) break
    const next = transitions[state * WIDTH + c]!
    if (next < 0) break
    state = next
    i++
  }
  nameSlot = slotOfState[state]!
  return i
}
