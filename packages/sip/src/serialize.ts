/**
 * Serialization: the start line, the header fields and the body. Fields that were parsed and not
 * edited are copied octet for octet (compact names, folding and unknown headers included); an
 * unedited parsed message is returned as a view of its own octets.
 */
import { Buffer } from 'node:buffer'
import { textToWire } from './chars.ts'
import { ContentLength } from './headers/numbers.ts'
import { type FieldRef, headerState, STRIDE } from './headers.ts'
import { messageInternals, type SipMessage } from './message.ts'
import { asBuffer } from './parse.ts'
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
  const { pos, slots, list } = headerState(msg.headers)
  // the parsed Content-Length field (at most one: §20.14, checked while parsing), or -1
  const lengthField = slots === undefined ? -1 : slots[CONTENT_LENGTH_SLOT]! - 1
  if (source !== undefined && list === undefined && !startLineEdited) {
    const hasLength = slots === undefined ? msg.headers.has(ContentLength) : lengthField !== -1
    if (hasLength) return source.bytes.subarray(source.start, source.bodyEnd)
  }
  const body = msg.body

  const src = source === undefined ? undefined : asBuffer(source.bytes)
  const base = source?.start ?? 0
  const line = src === undefined || startLineEdited ? startLine(msg) : undefined
  const n = list === undefined ? pos.length / STRIDE : list.length

  let size = line === undefined ? source!.lineEnd + 2 - base : line.length
  let hasLength = slots === undefined && msg.headers.has(ContentLength)
  for (let k = 0; k < n; k++) {
    const f: FieldRef = list === undefined ? k : list[k]!
    if (typeof f === 'number') {
      size += pos[f * STRIDE + 2]! - pos[f * STRIDE]!
      if (f === lengthField) hasLength = true
    } else {
      size += f.name.length + f.wire.length + 4
      if (f.key === ContentLength.key) hasLength = true
    }
  }
  const lengthLine = hasLength ? '' : `Content-Length: ${body.length}\r\n`
  size += lengthLine.length + 2 + body.length

  const out = Buffer.allocUnsafe(size)
  const writer = out as unknown as Latin1Writable
  let at = line === undefined ? src!.copy(out, 0, base, source!.lineEnd + 2) : writer.latin1Write(line, 0)
  // copy each run of consecutive untouched fields in one go
  let runStart = -1
  let runEnd = -1
  for (let k = 0; k < n; k++) {
    const f: FieldRef = list === undefined ? k : list[k]!
    if (typeof f === 'number') {
      const start = pos[f * STRIDE]!
      if (start !== runEnd) {
        if (runStart !== -1) at += src!.copy(out, at, base + runStart, base + runEnd)
        runStart = start
      }
      runEnd = pos[f * STRIDE + 2]!
      continue
    }
    if (runStart !== -1) {
      at += src!.copy(out, at, base + runStart, base + runEnd)
      runStart = -1
      runEnd = -1
    }
    at += writer.latin1Write(`${f.name}: ${f.wire}\r\n`, at)
  }
  if (runStart !== -1) at += src!.copy(out, at, base + runStart, base + runEnd)
  if (lengthLine !== '') at += writer.latin1Write(lengthLine, at)
  out[at++] = 13
  out[at++] = 10
  out.set(body, at)
  return out
}
