/**
 * Listener specifications: `udp:0.0.0.0:5060`, `tls:[::]:5061`, `wss:127.0.0.1:8443` in config, or
 * objects with the advertised address (NAT, containers) and TLS files.
 */
import { isIP } from 'node:net'
import type { TransportName } from './flow.ts'

/** TLS material, as file paths (read at start, and again when the files change). */
export interface TlsFiles {
  readonly cert: string
  readonly key: string
  /** CA bundle to verify client certificates (and servers we connect to). */
  readonly ca?: string | undefined
  /** Ask for and verify client certificates. Default false. */
  readonly requestCert?: boolean | undefined
  /** How often to look for changed files, ms (default 2000). */
  readonly reloadInterval?: number | undefined
  /** More certificates by server name (SNI). */
  readonly sni?:
    | ReadonlyArray<{ readonly servername: string; readonly cert: string; readonly key: string }>
    | undefined
}

export interface ListenerOptions {
  readonly transport: TransportName
  /** Address to bind: `0.0.0.0`, `::`, `127.0.0.1`, `::1`. */
  readonly host: string
  /** Port to bind; 0 picks a free one. */
  readonly port: number
  /** What to put in Via sent-by and Record-Route: `host` or `host:port` (default: the bound address). */
  readonly advertise?: string | undefined
  /** TLS and WSS listeners: certificate, key, CA. */
  readonly tls?: TlsFiles | undefined
  /** WS and WSS: the HTTP path that upgrades (default: any). */
  readonly path?: string | undefined
}

const transports: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls', 'ws', 'wss'])

/** Parses `transport:host:port` (IPv6 hosts in brackets); undefined when it is not one. */
export function parseListenerSpec(spec: string): ListenerOptions | undefined {
  const m = /^([a-z]+):(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(spec.trim())
  if (m === null || !transports.has(m[1]!)) return undefined
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!
  const port = Number(m[3])
  if (isIP(host) === 0 || port > 65535) return undefined
  return { transport: m[1] as TransportName, host, port }
}

/** `host:port` as written in a Via sent-by (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
}
