/**
 * Via, RFC 3261 §20.42 and §25.1, with rport (RFC 3581) and IPv6 (RFC 5118):
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 */
import { charAt, DIGIT, parseDigits, scan, skipWs, TOKEN } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { isIPv4, isIPv6, scanHost } from '../host.ts'
import { formatParam, formatParams, type Params, params } from '../params.ts'

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
  /** Any other parameter (names in lower case, values as written). */
  readonly params?: Params | undefined
}

function isReceived(v: string): boolean {
  // IPv4address / IPv6address; RFC 5118 §4.5: accept a bracketed IPv6 reference too
  if (v.charCodeAt(0) === 91) return v.charCodeAt(v.length - 1) === 93 && isIPv6(v.slice(1, -1))
  return isIPv4(v) || isIPv6(v)
}

const commonTransports = ['UDP', 'TCP', 'TLS', 'WSS', 'WS', 'SCTP']

/** sent-protocol: `SIP/2.0/UDP` and friends take a fast path; SWS is allowed around each "/". */
function readProtocol(s: string, i: number, end: number): boolean {
  if (s.startsWith('SIP/2.0/', i) && i + 8 <= end) {
    for (const t of commonTransports) {
      const after = i + 8 + t.length
      if (
        after < end &&
        s.startsWith(t, i + 8) &&
        (s.charCodeAt(after) === 32 || s.charCodeAt(after) === 9)
      ) {
        via.protocol = 'SIP/2.0'
        via.transport = t
        via.end = after
        return true
      }
    }
  }
  const nameEnd = scan(s, i, end, TOKEN)
  if (nameEnd === i) return false
  let j = skipWs(s, nameEnd, end)
  if (charAt(s, j, end) !== 47) return false
  j = skipWs(s, j + 1, end)
  const versionEnd = scan(s, j, end, TOKEN)
  if (versionEnd === j) return false
  const protocol = `${s.slice(i, nameEnd)}/${s.slice(j, versionEnd)}`
  j = skipWs(s, versionEnd, end)
  if (charAt(s, j, end) !== 47) return false
  j = skipWs(s, j + 1, end)
  const transportEnd = scan(s, j, end, TOKEN)
  if (transportEnd === j) return false
  via.protocol = protocol === 'SIP/2.0' ? 'SIP/2.0' : protocol
  via.transport = s.slice(j, transportEnd).toUpperCase()
  via.end = transportEnd
  return true
}

const via = { protocol: '', transport: '', end: 0 }

export function parseVia(s: string, start: number, end: number): ViaValue | undefined {
  if (!readProtocol(s, start, end)) return undefined
  const { protocol, transport } = via
  // LWS, then sent-by
  let i = skipWs(s, via.end, end)
  if (i === via.end) return undefined
  const hostEnd = scanHost(s, i, end)
  if (hostEnd === -1) return undefined
  const host = lower(s.slice(i, hostEnd))
  i = skipWs(s, hostEnd, end)
  let port: number | undefined
  if (charAt(s, i, end) === 58) {
    const p = skipWs(s, i + 1, end)
    const portEnd = scan(s, p, end, DIGIT)
    const n = parseDigits(s, p, portEnd, 65535)
    if (n < 0) return undefined
    port = n
    i = portEnd
  }

  let branch: string | undefined
  let received: string | undefined
  let rport: number | null | undefined
  let maddr: string | undefined
  let ttl: number | undefined
  for (const p = params.start(s, i, end); p.next(); ) {
    const v = p.value
    if (p.is('branch')) {
      if (v === null || scan(v, 0, v.length, TOKEN) !== v.length) return undefined
      branch = v
    } else if (p.is('received')) {
      if (v === null || !isReceived(v)) return undefined
      received = v
    } else if (p.is('rport')) {
      if (v === null) rport = null
      else {
        const n = parseDigits(v, 0, v.length, 65535)
        if (n < 0) return undefined
        rport = n
      }
    } else if (p.is('maddr')) {
      if (v === null || scanHost(v, 0, v.length) !== v.length) return undefined
      maddr = lower(v)
    } else if (p.is('ttl')) {
      const n = v === null ? -1 : parseDigits(v, 0, v.length, 255)
      if (n < 0) return undefined
      ttl = n
    } else p.keep()
  }
  if (params.failed) return undefined
  return { protocol, transport, host, port, branch, received, rport, maddr, ttl, params: params.others }
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
