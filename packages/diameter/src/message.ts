/**
 * A Diameter message (RFC 6733 §3): the header fields and the AVPs. Decoded messages keep views
 * on the received octets; built ones hold checked values. Header fields are plain properties so
 * that the peer layer can set the Hop-by-Hop Identifier and the T flag when it sends.
 */
import { type Avp, AvpList } from './avp.ts'
import type { DefaultDictionary } from './default-dictionary.ts'
import type { AvpName, AvpValue, CommandDef, Dictionary } from './dictionary.ts'

/** Command flags (RFC 6733 §3). */
export const CommandFlags = {
  /** R: a request (clear: an answer). */
  REQUEST: 0x80,
  /** P: may be proxied, relayed or redirected. */
  PROXIABLE: 0x40,
  /** E: an answer carrying a protocol error (§7.2). */
  ERROR: 0x20,
  /** T: potentially retransmitted after a link failover (§5.5.4). */
  RETRANSMITTED: 0x10,
  /** The four reserved bits. */
  RESERVED: 0x0f,
} as const

/** The 20-octet header (RFC 6733 §3). */
export interface DiameterHeader {
  readonly version: number
  /** Message Length, header included. */
  readonly length: number
  readonly flags: number
  readonly commandCode: number
  readonly applicationId: number
  readonly hopByHop: number
  readonly endToEnd: number
}

/** Header fields of a message to create. */
export interface MessageHeaderInit {
  readonly flags: number
  readonly commandCode: number
  readonly applicationId: number
  readonly hopByHop: number
  readonly endToEnd: number
}

export class DiameterMessage<D extends Dictionary = DefaultDictionary> {
  readonly dictionary: D
  /** Command flags (`CommandFlags`). */
  flags: number
  commandCode: number
  applicationId: number
  hopByHop: number
  endToEnd: number
  /** The AVPs, in order. */
  readonly avps: AvpList<D>
  /** The octets the message was decoded from (undefined for a built message). */
  readonly bytes: Uint8Array | undefined

  constructor(dictionary: D, header: MessageHeaderInit, avps: readonly Avp[], bytes?: Uint8Array) {
    this.dictionary = dictionary
    this.flags = header.flags
    this.commandCode = header.commandCode
    this.applicationId = header.applicationId
    this.hopByHop = header.hopByHop
    this.endToEnd = header.endToEnd
    this.avps = new AvpList(dictionary, avps)
    this.bytes = bytes
  }

  get isRequest(): boolean {
    return (this.flags & CommandFlags.REQUEST) !== 0
  }

  get isProxiable(): boolean {
    return (this.flags & CommandFlags.PROXIABLE) !== 0
  }

  get isError(): boolean {
    return (this.flags & CommandFlags.ERROR) !== 0
  }

  /** The T flag. */
  get isRetransmitted(): boolean {
    return (this.flags & CommandFlags.RETRANSMITTED) !== 0
  }

  set isRetransmitted(on: boolean) {
    this.flags = on ? this.flags | CommandFlags.RETRANSMITTED : this.flags & ~CommandFlags.RETRANSMITTED
  }

  /** The command's definition in the dictionary (undefined for an unknown command). */
  get command(): CommandDef | undefined {
    return this.dictionary.command(this.commandCode, this.isRequest)
  }

  /** The command's short name (CER, MAA, ...), or `Command <code> request|answer`. */
  get name(): string {
    return this.command?.name ?? `Command ${this.commandCode} ${this.isRequest ? 'request' : 'answer'}`
  }

  /** The value of the first AVP of that name. */
  get<N extends AvpName<D>>(name: N): AvpValue<D, N> | undefined {
    return this.avps.get(name)
  }

  /** The values of every AVP of that name. */
  getAll<N extends AvpName<D>>(name: N): AvpValue<D, N>[] {
    return this.avps.getAll(name)
  }

  has(name: AvpName<D>): boolean {
    return this.avps.has(name)
  }

  /** The first AVP of that name. */
  find(name: AvpName<D>): Avp | undefined {
    return this.avps.find(name)
  }

  /** Every AVP of that name. */
  findAll(name: AvpName<D>): Avp[] {
    return this.avps.findAll(name)
  }

  /** Session-Id (RFC 6733 §8.8). */
  get sessionId(): string | undefined {
    return this.#string('Session-Id')
  }

  get originHost(): string | undefined {
    return this.#string('Origin-Host')
  }

  get originRealm(): string | undefined {
    return this.#string('Origin-Realm')
  }

  /** Result-Code (RFC 6733 §7.1). */
  get resultCode(): number | undefined {
    return (this.avps as unknown as AvpList<Dictionary>).get('Result-Code') as number | undefined
  }

  /** Experimental-Result (RFC 6733 §7.6): the vendor's result code, e.g. a Cx code of TS 29.229 §6.2. */
  get experimentalResult(): { readonly vendorId: number; readonly code: number } | undefined {
    const g = (this.avps as unknown as AvpList<Dictionary>).get('Experimental-Result') as
      | AvpList<Dictionary>
      | undefined
    if (g === undefined) return undefined
    const vendorId = g.get('Vendor-Id') as number | undefined
    const code = g.get('Experimental-Result-Code') as number | undefined
    return vendorId === undefined || code === undefined ? undefined : { vendorId, code }
  }

  #string(name: string): string | undefined {
    return (this.avps as unknown as AvpList<Dictionary>).get(name) as string | undefined
  }
}
