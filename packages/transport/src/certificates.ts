/**
 * TLS certificates from files, reloaded when the files change: new handshakes get the new
 * certificate, connections already open keep theirs, nothing restarts. A change that does not
 * load (a key that does not match its certificate, a file half written) keeps the previous
 * certificate and is reported.
 */
import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs'
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls'
import type { TlsFiles } from './listener-spec.ts'

export interface CertificateStore {
  /** Options for `tls.createServer` / `https.createServer` (and `setSecureContext` after a reload). */
  serverOptions(): TlsOptions
  /** Called after each successful reload. */
  onReload(listener: () => void): void
  /** How many reloads succeeded. */
  readonly reloads: number
  /** Stops watching the files. */
  close(): void
}

interface Loaded {
  readonly base: { cert: Buffer; key: Buffer; ca?: Buffer }
  readonly byName: ReadonlyMap<string, SecureContext>
  readonly fallback: SecureContext
}

function load(files: TlsFiles): Loaded {
  const base = {
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    ...(files.ca === undefined ? {} : { ca: readFileSync(files.ca) }),
  }
  // createSecureContext checks that each key matches its certificate: a bad pair throws here
  const fallback = createSecureContext(base)
  const byName = new Map<string, SecureContext>()
  for (const s of files.sni ?? []) {
    byName.set(
      s.servername.toLowerCase(),
      createSecureContext({ cert: readFileSync(s.cert), key: readFileSync(s.key) }),
    )
  }
  return { base, byName, fallback }
}

export function createCertificateStore(
  files: TlsFiles,
  options: { interval?: number; onError?: (error: unknown) => void } = {},
): CertificateStore {
  let loaded = load(files)
  let reloads = 0
  const listeners: Array<() => void> = []
  const paths = [
    files.cert,
    files.key,
    ...(files.ca === undefined ? [] : [files.ca]),
    ...(files.sni ?? []).flatMap((s) => [s.cert, s.key]),
  ]

  const changed = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return
    try {
      loaded = load(files)
      reloads++
      for (const l of listeners) l()
    } catch (error) {
      options.onError?.(error)
    }
  }
  // polling survives editors and tools that replace a file by renaming another onto it
  for (const p of paths) watchFile(p, { interval: options.interval ?? 2000, persistent: false }, changed)

  return {
    serverOptions() {
      const { base } = loaded
      return {
        ...base,
        requestCert: files.requestCert ?? false,
        rejectUnauthorized: files.requestCert ?? false,
        // SNI (RFC 6066): the certificate for the name the client asked for, read at each handshake
        SNICallback: (servername, cb) =>
          cb(null, loaded.byName.get(servername.toLowerCase()) ?? loaded.fallback),
      }
    },
    onReload(listener) {
      listeners.push(listener)
    },
    get reloads() {
      return reloads
    },
    close() {
      for (const p of paths) unwatchFile(p, changed)
    },
  }
}
