/**
 * The configuration of junction-ietf: one strict zod schema composed from the packages' slices
 * (the SIP server's, the operations pieces') and the flavor's own routing policy. A YAML or JSON
 * file, or nothing at all: every key has an embedded default.
 */
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { authConfig } from '@junction/auth'
import { adminConfig, logConfig, shutdownConfig } from '@junction/ops'
import { sipServerConfig } from '@junction/proxy'
import { registrarConfig } from '@junction/registrar'
import { parseUri } from '@junction/sip'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

const sipUriText = z
  .string()
  .refine((s) => parseUri(s)?.kind === 'sip', { message: 'expected a sip: or sips: URI' })

const staticRoute = z.strictObject({
  domain: z.string().min(1).default('*').describe('Request-URI host this route is for; * for any'),
  user: z
    .string()
    .min(1)
    .optional()
    .refine(
      (s) => {
        if (s === undefined) return true
        try {
          new RegExp(s)
          return true
        } catch {
          return false
        }
      },
      { message: 'not a valid regular expression' },
    )
    .describe('Regular expression the Request-URI user must match'),
  to: z
    .union([sipUriText, z.array(sipUriText).min(1)])
    .describe(
      'Next hop (resolved by RFC 3263), e.g. sip:192.0.2.5:5060;transport=tcp; a list is tried in order',
    ),
  auth: z
    .enum(['required', 'none'])
    .default('required')
    .describe(
      'required: with authentication on, only our authenticated users and trusted peers use this route (others get 407): a route to a gateway is no toll-free relay; none: anyone may (calls in to a PBX, say)',
    ),
})

export const routingConfig = z
  .strictObject({
    routes: z
      .array(staticRoute)
      .default([])
      .describe('Static routes, first match wins: requests for a domain (and user) go to a next hop'),
    recordRoute: z
      .boolean()
      .default(true)
      .describe(
        'Record-Route dialog-creating requests (INVITE, SUBSCRIBE, REFER); when off, a dialog whose hop changes its security (in over TLS, out without SIPS, or the reverse) is still record-routed (RFC 3261 §16.6 step 4)',
      ),
    stateless: z
      .boolean()
      .default(false)
      .describe('Forward statelessly (RFC 3261 §16.11): no forking, no failover'),
    trusted: z
      .array(
        z.string().refine((s) => parseCidr(s) !== undefined, {
          message: 'expected an IP address or a CIDR block, e.g. 192.0.2.10 or 10.0.0.0/8',
        }),
      )
      .default([])
      .describe(
        'Peers (IP or CIDR) whose requests are not challenged and may reach other domains (gateways, trunks)',
      ),
    dialog: z
      .strictObject({
        secret: z
          .string()
          .min(16)
          .optional()
          .describe(
            'Key of the tokens in our Record-Route that in-dialog requests must bring back (no relaying for forged dialogs); the same on every instance that shares dialogs. Unset: a random key per process, and in-dialog requests of dialogs recorded before a restart get 403',
          ),
      })
      .prefault({}),
    flood: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Flood protection (as Kamailio pike): a source (IPv4 address, IPv6 /64) that sends more than maxRequests in windowSec (a sliding window: the previous window counts in proportion to how much of it still overlaps) is blocked and its requests dropped; trusted peers are exempt',
          ),
        maxRequests: z
          .number()
          .int()
          .min(1)
          .default(100)
          .describe('Requests a source may send in any windowSec'),
        windowSec: z.number().int().min(1).max(3600).default(2).describe('The sliding window, seconds'),
        blockSec: z
          .number()
          .int()
          .min(1)
          .max(86400)
          .default(60)
          .describe('How long a flooding source is blocked'),
        maxSources: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .default(100_000)
          .describe(
            'Sources counted per window and blocks kept at most (memory bound); past it new sources pass uncounted until the window ends, and the block that ends first is forgotten',
          ),
      })
      .prefault({}),
    probe: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Probe the static routes' next hops with OPTIONS; a route skips the hops found down (all down: it tries them all)",
          ),
        intervalSec: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(30)
          .describe('Seconds between two probes of a hop'),
        failures: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(2)
          .describe('Probes in a row that time out, fail in the transport or get a 503 before a hop is down'),
      })
      .prefault({}),
    relay: z
      .strictObject({
        dns: z
          .boolean()
          .default(false)
          .describe(
            'Relay requests for other domains to wherever DNS (RFC 3263) says: an open relay unless guarded',
          ),
      })
      .prefault({}),
  })
  .prefault({})

export type RoutingConfig = z.output<typeof routingConfig>

/** An address or CIDR block: `192.0.2.10`, `10.0.0.0/8`, `2001:db8::/32`. */
export function parseCidr(text: string): { readonly address: string; readonly prefix: number } | undefined {
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const family = isIP(address)
  if (family === 0) return undefined
  const max = family === 4 ? 32 : 128
  if (slash < 0) return { address, prefix: max }
  const p = text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined
  return { address, prefix: Number(p) }
}

/**
 * The users of the Quick start, used when the config names none (auth.usersFile, auth.users):
 * documented credentials, so only on loopback listeners (checked by the schema).
 */
export const exampleUsers = [
  { user: 'alice', password: 'alice-secret' },
  { user: 'bob', password: 'bob-secret' },
] as const

/** True when the config names no users: the example users serve (loopback only). */
export function usesExampleUsers(auth: {
  readonly usersFile?: string | undefined
  readonly users?: unknown
}): boolean {
  return auth.usersFile === undefined && auth.users === undefined
}

function isLoopbackListener(l: string | { readonly host: string }): boolean {
  const host = typeof l === 'string' ? l.slice(l.indexOf(':') + 1, l.lastIndexOf(':')) : l.host
  const h = host.startsWith('[') ? host.slice(1, -1) : host
  return h === '::1' || h === 'localhost' || /^127\./.test(h)
}

export const ietfConfig = z
  .strictObject({
    sip: sipServerConfig,
    routing: routingConfig,
    registrar: registrarConfig,
    auth: authConfig,
    log: logConfig,
    admin: adminConfig,
    shutdown: shutdownConfig,
  })
  .superRefine((c, ctx) => {
    if (c.auth.enabled && usesExampleUsers(c.auth) && !c.sip.listen.every(isLoopbackListener)) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'usersFile'],
        message:
          'the example users (alice, bob) are for loopback listeners only: give auth.usersFile or auth.users',
      })
    }
  })

export type IetfConfig = z.output<typeof ietfConfig>
export type IetfConfigInput = z.input<typeof ietfConfig>

export type ConfigResult =
  | { readonly ok: true; readonly config: IetfConfig }
  | { readonly ok: false; readonly problems: readonly string[] }

/** Validates a config object; every problem is reported with its path. */
export function parseConfig(input: unknown): ConfigResult {
  const r = ietfConfig.safeParse(input ?? {})
  if (r.success) return { ok: true, config: r.data }
  return {
    ok: false,
    problems: r.error.issues.map((i) => `${i.path.length === 0 ? '(top)' : i.path.join('.')}: ${i.message}`),
  }
}

/** Reads a YAML (or JSON, which is YAML) file; undefined path: the embedded defaults. */
export async function loadConfig(path: string | undefined): Promise<ConfigResult> {
  if (path === undefined) return parseConfig({})
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    return { ok: false, problems: [`${path}: ${(error as Error).message}`] }
  }
  let data: unknown
  try {
    data = parseYaml(text)
  } catch (error) {
    return { ok: false, problems: [`${path}: not YAML: ${(error as Error).message}`] }
  }
  return parseConfig(data)
}
