/**
 * Graceful shutdown of a flavor: on SIGTERM or SIGINT stop the services (stop accepting, let live
 * transactions finish), then exit 0; exit 1 when that takes longer than the grace period or fails;
 * a second signal exits at once.
 */
import type { Logger } from 'pino'

/** The part of `process` used here, so that tests can pass their own. */
export interface ShutdownProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  exit(code: number): void
}

export interface ShutdownOptions {
  readonly log: Logger
  /** Stops the flavor's services (in reverse start order). Exit 0 when it resolves. */
  readonly stop: (signal: NodeJS.Signals) => Promise<void>
  /** How long `stop` may take before the process exits 1 anyway. Default 10000 ms. */
  readonly graceMs?: number | undefined
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[] | undefined
  /** Default the real `process`. */
  readonly process?: ShutdownProcess | undefined
}

export interface ShutdownHandle {
  /** Shuts down as if `signal` had been received (e.g. after a fatal error, or from an RPC method). */
  shutdown(signal?: NodeJS.Signals): void
  /** True once a shutdown started. */
  readonly stopping: boolean
  /** Removes the signal handlers (and cancels the grace timer). */
  dispose(): void
}

/** Installs the signal handlers. Call once, in `main.ts`, after the services started. */
export function onShutdown(options: ShutdownOptions): ShutdownHandle {
  const proc: ShutdownProcess = options.process ?? process
  const log = options.log
  const graceMs = options.graceMs ?? 10_000
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  let stopping = false
  let exited = false
  let timer: ReturnType<typeof setTimeout> | undefined

  function exit(code: number): void {
    if (exited) return
    exited = true
    if (timer !== undefined) clearTimeout(timer)
    proc.exit(code)
  }

  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now')
      exit(1)
      return
    }
    stopping = true
    log.info({ signal, graceMs }, 'shutting down')
    timer = setTimeout(() => {
      log.error({ graceMs }, 'shutdown took longer than the grace period: exiting')
      exit(1)
    }, graceMs)
    Promise.resolve()
      .then(() => options.stop(signal))
      .then(
        () => {
          if (exited) return
          log.info('stopped')
          exit(0)
        },
        (e: unknown) => {
          if (exited) return
          log.error({ err: e }, 'shutdown failed')
          exit(1)
        },
      )
  }

  for (const s of signals) proc.on(s, onSignal)

  return {
    shutdown: (signal = 'SIGTERM') => onSignal(signal),
    get stopping() {
      return stopping
    },
    dispose() {
      for (const s of signals) proc.off(s, onSignal)
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}
