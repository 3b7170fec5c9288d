/**
 * `subscribe <uri> --event presence|reg|dialog`: SUBSCRIBE (RFC 6665 §4.1), each NOTIFY printed
 * with its Subscription-State and body; after `duration` seconds (0: until Ctrl-C), or by default
 * after the first NOTIFY, the subscription is ended (Expires: 0).
 */
import type { Notification } from '@junction/ua'
import { type CommonOptions, type RunResult, withAgent } from './agent.ts'
import { exitCodes } from './errors.ts'
import { responseEvent, resultOf } from './result.ts'
import { hold } from './wait.ts'

/** The body type each event package notifies with (RFC 3856, RFC 3680, RFC 4235). */
const accepts: Readonly<Record<string, string>> = {
  presence: 'application/pidf+xml',
  reg: 'application/reginfo+xml',
  dialog: 'application/dialog-info+xml',
}

export interface SubscribeCommandOptions extends CommonOptions {
  /** The event package (default presence). */
  readonly event?: string | undefined
  /** Seconds asked for (default 3600). */
  readonly expires?: number | undefined
  /** Accept header (default: the package's body type). */
  readonly accept?: string | undefined
  /** Stay subscribed this many seconds (0: until the signal); default: until the first NOTIFY. */
  readonly duration?: number | undefined
}

const decoder = new TextDecoder()

export function subscribe(uri: string, options: SubscribeCommandOptions = {}): Promise<RunResult> {
  const event = options.event ?? 'presence'
  return withAgent(options, uri, async (agent) => {
    let first: () => void = () => {}
    const notified = new Promise<void>((r) => {
      first = r
    })
    const onNotify = (n: Notification) => {
      agent.emit({
        event: 'notify',
        state: n.state?.state,
        ...(n.state?.reason === undefined ? {} : { reason: n.state.reason }),
        ...(n.state?.expires === undefined ? {} : { expires: n.state.expires }),
        ...(n.contentType === undefined ? {} : { contentType: n.contentType }),
        body: decoder.decode(n.body),
      })
      first()
    }
    const accept = options.accept ?? accepts[event]
    const sub = agent.ua.subscribe(uri, {
      event,
      expires: options.expires ?? 3600,
      ...(accept === undefined ? {} : { accept }),
      onNotify,
    })
    const outcome = await agent.within(sub.result)
    agent.emit(responseEvent('SUBSCRIBE', outcome))
    if (outcome.response.status >= 300) return resultOf(outcome)
    const ended = sub.ended.then((e) => ({ ended: e.reason }))
    const waited =
      options.duration === undefined
        ? await agent.within(Promise.race([notified.then(() => undefined), ended]))
        : await agent.within(
            Promise.race([hold(options.duration, options.signal).then(() => undefined), ended]),
            Number.POSITIVE_INFINITY,
          )
    if (waited !== undefined) {
      agent.emit({ event: 'ended', reason: waited.ended })
      return { ok: true, exitCode: exitCodes.OK, status: outcome.response.status }
    }
    const off = await agent.within(sub.unsubscribe())
    if (off !== undefined) agent.emit(responseEvent('SUBSCRIBE', off, { unsubscribe: true }))
    return { ok: true, exitCode: exitCodes.OK, status: outcome.response.status }
  })
}
