/**
 * The HSS procedures of TS 29.228 §6 as Cx handlers (@junction/diameter-cx): UAR (§6.1.1), SAR
 * (§6.1.2), LIR (§6.2), MAR (§6.3), over the subscribers of the configuration and the state store.
 *
 * Registration state per public identity (§6.1.2.1): NOT_REGISTERED, REGISTERED, UNREGISTERED
 * (assigned to an S-CSCF for unregistered services). A SAR acts on the whole implicit registration
 * set of each identity it names (TS 23.228 §5.2.1a). The S-CSCF name is stored at MAR for a user
 * not registered yet (§6.3.1), and at SAR.
 */
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { createMilenage, type Milenage, nextSqn, resync } from '@junction/aka'
import { ResultCode } from '@junction/diameter'
import {
  type AuthDataItem,
  AuthScheme,
  type CxHandlers,
  experimental,
  type LiaInit,
  type MaaInit,
  type SaaInit,
  type ServerCapabilities,
  SUCCESS,
  type UaaInit,
} from '@junction/diameter-cx'
import type { HssConfig, SubscriberConfig } from './config.ts'
import type { StateStore } from './state.ts'
import { hasUnregisteredServices, renderUserData } from './user-data.ts'
import { createVectorFactory, type VectorFactory } from './vectors.ts'

/** A logger (pino's shape); per-message lines at debug only. */
export interface HssLogger {
  debug(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

export interface HssDeps {
  readonly store: StateStore
  readonly log?: HssLogger | undefined
  /** RAND source (tests). */
  readonly random?: (() => Uint8Array) | undefined
}

interface Subscriber {
  readonly config: SubscriberConfig
  readonly milenage: Milenage
  readonly amf: Uint8Array
  readonly initialSqn: bigint
  /** Implicit registration sets, each a list of IMPUs. */
  readonly sets: readonly (readonly string[])[]
  readonly unregisteredServices: boolean
}

const hex = (s: string) => Buffer.from(s, 'hex')
const lower = (s: string) => s.toLowerCase()

/** SAR types that end a registration (TS 29.228 §6.1.2.1 table 6.1.2.1). */
const DEREGISTRATIONS = new Set([
  'TIMEOUT_DEREGISTRATION',
  'USER_DEREGISTRATION',
  'ADMINISTRATIVE_DEREGISTRATION',
  'DEREGISTRATION_TOO_MUCH_DATA',
])
const DEREGISTRATIONS_KEEPING_NAME = new Set([
  'TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME',
  'USER_DEREGISTRATION_STORE_SERVER_NAME',
])

export interface Hss {
  readonly handlers: CxHandlers
  /** The subscriber of an IMPI, for tools and tests. */
  subscriber(impi: string): SubscriberConfig | undefined
}

export function createHss(config: HssConfig, deps: HssDeps): Hss {
  const { store, log } = deps
  const byImpi = new Map<string, Subscriber>()
  const byImpu = new Map<string, Subscriber>()
  for (const c of config.subscribers) {
    const sets = c.implicitSets ?? [c.impus]
    // an IMPU named in no set is a set of its own
    const named = new Set(sets.flat().map(lower))
    const all = [...sets, ...c.impus.filter((u) => !named.has(lower(u))).map((u) => [u])]
    const s: Subscriber = {
      config: c,
      milenage:
        c.op !== undefined
          ? createMilenage({ k: hex(c.k), op: hex(c.op) })
          : createMilenage({ k: hex(c.k), opc: hex(c.opc!) }),
      amf: hex(c.amf),
      initialSqn: BigInt(`0x${c.sqn}`),
      sets: all,
      unregisteredServices: hasUnregisteredServices(c),
    }
    byImpi.set(lower(c.impi), s)
    for (const u of c.impus) byImpu.set(lower(u), s)
  }
  const makeVector: VectorFactory = createVectorFactory({
    rand: config.hss.vectors.rand,
    fixedRand: config.hss.vectors.fixedRand === undefined ? undefined : hex(config.hss.vectors.fixedRand),
    random: deps.random,
  })
  const maxItems = config.hss.vectors.maxItems

  const serverNameOf = (s: Subscriber) => s.config.scscf ?? config.hss.scscf.name
  const capabilitiesOf = (s: Subscriber): ServerCapabilities => {
    const c = s.config.capabilities ?? config.hss.scscf.capabilities
    return { mandatory: c?.mandatory ?? [], optional: c?.optional ?? [], serverNames: [] }
  }
  const setOf = (s: Subscriber, impu: string) =>
    s.sets.find((set) => set.some((u) => lower(u) === lower(impu))) ?? [impu]

  /** First registration or selection: the configured S-CSCF name, else capabilities (§6.1.1.1). */
  const selection = (s: Subscriber) => {
    const name = serverNameOf(s)
    return name !== undefined ? { serverName: name } : { serverCapabilities: capabilitiesOf(s) }
  }

  /** TS 29.228 §6.1.1.1 */
  function uar(r: Parameters<NonNullable<CxHandlers['uar']>>[0]): UaaInit {
    const s = byImpu.get(lower(r.impu))
    if (s === undefined) return { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
    if (lower(s.config.impi) !== lower(r.impi))
      return { result: experimental('DIAMETER_ERROR_IDENTITIES_DONT_MATCH') }
    const st = store.impu(r.impu)
    if (r.userAuthorizationType === 'DE_REGISTRATION') {
      if (st.state === 'NOT_REGISTERED')
        return { result: experimental('DIAMETER_ERROR_IDENTITY_NOT_REGISTERED') }
      return { result: SUCCESS, serverName: st.serverName }
    }
    if (r.userAuthorizationType === 'REGISTRATION_AND_CAPABILITIES') {
      return { result: experimental('DIAMETER_FIRST_REGISTRATION'), serverCapabilities: capabilitiesOf(s) }
    }
    if (st.serverName !== undefined) {
      return { result: experimental('DIAMETER_SUBSEQUENT_REGISTRATION'), serverName: st.serverName }
    }
    return { result: experimental('DIAMETER_FIRST_REGISTRATION'), ...selection(s) }
  }

  /** TS 29.228 §6.3.1 */
  async function mar(r: Parameters<NonNullable<CxHandlers['mar']>>[0]): Promise<MaaInit> {
    const s = byImpi.get(lower(r.impi))
    if (s === undefined) return { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
    const owner = byImpu.get(lower(r.impu))
    if (owner === undefined) return { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
    if (owner !== s) return { result: experimental('DIAMETER_ERROR_IDENTITIES_DONT_MATCH') }
    const scheme = r.scheme
    const aka = scheme === AuthScheme.AKAV1_MD5 || scheme === AuthScheme.UNKNOWN
    const digest =
      (scheme === AuthScheme.SIP_DIGEST || scheme === 'Digest-MD5') && s.config.password !== undefined
    if (!aka && !digest) return { result: experimental('DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED') }
    const st = store.impu(r.impu)
    if (st.state !== 'REGISTERED' && r.serverName !== '' && st.serverName !== r.serverName) {
      store.setImpu(r.impu, { state: st.state, serverName: r.serverName })
    }
    if (digest) {
      const ha1 = createHash('md5')
        .update(`${s.config.impi}:${config.hss.realm}:${s.config.password}`)
        .digest('hex')
      await store.flush()
      const item: AuthDataItem = {
        scheme: AuthScheme.SIP_DIGEST,
        digest: { realm: config.hss.realm, algorithm: 'MD5', qop: 'auth', ha1 },
      }
      return { result: SUCCESS, items: [item] }
    }
    if (r.authorization !== undefined) {
      // resynchronisation (TS 33.102 §6.3.5): SIP-Authorization = RAND ‖ AUTS
      if (r.resync === undefined) {
        return {
          result: { resultCode: ResultCode.DIAMETER_UNABLE_TO_COMPLY },
          errorMessage: 'SIP-Authorization is not RAND ‖ AUTS (30 octets)',
        }
      }
      const rs = resync({ milenage: s.milenage, rand: r.resync.rand, auts: r.resync.auts })
      if (!rs.ok) {
        log?.warn(
          { impi: s.config.impi, code: rs.error.code },
          'resynchronisation refused: MAC-S of AUTS is wrong',
        )
        return { result: { resultCode: ResultCode.DIAMETER_UNABLE_TO_COMPLY }, errorMessage: rs.error.reason }
      }
      store.setSqn(s.config.impi, nextSqn(rs.sqnMs))
      log?.debug({ impi: s.config.impi, sqnMs: rs.sqnMs.toString(16) }, 'SQN resynchronised')
    }
    const n = Math.min(Math.max(r.items, 1), maxItems)
    const items = []
    let sqn = store.sqn(s.config.impi) ?? s.initialSqn
    for (let i = 0; i < n; i++) {
      items.push(makeVector(s.milenage, sqn, s.amf))
      sqn = nextSqn(sqn)
    }
    store.setSqn(s.config.impi, sqn)
    await store.flush()
    return { result: SUCCESS, impi: s.config.impi, items }
  }

  /** TS 29.228 §6.1.2.1 */
  async function sar(r: Parameters<NonNullable<CxHandlers['sar']>>[0]): Promise<SaaInit> {
    const first = r.impus[0] ?? r.wildcardedPublicIdentity
    const s =
      r.impi !== undefined
        ? byImpi.get(lower(r.impi))
        : first === undefined
          ? undefined
          : byImpu.get(lower(first))
    if (s === undefined) return { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
    const named = r.impus.length > 0 ? r.impus : [s.config.impus[0]!]
    for (const u of named) {
      const owner = byImpu.get(lower(u))
      if (owner === undefined) return { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
      if (owner !== s) return { result: experimental('DIAMETER_ERROR_IDENTITIES_DONT_MATCH') }
    }
    const set: string[] = []
    for (const u of named)
      for (const m of setOf(s, u)) if (!set.some((x) => lower(x) === lower(m))) set.push(m)
    const t = r.assignmentType
    let withData = false
    if (t === 'REGISTRATION' || t === 'RE_REGISTRATION') {
      for (const u of set) store.setImpu(u, { state: 'REGISTERED', serverName: r.serverName })
      withData = true
    } else if (t === 'UNREGISTERED_USER') {
      for (const u of set) {
        const st = store.impu(u)
        if (st.state !== 'REGISTERED') store.setImpu(u, { state: 'UNREGISTERED', serverName: r.serverName })
      }
      withData = true
    } else if (DEREGISTRATIONS.has(t)) {
      for (const u of set) store.setImpu(u, { state: 'NOT_REGISTERED' })
    } else if (DEREGISTRATIONS_KEEPING_NAME.has(t)) {
      for (const u of set) store.setImpu(u, { state: 'NOT_REGISTERED', serverName: r.serverName })
    } else if (t === 'AUTHENTICATION_FAILURE' || t === 'AUTHENTICATION_TIMEOUT') {
      for (const u of set)
        if (store.impu(u).state === 'NOT_REGISTERED') store.setImpu(u, { state: 'NOT_REGISTERED' })
    } else {
      // NO_ASSIGNMENT, AAA_USER_DATA_REQUEST, PGW_UPDATE, RESTORATION: the profile only, from the
      // S-CSCF that has the user (§6.1.2.1: another one gets DIAMETER_UNABLE_TO_COMPLY)
      const st = store.impu(set[0]!)
      if (t === 'NO_ASSIGNMENT' && st.serverName !== undefined && st.serverName !== r.serverName) {
        return {
          result: { resultCode: ResultCode.DIAMETER_UNABLE_TO_COMPLY },
          errorMessage: 'another S-CSCF is assigned',
        }
      }
      withData = true
    }
    await store.flush()
    return {
      result: SUCCESS,
      impi: s.config.impi,
      userData: withData && !r.userDataAlreadyAvailable ? renderUserData(s.config, set) : undefined,
    }
  }

  /** TS 29.228 §6.2.1 */
  function lir(r: Parameters<NonNullable<CxHandlers['lir']>>[0]): LiaInit {
    const s = byImpu.get(lower(r.impu))
    if (s === undefined) return { result: experimental('DIAMETER_ERROR_USER_UNKNOWN') }
    const st = store.impu(r.impu)
    if (st.state !== 'NOT_REGISTERED' && st.serverName !== undefined)
      return { result: SUCCESS, serverName: st.serverName }
    if (!s.unregisteredServices) return { result: experimental('DIAMETER_ERROR_IDENTITY_NOT_REGISTERED') }
    if (st.serverName !== undefined)
      return { result: experimental('DIAMETER_UNREGISTERED_SERVICE'), serverName: st.serverName }
    return { result: experimental('DIAMETER_UNREGISTERED_SERVICE'), ...selection(s) }
  }

  return {
    handlers: {
      uar: (r) => {
        const a = uar(r)
        log?.debug({ command: 'UAR', impu: r.impu, result: a.result }, 'Cx request')
        return a
      },
      mar: async (r) => {
        const a = await mar(r)
        log?.debug(
          { command: 'MAR', impi: r.impi, items: a.items?.length ?? 0, resync: r.resync !== undefined },
          'Cx request',
        )
        return a
      },
      sar: async (r) => {
        const a = await sar(r)
        log?.debug({ command: 'SAR', impus: r.impus, type: r.assignmentType, result: a.result }, 'Cx request')
        return a
      },
      lir: (r) => {
        const a = lir(r)
        log?.debug({ command: 'LIR', impu: r.impu, result: a.result }, 'Cx request')
        return a
      },
    },
    subscriber: (impi) => byImpi.get(lower(impi))?.config,
  }
}
