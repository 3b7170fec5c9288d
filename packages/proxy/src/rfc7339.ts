/**
 * RFC 7339 (SIP overload control): the Via parameters both roles read and write (§4, §9):
 *
 * - `oc`: without a value in a client's Via (it supports overload control); in a server's answer,
 *   for the loss algorithm, the percentage of requests the client should shed (0–100);
 * - `oc-validity`: milliseconds that value holds (0: stop throttling);
 * - `oc-seq`: 1*12DIGIT "." 1*5DIGIT, tells which of two answers is newer;
 * - `oc-algo`: a quoted list of algorithms in the client's Via, the one chosen in the answer.
 *
 * Junction implements the loss-based algorithm (§7), which every implementation supports; the
 * server answers `oc-algo="loss"`.
 */
import type { Params, ViaValue } from '@junction/sip'

/** §7: the algorithm implemented, as `oc-algo` carries it. */
export const lossAlgo = '"loss"'

/**
 * The `oc-validity` Junction sends, and assumes when an answer has none: 500 ms, five of our 100 ms
 * control windows (a client that stops hearing from us stops throttling soon after).
 */
export const defaultOcValidity = 500

/**
 * §5.1: whether the `oc-algo` list of a client includes "loss". Absent: yes (§5.1 asks the client
 * to list what it supports; loss is the one every implementation has).
 */
export function offersLoss(algo: string | null | undefined): boolean {
  if (algo === undefined || algo === null) return true
  const list = algo.charCodeAt(0) === 34 ? algo.slice(1, -1) : algo
  for (const a of list.split(',')) if (a.trim().toLowerCase() === 'loss') return true
  return false
}

/**
 * §9: `oc-seq` from a wall-clock time in ms: seconds since 1970, a ".", the milliseconds (the
 * timestamp with a fraction that §5.1 suggests, `1282321615.781`).
 */
export function formatOcSeq(ms: number): string {
  const whole = Math.floor(ms)
  return `${Math.floor(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}`
}

/**
 * An `oc-seq` value made comparable as a string (the integer part padded to 12 digits, the
 * fraction to 5): '' when it is not of the §9 form.
 */
export function ocSeqKey(seq: string | null | undefined): string {
  if (seq === undefined || seq === null) return ''
  const m = /^(\d{1,12})\.(\d{1,5})$/.exec(seq)
  if (m === null) return ''
  return `${m[1]!.padStart(12, '0')}.${m[2]!.padEnd(5, '0')}`
}

/** The overload control values a server put in a Via (§5.3), or undefined when there are none. */
export interface OcValues {
  /** Percentage of requests to shed (0–100). */
  readonly reduction: number
  /** Milliseconds the value holds; 0 ends throttling at once. */
  readonly validity: number
  /** `oc-seq` as written. */
  readonly seq: string
}

/**
 * §5.3: the values of `via` when it carries a server's answer with the loss algorithm: `oc` with
 * a value, an `oc-seq`, an `oc-algo` of loss when given. `oc-validity` defaults to
 * {@link defaultOcValidity}. Undefined for a Via with none (or our own `oc` echoed back).
 */
export function readOc(via: ViaValue | undefined): OcValues | undefined {
  const p = via?.params
  if (p === undefined || p.size === 0) return undefined
  const oc = p.get('oc')
  if (oc === undefined || oc === null || !/^\d{1,3}$/.test(oc)) return undefined
  const algo = p.get('oc-algo')
  if (algo !== undefined && !offersLoss(algo)) return undefined
  const seq = p.get('oc-seq')
  if (ocSeqKey(seq) === '') return undefined
  const v = p.get('oc-validity')
  let validity = defaultOcValidity
  if (v !== undefined && v !== null) {
    if (!/^\d{1,10}$/.test(v)) return undefined
    validity = Number(v)
  }
  return { reduction: Math.min(100, Number(oc)), validity, seq: seq! }
}

/** The params of a Via with the server's answer set (in place of the client's `oc`, §5.1). */
export function withOc(params: Params | undefined, reduction: number, validity: number, seq: string): Params {
  const next = new Map(params)
  next.set('oc', String(reduction))
  next.set('oc-algo', lossAlgo)
  next.set('oc-validity', String(validity))
  next.set('oc-seq', seq)
  return next
}
