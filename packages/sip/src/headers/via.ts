/**
 * Via, RFC 3261 §20.42 and §25.1, with rport (RFC 3581) and IPv6 (RFC 5118):
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 */
import {
  charAt,
  digitsRead,
  nameIs,
  parseDigits,
  readDigits,
  scan,
  scanQuoted,
  scanToken,
  skipWs,
  TOKEN,
  tokenChar,
  wireToText,
} from '../chars.ts'
import { defineHeader } from '../header.ts'
import { ipv4End, isIPv4, isIPv6, lowerHost, scanHost } from '../host.ts'
import { formatParam, formatParams, noParams, type Params } from '../params.ts'
import { parseUsualVia } from './via-fast.ts'

export interface ViaValue {
  /** protocol-name "/" protocol-version, `SIP/2.0` unless given. */
  readonly protocol?: string | undefined
  /** Transport in upper case: UDP, TCP, TLS, SCTP, WS, WSS, or an extension token. */
  readonly transport: string
  /** sent-by host, lower case; an IPv6 reference keeps its brackets. */
  readonly host: string
  readonly port?: number | undefined
  /** The transaction id; RFC 3261 branches start with the magic cookie `z9hG4bK` (§8.1.1.7). */
  readonly branch?: string | undefined
  /** The source address the request came from, added by the next hop (§18.2.1). */
  readonly received?: string | undefined
  /** RFC 3581: `null` when the client asks for it (`;rport`), the source port once filled in. */
  readonly rport?: number | null | undefined
  readonly maddr?: string | undefined
  readonly ttl?: number | undefined
  /** Any other parameter (names in lower case, values as written, as text: see params.ts). */
  readonly params?: Params | undefined
}

/** received = IPv4address / IPv6address; RFC 5118 §4.5: accept a bracketed IPv6 reference too. */
function isReceived(s: string, start: number, end: number): boolean {
  if (s.charCodeAt(start) === 91) return s.charCodeAt(end - 1) === 93 && isIPv6(s.slice(start + 1, end - 1))
  return isIPv4(s, start, end) || isIPv6(s.slice(start, end))
}

/** A transport name of `s[start, end)` in upper case; the common ones without a new string. */
function transportName(s: string, start: number, end: number): string {
  const n = end - start
  const c0 = s.charCodeAt(start) & 0xdf
  const c1 = s.charCodeAt(start + 1) & 0xdf
  if (n === 3) {
    const c2 = s.charCodeAt(start + 2) & 0xdf
    if (c0 === 85 && c1 === 68 && c2 === 80) return 'UDP'
    if (c0 === 84 && c1 === 67 && c2 === 80) return 'TCP'
    if (c0 === 84 && c1 === 76 && c2 === 83) return 'TLS'
    if (c0 === 87 && c1 === 83 && c2 === 83) return 'WSS'
  } else if (n === 2 && c0 === 87 && c1 === 83) return 'WS'
  return s.slice(start, end).toUpperCase()
}

/** sent-protocol: `SIP/2.0/` takes a fast path; SWS is allowed around each "/". */
function readProtocol(s: string, i: number, end: number): boolean {
  let j: number
  if (
    i + 8 < end &&
    s.charCodeAt(i + 3) === 47 &&
    s.charCodeAt(i + 4) === 50 &&
    s.charCodeAt(i + 5) === 46 &&
    s.charCodeAt(i + 6) === 48 &&
    s.charCodeAt(i + 7) === 47 &&
    s.charCodeAt(i) === 83 &&
    s.charCodeAt(i + 1) === 73 &&
    s.charCodeAt(i + 2) === 80
  ) {
    via.protocol = 'SIP/2.0'
    j = skipWs(s, i + 8, end)
  } else {
    const nameEnd = scan(s, i, end, TOKEN)
    if (nameEnd === i) return false
    j = skipWs(s, nameEnd, end)
    if (charAt(s, j, end) !== 47) return false
    j = skipWs(s, j + 1, end)
    const versionEnd = scan(s, j, end, TOKEN)
    if (versionEnd === j) return false
    const protocol = `${s.slice(i, nameEnd)}/${s.slice(j, versionEnd)}`
    via.protocol = protocol === 'SIP/2.0' ? 'SIP/2.0' : protocol
    j = skipWs(s, versionEnd, end)
    if (charAt(s, j, end) !== 47) return false
    j = skipWs(s, j + 1, end)
  }
  const e = scanToken(s, j, end)
  if (e === j) return false
  via.transport = transportName(s, j, e)
  via.end = e
  return true
}

const via = { protocol: '', transport: '', end: 0 }

/**
 * One via-parm (§25.1): the usual spelling by {@link parseUsualVia}, anything else by the general
 * grammar ({@link parseAnyVia}); both give the same value for what the first accepts.
 */
export function parseVia(s: string, start: number, end: number): ViaValue | undefined {
  const usual = parseUsualVia(s, start, end)
  return usual !== null ? usual : parseAnyVia(s, start, end)
}

/** @internal One via-parm by the general grammar (exported for the tests of parseUsualVia). */
export function parseAnyVia(s: string, start: number, end: number): ViaValue | undefined {
  if (!readProtocol(s, start, end)) return undefined
  const { protocol, transport } = via
  // LWS, then sent-by
  let i = skipWs(s, via.end, end)
  if (i === via.end) return undefined
  const hostEnd = scanHost(s, i, end)
  if (hostEnd === -1) return undefined
  const host = lowerHost(s, i, hostEnd)
  i = skipWs(s, hostEnd, end)
  let port: number | undefined
  if (i < end && s.charCodeAt(i) === 58) {
    const p = skipWs(s, i + 1, end)
    i = readDigits(s, p, end)
    if (i === p || digitsRead > 65535) return undefined
    port = digitsRead
  }

  let branch: string | undefined
  let received: string | undefined
  let rport: number | null | undefined
  let maddr: string | undefined
  let ttl: number | undefined
  let others: Map<string, string | null> | undefined
  // *( SEMI via-params ), read in place: Via is on every message
  for (;;) {
    i = skipWs(s, i, end)
    if (i === end) break
    if (s.charCodeAt(i) !== 59) return undefined
    // the usual parameters, right after the ";", read at once; anything else below
    const n = i + 1
    if (n + 7 < end && nameIs(s, n, 'branch=')) {
      const k = scanToken(s, n + 7, end)
      if (k > n + 7 && valueEnds(s, k, end)) {
        branch = s.slice(n + 7, k)
        i = k
        continue
      }
    } else if (n + 9 < end && nameIs(s, n, 'received=')) {
      const k = ipv4End(s, n + 9, end)
      if (k !== -1 && valueEnds(s, k, end)) {
        received = s.slice(n + 9, k)
        i = k
        continue
      }
    } else if (n + 5 <= end && nameIs(s, n, 'rport')) {
      const c = n + 5 === end ? 59 : s.charCodeAt(n + 5)
      if (c === 59) {
        rport = null
        i = n + 5
        continue
      }
      if (c === 61) {
        const k = readDigits(s, n + 6, end)
        if (k > n + 6 && valueEnds(s, k, end)) {
          if (digitsRead > 65535) return undefined
          rport = digitsRead
          i = k
          continue
        }
      }
    }
    i = skipWs(s, i + 1, end)
    const nameStart = i
    i = scanToken(s, i, end)
    const nameEnd = i
    if (nameEnd === nameStart) return undefined
    i = skipWs(s, i, end)
    let vs = -1
    let ve = -1
    let token = false
    if (i < end && s.charCodeAt(i) === 61) {
      i = skipWs(s, i + 1, end)
      vs = i
      const first = charAt(s, i, end)
      if (first === 34) {
        i = scanQuoted(s, i, end)
        if (i === -1) return undefined
      } else if (first === 91) {
        i = scanHost(s, i, end)
        if (i === -1) return undefined
      } else {
        // a token, or a host / unbracketed IPv6 address (RFC 5118 §4.5 `received`)
        token = true
        while (i < end) {
          const c = s.charCodeAt(i)
          if (tokenChar[c] === 1) i++
          else if (c === 58) {
            token = false
            i++
          } else break
        }
      }
      ve = i
      if (ve === vs) return undefined
    }
    const len = nameEnd - nameStart
    if (len === 6 && nameIs(s, nameStart, 'branch')) {
      if (!token) return undefined
      branch = s.slice(vs, ve)
    } else if (len === 8 && nameIs(s, nameStart, 'received')) {
      if (vs === -1 || !isReceived(s, vs, ve)) return undefined
      received = s.slice(vs, ve)
    } else if (len === 5 && nameIs(s, nameStart, 'rport')) {
      if (vs === -1) rport = null
      else {
        rport = parseDigits(s, vs, ve, 65535)
        if (rport < 0) return undefined
      }
    } else if (len === 5 && nameIs(s, nameStart, 'maddr')) {
      if (vs === -1 || scanHost(s, vs, ve) !== ve) return undefined
      maddr = lower(s.slice(vs, ve))
    } else if (len === 3 && nameIs(s, nameStart, 'ttl')) {
      ttl = vs === -1 ? -1 : parseDigits(s, vs, ve, 255)
      if (ttl < 0) return undefined
    } else {
      others ??= new Map()
      const name = s.slice(nameStart, nameEnd).toLowerCase()
      // as text, like every kept parameter (params.ts): UTF-8 in a quoted-string is decoded
      if (!others.has(name)) others.set(name, vs === -1 ? null : wireToText(s.slice(vs, ve)))
    }
  }
  return { protocol, transport, host, port, branch, received, rport, maddr, ttl, params: others ?? noParams }
}

/** True when a value read up to `k` ends there: what follows is no token char and no ":". */
function valueEnds(s: string, k: number, end: number): boolean {
  if (k === end) return true
  const c = s.charCodeAt(k)
  return c !== 58 && tokenChar[c] !== 1
}

/** Lower case, without a new string when there is nothing to change. */
function lower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 65 && c <= 90) return s.toLowerCase()
  }
  return s
}

export function formatVia(v: ViaValue): string {
  let out = `${v.protocol ?? 'SIP/2.0'}/${v.transport} ${v.host}`
  if (v.port !== undefined) out += `:${v.port}`
  out += formatParam('branch', v.branch)
  out += formatParam('rport', v.rport)
  if (v.received !== undefined) out += `;received=${v.received}` // an IPv6 address is not a token
  if (v.maddr !== undefined) out += `;maddr=${v.maddr}`
  out += formatParam('ttl', v.ttl)
  return out + formatParams(v.params)
}

/** Via (compact `v`): the path taken so far, topmost first (§20.42). */
export const Via = defineHeader({ name: 'Via', kind: 'list', parse: parseVia, format: formatVia })
