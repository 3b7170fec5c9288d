/**
 * SIP messages (RFC 3261 §7): a request or a response, its header fields and its body. A parsed
 * message remembers its octets, so serializing it again copies everything that was not edited.
 */

import { ContentLength } from './headers/numbers.ts'
import type { Headers } from './headers.ts'
import type { Uri } from './uri.ts'

/** Where a parsed message came from: offsets into its octets. */
export interface Source {
  /** The octets holding the message (a datagram, or a frame cut from a stream). */
  readonly bytes: Uint8Array
  /** Offset of the start line (CRLFs before it are skipped, §7.5). */
  readonly start: number
  /** Offset of the CRLF that ends the start line. */
  readonly lineEnd: number
  /** Offsets of the body. */
  readonly bodyStart: number
  readonly bodyEnd: number
}

interface Internals {
  readonly source: Source | undefined
  readonly startLineEdited: boolean
}

let internalsOf: (m: SipRequest | SipResponse) => Internals
/** The body of a message without one, shared (a zero-length array cannot be written to). */
export const noBody: Uint8Array = new Uint8Array(0)

abstract class MessageBase {
  /** The header fields; typed access with `headers.get(Via)`, edits with `headers.set(...)`. */
  readonly headers: Headers
  #body: Uint8Array | undefined
  #source: Source | undefined
  /** Set by a subclass when the start line changes (a new Request-URI). */
  protected startLineEdited = false

  constructor(headers: Headers, body: Uint8Array | undefined, source: Source | undefined) {
    this.headers = headers
    this.#body = body
    this.#source = source
  }

  /** The body octets, as received (a view into the message octets when parsed). */
  get body(): Uint8Array {
    if (this.#body === undefined) {
      const s = this.#source
      // no body (most messages): the shared empty one, not a view of nothing (an object each)
      this.#body =
        s === undefined || s.bodyEnd === s.bodyStart ? noBody : s.bytes.subarray(s.bodyStart, s.bodyEnd)
    }
    return this.#body
  }

  /** Replaces the body and sets Content-Length to its size (§20.14). */
  set body(body: Uint8Array) {
    this.#body = body
    this.headers.set(ContentLength, body.length)
  }

  /** The source and state of a copy. */
  protected copyInto<M extends MessageBase>(copy: M): M {
    copy.#source = this.#source
    copy.#body = this.#body
    copy.startLineEdited = this.startLineEdited
    return copy
  }

  static {
    internalsOf = (m) => ({
      source: (m as MessageBase).#source,
      startLineEdited: (m as MessageBase).startLineEdited,
    })
  }
}

/** @internal For the serializer. */
export function messageInternals(m: SipRequest | SipResponse): Internals {
  return internalsOf(m)
}

export class SipRequest extends MessageBase {
  readonly kind = 'request' as const
  /** The method token, case-sensitive (§7.1): `INVITE`, `REGISTER`, or an extension. */
  readonly method: string
  /** `SIP/2.0` as written on the wire. */
  readonly version: string
  #uri: Uri

  /** @internal Use parseMessage() or createRequest(). */
  constructor(
    method: string,
    uri: Uri,
    version: string,
    headers: Headers,
    body: Uint8Array | undefined,
    source?: Source,
  ) {
    super(headers, body, source)
    this.method = method
    this.#uri = uri
    this.version = version
  }

  /** The Request-URI (§7.1). A proxy sets it to the target it forwards to (§16.6 step 2). */
  get uri(): Uri {
    return this.#uri
  }

  set uri(uri: Uri) {
    this.#uri = uri
    this.startLineEdited = true
  }

  /** An independent copy (one per branch when forking): edits to either do not show in the other. */
  clone(): SipRequest {
    return this.copyInto(
      new SipRequest(this.method, this.#uri, this.version, this.headers.clone(), undefined),
    )
  }
}

export class SipResponse extends MessageBase {
  readonly kind = 'response' as const
  /** Status code, 100 to 699 (§7.2). */
  readonly status: number
  /** Reason phrase as text (UTF-8 decoded). */
  readonly reason: string
  readonly version: string

  /** @internal Use parseMessage() or createResponse(). */
  constructor(
    status: number,
    reason: string,
    version: string,
    headers: Headers,
    body: Uint8Array | undefined,
    source?: Source,
  ) {
    super(headers, body, source)
    this.status = status
    this.reason = reason
    this.version = version
  }

  clone(): SipResponse {
    return this.copyInto(
      new SipResponse(this.status, this.reason, this.version, this.headers.clone(), undefined),
    )
  }
}

export type SipMessage = SipRequest | SipResponse
