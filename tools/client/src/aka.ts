/**
 * The UE side of IMS AKA (RFC 3310 AKAv1-MD5, RFC 4169 AKAv2-MD5) as a `CredentialsProvider` for
 * `@junction/ua`: the USIM checks AUTN with Milenage (TS 35.206) and answers with RES, or with
 * `auts` when the SQN is out of range (TS 33.102 §6.3.3: the network resynchronises and challenges
 * again), or with an empty response when MAC-A is wrong (RFC 3310 §3.3: the network is not genuine).
 */
import { answerAkaChallenge, createUsimSqn } from '@junction/aka'
import type { CredentialsProvider } from '@junction/ua'

export interface AkaProviderOptions {
  /** K, 16 octets. */
  readonly k: Uint8Array
  /** OP or OPc, 16 octets (one of them). */
  readonly op?: Uint8Array | undefined
  readonly opc?: Uint8Array | undefined
  /** The IMPI, the username of the answer (TS 33.203 §6.1). */
  readonly impi: string
  /**
   * The USIM's SQN_MS. With it the USIM checks each SQN from the network (TS 33.102 Annex C: above
   * SEQ_MS, within Δ) and answers AUTS when it is out of range; without it every SQN is accepted
   * (a test UE that follows whatever the HSS has).
   */
  readonly sqn?: bigint | undefined
  /** Told of each AKA outcome: `authenticated`, `sync-failure`, `mac-failure`, `invalid`. */
  readonly onOutcome?: ((outcome: string, detail?: string) => void) | undefined
}

/** A credentials provider that answers AKAv1-MD5 and AKAv2-MD5 challenges (and nothing else). */
export function createAkaProvider(options: AkaProviderOptions): CredentialsProvider {
  if (options.op === undefined && options.opc === undefined) throw new TypeError('AKA needs OP or OPc')
  const usim = options.sqn === undefined ? undefined : createUsimSqn({ sqnMs: options.sqn })
  const keys =
    options.opc !== undefined
      ? { k: options.k, opc: options.opc }
      : { k: options.k, op: options.op as Uint8Array }
  return {
    answer({ challenge, method, uri, body, nc }) {
      if (challenge.algorithm !== 'AKAv1-MD5' && challenge.algorithm !== 'AKAv2-MD5') return undefined
      const r = answerAkaChallenge({
        ...keys,
        challenge,
        username: options.impi,
        method,
        uri,
        body,
        nc,
        usim,
      })
      switch (r.outcome) {
        case 'authenticated':
        case 'sync-failure':
        case 'mac-failure':
          options.onOutcome?.(r.outcome)
          return r.credentials
        default:
          options.onOutcome?.(r.outcome, r.error.reason)
          return undefined
      }
    },
  }
}

/** 16 octets from 32 hexadecimal digits, or undefined. */
export function parseKey(hex: string): Uint8Array | undefined {
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined
}
