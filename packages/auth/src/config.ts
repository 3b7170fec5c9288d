/**
 * The config slice of digest authentication (DESIGN.md "Config"): a strict zod schema a flavor
 * composes into its own, and the mapping to `createDigestAuth`, the credential store and the
 * failed-auth guard. The realm defaults to the flavor's first domain; where the users come from
 * when the config names none is the flavor's choice.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { type AuthAlgorithm, type CredentialStore, createMemoryCredentialStore } from './credentials.ts'
import type { DigestAuthConfig } from './digest-auth.ts'
import type { FailureGuardConfig } from './failure-guard.ts'
import {
  createYamlCredentialStore,
  secretOf,
  userEntry,
  usersFileSchema,
  type YamlCredentialStoreOptions,
} from './yaml-store.ts'

const algorithm = z.enum(['MD5', 'SHA-256', 'SHA-512-256'] satisfies AuthAlgorithm[])

export const authConfig = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Challenge REGISTER (401) and requests from local users (407), RFC 3261 §22'),
    realm: z.string().min(1).optional().describe('Protection space (default: the first domain)'),
    realmPerDomain: z
      .boolean()
      .default(false)
      .describe(
        'Each served domain is its own realm (RFC 3261 §22.1: the realm is usually the domain): a REGISTER is challenged in the realm of its To domain, other requests in that of their From domain; `realm` serves the rest',
      ),
    secret: z
      .string()
      .min(16)
      .optional()
      .describe('Nonce key, 16+ characters, shared by instances (default: random per process)'),
    algorithms: z
      .array(algorithm)
      .min(1)
      .default(['MD5'])
      .describe(
        'Challenges offered, most preferred first (RFC 8760 §2.4). Default MD5 alone: JsSIP and SIP.js keep only the last challenge of a 401, baresip refuses one with any non-MD5 challenge; e.g. [SHA-256, MD5] for clients that do SHA-256',
      ),
    qop: z
      .array(z.enum(['auth', 'auth-int']))
      .min(1)
      .default(['auth'])
      .describe('qop-options offered (RFC 7616)'),
    nonceLifetimeSec: z.number().int().min(5).default(300).describe('After it a nonce is stale'),
    maxNcEntries: z.number().int().min(1).default(100_000).describe('Nonces whose nc is remembered'),
    usersFile: z.string().min(1).optional().describe('YAML users file (reloaded when it changes)'),
    users: z
      .array(userEntry)
      .optional()
      .describe('Users inline (development): [{ user, password }] or { user, realm, ha1 }'),
    guard: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Block sources that keep failing authentication'),
        maxFailures: z.number().int().min(1).default(10),
        windowSec: z.number().int().min(1).default(60),
        blockSec: z.number().int().min(1).default(300),
        maxSources: z.number().int().min(1).default(100_000),
      })
      .prefault({})
      .describe('Failed-auth guard (pike-style): failures per source address, temporary block'),
  })
  .refine((c) => c.usersFile === undefined || c.users === undefined, {
    message: 'give usersFile or users, not both',
  })
  .refine((c) => c.users === undefined || usersFileSchema.safeParse({ users: c.users }).success, {
    message: 'duplicate user and realm in users',
    path: ['users'],
  })
  .prefault({})

export type AuthConfigSlice = z.output<typeof authConfig>

/** The createDigestAuth config of a validated slice; `realm` when the slice names none. */
export function digestAuthOptions(config: AuthConfigSlice, defaultRealm: string): DigestAuthConfig {
  return {
    realm: config.realm ?? defaultRealm,
    secret: config.secret ?? randomBytes(32),
    algorithms: config.algorithms,
    qop: config.qop,
    nonceLifetimeSec: config.nonceLifetimeSec,
    maxNcEntries: config.maxNcEntries,
  }
}

/**
 * The credential store of a validated slice: the users file (watched; `options` for its reloads),
 * the inline users, or, when the slice names neither, `fallback` (undefined: no users at all).
 */
export function credentialStoreOf(
  config: AuthConfigSlice,
  fallback: readonly z.input<typeof userEntry>[] = [],
  options: YamlCredentialStoreOptions = {},
): CredentialStore & { readonly size: number; close(): void } {
  if (config.usersFile !== undefined) return createYamlCredentialStore(config.usersFile, options)
  const entries = config.users ?? fallback.map((u) => userEntry.parse(u))
  const store = createMemoryCredentialStore(
    entries.map((u) => ({ user: u.user, realm: u.realm, secret: secretOf(u) })),
  )
  return { lookup: store.lookup, size: entries.length, close() {} }
}

/** The failed-auth guard config of a validated slice (undefined when disabled). */
export function failureGuardOptions(config: AuthConfigSlice): FailureGuardConfig | undefined {
  const g = config.guard
  if (!g.enabled) return undefined
  return {
    maxFailures: g.maxFailures,
    windowSec: g.windowSec,
    blockSec: g.blockSec,
    maxSources: g.maxSources,
  }
}
