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
import { formatUri } from './uri.ts'

function startLine(msg: SipMessage): string {
  if (msg.kind === 'request') return `${msg.method} ${formatUri(msg.uri)} ${msg.version}\r\n`
  return `${msg.version} ${msg.status} ${textToWire(msg.reason)}\r\n`
}

/** The octets of a message, ready for a transport. Content-Length is added when missing (§20.14). */
export function serialize(msg: SipMessage): Uint8Array {
  const { source, startLineEdited } = messageInternals(msg)
  const { pos, list } = headerState(msg.headers)
  const hasLength = msg.headers.has(ContentLength)
  if (source !== undefined && list === undefined && !startLineEdited && hasLength) {
    return source.bytes.subarray(source.start, source.bodyEnd)
  }
  const body = msg.body

  const src = source === undefined ? undefined : asBuffer(source.bytes)
  const base = source?.start ?? 0
  const line = src === undefined || startLineEdited ? startLine(msg) : undefined
  const n = list === undefined ? pos.length / STRIDE : list.length
  const ref = (k: number): FieldRef => (list === undefined ? k : list[k]!)

  let size = line === undefined ? source!.lineEnd + 2 - base : line.length
  for (let k = 0; k < n; k++) {
    const f = ref(k)
    size +=
      typeof f === 'number' ? pos[f * STRIDE + 2]! - pos[f * STRIDE]! : f.name.length + f.wire.length + 4
  }
  const lengthLine = hasLength ? '' : `Content-Length: ${body.length}\r\n`
  size += lengthLine.length + 2 + body.length

  const out = Buffer.allocUnsafe(size)
  let at = line === undefined ? src!.copy(out, 0, base, source!.lineEnd + 2) : out.write(line, 0, 'latin1')
  // copy each run of consecutive untouched fields in one go
  let runStart = -1
  let runEnd = -1
  for (let k = 0; k < n; k++) {
    const f = ref(k)
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
    at += out.write(`${f.name}: ${f.wire}\r\n`, at, 'latin1')
  }
  if (runStart !== -1) at += src!.copy(out, at, base + runStart, base + runEnd)
  if (lengthLine !== '') at += out.write(lengthLine, at, 'latin1')
  out[at++] = 13
  out[at++] = 10
  out.set(body, at)
  return out
}
