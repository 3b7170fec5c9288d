/**
 * Dialog tokens: what junction-ietf puts in the user part of its Record-Route (RFC 3261 §16.6
 * step 4) when no RFC 5626 flow token goes there, so that an in-dialog request (§16.12) that
 * names us in its Route is relayed only for a dialog we recorded. Without it, anybody could send
 * `INVITE sip:anyone@anywhere` with a To tag and `Route: <sip:us;lr>` and be relayed anywhere:
 * an open relay (the issue of every proxy that loose-routes blindly).
 *
 * The token is an HMAC-SHA-256 of the Call-ID (truncated to 96 bits), so it holds no state and
 * survives as long as the key: a key from the configuration (`routing.dialog.secret`, the same
 * on every instance that shares dialogs) keeps dialogs across restarts; a random one lasts as long
 * as the process.
 */
import { createMac, sameMac } from './mac.ts'

const prefix = 'dlg-'
/** base64url characters of the MAC: 96 bits. */
const macChars = 16

export interface DialogTokens {
  /** The token for a dialog (its Call-ID): base64url text, a valid SIP URI user part (§25.1 unreserved). */
  sign(callId: string): string
  /** True when `user` is the token of this Call-ID. */
  verify(callId: string, user: string): boolean
}

export function createDialogTokens(key: Uint8Array | string): DialogTokens {
  const hmac = createMac(key, macChars)
  const mac = (callId: string): string => hmac(`dialog~${callId}`)
  return {
    sign: (callId) => prefix + mac(callId),
    verify(callId, user) {
      if (user.length !== prefix.length + macChars || !user.startsWith(prefix)) return false
      return sameMac(user.slice(prefix.length), mac(callId))
    },
  }
}
