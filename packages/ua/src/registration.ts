/**
 * The REGISTER client (RFC 3261 §10.2): binds our Contact to the AOR at its registrar, refreshes the
 * binding before it expires (§10.2.4), follows 423 Interval Too Brief (§10.2.8), and removes it
 * (§10.2.2). One Call-ID for every REGISTER of a registration, CSeq growing by one (§10.2.4).
 * Outbound (RFC 5626 §4.2): `+sip.instance` and `reg-id` on the Contact, `ob` on its URI.
 */
import { channel } from 'node:diagnostics_channel'
import {
  Contact,
  type ContactAddress,
  createRequest,
  Expires,
  generateCallId,
  generateTag,
  MinExpires,
  type RouteValue,
  type SipResponse,
  type Uri,
  uriEquals,
} from '@junction/sip'
import type { Timer } from '@junction/transaction'
import type { Core, LocalAddress, Outcome } from './core.ts'

/** Published with `{ aor, state, expires?, status }` after each REGISTER's final response. */
export const registrationChannel = channel('junction:ua:registration')

export interface RegisterOptions {
  /** The registrar's URI (the Request-URI). Default: the AOR's domain (§10.2). */
  readonly registrar?: string | Uri | undefined
  /** Seconds asked for (default 3600). */
  readonly expires?: number | undefined
  /** RFC 5626 `+sip.instance`, e.g. `<urn:uuid:...>`. */
  readonly instanceId?: string | undefined
  /** RFC 5626 `reg-id` (with instanceId). */
  readonly regId?: number | undefined
  /** Refresh before expiry until `unregister()` or `stop()` (default true). */
  readonly refresh?: boolean | undefined
  /** Extra header fields of every REGISTER. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

export interface RegisterOutcome extends Outcome {
  readonly ok: boolean
  /** Seconds the registrar granted our binding (from its Contact, else Expires), when ok. */
  readonly expires: number | undefined
  /** Every binding of the AOR the 200 listed. */
  readonly contacts: readonly ContactAddress[]
}

export interface Registration {
  readonly aor: Uri
  /** The outcome of the first REGISTER (after 401/407 and 423 retries). */
  readonly result: Promise<RegisterOutcome>
  /** The outcome of the latest REGISTER. */
  readonly last: RegisterOutcome | undefined
  /** Refreshes now. */
  refresh(): Promise<RegisterOutcome>
  /** Stops refreshing and removes our binding (`all`: every binding of the AOR, `Contact: *`). */
  unregister(options?: { all?: boolean }): Promise<RegisterOutcome>
  /** Stops refreshing, sends nothing. */
  stop(): void
}

export interface RegistrationContext {
  readonly core: Core
  readonly aor: Uri
  readonly displayName: string | undefined
  readonly route: readonly RouteValue[]
  readonly userAgent: string | undefined
}

/** When to refresh a binding granted for `expires` seconds: halfway for short ones, else 30 s early (ms). */
export function refreshDelay(expires: number): number {
  return Math.max(expires / 2, expires - 30) * 1000
}

export function startRegistration(ctx: RegistrationContext, options: RegisterOptions): Registration {
  const { core, aor } = ctx
  const callId = generateCallId()
  const fromTag = generateTag()
  let cseq = 0
  let expires = options.expires ?? 3600
  const refreshing = options.refresh ?? true
  let timer: Timer | undefined
  let stopped = false
  let last: RegisterOutcome | undefined
  let contactUri: Uri | undefined
  const registrar =
    options.registrar ??
    (aor.kind === 'sip'
      ? `${aor.scheme}:${aor.host}${aor.port === undefined ? '' : `:${aor.port}`}`
      : undefined)
  if (registrar === undefined) throw new TypeError('a registrar URI is needed for a non-SIP AOR')

  function contact(seconds: number) {
    return (local: LocalAddress): ContactAddress => {
      const base = core.contactUri(local)
      let uri = base
      if (options.instanceId !== undefined && options.regId !== undefined && base.kind === 'sip') {
        uri = { ...base, params: new Map([...base.params, ['ob', null]]) }
      }
      contactUri = uri
      return {
        uri,
        expires: seconds,
        ...(options.instanceId === undefined ? {} : { instance: options.instanceId }),
        ...(options.instanceId !== undefined && options.regId !== undefined ? { regId: options.regId } : {}),
      }
    }
  }

  function granted(response: SipResponse): { expires: number | undefined; contacts: ContactAddress[] } {
    const contacts = (response.headers.get(Contact) ?? []).filter((c): c is ContactAddress => c !== '*')
    const mine = contactUri === undefined ? undefined : contacts.find((c) => uriEquals(c.uri, contactUri!))
    return {
      expires: mine?.expires ?? response.headers.get(Expires) ?? (mine === undefined ? undefined : expires),
      contacts,
    }
  }

  async function send(seconds: number, all = false): Promise<RegisterOutcome> {
    for (let attempt = 0; ; attempt++) {
      cseq += 1
      const request = createRequest({
        method: 'REGISTER',
        uri: registrar as string | Uri,
        from: { uri: aor, displayName: ctx.displayName, tag: fromTag },
        to: { uri: aor, displayName: ctx.displayName },
        callId,
        cseq,
        via: { transport: 'UDP', host: '0.0.0.0' },
        route: ctx.route,
        ...(all ? { contact: '*' as const } : {}),
        headers: {
          ...(ctx.userAgent === undefined ? {} : { 'User-Agent': ctx.userAgent }),
          ...(all ? { Expires: '0' } : {}),
          ...options.headers,
        },
      })
      const outcome = await core.send(request, { ...(all ? {} : { contact: contact(seconds) }) })
      // the CSeq of the last request sent (an authentication retry adds one)
      const status = outcome.response.status
      const lastSeq = outcome.request.headers.raw('CSeq')[0]
      if (lastSeq !== undefined) cseq = Number.parseInt(lastSeq, 10)
      // §10.2.8: 423 carries the shortest interval the registrar accepts
      const min = outcome.response.headers.get(MinExpires)
      if (status === 423 && min !== undefined && min > seconds && attempt < 2 && seconds !== 0) {
        seconds = min
        expires = min
        continue
      }
      const ok = status >= 200 && status < 300
      const g = ok ? granted(outcome.response) : { expires: undefined, contacts: [] }
      const result: RegisterOutcome = { ...outcome, ok, expires: g.expires, contacts: g.contacts }
      last = result
      if (registrationChannel.hasSubscribers) {
        registrationChannel.publish({
          aor,
          state: ok ? (seconds === 0 ? 'unregistered' : 'registered') : 'failed',
          expires: g.expires,
          status,
        })
      }
      return result
    }
  }

  function schedule(outcome: RegisterOutcome): void {
    timer?.cancel()
    timer = undefined
    if (stopped || !refreshing || !outcome.ok || outcome.expires === undefined || outcome.expires <= 0) return
    timer = core.clock.setTimer(refreshDelay(outcome.expires), () => {
      timer = undefined
      if (!stopped) void refresh()
    })
  }

  async function refresh(): Promise<RegisterOutcome> {
    const outcome = await send(expires)
    schedule(outcome)
    return outcome
  }

  return {
    aor,
    result: refresh(),
    get last() {
      return last
    },
    refresh,
    async unregister(opts = {}) {
      stopped = true
      timer?.cancel()
      return send(0, opts.all === true)
    },
    stop() {
      stopped = true
      timer?.cancel()
    },
  }
}
