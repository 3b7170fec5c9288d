/**
 * The Via spelling nearly every message carries, read in one tight pass without the general
 * grammar of via.ts (RFC 3261 §20.42, §25.1; rport RFC 3581):
 *
 *   SIP/2.0/UDP host[:port] *( ";branch=" token / ";received=" IPv4address / ";rport" [ "=" port ] )
 *
 * with the transport one of UDP, TCP, TLS, WS, WSS in upper case, a single SP, a host in lower
 * case (a hostname or an IPv4 address) and no LWS, no other parameter, nothing after the last one.
 * It accepts only a strict subset of `via-parm` and returns what the general parser returns for it
 * (the same value, field for field); for anything else, valid or not, it returns null and the
 * general parser decides.
 */
import { digitsRead, readDigits, tokenChar } from '../chars.ts'
import { ipv4End } from '../host.ts'
import { noParams } from '../params.ts'
import type { ViaValue } from './via.ts'

/** Host chars this path reads: 1 a lower-case letter, 2 a digit, 4 ".", 8 "-" (§25.1 hostname). */
const hostChar = new Uint8Array(256)
for (let c = 97; c <= 122; c++) hostChar[c] = 1
for (let c = 48; c <= 57; c++) hostChar[c] = 2
hostChar[46] = 4
hostChar[45] = 8

/** The transport after `SIP/2.0/` at `i`, followed by one SP; '' when it is not a usual one. */
function transportAt(s: string, i: number): string {
  const c0 = s.charCodeAt(i)
  const c1 = s.charCodeAt(i + 1)
  const c2 = s.charCodeAt(i + 2)
  if (s.charCodeAt(i + 3) === 32) {
    if (c1 === 68 && c2 === 80 && c0 === 85) return 'UDP'
    if (c0 === 84) {
      if (c1 === 67 && c2 === 80) return 'TCP'
      if (c1 === 76 && c2 === 83) return 'TLS'
    }
    if (c0 === 87 && c1 === 83 && c2 === 83) return 'WSS'
  } else if (c2 === 32 && c0 === 87 && c1 === 83) return 'WS'
  return ''
}

/**
 * Index after the host at `i`: a hostname in lower case whose labels are non-empty and neither
 * start nor end with "-", its top label starting with a letter, without a trailing "."; or an
 * IPv4 address. -1 for anything else (left to the general parser).
 */
function hostEnd(s: string, i: number, end: number): number {
  const start = i
  let prev = 4 // as after a "."
  let seen = 0
  let top = i
  for (; i < end; i++) {
    const c = s.charCodeAt(i)
    const k = c < 256 ? hostChar[c]! : 0
    if (k === 0) break
    if (k >= 4) {
      // ".." ".-" "-." and a leading "." or "-" make no label
      if (prev >= 4 && (k === 4 || prev === 4)) return -1
      if (k === 4) top = i + 1
    }
    seen |= k
    prev = k
  }
  if (prev >= 4) return -1 // empty, or ends with "." or "-"
  if ((seen & 9) !== 0) return hostChar[s.charCodeAt(top)] === 1 ? i : -1
  return ipv4End(s, start, i) === i ? i : -1
}

/** True when a parameter's value read up to `k` ends the value or is followed by the next ";". */
function atParamEnd(s: string, k: number, end: number): boolean {
  return k === end || s.charCodeAt(k) === 59
}

/** The Via value of `s[start, end)` when written the usual way (see above), else null. */
export function parseUsualVia(s: string, start: number, end: number): ViaValue | null {
  if (
    end - start < 12 ||
    s.charCodeAt(start) !== 83 ||
    s.charCodeAt(start + 1) !== 73 ||
    s.charCodeAt(start + 2) !== 80 ||
    s.charCodeAt(start + 3) !== 47 ||
    s.charCodeAt(start + 4) !== 50 ||
    s.charCodeAt(start + 5) !== 46 ||
    s.charCodeAt(start + 6) !== 48 ||
    s.charCodeAt(start + 7) !== 47
  )
    return null
  const transport = transportAt(s, start + 8)
  if (transport === '') return null
  const hostStart = start + 9 + transport.length
  let i = hostEnd(s, hostStart, end)
  if (i === -1) return null
  const host = s.slice(hostStart, i)
  let port: number | undefined
  if (i < end && s.charCodeAt(i) === 58) {
    const k = readDigits(s, i + 1, end)
    if (k === i + 1 || k - i > 6 || digitsRead > 65535) return null
    port = digitsRead
    i = k
  }
  let branch: string | undefined
  let received: string | undefined
  let rport: number | null | undefined
  while (i < end) {
    if (s.charCodeAt(i) !== 59) return null
    const n = i + 1
    const c = s.charCodeAt(n)
    if (
      c === 98 &&
      n + 7 < end &&
      s.charCodeAt(n + 1) === 114 &&
      s.charCodeAt(n + 2) === 97 &&
      s.charCodeAt(n + 3) === 110 &&
      s.charCodeAt(n + 4) === 99 &&
      s.charCodeAt(n + 5) === 104 &&
      s.charCodeAt(n + 6) === 61
    ) {
      // ;branch=token
      let k = n + 7
      while (k < end && tokenChar[s.charCodeAt(k)] === 1) k++
      if (k === n + 7 || !atParamEnd(s, k, end)) return null
      branch = s.slice(n + 7, k)
      i = k
    } else if (
      c === 114 &&
      n + 4 < end &&
      s.charCodeAt(n + 1) === 112 &&
      s.charCodeAt(n + 2) === 111 &&
      s.charCodeAt(n + 3) === 114 &&
      s.charCodeAt(n + 4) === 116
    ) {
      // ;rport or ;rport=port
      const k = n + 5
      if (atParamEnd(s, k, end)) {
        rport = null
        i = k
      } else {
        if (s.charCodeAt(k) !== 61) return null
        const e = readDigits(s, k + 1, end)
        if (e === k + 1 || e - k > 6 || digitsRead > 65535 || !atParamEnd(s, e, end)) return null
        rport = digitsRead
        i = e
      }
    } else if (
      c === 114 &&
      n + 9 < end &&
      s.charCodeAt(n + 1) === 101 &&
      s.charCodeAt(n + 2) === 99 &&
      s.charCodeAt(n + 3) === 101 &&
      s.charCodeAt(n + 4) === 105 &&
      s.charCodeAt(n + 5) === 118 &&
      s.charCodeAt(n + 6) === 101 &&
      s.charCodeAt(n + 7) === 100 &&
      s.charCodeAt(n + 8) === 61
    ) {
      // ;received=IPv4address
      const k = ipv4End(s, n + 9, end)
      if (k === -1 || !atParamEnd(s, k, end)) return null
      received = s.slice(n + 9, k)
      i = k
    } else return null
  }
  return {
    protocol: 'SIP/2.0',
    transport,
    host,
    port,
    branch,
    received,
    rport,
    maddr: undefined,
    ttl: undefined,
    params: noParams,
  }
}
