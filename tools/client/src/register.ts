/**
 * `register <aor>`: REGISTER with digest or IMS AKA (RFC 3261 §10.2, RFC 3310), Outbound
 * `+sip.instance`/`reg-id` (RFC 5626), kept up by refreshes for `duration` seconds (0: until
 * Ctrl-C) and then removed; `unregister` removes every binding of the AOR (`Contact: *`).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { formatUri, parseUri } from '@junction/sip'
import { registrationChannel } from '@junction/ua'
import { type CommonOptions, type RunResult, usage, withAgent } from './agent.ts'
import { exitCodes } from './errors.ts'
import { responseEvent, resultOf } from './result.ts'
import { hold } from './wait.ts'

export interface RegisterCommandOptions extends CommonOptions {
  /** Registrar URI (default: the AOR's domain, or the proxy). */
  readonly registrar?: string | undefined
  /** Seconds asked for (default 3600). */
  readonly expires?: number | undefined
  /** Remove every binding of the AOR instead (`Contact: *`, `Expires: 0`). */
  readonly unregister?: boolean | undefined
  /** RFC 5626 instance (`urn:uuid:...`, with or without the angle brackets) and reg-id. */
  readonly instance?: string | undefined
  readonly regId?: number | undefined
  /** Stay registered (refreshing) this many seconds, 0 until the signal; then remove the binding. Default: register once and exit. */
  readonly duration?: number | undefined
}

export function register(aor: string, options: RegisterCommandOptions = {}): Promise<RunResult> {
  const aorUri = parseUri(aor)
  if (aorUri === undefined || aorUri.kind !== 'sip') usage(`not a SIP AOR: ${aor}`)
  const registrar =
    options.registrar ??
    `${aorUri.scheme}:${aorUri.host}${aorUri.port === undefined ? '' : `:${aorUri.port}`}`
  const instance =
    options.instance === undefined
      ? undefined
      : options.instance.startsWith('<')
        ? options.instance
        : `<${options.instance}>`
  if ((instance === undefined) !== (options.regId === undefined) && options.regId !== undefined)
    usage('--reg-id needs --instance (RFC 5626 §4.2)')
  return withAgent(
    options,
    registrar,
    async (agent) => {
      const { ua } = agent
      if (options.unregister === true) {
        const outcome = await agent.within(
          ua.request('REGISTER', registrar, { to: aor, headers: { Contact: '*', Expires: '0' } }),
        )
        agent.emit(responseEvent('REGISTER', outcome, { unregister: true }))
        return resultOf(outcome)
      }
      // TS 24.229 §5.1.1.2.1: an IMS UE names its IMPI in the first REGISTER (empty nonce and response)
      const impi =
        options.aka === undefined
          ? undefined
          : (options.aka.impi ?? `${aorUri.user ?? 'anonymous'}@${aorUri.host}`)
      const reg = ua.register({
        registrar,
        ...(impi === undefined
          ? {}
          : {
              headers: {
                Authorization: `Digest username="${impi}", realm="${aorUri.host}", uri="${registrar}", nonce="", response=""`,
              },
            }),
        expires: options.expires ?? 3600,
        instanceId: instance,
        regId: options.regId,
        refresh: options.duration !== undefined,
      })
      const first = await agent.within(reg.result)
      agent.emit(
        responseEvent('REGISTER', first, {
          ...(first.ok
            ? { expires: first.expires, contacts: first.contacts.map((c) => formatUri(c.uri)) }
            : {}),
        }),
      )
      if (!first.ok || options.duration === undefined) return resultOf(first)
      // refreshes, until the duration passes or Ctrl-C; a failed refresh ends it
      let refreshFailed: RunResult | undefined
      let wake: () => void = () => {}
      const failed = new Promise<void>((resolve) => {
        wake = resolve
      })
      const onRegistration = (m: unknown) => {
        const e = m as { aor: unknown; state: string; expires?: number; status: number }
        if (e.aor !== ua.aor) return
        agent.emit({ event: 'refresh', state: e.state, status: e.status, expires: e.expires })
        if (e.state === 'failed') {
          refreshFailed = {
            ok: false,
            exitCode: exitCodes.SIP_FAILURE,
            status: e.status,
            reason: 'refresh failed',
          }
          wake()
        }
      }
      subscribe(registrationChannel.name as string, onRegistration)
      try {
        await agent.within(
          Promise.race([hold(options.duration, options.signal), failed]),
          Number.POSITIVE_INFINITY,
        )
      } finally {
        unsubscribe(registrationChannel.name as string, onRegistration)
      }
      if (refreshFailed !== undefined) return refreshFailed
      const removed = await agent.within(reg.unregister())
      agent.emit(responseEvent('REGISTER', removed, { unregister: true }))
      return resultOf(removed)
    },
    { identity: aor },
  )
}
