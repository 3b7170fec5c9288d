/**
 * The root logger of a flavor (DESIGN.md "Logging"): pino, JSON lines to stdout, secrets redacted,
 * SIP messages reduced to the few fields that identify them. Only a distribution calls
 * `createLogger`; libraries take the `log` it returns in their deps and make a child.
 */
import { createRequire } from 'node:module'
import { CallId, CSeq, formatUri, type SipMessage, type SipRequest, type SipResponse } from '@junction/sip'
import { type DestinationStream, type Logger, type LoggerOptions, pino, stdSerializers } from 'pino'
import { faultCodes, OpsError } from './errors.ts'

/** The levels pino knows, most severe first; `silent` turns logging off. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

export interface LoggerConfig {
  /** `name` of every line: the flavor's bin name, e.g. `junction-ietf`. */
  readonly name: string
  /** Default `info`. */
  readonly level?: LogLevel | undefined
  /**
   * Human-readable lines through pino-pretty, in a worker thread (pino transports). For a terminal
   * during development; production logs stay JSON. Ignored when `destination` is given.
   */
  readonly pretty?: boolean | undefined
  /**
   * More pino redact paths (constants from the flavor, never user input), e.g. `config.apiToken`.
   * Avoid paths that start with a wildcard: they cost tens of µs per line.
   */
  readonly redact?: readonly string[] | undefined
  /** Where the JSON lines go instead of stdout (tests, a file). */
  readonly destination?: DestinationStream | undefined
}

/**
 * Keys whose values are secrets, compared in lower case, wherever they appear in a logged object
 * (up to {@link redactDepth} objects down) and in child bindings.
 */
export const secretKeys: readonly string[] = [
  // SIP credentials (RFC 3261 §22), in header maps or as fields
  'authorization',
  'proxy-authorization',
  'proxyauthorization',
  // Diameter Cx (TS 29.229 §6.3.13): the SIP-Authorization AVP, CK and IK AVPs
  'sip-authorization',
  'confidentiality-key',
  'integrity-key',
  // passwords and digest HA1 (RFC 7616 §3.4.2)
  'password',
  'ha1',
  'secret',
  // bearer tokens (the admin server's /rpc, RFC 6750)
  'token',
  // AKA (TS 33.102 §6.3, TS 35.206): subscriber key, operator keys, cipher/integrity keys, XRES
  'k',
  'op',
  'opc',
  'ck',
  'ik',
  'xres',
]

/** How many objects down a logged object is searched for secret keys. */
export const redactDepth = 6

const censor = '[Redacted]'
const secret = new Set(secretKeys)
/** The digest `response` (RFC 7616 §3.4.1) is a secret under these keys; a bare `response` is a SIP response. */
const digestParents = new Set(['credentials', 'digest', 'auth'])

function isSecret(key: string, parent: string | undefined): boolean {
  const lower = key.length <= 24 ? key.toLowerCase() : key
  if (secret.has(lower)) return true
  // compound names of configuration keys: gruuSecret, nonceSecret, dbPassword, ...
  if (lower.endsWith('secret') || lower.endsWith('password')) return true
  return lower === 'response' && parent !== undefined && digestParents.has(parent.toLowerCase())
}

/**
 * A copy of `value` with the value of every secret key replaced by `[Redacted]`; `value` itself
 * when it holds none (nothing is copied then). Plain objects and arrays are searched; class
 * instances (SIP messages, errors) are left to their serializers.
 */
function scrub(value: unknown, depth: number, parent: string | undefined): unknown {
  if (typeof value !== 'object' || value === null || depth > redactDepth) return value
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      const s = scrub(v, depth + 1, parent)
      if (s !== v) {
        out ??= value.slice()
        out[i] = s
      }
    }
    return out ?? value
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const obj = value as Record<string, unknown>
  let out: Record<string, unknown> | undefined
  for (const key of Object.keys(obj)) {
    const v = obj[key]
    const s = v !== undefined && isSecret(key, parent) ? censor : scrub(v, depth + 1, key)
    if (s !== v) {
      out ??= { ...obj }
      out[key] = s
    }
  }
  return out ?? obj
}

/**
 * Redaction of a logged object (pino `formatters.log`): the secret keys at any depth up to
 * {@link redactDepth}. Exported for loggers made elsewhere.
 */
export function redact(obj: Record<string, unknown>): Record<string, unknown> {
  return scrub(obj, 0, undefined) as Record<string, unknown>
}

/**
 * pino `redact` paths: the secret keys at the top level, in the spellings met in practice. They
 * cover child bindings, which `formatters.log` does not see. (Paths starting with a wildcard are
 * avoided: pino's wildcard redaction costs tens of µs per line.)
 */
const topLevelPaths: readonly string[] = [
  ...secretKeys,
  'Authorization',
  'Proxy-Authorization',
  'proxyAuthorization',
  'SIP-Authorization',
  'Confidentiality-Key',
  'Integrity-Key',
  'Password',
  'HA1',
]

/** The Request-URI without a password (RFC 3261 §19.1.1: `user:password` must not be shown). */
function safeUri(req: SipRequest): string {
  const uri = req.uri
  return formatUri(uri.kind === 'sip' && uri.password !== undefined ? { ...uri, password: undefined } : uri)
}

/** Serializer for the `sipReq` key: method, Request-URI, Call-ID and CSeq; never headers or body. */
export function sipReq(req: SipRequest): unknown {
  if (req === null || typeof req !== 'object' || (req as { kind?: unknown }).kind !== 'request') return req
  try {
    const cseq = req.headers.get(CSeq)
    return {
      method: req.method,
      uri: safeUri(req),
      callId: req.headers.get(CallId),
      cseq: cseq === undefined ? undefined : `${cseq.seq} ${cseq.method}`,
    }
  } catch {
    return { method: req.method }
  }
}

/** Serializer for the `sipRes` key: status, Call-ID and CSeq. */
export function sipRes(res: SipResponse): unknown {
  if (res === null || typeof res !== 'object' || (res as { kind?: unknown }).kind !== 'response') return res
  try {
    const cseq = res.headers.get(CSeq)
    return {
      status: res.status,
      callId: res.headers.get(CallId),
      cseq: cseq === undefined ? undefined : `${cseq.seq} ${cseq.method}`,
    }
  } catch {
    return { status: res.status }
  }
}

/** Serializer for the `sipMsg` key: a message of either kind (channel observers get both). */
export function sipMsg(message: SipMessage): unknown {
  return (message as { kind?: unknown } | null)?.kind === 'response'
    ? sipRes(message as SipResponse)
    : sipReq(message as SipRequest)
}

function checkLevel(level: string): LogLevel {
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new OpsError(
      faultCodes.INVALID_LEVEL,
      `unknown log level: ${level} (one of ${logLevels.join(', ')})`,
    )
  }
  return level as LogLevel
}

/** True for a level name pino knows. */
export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === 'string' && (logLevels as readonly string[]).includes(level)
}

/**
 * The pino root logger of a flavor: JSON lines to stdout, the values of {@link secretKeys}
 * censored as `[Redacted]` (at any depth up to {@link redactDepth}, and in child bindings), serializers `sipReq`, `sipRes`, `sipMsg` and `err`. Log a message as
 * `log.debug({ sipReq: request }, 'forwarding')`, never by spreading it.
 */
export function createLogger(config: LoggerConfig): Logger {
  const level = checkLevel(config.level ?? 'info')
  const options: LoggerOptions = {
    name: config.name,
    level,
    redact: { paths: [...topLevelPaths, ...(config.redact ?? [])], censor },
    formatters: { log: redact },
    serializers: { sipReq, sipRes, sipMsg, err: stdSerializers.err },
  }
  if (config.destination !== undefined) return pino(options, config.destination)
  if (config.pretty === true) {
    // resolved from here: pnpm does not let pino see packages its caller depends on
    const target = createRequire(import.meta.url).resolve('pino-pretty')
    options.transport = { target, options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
  }
  // written when logged: pino's default asynchronous stdout queues each write on libuv's thread
  // pool, and at exit writes what is still buffered at once, ahead of a write still queued there
  // ("stopped" before "shutting down" when closing servers kept the pool busy)
  return pino(options, pino.destination({ dest: process.stdout.fd ?? 1, sync: true }))
}

/**
 * Changes the level of `log` at run time. Children follow their parent unless they were given a
 * level of their own (pino children read the level through the prototype chain), so setting the
 * root's level changes every module's. Throws `JUNCTION_ERR_OPS_INVALID_LEVEL` for an unknown level.
 * Returns the previous level.
 */
export function setLevel(log: Logger, level: string): LogLevel {
  const next = checkLevel(level)
  const previous = log.level as LogLevel
  log.level = next
  return previous
}
