/**
 * The embedded location store: bindings in a Map, expiry by a timer wheel (one timer for the whole
 * store), bounded by `maxAors` and `maxBindingsPerAor`. Atomic by construction: every operation
 * runs to completion on the event loop before another starts.
 */
import { Buffer } from 'node:buffer'
import { type Clock, systemClock } from './clock.ts'
import { invalidConfig, RegistrarError, registrarFaultCodes } from './errors.ts'
import type { AorRecord, Binding, CompareAndSetResult, ExpiredBinding, LocationStore } from './store.ts'
import { createTimerWheel } from './timer-wheel.ts'

export interface MemoryLocationStoreOptions {
  /** Default: `systemClock` (Date.now). */
  readonly clock?: Clock | undefined
  /** Most AORs held at once; a write that would add one more answers `full`. Default 1,000,000. */
  readonly maxAors?: number | undefined
  /** Most bindings per AOR; a write with more answers `full`. Default 100. */
  readonly maxBindingsPerAor?: number | undefined
}

/** A LocationStore in memory, with the size of what it holds. */
export interface MemoryLocationStore extends LocationStore {
  /** AORs held. */
  readonly aorCount: number
  /** Bindings held (expired ones not yet removed included). */
  readonly bindingCount: number
}

interface Entry {
  version: number
  bindings: readonly Binding[]
  /**
   * The wheel slot holding this AOR: due no later than its earliest expiry (a refresh may leave it
   * in an earlier one; see write). UNSCHEDULED while expireNow handles it.
   */
  slot: number
}

const UNSCHEDULED = -1

const empty: AorRecord = Object.freeze({ version: 0, bindings: Object.freeze([]) as readonly Binding[] })

/**
 * A copy of `s` that holds no reference to a larger string. A header value read from a message is
 * often a V8 sliced string that keeps the whole message text alive; a stored binding must not.
 * (Slicing a joined string is three times as fast, but V8 then keeps a sliced string over a flat
 * copy: 1,131 octets per binding in bench/registrar.bench.ts against 917 this way.)
 */
function own(s: string): string
function own(s: string | undefined): string | undefined
function own(s: string | undefined): string | undefined {
  if (s === undefined || s.length < 13) return s // V8 copies short slices anyway
  return Buffer.from(s, 'utf8').toString('utf8')
}

function invalidBinding(message: string): RegistrarError {
  return new RegistrarError(registrarFaultCodes.INVALID_BINDING, message)
}

/**
 * `s` as a string the store owns: the equal one a binding it already holds has (a refresh usually
 * repeats the contact, the source, the flow and the User-Agent: no copy), else a copy.
 */
function ownOrReuse(s: string, held: readonly Binding[], field: StringField): string
function ownOrReuse(s: string | undefined, held: readonly Binding[], field: StringField): string | undefined
function ownOrReuse(s: string | undefined, held: readonly Binding[], field: StringField): string | undefined {
  if (s === undefined || s.length < 13) return s
  for (const h of held) if (h[field] === s) return h[field]
  return own(s)
}

type StringField =
  | 'contact'
  | 'params'
  | 'callId'
  | 'instanceId'
  | 'flowId'
  | 'received'
  | 'userAgent'
  | 'pubGruu'

/**
 * The binding as the store keeps it: checked, frozen, with strings of its own. `held`: the AOR's
 * bindings before this write; one of them written again is kept as it is.
 */
function stored(aor: string, b: Binding, held: readonly Binding[]): Binding {
  if (held.includes(b)) return b // stored by an earlier write: checked, frozen and owned already
  if (b.aor !== aor) throw invalidBinding(`binding of ${b.aor} written to ${aor}`)
  if (typeof b.contact !== 'string' || b.contact === '') throw invalidBinding('a binding needs a contact')
  if (!Number.isFinite(b.expiresAt)) throw invalidBinding('a binding needs a finite expiresAt')
  if (!Number.isFinite(b.q) || b.q < 0 || b.q > 1) throw invalidBinding('q must be 0 to 1')
  const out: Record<string, unknown> = {
    aor,
    contact: ownOrReuse(b.contact, held, 'contact'),
    params: ownOrReuse(b.params, held, 'params'),
    callId: ownOrReuse(b.callId, held, 'callId'),
    cseq: b.cseq,
    expiresAt: b.expiresAt,
    q: b.q,
    path: b.path.length === 0 ? [] : b.path.map((p) => own(p)),
    updatedAt: b.updatedAt,
  }
  // only the optional fields that are set: fewer properties, less memory per binding
  if (b.instanceId !== undefined) out['instanceId'] = ownOrReuse(b.instanceId, held, 'instanceId')
  if (b.regId !== undefined) out['regId'] = b.regId
  if (b.flowId !== undefined) out['flowId'] = ownOrReuse(b.flowId, held, 'flowId')
  if (b.received !== undefined) out['received'] = ownOrReuse(b.received, held, 'received')
  if (b.userAgent !== undefined) out['userAgent'] = ownOrReuse(b.userAgent, held, 'userAgent')
  if (b.pubGruu !== undefined) out['pubGruu'] = ownOrReuse(b.pubGruu, held, 'pubGruu')
  return Object.freeze(out) as unknown as Binding
}

/** Whether two lists name the same flows, binding by binding (enough to keep the flow index). */
function sameFlows(a: readonly Binding[], b: readonly Binding[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i]!.flowId !== b[i]!.flowId) return false
  return true
}

function earliest(bindings: readonly Binding[]): number {
  let first = Number.POSITIVE_INFINITY
  for (const b of bindings) if (b.expiresAt < first) first = b.expiresAt
  return first
}

function positiveInteger(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback
  if (!Number.isSafeInteger(v) || v < 1) throw invalidConfig(`${name} must be a positive integer`)
  return v
}

export function createMemoryLocationStore(options: MemoryLocationStoreOptions = {}): MemoryLocationStore {
  const clock = options.clock ?? systemClock
  const maxAors = positiveInteger('maxAors', options.maxAors, 1_000_000)
  const maxBindingsPerAor = positiveInteger('maxBindingsPerAor', options.maxBindingsPerAor, 100)
  const aors = new Map<string, Entry>()
  const flows = new Map<string, Set<string>>()
  const listeners = new Set<(expired: ExpiredBinding) => void>()
  let bindingCount = 0
  let versions = 0
  let closed = false

  const wheel = createTimerWheel<string>(clock, (now) => {
    expireNow(now)
  })

  function open(): void {
    if (closed) throw new RegistrarError(registrarFaultCodes.STORE_CLOSED, 'the location store is closed')
  }

  function unindex(aor: string, bindings: readonly Binding[]): void {
    for (const b of bindings) {
      if (b.flowId === undefined) continue
      const set = flows.get(b.flowId)
      if (set === undefined) continue
      set.delete(aor)
      if (set.size === 0) flows.delete(b.flowId)
    }
  }

  function index(aor: string, bindings: readonly Binding[]): void {
    for (const b of bindings) {
      if (b.flowId === undefined) continue
      let set = flows.get(b.flowId)
      if (set === undefined) {
        set = new Set()
        flows.set(b.flowId, set)
      }
      set.add(aor)
    }
  }

  /** Writes without checks; returns the new version (0 when the AOR is gone). */
  function write(aor: string, old: Entry | undefined, bindings: readonly Binding[]): number {
    // a refresh over the same flows (the usual REGISTER) leaves the flow index as it is
    const reindex = old === undefined || !sameFlows(old.bindings, bindings)
    if (old !== undefined) {
      if (reindex) unindex(aor, old.bindings)
      bindingCount -= old.bindings.length
    }
    if (bindings.length === 0) {
      if (old !== undefined) wheel.unschedule(aor, old.slot)
      aors.delete(aor)
      return 0
    }
    const version = ++versions
    const frozen = Object.freeze(bindings.slice())
    // One wheel entry per AOR. A write that makes its earliest expiry later (a refresh) leaves it
    // in its bucket: when that comes due, expireNow finds nothing expired and moves it then, once,
    // rather than at every refresh. Only an earlier expiry moves it now.
    const first = earliest(frozen)
    let slot: number
    if (old !== undefined && old.slot !== UNSCHEDULED && wheel.slotOf(first) >= old.slot) slot = old.slot
    else {
      if (old !== undefined) wheel.unschedule(aor, old.slot)
      slot = wheel.schedule(aor, first)
    }
    if (old === undefined) aors.set(aor, { version, bindings: frozen, slot })
    else {
      old.version = version
      old.bindings = frozen
      old.slot = slot
    }
    bindingCount += frozen.length
    if (reindex) index(aor, frozen)
    return version
  }

  function expireNow(now: number): ExpiredBinding[] {
    const out: ExpiredBinding[] = []
    for (const aor of wheel.advance(now)) {
      const entry = aors.get(aor)
      if (entry === undefined) continue
      entry.slot = UNSCHEDULED // its bucket came due: it is in none now
      const keep: Binding[] = []
      for (const b of entry.bindings) {
        if (b.expiresAt <= now) out.push({ aor, binding: b })
        else keep.push(b)
      }
      // write() puts it back in the wheel (or drops it), as does schedule() when none expired
      if (keep.length !== entry.bindings.length) write(aor, entry, keep)
      else entry.slot = wheel.schedule(aor, earliest(keep))
    }
    for (const e of out) {
      for (const l of listeners) {
        try {
          l(e)
        } catch {
          // a listener's fault must not stop expiry (listeners are documented not to throw)
        }
      }
    }
    return out
  }

  return {
    async get(aor) {
      open()
      const entry = aors.get(aor)
      return entry === undefined ? empty : { version: entry.version, bindings: entry.bindings }
    },

    async compareAndSet(aor, expectedVersion, bindings): Promise<CompareAndSetResult> {
      open()
      const entry = aors.get(aor)
      if ((entry?.version ?? 0) !== expectedVersion) return { ok: false, reason: 'conflict' }
      if (bindings.length > maxBindingsPerAor) return { ok: false, reason: 'full' }
      if (entry === undefined && bindings.length > 0 && aors.size >= maxAors)
        return { ok: false, reason: 'full' }
      const held = entry?.bindings ?? empty.bindings
      const copies = bindings.map((b) => stored(aor, b, held))
      return { ok: true, version: write(aor, entry, copies) }
    },

    async delete(aor) {
      open()
      const entry = aors.get(aor)
      if (entry === undefined) return []
      const removed = entry.bindings
      write(aor, entry, [])
      return removed
    },

    async aorsOnFlow(flowId) {
      open()
      const set = flows.get(flowId)
      return set === undefined ? [] : [...set]
    },

    async expire(now) {
      open()
      return expireNow(now)
    },

    onExpire(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },

    async close() {
      closed = true
      wheel.stop()
      listeners.clear()
    },

    get aorCount() {
      return aors.size
    },
    get bindingCount() {
      return bindingCount
    },
  }
}
