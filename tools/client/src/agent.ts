/**
 * One client run: a transport and a user agent set up from the common flags, watched for what a
 * SIP response cannot say (the server closed the connection, sent garbage), under the --timeout
 * deadline, and torn down after. Every command runs its operation inside `withAgent`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { accessSync, constants } from 'node:fs'
import type { DigestAlgorithm } from '@junction/digest'
import { parseUri } from '@junction/sip'
import {
  connectionClose,
  createResolver,
  createTransport,
  dropped,
  type Flow,
  type Transport,
  type TransportName,
} from '@junction/transport'
import {
  type CredentialsProvider,
  createDigestProvider,
  createUserAgent,
  type UserAgent,
  type UserAgentHandlers,
} from '@junction/ua'
import { type AkaProviderOptions, createAkaProvider } from './aka.ts'
import { ClientError, type ClientErrorCode, clientErrorCodes, exitCodes } from './errors.ts'

/** One line of output: what happened, as an object (`--json` prints it as is). */
export interface ClientEvent {
  readonly event: string
  readonly [field: string]: unknown
}

export interface CommonOptions {
  /** Transport to the next hop (default udp). */
  readonly transport?: TransportName | undefined
  /** Outbound proxy URI (every request goes there first, §8.1.2). */
  readonly proxy?: string | undefined
  /** Local address to bind, `host` or `host:port` (default 0.0.0.0 and a free port). */
  readonly local?: string | undefined
  /** CA file to trust for TLS and WSS. */
  readonly ca?: string | undefined
  /** Do not check the server's TLS certificate. */
  readonly insecure?: boolean | undefined
  /** Milliseconds the whole operation may take (default 10 000); past it: exit 1. */
  readonly timeout?: number | undefined
  /** Our identity (From): default `sip:junction-client@<local address>`. */
  readonly from?: string | undefined
  /** Digest username (default: the user part of the identity). */
  readonly username?: string | undefined
  readonly password?: string | undefined
  /** The digest algorithm to answer (default: the server's first). */
  readonly algorithm?: DigestAlgorithm | undefined
  /** IMS AKA credentials (the IMPI defaults to `user@domain` of the identity). */
  readonly aka?:
    | (Omit<AkaProviderOptions, 'impi' | 'onOutcome'> & { readonly impi?: string | undefined })
    | undefined
  /** RFC 3261 timers (T1 default 500 ms). */
  readonly timers?: { readonly t1?: number; readonly t2?: number } | undefined
  /** Header fields added to every request outside a dialog, e.g. `{ 'P-Visited-Network-ID': '"ims.test"' }`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Each event, as it happens. */
  readonly onEvent?: ((event: ClientEvent) => void) | undefined
  /** Ends a long-running operation (register --duration, call --answer) early: Ctrl-C. */
  readonly signal?: AbortSignal | undefined
}

/** What every operation returns. */
export interface RunResult {
  readonly ok: boolean
  /** 0 success, 1 SIP failure or timeout, 2 usage or configuration error. */
  readonly exitCode: 0 | 1 | 2
  /** The final status that decided the outcome, when a response did. */
  readonly status?: number | undefined
  readonly reason?: string | undefined
  /** A JUNCTION_ERR_* code when no SIP response decided it. */
  readonly code?: string | undefined
}

export interface Agent {
  readonly ua: UserAgent
  readonly transport: Transport
  readonly identity: string
  /** The local address a signalling-only SDP names. */
  readonly address: string
  emit(event: ClientEvent): void
  /** --timeout in ms. */
  readonly timeout: number
  /**
   * Waits for `promise`, at most `ms` (default --timeout), and no longer than the connection to the
   * next hop lives or it sends SIP: else the run ends with exit code 1 and the reason.
   */
  within<T>(promise: Promise<T>, ms?: number): Promise<T>
}

interface Failure {
  readonly code: ClientErrorCode
  readonly reason: string
}

export function usage(message: string): never {
  throw new ClientError(clientErrorCodes.USAGE, message)
}

function listenSpecs(transport: TransportName, local: string | undefined): string[] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(local ?? '0.0.0.0')
  if (m === null) usage(`--local must be host or host:port: ${local}`)
  const host = m[1]!
  const port = m[2] ?? '0'
  // a listener of the transport itself for UDP and TCP (requests can come back to the Contact);
  // TLS and WebSocket clients reach us over their own connection (RFC 5626), a UDP one fills Via
  if (transport === 'tcp') return [`tcp:${host}:${port}`, `udp:${host}:${port}`]
  return [`udp:${host}:${port}`]
}

function sameEndpoint(flow: Flow, address: string, port: number): boolean {
  return flow.remote.port === port && flow.remote.address.replace(/^::ffff:/, '') === address
}

/** The credentials provider of the common flags (AKA first, then digest), or none. */
function credentials(
  options: CommonOptions,
  identityUser: string | undefined,
  domain: string,
  emit: (e: ClientEvent) => void,
): CredentialsProvider | undefined {
  const providers: CredentialsProvider[] = []
  if (options.aka !== undefined) {
    providers.push(
      createAkaProvider({
        ...options.aka,
        impi: options.aka.impi ?? `${identityUser ?? 'anonymous'}@${domain}`,
        onOutcome: (outcome, detail) =>
          emit({ event: 'aka', outcome, ...(detail === undefined ? {} : { detail }) }),
      }),
    )
  }
  if (options.password !== undefined) {
    providers.push(
      createDigestProvider({
        username: options.username ?? identityUser ?? 'anonymous',
        password: options.password,
        algorithm: options.algorithm,
      }),
    )
  }
  if (providers.length === 0) return undefined
  return {
    answer(input) {
      for (const p of providers) {
        const c = p.answer(input)
        if (c !== undefined) {
          emit({
            event: 'authenticate',
            realm: input.challenge.realm,
            algorithm: input.challenge.algorithm ?? 'MD5',
            proxy: input.proxy,
          })
          return c
        }
      }
      return undefined
    },
  }
}

/**
 * Runs `operation` with an agent for `target` (the URI requests go to when there is no proxy), and
 * returns its result — or exit code 1 when the deadline passes, the connection to the next hop
 * closes, or it sends garbage, whichever comes first. The agent is always stopped.
 */
export async function withAgent(
  options: CommonOptions,
  target: string,
  operation: (agent: Agent) => Promise<RunResult>,
  extra: { identity?: string | undefined; handlers?: UserAgentHandlers | undefined } = {},
): Promise<RunResult> {
  const transportName = options.transport ?? 'udp'
  const emit = (e: ClientEvent) => options.onEvent?.(e)
  if (options.ca !== undefined) {
    try {
      accessSync(options.ca, constants.R_OK)
    } catch {
      throw new ClientError(clientErrorCodes.FILE, `--ca: cannot read ${options.ca}`)
    }
  }
  const hop = options.proxy ?? target
  const hopUri = parseUri(hop)
  if (hopUri === undefined || hopUri.kind !== 'sip') usage(`not a SIP URI: ${hop}`)
  const specs = listenSpecs(transportName, options.local)
  const localHost = specs[0]!
    .split(':')
    .slice(1, -1)
    .join(':')
    .replace(/^\[|\]$/g, '')
  const address = localHost === '0.0.0.0' || localHost === '::' ? '127.0.0.1' : localHost
  const identity =
    extra.identity ??
    options.from ??
    `sip:junction-client@${address.includes(':') ? `[${address}]` : address}`
  const identityUri = parseUri(identity)
  if (identityUri === undefined || identityUri.kind !== 'sip') usage(`not a SIP URI: ${identity}`)

  const resolver = createResolver({ transports: [transportName] })
  const resolved = await resolver.resolve(hopUri, { transports: [transportName] })
  const next = resolved.ok ? resolved.targets[0] : undefined

  let fail!: (f: Failure) => void
  const failure = new Promise<Failure>((resolve) => {
    fail = resolve
  })
  const onClose = (m: unknown) => {
    const { flow, error } = m as { flow: Flow; error?: unknown }
    // a transport being stopped (ours at the end, or another agent's in the same process) is not the server
    if (error instanceof Error && error.message === 'transport stopped') return
    if (next !== undefined && sameEndpoint(flow, next.address, next.port))
      fail({
        code: clientErrorCodes.CONNECTION_CLOSED,
        reason: `the server closed the connection${error instanceof Error ? `: ${error.message}` : ''}`,
      })
  }
  const onDrop = (m: unknown) => {
    const { flow, code, reason } = m as { flow: Flow; code: string; reason?: string }
    if (next !== undefined && sameEndpoint(flow, next.address, next.port))
      fail({
        code: clientErrorCodes.BAD_RESPONSE,
        reason: `the server sent what is not SIP (${code}${reason === undefined ? '' : `: ${reason}`})`,
      })
  }
  subscribe(connectionClose.name as string, onClose)
  subscribe(dropped.name as string, onDrop)

  // the transport has no switch for it: Node's own, for this process while the run lasts
  const rejectBefore = process.env['NODE_TLS_REJECT_UNAUTHORIZED']
  if (options.insecure === true) process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'
  const restoreTls = () => {
    if (options.insecure !== true) return
    if (rejectBefore === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED']
    else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = rejectBefore
  }
  const ua = createUserAgent(
    {
      identity: { uri: identity },
      credentials: credentials(options, identityUri.user, identityUri.host, emit),
      outboundProxy: options.proxy,
      transports: [transportName],
      userAgent: 'junction-client',
      timers: options.timers,
      handlers: extra.handlers,
      headers: options.headers,
    },
    {
      transport: (deps) =>
        createTransport(
          { listen: specs, ...(options.ca === undefined ? {} : { tlsClient: { ca: options.ca } }) },
          deps,
        ),
      resolver,
    },
  )
  const timeout = options.timeout ?? 10_000
  try {
    try {
      await ua.start()
    } catch (e) {
      throw new ClientError(
        clientErrorCodes.USAGE,
        `cannot listen on ${specs.join(', ')}: ${(e as Error).message}`,
      )
    }
    const agent: Agent = {
      ua,
      transport: ua.transport,
      identity,
      address,
      emit,
      timeout,
      async within(promise, ms = timeout) {
        let timer: ReturnType<typeof setTimeout> | undefined
        const deadline = new Promise<Failure>((resolve) => {
          if (ms === Number.POSITIVE_INFINITY) return
          timer = setTimeout(
            () => resolve({ code: clientErrorCodes.TIMEOUT, reason: `no outcome within ${ms} ms` }),
            ms,
          )
        })
        try {
          const r = await Promise.race([promise.then((value) => ({ value })), failure, deadline])
          if ('value' in r) return r.value
          throw new StepFailure(r)
        } finally {
          clearTimeout(timer)
        }
      },
    }
    try {
      return await operation(agent)
    } catch (e) {
      if (!(e instanceof StepFailure)) throw e
      emit({ event: 'error', code: e.failure.code, reason: e.failure.reason })
      return { ok: false, exitCode: exitCodes.SIP_FAILURE, code: e.failure.code, reason: e.failure.reason }
    }
  } finally {
    unsubscribe(connectionClose.name as string, onClose)
    unsubscribe(dropped.name as string, onDrop)
    await ua.stop()
    restoreTls()
  }
}

/** Thrown by `within()`: the deadline passed or the next hop failed; the run ends with exit code 1. */
class StepFailure extends Error {
  readonly failure: Failure
  constructor(failure: Failure) {
    super(failure.reason)
    this.failure = failure
  }
}
