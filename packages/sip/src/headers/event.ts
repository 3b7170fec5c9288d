/**
 * Event and Subscription-State, RFC 6665 §8.2:
 *
 *   Event = ( "Event" / "o" ) HCOLON event-type *( SEMI event-param )
 *   Subscription-State = "Subscription-State" HCOLON substate-value *( SEMI subexp-params )
 */
import { scan, TOKEN } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatParam, formatParams, type Params, params } from '../params.ts'

export interface EventValue {
  /**
   * event-type: the package and its templates, `presence`, `reg`, `presence.winfo`; as written,
   * since it compares byte by byte (RFC 6665 §8.2.1).
   */
  readonly type: string
  /** The `id` parameter that tells subscriptions of one dialog apart (a token, RFC 6665 §8.4). */
  readonly id?: string | undefined
  readonly params?: Params | undefined
}

export interface SubscriptionStateValue {
  /** `active`, `pending`, `terminated` or an extension, in lower case. */
  readonly state: string
  readonly expires?: number | undefined
  /** Why a subscription ended: `deactivated`, `probation`, `rejected`, `timeout`, ... */
  readonly reason?: string | undefined
  readonly retryAfter?: number | undefined
  readonly params?: Params | undefined
}

export function parseEvent(s: string, start: number, end: number): EventValue | undefined {
  const typeEnd = scan(s, start, end, TOKEN)
  if (typeEnd === start) return undefined
  let id: string | undefined
  for (const p = params.start(s, typeEnd, end); p.next(); ) {
    if (id === undefined && p.is('id')) {
      id = p.token()
      if (id === undefined) return undefined
    } else p.keep()
  }
  if (params.failed) return undefined
  return { type: s.slice(start, typeEnd), id, params: params.others }
}

export function parseSubscriptionState(
  s: string,
  start: number,
  end: number,
): SubscriptionStateValue | undefined {
  const stateEnd = scan(s, start, end, TOKEN)
  if (stateEnd === start) return undefined
  let expires: number | undefined
  let retryAfter: number | undefined
  let reason: string | undefined
  for (const p = params.start(s, stateEnd, end); p.next(); ) {
    if (p.is('expires')) {
      const n = p.number(0xffffffff)
      if (n < 0) return undefined
      expires = n
    } else if (p.is('retry-after')) {
      const n = p.number(0xffffffff)
      if (n < 0) return undefined
      retryAfter = n
    } else if (p.is('reason')) {
      // event-reason-value is a token (RFC 6665 §8.4)
      reason = p.token()?.toLowerCase()
      if (reason === undefined) return undefined
    } else p.keep()
  }
  if (params.failed) return undefined
  return { state: s.slice(start, stateEnd).toLowerCase(), expires, reason, retryAfter, params: params.others }
}

/** Event (compact `o`): the event package of a SUBSCRIBE or NOTIFY (RFC 6665 §8.2.1). */
export const Event = defineHeader({
  name: 'Event',
  kind: 'single',
  parse: parseEvent,
  format: (v: EventValue) => v.type + formatParam('id', v.id) + formatParams(v.params),
})

/** Subscription-State: the state of the subscription a NOTIFY reports (RFC 6665 §8.2.3). */
export const SubscriptionState = defineHeader({
  name: 'Subscription-State',
  kind: 'single',
  parse: parseSubscriptionState,
  format: (v: SubscriptionStateValue) =>
    v.state +
    formatParam('reason', v.reason) +
    formatParam('expires', v.expires) +
    formatParam('retry-after', v.retryAfter) +
    formatParams(v.params),
})
