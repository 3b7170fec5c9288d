/**
 * Serialization: the start line, the header fields and the body. Fields that were parsed and not
 * edited are copied octet for octet (compact names, folding and unknown headers included, RFC 3261
 * §16.6); an unedited parsed message is returned as a view of its own octets.
 */
import { Buffer } from 'node:buffer'
import { textToWire } from './chars.ts'
import { ContentLength } from './headers/numbers.ts'
import { type FieldRef, headerState, STRIDE } from './headers.ts'
import { messageInternals, type SipMessage } from './message.ts'
import { CONTENT_LENGTH_SLOT } from './slots.ts'
import { formatUri } from './uri.ts'

function startLine(msg: SipMessage): string {
  if (msg.kind === 'request') return `${msg.method} ${formatUri(msg.uri)} ${msg.version}\r\n`
  return `${msg.version} ${msg.status} ${textToWire(msg.reason)}\r\n`
}

/** Node's Buffer writes latin1 text at an offset without the argument handling of `write()`. */
interface Latin1Writable {
  latin1Write(text: string, offset: number): number
}

/** The octets of a message, ready for a transport. Content-Length is added when missing (§20.14). */
export function serialize(msg: SipMessage): Uint8Array {
  const { source, startLineEdited } = messageInternals(msg)
  const { src, pos, slots, list } = headerState(msg.headers)
  // the parsed Content-Length field (at most one: §20.14, checked while parsing), or -1
  const lengthField = slots === undefined ? -1 : slots[CONTENT_LENGTH_SLOT]! - 1
  if (source !== undefined && list === undefined && !startLineEdited) {
    const hasLength = slots === undefined ? msg.headers.has(ContentLength) : lengthField !== -1
    if (hasLength) return source.bytes.subarray(source.start, source.bodyEnd)
  }
  const body = msg.body
  // The header section as one string, written with one call: runs of untouched fields are slices
  // of the parsed text (latin1, one char per octet: the same octets), new fields their text.
  const base = source?.start ?? 0
  let head =
    source === undefined || startLineEdited ? startLine(msg) : src.slice(0, source.lineEnd - base + 2)
  let hasLength = slots === undefined && msg.headers.has(ContentLength)
  const n = list === undefined ? pos.length / STRIDE : list.length
  let runStart = -1
  let runEnd = -1
  for (let k = 0; k < n; k++) {
    const f: FieldRef = list === undefined ? k : list[k]!
    if (typeof f === 'number') {
      const start = pos[f * STRIDE]!
      if (start !== runEnd) {
        if (runStart !== -1) head += src.slice(runStart, runEnd)
        runStart = start
      }
      runEnd = pos[f * STRIDE + 2]!
      if (f === lengthField) hasLength = true
      continue
    }
    if (runStart !== -1) {
      head += src.slice(runStart, runEnd)
      runStart = -1
      runEnd = -1
    }
    head += `${f.name}: ${f.wire}\r\n`
    if (f.key === ContentLength.key) hasLength = true
  }
  if (runStart !== -1) head += src.slice(runStart, runEnd)
  if (!hasLength) head += `Content-Length: ${body.length}\r\n`
  head += '\r\n'

  const out = Buffer.allocUnsafe(head.length + body.length)
  ;(out as unknown as Latin1Writable).latin1Write(head, 0)
  out.set(body, head.length)
  return out
}
