/**
 * GRUUs (RFC 5627). A public GRUU is the AOR with a `gr` parameter holding the instance ID
 * (§3.1): stable, derived from AOR and instance. A temporary GRUU must not reveal the AOR and is
 * new at every registration refresh, while all those handed out stay valid until the registration
 * ends (§5). Here it is stateless: the user part carries AOR, instance ID and a hash of the
 * Call-ID, encrypted and authenticated (AES-256-GCM with a random IV, so each one is new); it
 * resolves while a binding of that AOR and instance registered with that Call-ID exists, and dies
 * with it, or when the UA registers again with a new Call-ID (a rebooted UA). Instances that share
 * the secret resolve each other's temporary GRUUs.
 */
import { Buffer } from 'node:buffer'
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { formatUri, parseUri, type SipUri, sipUri } from '@junction/sip'
import { aorOf } from './aor.ts'

/** Prefix of the user part of a temporary GRUU. */
const TEMP_PREFIX = 'tgruu.'
const IV = 12
const TAG = 16
const CALL_ID_HASH = 8

/** The public GRUU of `instanceId` (`<urn:uuid:...>`) for `aor` (canonical): `aor;gr=urn:uuid:...`. */
export function publicGruu(aor: string, instanceId: string): string {
  const u = parseUri(aor) as SipUri
  return formatUri(
    sipUri({ user: u.user, host: u.host, port: u.port, params: { gr: unbracket(instanceId) } }),
  )
}

function unbracket(instanceId: string): string {
  return instanceId.startsWith('<') && instanceId.endsWith('>') ? instanceId.slice(1, -1) : instanceId
}

/** A short hash of a Call-ID, carried by temporary GRUUs. */
export function callIdHash(callId: string): string {
  return createHash('sha256').update(callId, 'utf8').digest().subarray(0, CALL_ID_HASH).toString('base64url')
}

/** What a GRUU names (RFC 5627 §3). */
export type GruuTarget =
  | { readonly kind: 'public'; readonly aor: string; readonly instanceId: string }
  | {
      readonly kind: 'temporary'
      readonly aor: string
      readonly instanceId: string
      readonly callIdHash: string
    }

export interface GruuCodec {
  /** A new temporary GRUU for this AOR, instance and registration Call-ID. */
  temporary(aor: string, instanceId: string, callId: string): string
  /**
   * What `uri` names when it is a GRUU (it has a `gr` parameter, §3.1): a public one, or a
   * temporary one this codec (or one with the same secret) minted; `undefined` when it is not a
   * GRUU, `null` when it looks like a temporary GRUU but does not open.
   */
  open(uri: SipUri): GruuTarget | null | undefined
}

export function createGruuCodec(secret: string | Uint8Array): GruuCodec {
  const key = createHash('sha256')
    .update('junction-registrar temp-gruu\0')
    .update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
    .digest()

  return {
    temporary(aor, instanceId, callId) {
      const u = parseUri(aor) as SipUri
      const plain = Buffer.from(`${callIdHash(callId)}\n${instanceId}\n${aor}`, 'utf8')
      const iv = randomBytes(IV)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()])
      const user = TEMP_PREFIX + sealed.toString('base64url')
      return formatUri(sipUri({ user, host: u.host, port: u.port, params: { gr: null } }))
    },

    open(uri) {
      if (!uri.params.has('gr')) return undefined
      const gr = uri.params.get('gr')
      if (gr !== null && gr !== undefined) {
        // the AOR as aorOf writes it: no port (a GRUU names the AOR, RFC 5627 §3.1)
        const aor = aorOf(uri) as string
        return { kind: 'public', aor, instanceId: `<${gr}>` }
      }
      const user = uri.user
      if (user === undefined || !user.startsWith(TEMP_PREFIX)) return null
      const sealed = Buffer.from(user.slice(TEMP_PREFIX.length), 'base64url')
      if (sealed.length <= IV + TAG) return null
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV))
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG))
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(IV, sealed.length - TAG)),
          decipher.final(),
        ]).toString('utf8')
        const [hash, instanceId, aor] = plain.split('\n')
        if (hash === undefined || instanceId === undefined || aor === undefined) return null
        return { kind: 'temporary', aor, instanceId, callIdHash: hash }
      } catch {
        return null // tampered, or sealed with another secret
      }
    },
  }
}
