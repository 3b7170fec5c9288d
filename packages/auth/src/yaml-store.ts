/**
 * The embedded credential store: a YAML users file, validated with a zod schema, reloaded when it
 * changes (its stat polled on an unref'd timer and compared with the stat taken when it was last
 * read: this works on every file system and across editors that replace the file, and unlike
 * `fs.watchFile` cannot miss a change made before the watcher's first poll). A bad edit never
 * takes users away: the last good list stays in force and the problem is reported.
 *
 *   users:
 *     - user: alice
 *       password: wonderland          # hashed here, never sent
 *     - user: bob
 *       realm: example.com            # required with ha1: an HA1 is bound to its realm
 *       ha1:
 *         md5: 6b8f6b...              # H(user:realm:password), see hashUser / junction-ctl user add
 *         sha256: 0f5e...
 *         sha512_256: 9a1c...
 */
import { channel } from 'node:diagnostics_channel'
import { readFileSync, type Stats, statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { type CredentialStore, type UserSecret, UserTable } from './credentials.ts'
import { AuthError, authFaultCodes } from './errors.ts'

/** `{ path, ok: true, users } | { path, ok: false, error }` after each reload of a users file. */
export const usersReloadChannel = channel('junction:auth:users-reload')

const hex = (digits: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${digits}}$`), `must be ${digits} hexadecimal digits`)

/** One user of a users file (or of an inline list in a config). */
export const userEntry = z
  .strictObject({
    user: z.string().min(1),
    realm: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    ha1: z
      .strictObject({
        md5: hex(32).optional(),
        sha256: hex(64).optional(),
        sha512_256: hex(64).optional(),
      })
      .refine((h) => h.md5 !== undefined || h.sha256 !== undefined || h.sha512_256 !== undefined, {
        message: 'ha1 needs at least one of md5, sha256, sha512_256',
      })
      .optional(),
  })
  .refine((u) => (u.password === undefined) !== (u.ha1 === undefined), {
    message: 'give either password or ha1, not both',
  })
  .refine((u) => u.ha1 === undefined || u.realm !== undefined, {
    message: 'an entry with ha1 needs its realm (the HA1 was computed for it)',
    path: ['realm'],
  })

/** The users file (unknown keys are errors). */
export const usersFileSchema = z.strictObject({ users: z.array(userEntry) }).superRefine((file, ctx) => {
  const seen = new Set<string>()
  file.users.forEach((u, i) => {
    const key = u.realm === undefined ? `${u.user}\n*` : `${u.user}\n=${u.realm}`
    if (seen.has(key))
      ctx.addIssue({ code: 'custom', message: 'duplicate user and realm', path: ['users', i, 'user'] })
    seen.add(key)
  })
})

export type UsersFile = z.infer<typeof usersFileSchema>

export type ReloadResult =
  | { readonly ok: true; readonly users: number }
  | { readonly ok: false; readonly error: AuthError }

export interface YamlCredentialStoreOptions {
  /** Reload when the file changes. Default true. */
  readonly watch?: boolean | undefined
  /** How often the file's stat is polled, ms. Default 2000. */
  readonly intervalMs?: number | undefined
  /** Told after each reload (a change of the file, or `reload()`). */
  readonly onReload?: ((result: ReloadResult) => void) | undefined
}

export interface YamlCredentialStore extends CredentialStore {
  /** Users loaded. */
  readonly size: number
  /** Reads the file again now; on a problem the users loaded before stay. */
  reload(): ReloadResult
  /** Stops watching the file. */
  close(): void
}

/** What tells a changed file: inode, size and modification time. */
function signatureOf(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`
}

function signature(path: string): string {
  try {
    return signatureOf(statSync(path))
  } catch {
    return 'missing'
  }
}

function problem(path: string, message: string, cause?: unknown): AuthError {
  return new AuthError(authFaultCodes.USERS_FILE, `${path}: ${message}`, { cause })
}

/** Reads and validates a users file: the secrets by user and realm, or throws `JUNCTION_ERR_AUTH_USERS_FILE`. */
export function loadUsersFile(path: string): UserTable {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw problem(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e)
  }
  let data: unknown
  try {
    data = parseYaml(text)
  } catch (e) {
    throw problem(path, `is not valid YAML: ${(e as Error).message}`, e)
  }
  const parsed = usersFileSchema.safeParse(data)
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`,
    )
    throw problem(path, `invalid users file:\n  ${issues.join('\n  ')}`, parsed.error)
  }
  const users = new UserTable()
  for (const u of parsed.data.users) users.set(u.user, u.realm, secretOf(u))
  return users
}

/** The secret of a validated users-file entry. */
export function secretOf(u: z.output<typeof userEntry>): UserSecret {
  return u.password !== undefined
    ? { password: u.password }
    : {
        ha1: {
          MD5: u.ha1?.md5?.toLowerCase(),
          'SHA-256': u.ha1?.sha256?.toLowerCase(),
          'SHA-512-256': u.ha1?.sha512_256?.toLowerCase(),
        },
      }
}

/**
 * A credential store over a YAML users file. Throws `JUNCTION_ERR_AUTH_USERS_FILE` when the file
 * cannot be loaded at start; later problems are reported (`onReload`, the
 * `junction:auth:users-reload` channel) and the last good users stay.
 */
export function createYamlCredentialStore(
  path: string,
  options: YamlCredentialStoreOptions = {},
): YamlCredentialStore {
  let seen = signature(path)
  let users = loadUsersFile(path)

  function reload(): ReloadResult {
    let result: ReloadResult
    try {
      seen = signature(path)
      users = loadUsersFile(path)
      result = { ok: true, users: users.size }
    } catch (e) {
      result = { ok: false, error: e instanceof AuthError ? e : problem(path, String(e), e) }
    }
    if (usersReloadChannel.hasSubscribers) usersReloadChannel.publish({ path, ...result })
    options.onReload?.(result)
    return result
  }

  let polling = false
  async function poll(): Promise<void> {
    if (polling) return
    polling = true
    try {
      const now = await stat(path).then(signatureOf, () => 'missing')
      if (now !== seen) reload()
    } finally {
      polling = false
    }
  }
  const timer = options.watch === false ? undefined : setInterval(poll, options.intervalMs ?? 2000)
  timer?.unref()

  return {
    async lookup(user, realm) {
      return users.get(user, realm)
    },
    get size() {
      return users.size
    },
    reload,
    close() {
      if (timer !== undefined) clearInterval(timer)
    },
  }
}
