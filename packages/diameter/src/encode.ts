/**
 * The encoder (RFC 6733 §3, §4): one pass sizes the message, one writes it. Decoded AVPs are
 * copied octet for octet; built ones are written from their values. Lengths and padding are exact:
 * the AVP Length leaves the padding out, the Message Length and a grouped AVP's length keep the
 * padding of what they hold.
 */
import { Buffer } from 'node:buffer'
import { paddedLength, writeAvp } from './avp.ts'
import type { Dictionary } from './dictionary.ts'
import { DiameterCodecError, decodeErrorCodes as E, faultCodes } from './errors.ts'
import { checkGrammar, type GrammarProblem } from './grammar.ts'
import { CommandFlags, type DiameterMessage } from './message.ts'

export interface EncodeOptions {
  /** Check the command grammar first (default true): a violation throws GRAMMAR_VIOLATION. */
  readonly validate?: boolean
}

/** A problem `validateMessage` finds: its code, the Result-Code and the AVP for Failed-AVP. */
export type ValidationProblem = GrammarProblem

/**
 * Checks a message against its dictionary: header bits, command and Application-Id, the command
 * grammar (the RFC 6733 §7.2 grammar for answers with the E bit) and grouped AVPs' grammars. An
 * unknown command is not checked further. Returns the first problem, or undefined.
 */
export function validateMessage<D extends Dictionary>(
  message: DiameterMessage<D>,
): ValidationProblem | undefined {
  const { flags } = message
  const request = (flags & CommandFlags.REQUEST) !== 0
  if ((flags & CommandFlags.RESERVED) !== 0) {
    return {
      code: E.RESERVED_HEADER_BITS,
      resultCode: 5013,
      reason: 'reserved command flag bits',
      avp: undefined,
    }
  }
  if (request && (flags & CommandFlags.ERROR) !== 0) {
    return { code: E.INVALID_HEADER_BITS, resultCode: 3008, reason: 'E bit in a request', avp: undefined }
  }
  if (!request && (flags & CommandFlags.RETRANSMITTED) !== 0) {
    return { code: E.INVALID_HEADER_BITS, resultCode: 3008, reason: 'T bit in an answer', avp: undefined }
  }
  const cmd = message.command
  if (cmd === undefined) return undefined
  const error = (flags & CommandFlags.ERROR) !== 0
  if (cmd.applicationId !== message.applicationId && !error) {
    return {
      code: E.APPLICATION_UNSUPPORTED,
      resultCode: 3007,
      reason: `${cmd.name} with Application-Id ${message.applicationId}`,
      avp: undefined,
    }
  }
  return checkGrammar(
    message.avps.items,
    error ? message.dictionary.errorAnswer : cmd.grammar,
    error ? `${cmd.name} (E bit)` : cmd.name,
  )
}

/** Encodes a message. Throws `DiameterCodecError` (GRAMMAR_VIOLATION) for a message that breaks its grammar. */
export function encodeMessage<D extends Dictionary>(
  message: DiameterMessage<D>,
  options?: EncodeOptions,
): Buffer {
  if (options?.validate !== false) {
    const p = validateMessage(message)
    if (p !== undefined) {
      throw new DiameterCodecError(faultCodes.GRAMMAR_VIOLATION, `${message.name}: ${p.reason}`, {
        resultCode: p.resultCode,
      })
    }
  }
  const items = message.avps.items
  let size = 20
  for (const a of items) size += paddedLength(a)
  if (size > 0xffffff) {
    throw new DiameterCodecError(
      faultCodes.INVALID_ARGUMENT,
      `${message.name}: ${size} octets, over 2^24 - 1`,
    )
  }
  const buf = Buffer.allocUnsafe(size)
  buf[0] = 1
  buf[1] = size >>> 16
  buf[2] = size >>> 8
  buf[3] = size
  buf[4] = message.flags
  const code = message.commandCode
  buf[5] = code >>> 16
  buf[6] = code >>> 8
  buf[7] = code
  writeU32(buf, 8, message.applicationId)
  writeU32(buf, 12, message.hopByHop)
  writeU32(buf, 16, message.endToEnd)
  let p = 20
  for (const a of items) p = writeAvp(a, buf, p)
  return buf
}

function writeU32(buf: Buffer, at: number, v: number): void {
  buf[at] = v >>> 24
  buf[at + 1] = v >>> 16
  buf[at + 2] = v >>> 8
  buf[at + 3] = v
}
