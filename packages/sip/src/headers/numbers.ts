/**
 * Headers whose value is one decimal number: Content-Length (§20.14), Max-Forwards (§20.22),
 * Expires (§20.19), Min-Expires (§20.23) and Flow-Timer (RFC 5626 §11.4).
 */
import { parseDigits } from '../chars.ts'
import { defineHeader } from '../header.ts'

const maxUint32 = 0xffffffff

/** delta-seconds = 1*DIGIT, at most 2^32-1 (§20.19); undefined otherwise. */
export function parseDeltaSeconds(s: string, start: number, end: number): number | undefined {
  const n = parseDigits(s, start, end, maxUint32)
  return n < 0 ? undefined : n
}

function parseMaxForwards(s: string, start: number, end: number): number | undefined {
  const n = parseDigits(s, start, end, 255)
  return n < 0 ? undefined : n
}

const format = (n: number): string => String(n)

/** Content-Length (compact `l`): body size in octets; mandatory on stream transports (§18.3). */
export const ContentLength = defineHeader({
  name: 'Content-Length',
  kind: 'single',
  parse: parseDeltaSeconds,
  format,
})

/** Max-Forwards: hops left, 0 to 255 (§20.22). */
export const MaxForwards = defineHeader({
  name: 'Max-Forwards',
  kind: 'single',
  parse: parseMaxForwards,
  format,
})

/** Expires: relative expiry in seconds (§20.19). */
export const Expires = defineHeader({ name: 'Expires', kind: 'single', parse: parseDeltaSeconds, format })

/** Min-Expires: the shortest expiry a registrar accepts, sent with 423 (§20.23). */
export const MinExpires = defineHeader({
  name: 'Min-Expires',
  kind: 'single',
  parse: parseDeltaSeconds,
  format,
})

/** Flow-Timer: seconds between keep-alives the registrar wants (RFC 5626 §11.4). */
export const FlowTimer = defineHeader({
  name: 'Flow-Timer',
  kind: 'single',
  parse: parseDeltaSeconds,
  format,
})
