/**
 * `call <to>`: INVITE with a signalling-only SDP offer (RFC 3264), 1xx reported, a 3xx followed to
 * its first Contact (RFC 3261 §8.1.3.4, at most 3 times), the 2xx ACKed, the call held for
 * `duration` seconds, then BYE. `answer`: waits for calls (after registering, when asked) and
 * answers each with 200 and an SDP answer, holding it until the caller hangs up or `duration`.
 */
import { Contact, formatUri } from '@junction/sip'
import type { IncomingCall, Session } from '@junction/ua'
import { type Agent, type CommonOptions, type RunResult, withAgent } from './agent.ts'
import { exitCodes } from './errors.ts'
import { responseEvent, resultOf } from './result.ts'
import { createAnswer, createOffer } from './sdp.ts'
import { hold } from './wait.ts'

export interface CallOptions extends CommonOptions {
  /** Seconds to hold the call before BYE (default: BYE at once; 0: until the callee hangs up or the signal). */
  readonly duration?: number | undefined
}

const decoder = new TextDecoder()
const text = (body: Uint8Array | string | undefined) =>
  body === undefined ? undefined : typeof body === 'string' ? body : decoder.decode(body)

async function holdSession(
  agent: Agent,
  session: Session,
  seconds: number | undefined,
  signal: AbortSignal | undefined,
): Promise<RunResult> {
  // undefined: hang up at once; 0: until the other side does, or Ctrl-C
  const ended =
    seconds === undefined
      ? undefined
      : await agent.within(
          Promise.race([session.ended.then((e) => ({ e })), hold(seconds, signal).then(() => undefined)]),
          Number.POSITIVE_INFINITY,
        )
  if (ended !== undefined) {
    agent.emit({ event: 'ended', by: ended.e.by, reason: ended.e.reason })
    return {
      ok: ended.e.by !== 'error',
      exitCode: ended.e.by === 'error' ? exitCodes.SIP_FAILURE : exitCodes.OK,
      reason: ended.e.reason,
    }
  }
  const bye = await agent.within(session.bye())
  agent.emit(responseEvent('BYE', bye))
  agent.emit({ event: 'ended', by: 'local' })
  return { ...resultOf(bye), ok: true, exitCode: exitCodes.OK }
}

export function call(to: string, options: CallOptions = {}): Promise<RunResult> {
  return withAgent(options, to, async (agent) => {
    let target = to
    for (let redirects = 0; ; redirects++) {
      const offer = createOffer({ address: agent.address })
      const outgoing = agent.ua.invite(target, {
        offer: { body: offer, contentType: 'application/sdp' },
        onProvisional: (r) => agent.emit({ event: 'provisional', status: r.status, reason: r.reason }),
      })
      let result: Awaited<typeof outgoing.result>
      try {
        result = await agent.within(outgoing.result)
      } catch (e) {
        outgoing.cancel() // §9.1: gives up on a ringing call before the run ends
        throw e
      }
      if (!result.ok) {
        const { outcome } = result
        agent.emit(responseEvent('INVITE', outcome))
        const status = outcome.response.status
        const next = outcome.response.headers.get(Contact)?.find((c) => c !== '*')
        if (
          status >= 300 &&
          status < 400 &&
          next !== undefined &&
          typeof next !== 'string' &&
          redirects < 3
        ) {
          target = formatUri(next.uri)
          agent.emit({ event: 'redirect', to: target })
          continue
        }
        return resultOf(outcome)
      }
      agent.emit({
        ...responseEvent('INVITE', { request: outgoing.request, response: result.response }),
        sdp: text(result.session.remoteBody?.body),
      })
      return holdSession(agent, result.session, options.duration, options.signal)
    }
  })
}

export interface AnswerOptions extends CommonOptions {
  /** Register the identity first (with refresh), and remove the binding at the end. */
  readonly register?: boolean | undefined
  readonly expires?: number | undefined
  /** Calls to answer before exiting (default 1; 0: until the signal). */
  readonly count?: number | undefined
  /** Seconds to hold each call before BYE (default, and 0: until the caller hangs up or the signal). */
  readonly duration?: number | undefined
}

export function answer(identity: string, options: AnswerOptions = {}): Promise<RunResult> {
  const incoming: IncomingCall[] = []
  let arrived: () => void = () => {}
  return withAgent(
    options,
    options.proxy ?? identity,
    async (agent) => {
      const reg =
        options.register === true ? agent.ua.register({ expires: options.expires ?? 3600 }) : undefined
      if (reg !== undefined) {
        const first = await agent.within(reg.result)
        agent.emit(responseEvent('REGISTER', first, { expires: first.expires }))
        if (!first.ok) return resultOf(first)
      }
      agent.emit({
        event: 'waiting',
        identity: agent.identity,
        listeners: agent.transport.listeners.map(
          (l) => `${l.transport}:${l.advertise.host}:${l.advertise.port}`,
        ),
      })
      const count = options.count ?? 1
      let answered = 0
      let failures = 0
      while (count === 0 || answered < count) {
        if (incoming.length === 0) {
          const woke = await agent.within(
            Promise.race([
              new Promise<'call'>((r) => {
                arrived = () => r('call')
              }),
              hold(undefined, options.signal),
            ]),
            Number.POSITIVE_INFINITY,
          )
          if (woke === 'aborted') break
          continue
        }
        const c = incoming.shift()!
        agent.emit({ event: 'incoming', from: c.request.headers.raw('From')[0], sdp: text(c.offer?.body) })
        c.progress(180)
        const sdp =
          (c.offer === undefined
            ? undefined
            : createAnswer(text(c.offer.body) ?? '', { address: agent.address })) ??
          createOffer({ address: agent.address })
        const session = await agent.within(c.accept({ body: sdp, contentType: 'application/sdp' }))
        answered++
        if (session === undefined) {
          failures++
          agent.emit({
            event: 'error',
            reason: c.state === 'cancelled' ? 'cancelled by the caller' : 'no ACK for our 200',
          })
          continue
        }
        agent.emit({ event: 'answered', callId: session.dialog.callId })
        const r = await holdSession(agent, session, options.duration ?? 0, options.signal)
        if (!r.ok) failures++
      }
      if (reg !== undefined) {
        const removed = await agent.within(reg.unregister())
        agent.emit(responseEvent('REGISTER', removed, { unregister: true }))
      }
      return failures === 0
        ? { ok: true, exitCode: exitCodes.OK }
        : { ok: false, exitCode: exitCodes.SIP_FAILURE, reason: `${failures} call(s) failed` }
    },
    {
      identity,
      handlers: {
        onInvite(c) {
          // a test client answers one call at a time: a few wait, more are busy (bounded)
          if (incoming.length >= 8) {
            c.reject(486)
            return
          }
          incoming.push(c)
          arrived()
        },
        onMessage(req) {
          options.onEvent?.({ event: 'message', from: req.headers.raw('From')[0], text: text(req.body) })
          return 200
        },
      },
    },
  )
}
