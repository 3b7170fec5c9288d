/**
 * What junction-hss must not forget across restarts, `kill -9` included: SQN_HE per IMPI (an SQN
 * used twice lets a vector be replayed, TS 33.102 §6.3.2 and Annex C) and the registration state
 * and assigned S-CSCF name per IMPU (TS 29.228 §6.1.2, §6.1.3).
 *
 * One JSON file, replaced atomically: written to `<file>.tmp`, fsync'd, renamed over the file, and
 * the directory fsync'd — a crash leaves the old file or the new one, never a torn one. Changes are
 * made in memory at once; `flush()` resolves when they are on disk. Writes are grouped: changes
 * made while a write is in progress go out together in the next one, so a burst of MARs costs a
 * few fsyncs, not one each. The HSS answers only after the flush, so no answer ever carries an SQN
 * the file does not cover.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { HssError, hssFaultCodes } from './errors.ts'

/** TS 29.228 §6.1.2.1: the registration state of a public identity at the HSS. */
export type RegistrationState = 'NOT_REGISTERED' | 'REGISTERED' | 'UNREGISTERED'

export interface ImpuState {
  readonly state: RegistrationState
  /** The S-CSCF assigned (or kept after de-registration). */
  readonly serverName?: string | undefined
}

export interface StateStore {
  /** SQN of the next vector of `impi`, if the store has one. */
  sqn(impi: string): bigint | undefined
  setSqn(impi: string, sqn: bigint): void
  impu(impu: string): ImpuState
  setImpu(impu: string, state: ImpuState): void
  /** Resolves when every change made so far is on disk (rejects when the write fails). */
  flush(): Promise<void>
  readonly path: string | undefined
}

const FORMAT = 'junction-hss-state/1'
const NOT_REGISTERED: ImpuState = { state: 'NOT_REGISTERED' }
const STATES = new Set<string>(['NOT_REGISTERED', 'REGISTERED', 'UNREGISTERED'])

interface FileShape {
  format: string
  sqn: Record<string, string>
  impus: Record<string, { state: RegistrationState; serverName?: string }>
}

function key(s: string): string {
  return s.toLowerCase()
}

/** A store in memory only (tests, benchmarks): `flush()` resolves at once. */
export function createMemoryStore(): StateStore {
  return createStore(undefined, new Map(), new Map())
}

/**
 * Opens the state file (a missing file is an empty state). A file that does not parse is an
 * error (`JUNCTION_ERR_HSS_STATE`): starting over would reuse SQNs.
 */
export async function openStateStore(path: string): Promise<StateStore> {
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new HssError(
        hssFaultCodes.STATE,
        `cannot read the state file ${path}: ${(error as Error).message}`,
      )
    }
  }
  const sqn = new Map<string, bigint>()
  const impus = new Map<string, ImpuState>()
  if (text !== undefined) {
    let data: FileShape
    try {
      data = JSON.parse(text) as FileShape
      if (data?.format !== FORMAT) throw new Error(`format is not ${FORMAT}`)
      for (const [impi, hex] of Object.entries(data.sqn ?? {})) {
        if (!/^[0-9a-f]{12}$/.test(hex)) throw new Error(`bad SQN for ${impi}`)
        sqn.set(key(impi), BigInt(`0x${hex}`))
      }
      for (const [impu, s] of Object.entries(data.impus ?? {})) {
        if (!STATES.has(s?.state)) throw new Error(`bad state for ${impu}`)
        impus.set(key(impu), {
          state: s.state,
          serverName: typeof s.serverName === 'string' ? s.serverName : undefined,
        })
      }
    } catch (error) {
      throw new HssError(
        hssFaultCodes.STATE,
        `the state file ${path} is corrupt: ${(error as Error).message}`,
      )
    }
  }
  await rm(`${path}.tmp`, { force: true })
  return createStore(path, sqn, impus)
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  // the rename itself is durable once the directory is
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    await dir.close()
  }
}

function createStore(
  path: string | undefined,
  sqn: Map<string, bigint>,
  impus: Map<string, ImpuState>,
): StateStore {
  let version = 0
  let written = 0
  let running: Promise<void> | undefined

  function serialize(): string {
    const data: FileShape = { format: FORMAT, sqn: {}, impus: {} }
    for (const [k, v] of sqn) data.sqn[k] = v.toString(16).padStart(12, '0')
    for (const [k, v] of impus) {
      if (v.state === 'NOT_REGISTERED' && v.serverName === undefined) continue
      data.impus[k] =
        v.serverName === undefined ? { state: v.state } : { state: v.state, serverName: v.serverName }
    }
    return `${JSON.stringify(data, null, 1)}\n`
  }

  async function loop(p: string): Promise<void> {
    while (written < version) {
      const v = version
      try {
        await writeAtomic(p, serialize())
      } catch (error) {
        throw new HssError(
          hssFaultCodes.STATE_WRITE,
          `cannot write the state file ${p}: ${(error as Error).message}`,
        )
      }
      written = v
    }
  }

  function flush(): Promise<void> {
    if (path === undefined) return Promise.resolve()
    // a write in progress may have started before the latest change: wait for it, then look again
    if (running !== undefined) return running.then(flush)
    if (written === version) return Promise.resolve()
    running = loop(path).finally(() => {
      running = undefined
    })
    return running
  }

  return {
    path,
    sqn: (impi) => sqn.get(key(impi)),
    setSqn(impi, value) {
      sqn.set(key(impi), value)
      version++
    },
    impu: (impu) => impus.get(key(impu)) ?? NOT_REGISTERED,
    setImpu(impu, state) {
      impus.set(key(impu), state)
      version++
    },
    flush,
  }
}
