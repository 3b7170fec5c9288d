/**
 * Where users' secrets come from. A `CredentialStore` answers with the password or with the
 * stored HA1 per algorithm (RFC 7616 §3.4.2: H(username ":" realm ":" password), which is what a
 * server should keep, §5.13). Stores: `createMemoryCredentialStore` (a list, for tests and small
 * set-ups) and `createYamlCredentialStore` (a users file, reloaded when it changes).
 */
import { computeHA1 } from '@junction/digest'
import { AuthError, authFaultCodes } from './errors.ts'

/** The algorithms a SIP server challenges with (RFC 8760 §2). */
export type AuthAlgorithm = 'MD5' | 'SHA-256' | 'SHA-512-256'

export const authAlgorithms: readonly AuthAlgorithm[] = ['MD5', 'SHA-256', 'SHA-512-256']

/** HA1 per algorithm, lower-case hex. */
export type Ha1Set = { readonly [A in AuthAlgorithm]?: string | undefined }

export type UserSecret = { readonly ha1: Ha1Set } | { readonly password: string }

export interface CredentialStore {
  /** The secret of `user` in `realm`, or undefined when there is no such user. */
  lookup(user: string, realm: string): Promise<UserSecret | undefined>
}

/**
 * HA1 = H(user ":" realm ":" password) for one algorithm, in hex (RFC 7616 §3.4.2) — what a
 * users file or a database stores instead of the password (e.g. for `junction-ctl user add`).
 */
export function hashUser(user: string, realm: string, password: string, algorithm: AuthAlgorithm): string {
  if (!authAlgorithms.includes(algorithm)) {
    throw new AuthError(authFaultCodes.INVALID_ARGUMENT, `unknown algorithm ${JSON.stringify(algorithm)}`)
  }
  return computeHA1({ algorithm, username: user, realm, password })
}

export interface StaticUser {
  readonly user: string
  /** Undefined: the user exists in every realm (a password only; an HA1 is bound to its realm). */
  readonly realm?: string | undefined
  readonly secret: UserSecret
}

/**
 * Secrets by user name, then realm: an entry for a realm wins over one for every realm. Looked up
 * with the user name as it comes (no key text is built per request: on a registrar at 20 000
 * REGISTERs a second, a joined key cost a string and its hash each time).
 */
export class UserTable {
  readonly #byUser = new Map<string, { any?: UserSecret; realms?: Map<string, UserSecret> }>()
  #size = 0

  /** Sets the secret of a user in a realm (undefined: every realm), replacing one set before. */
  set(user: string, realm: string | undefined, secret: UserSecret): void {
    let entry = this.#byUser.get(user)
    if (entry === undefined) {
      entry = {}
      this.#byUser.set(user, entry)
    }
    if (realm === undefined) {
      if (entry.any === undefined) this.#size++
      entry.any = secret
    } else {
      entry.realms ??= new Map()
      if (!entry.realms.has(realm)) this.#size++
      entry.realms.set(realm, secret)
    }
  }

  /** The secret of `user` in `realm`, or of `user` in every realm. */
  get(user: string, realm: string): UserSecret | undefined {
    const entry = this.#byUser.get(user)
    if (entry === undefined) return undefined
    return entry.realms?.get(realm) ?? entry.any
  }

  /** Users held (one per user and realm). */
  get size(): number {
    return this.#size
  }
}

/** A store over a fixed list: an entry for the realm wins over one for every realm. */
export function createMemoryCredentialStore(users: readonly StaticUser[]): CredentialStore {
  const table = new UserTable()
  for (const u of users) table.set(u.user, u.realm, u.secret)
  return {
    async lookup(user, realm) {
      return table.get(user, realm)
    },
  }
}
