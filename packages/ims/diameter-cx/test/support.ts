/** Test helpers: the wire round trip, and a handler context without a node. */
import {
  createAnswer,
  type DefaultDictionary,
  type DiameterMessage,
  decodeMessage,
  encodeMessage,
  type HandlerContext,
} from '@junction/diameter'

/** Encodes and decodes a message (grammar checked on both sides); throws on a decode error. */
export function wire(m: DiameterMessage): DiameterMessage {
  const r = decodeMessage(encodeMessage(m))
  if (!r.ok) throw new Error(`decode: ${r.error.code} ${r.error.reason}`)
  return r.message
}

export function contextFor(
  request: DiameterMessage,
  originHost = 'hss.ims.test',
): HandlerContext<DefaultDictionary> {
  return {
    peer: undefined as never,
    answer: (init) => createAnswer(request, { ...init, originHost, originRealm: 'ims.test' }),
  }
}

let n = 0
/** Request defaults with what a node would add (Session-Id, Origin-Host, Origin-Realm). */
export const defaults = {
  destinationRealm: 'ims.test',
  originHost: 'scscf.ims.test',
  originRealm: 'ims.test',
  get sessionId() {
    return `scscf.ims.test;1;${++n}`
  },
}

export function hex(s: string): Uint8Array {
  return Buffer.from(s, 'hex')
}
