/**
 * `junction-ctl user ...`: the users file of `@junction/auth` (the YAML a running flavor reloads
 * when it changes), edited without a running server, and HA1 values printed for other stores.
 *
 * - `user ha1 <user> <realm>`: the HA1 of each algorithm (RFC 7616 §3.4.2: H(user:realm:password)).
 * - `user add <file> <user> --realm <realm>`: adds the user with the HA1 of every algorithm
 *   (`--plain` stores the password instead, for development); the file is created when missing,
 *   validated before and after, and replaced atomically (written beside it, then renamed), so the
 *   server never reads half a file.
 * - `user remove <file> <user> [--realm <realm>]`.
 *
 * The password comes from `--password-stdin` (first line of standard input) or, less safely
 * (shell history, process list), `--password`.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { authAlgorithms, hashUser, usersFileSchema } from '@junction/auth'
import { isMap, isSeq, parseDocument, YAMLMap } from 'yaml'

/** HA1 per algorithm, keyed as in the users file. */
export function ha1Of(user: string, realm: string, password: string): Record<string, string> {
  const keys = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512_256' } as const
  const out: Record<string, string> = {}
  for (const a of authAlgorithms) out[keys[a]] = hashUser(user, realm, password, a)
  return out
}

export type UsersEdit =
  | { readonly ok: true; readonly users: number }
  | { readonly ok: false; readonly error: string }

function load(path: string, create: boolean): { doc: ReturnType<typeof parseDocument> } | { error: string } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && create) text = 'users: []\n'
    else return { error: `${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` }
  }
  const doc = parseDocument(text)
  if (doc.errors.length > 0) return { error: `${path}: not YAML: ${doc.errors[0]!.message}` }
  const valid = usersFileSchema.safeParse(doc.toJS())
  if (!valid.success) {
    const i = valid.error.issues[0]!
    return { error: `${path}: invalid users file: ${i.path.join('.') || '(root)'}: ${i.message}` }
  }
  return { doc }
}

function save(path: string, doc: ReturnType<typeof parseDocument>): UsersEdit {
  const data = doc.toJS() as unknown
  const valid = usersFileSchema.safeParse(data)
  if (!valid.success) return { ok: false, error: `${path}: the edit would make it invalid` }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`)
  writeFileSync(tmp, doc.toString(), { mode: 0o600 })
  renameSync(tmp, path)
  return { ok: true, users: valid.data.users.length }
}

function sameUser(entry: unknown, user: string, realm: string | undefined): boolean {
  if (!isMap(entry)) return false
  return entry.get('user') === user && (realm === undefined || entry.get('realm') === realm)
}

/** Adds `user` to the users file at `path` (created when missing). */
export function addUser(
  path: string,
  o: { user: string; realm: string; password: string; plain?: boolean | undefined },
): UsersEdit {
  const loaded = load(path, true)
  if ('error' in loaded) return { ok: false, error: loaded.error }
  const { doc } = loaded
  const users = doc.get('users')
  if (!isSeq(users)) return { ok: false, error: `${path}: users is not a list` }
  if (users.items.some((e) => sameUser(e, o.user, o.realm) || sameUser(e, o.user, undefined))) {
    return { ok: false, error: `${path}: ${o.user} (realm ${o.realm}) is already there` }
  }
  const entry = new YAMLMap()
  entry.set('user', o.user)
  entry.set('realm', o.realm)
  if (o.plain === true) entry.set('password', o.password)
  else entry.set('ha1', doc.createNode(ha1Of(o.user, o.realm, o.password)))
  users.add(entry)
  return save(path, doc)
}

/** Removes `user` (of `realm`, or of any realm) from the users file at `path`. */
export function removeUser(path: string, user: string, realm?: string): UsersEdit {
  const loaded = load(path, false)
  if ('error' in loaded) return { ok: false, error: loaded.error }
  const { doc } = loaded
  const users = doc.get('users')
  if (!isSeq(users)) return { ok: false, error: `${path}: users is not a list` }
  const before = users.items.length
  users.items = users.items.filter((e) => !sameUser(e, user, realm))
  if (users.items.length === before) return { ok: false, error: `${path}: no user ${user}` }
  return save(path, doc)
}
