/**
 * Building messages: requests as a UAC forms them (RFC 3261 §8.1.1) and responses as a UAS or
 * proxy forms them (§8.2.6).
 */
import { isToken, textToWire, utf8Encode } from './chars.ts'
import { faultCodes, SipCodecError } from './errors.ts'
import type { HeaderDef, ListHeader } from './header.ts'
import { CallId } from './headers/call-id.ts'
import { Contact, type ContactValue } from './headers/contact.ts'
import { ContentType, type ContentTypeValue } from './headers/content-type.ts'
import { CSeq } from './headers/cseq.ts'
import { From, type FromToValue, To, ToTag } from './headers/from-to.ts'
import { ContentLength, MaxForwards } from './headers/numbers.ts'
import { Route, type RouteValue } from './headers/route.ts'
import { Via, type ViaValue } from './headers/via.ts'
import { copyFieldsInto, Headers } from './headers.ts'
import { generateBranch, generateCallId, generateTag } from './ids.ts'
import { noBody, SipRequest, SipResponse } from './message.ts'
import { canonicalName, headerKey } from './names.ts'
import { reasonPhrase } from './reason.ts'
import { parseUri, type Uri } from './uri.ts'
import { Written } from './written.ts'

/** Extra header fields as `[name, text]` pairs or a record of name → text. */
export type RawHeaders = Iterable<readonly [string, string]> | Readonly<Record<string, string>>

export interface RequestOptions {
  readonly method: string
  /** Request-URI: a Uri or its text. */
  readonly uri: Uri | string
  /** From: an address (a From tag is generated when it has none, §8.1.1.3). */
  readonly from: FromToValue | Uri | string
  readonly to: FromToValue | Uri | string
  /** Default: a new random Call-ID. */
  readonly callId?: string
  /** Default: 1. A 32-bit unsigned integer (new dialogs start below 2^31, §8.1.1.5). */
  readonly cseq?: number
  /** Top Via; its branch is generated when missing. Default: none (the transport layer adds it). */
  readonly via?: ViaValue
  /** Default: 70 (§8.1.1.6). */
  readonly maxForwards?: number
  readonly contact?: ContactValue | readonly ContactValue[]
  /** Pre-loaded route set (§8.1.2). */
  readonly route?: readonly RouteValue[]
  readonly headers?: RawHeaders
  readonly body?: Uint8Array | string
  /** Content-Type of the body, e.g. `application/sdp`. */
  readonly contentType?: string
}

function invalid(message: string): never {
  throw new SipCodecError(faultCodes.INVALID_ARGUMENT, message)
}

function toUri(value: Uri | string, what: string): Uri {
  if (typeof value !== 'string') return value
  return parseUri(value) ?? invalid(`${what} is not a valid URI: ${value}`)
}

function toAddress(value: FromToValue | Uri | string, what: string): FromToValue {
  if (typeof value === 'string' || 'kind' in value) return { uri: toUri(value, what) }
  return value
}

function contentType(text: string): ContentTypeValue {
  const wire = textToWire(text)
  return ContentType.parse(wire, 0, wire.length) ?? invalid(`invalid contentType: ${text}`)
}

function rawEntries(headers: RawHeaders | undefined): Iterable<readonly [string, string]> {
  if (headers === undefined) return []
  if (Symbol.iterator in headers) return headers as Iterable<readonly [string, string]>
  return Object.entries(headers)
}

/** Text that would break the header field it goes in (§7.3.1: no CR or LF but in folding). */
function hasCrOrLf(text: string): boolean {
  return text.indexOf('\r') !== -1 || text.indexOf('\n') !== -1
}

/** Timestamp (§20.38), echoed in 100 Trying (§8.2.6.1); looked up by name (it has no slot). */
const timestamp = { key: 'timestamp', compact: undefined, slot: -1 } as const

class FieldList {
  readonly fields: Written[]
  constructor(fields: Written[] = []) {
    this.fields = fields
  }
  add<T>(header: HeaderDef<T>, value: T): void {
    this.fields.push(new Written(header.key, header.name, textToWire(header.format(value)), header.slot))
  }
  addList<T>(header: ListHeader<T>, values: readonly T[]): void {
    if (values.length > 0) {
      const text = values.map(header.format).join(', ')
      this.fields.push(new Written(header.key, header.name, textToWire(text), header.slot))
    }
  }
  addRaw(name: string, text: string): void {
    if (!isToken(name)) invalid(`header name is not a token: ${name}`)
    if (hasCrOrLf(text)) invalid(`header ${name} holds CR or LF`)
    this.fields.push(new Written(headerKey(name), canonicalName(name), textToWire(text)))
  }
}

/** A new request with the header fields of RFC 3261 §8.1.1. */
export function createRequest(options: RequestOptions): SipRequest {
  const { method } = options
  if (!isToken(method)) invalid(`method is not a token: ${method}`)
  const uri = toUri(options.uri, 'uri')
  const from = toAddress(options.from, 'from')
  const to = toAddress(options.to, 'to')
  const cseq = options.cseq ?? 1
  // §8.1.1.5: a new request's CSeq is below 2^31; an ACK or CANCEL copies any 32-bit one
  if (!Number.isInteger(cseq) || cseq < 0 || cseq > 0xffffffff)
    invalid('cseq must be a 32-bit unsigned integer')
  const maxForwards = options.maxForwards ?? 70
  if (!Number.isInteger(maxForwards) || maxForwards < 0 || maxForwards > 255)
    invalid('maxForwards must be 0 to 255')

  const list = new FieldList()
  if (options.via !== undefined)
    list.add(Via, { ...options.via, branch: options.via.branch ?? generateBranch() })
  list.add(MaxForwards, maxForwards)
  if (options.route !== undefined) list.addList(Route, options.route)
  list.add(To, to)
  list.add(From, from.tag === undefined ? { ...from, tag: generateTag() } : from)
  list.add(CallId, options.callId ?? generateCallId())
  list.add(CSeq, { seq: cseq, method })
  if (options.contact !== undefined) {
    list.addList(
      Contact,
      Array.isArray(options.contact) ? options.contact : [options.contact as ContactValue],
    )
  }
  for (const [name, text] of rawEntries(options.headers)) list.addRaw(name, text)
  const body = typeof options.body === 'string' ? utf8Encode(options.body) : (options.body ?? noBody)
  if (options.contentType !== undefined) {
    const ct = contentType(options.contentType)
    list.add(ContentType, ct)
  }
  list.add(ContentLength, body.length)
  return new SipRequest(method, uri, 'SIP/2.0', new Headers('', [], undefined, list.fields), body)
}

export interface ResponseOptions {
  /** To tag to add when the request has none (§8.2.6.2). Default: a new random tag. */
  readonly toTag?: string | undefined
  readonly headers?: RawHeaders | undefined
  readonly body?: Uint8Array | string | undefined
  readonly contentType?: string | undefined
}

/**
 * A response to `request` (§8.2.6): Via, From, Call-ID and CSeq copied octet for octet, To copied
 * with a tag added when it has none (except in 100 Trying), Timestamp echoed in 100 Trying
 * (§8.2.6.1). Works with the `headers` of a ParseError too, to answer a request that did not parse.
 */
export function createResponse(
  request: { readonly headers: Headers },
  status: number,
  reason?: string,
  options: ResponseOptions = {},
): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699)
    invalid(`status must be 100 to 699: ${status}`)
  const req = request.headers
  const fields: Written[] = []
  copyFieldsInto(fields, req, Via)
  copyFieldsInto(fields, req, From)
  // §8.2.6.2: a To tag on every response but 100 whose request had none (read without parsing To)
  const addTag = status > 100 && req.get(ToTag) === ''
  const tag = options.toTag ?? (addTag ? generateTag() : undefined)
  copyFieldsInto(fields, req, To, addTag ? (wire) => `${wire};tag=${tag}` : undefined)
  copyFieldsInto(fields, req, CallId)
  copyFieldsInto(fields, req, CSeq)
  if (status === 100) copyFieldsInto(fields, req, timestamp)
  const list = new FieldList(fields)
  if (options.headers !== undefined)
    for (const [name, text] of rawEntries(options.headers)) list.addRaw(name, text)
  const body = typeof options.body === 'string' ? utf8Encode(options.body) : (options.body ?? noBody)
  if (options.contentType !== undefined) list.add(ContentType, contentType(options.contentType))
  list.add(ContentLength, body.length)
  const phrase = reason ?? reasonPhrase(status)
  if (hasCrOrLf(phrase)) invalid('reason phrase holds CR or LF')
  return new SipResponse(status, phrase, 'SIP/2.0', new Headers('', [], undefined, fields), body)
}
