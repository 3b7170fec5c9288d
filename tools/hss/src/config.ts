/**
 * The configuration of junction-hss: one YAML file with the server's settings (`hss`, all
 * optional) and the subscribers. Subscriber keys are hex; each subscriber has OP or OPc (TS 35.206),
 * AMF and the SQN of its next vector, its public identities (and their implicit registration sets,
 * TS 23.228 §5.2.1a), the S-CSCF name or capabilities, and its service profile: raw User-Data XML
 * or initial filter criteria in a YAML form rendered to TS 29.228 Annex E XML (user-data.ts).
 */
import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

const hex = (octets: number, what: string) =>
  z
    .string()
    .transform((s) => s.replace(/^0x/i, '').replace(/[\s:]/g, '').toLowerCase())
    .refine((s) => s.length === octets * 2 && /^[0-9a-f]*$/.test(s), {
      message: `${what}: expected ${octets} octets in hex (${octets * 2} digits)`,
    })

const identity = z.string().regex(/^(sips?|tel):\S+$/, 'expected a sip:, sips: or tel: URI')

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/, 'expected host:port, e.g. 127.0.0.1:3868 or [::1]:3868')

const capabilities = z.strictObject({
  mandatory: z.array(z.number().int().min(0).max(0xffffffff)).default([]),
  optional: z.array(z.number().int().min(0).max(0xffffffff)).default([]),
})

/** SessionCase (TS 29.228 Annex B.2.2). */
export const sessionCases = {
  ORIGINATING: 0,
  TERMINATING_REGISTERED: 1,
  TERMINATING_UNREGISTERED: 2,
  ORIGINATING_UNREGISTERED: 3,
  ORIGINATING_CDIV: 4,
} as const
/** RegistrationType (TS 29.228 Annex B.2.2, Extension of SPT). */
export const registrationTypes = { INITIAL: 0, RE_REGISTRATION: 1, DE_REGISTRATION: 2 } as const
/** DefaultHandling (TS 29.228 Annex B.2.3). */
export const defaultHandlings = { SESSION_CONTINUED: 0, SESSION_TERMINATED: 1 } as const
/** ProfilePartIndicator (TS 29.228 Annex B.2.2). */
export const profilePartIndicators = { REGISTERED: 0, UNREGISTERED: 1 } as const

const enumOrNumber = <T extends Record<string, number>>(values: T) =>
  z
    .union([z.enum(Object.keys(values) as [string, ...string[]]), z.number().int().min(0)])
    .transform((v) => (typeof v === 'number' ? v : values[v]!))
    .refine((v) => Object.values(values).includes(v), { message: `one of ${Object.keys(values).join(', ')}` })

const spt = z
  .strictObject({
    negated: z.boolean().default(false),
    group: z
      .union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1)])
      .default(0)
      .transform((g) => (Array.isArray(g) ? g : [g])),
    requestUri: z.string().min(1).optional(),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .optional(),
    header: z.strictObject({ name: z.string().min(1), content: z.string().optional() }).optional(),
    sessionCase: enumOrNumber(sessionCases).optional(),
    sessionDescription: z
      .strictObject({ line: z.string().min(1), content: z.string().optional() })
      .optional(),
    registrationType: z
      .array(enumOrNumber(registrationTypes))
      .max(2)
      .optional()
      .describe('REGISTER kinds matched (CxDataType allows two at most)'),
  })
  .refine(
    (s) =>
      [s.requestUri, s.method, s.header, s.sessionCase, s.sessionDescription].filter((x) => x !== undefined)
        .length === 1,
    { message: 'an SPT has exactly one of requestUri, method, header, sessionCase, sessionDescription' },
  )

export const ifcConfig = z.strictObject({
  priority: z.number().int().min(0),
  trigger: z
    .strictObject({
      conditionTypeCNF: z
        .boolean()
        .default(false)
        .describe('true: AND of ORs (CNF); false: OR of ANDs (DNF)'),
      spts: z.array(spt).min(1),
    })
    .optional()
    .describe('Absent: the iFC always matches'),
  applicationServer: z.strictObject({
    serverName: identity,
    defaultHandling: enumOrNumber(defaultHandlings).optional(),
    serviceInfo: z.string().optional(),
  }),
  profilePartIndicator: enumOrNumber(profilePartIndicators).optional(),
})
export type IfcConfig = z.output<typeof ifcConfig>

export const subscriberConfig = z
  .strictObject({
    impi: z.string().min(1).describe('Private user identity (User-Name), e.g. alice@ims.test'),
    impus: z.array(identity).min(1).describe('Public user identities; the first is the default one'),
    implicitSets: z
      .array(z.array(identity).min(1))
      .optional()
      .describe('Implicit registration sets (TS 23.228 §5.2.1a); default: all IMPUs form one set'),
    k: hex(16, 'k'),
    op: hex(16, 'op').optional(),
    opc: hex(16, 'opc').optional(),
    amf: hex(2, 'amf').default('8000'),
    sqn: hex(6, 'sqn').default('000000000020').describe('SQN of the next vector (the state file wins)'),
    password: z.string().optional().describe('For the SIP Digest scheme (HA1 in the MAA)'),
    scscf: z.string().min(1).optional().describe('S-CSCF name for this subscriber (default: hss.scscf.name)'),
    capabilities: capabilities.optional(),
    userData: z.string().min(1).optional().describe('IMSSubscription XML, sent as is'),
    ifcs: z.array(ifcConfig).optional().describe('Initial filter criteria, rendered to XML'),
    unregisteredServices: z
      .boolean()
      .optional()
      .describe('Has services while unregistered (LIR: 2003); default: from the iFCs'),
  })
  .refine((s) => (s.op === undefined) !== (s.opc === undefined), { message: 'give op or opc (exactly one)' })
  .refine((s) => s.userData === undefined || s.ifcs === undefined, {
    message: 'give userData or ifcs, not both',
  })
  .refine((s) => s.implicitSets === undefined || s.implicitSets.flat().every((i) => s.impus.includes(i)), {
    message: 'implicitSets name only IMPUs of the subscriber',
  })
export type SubscriberConfig = z.output<typeof subscriberConfig>

export const randModes = ['random', 'no-zero-res', 'fixed'] as const

export const hssSettings = z
  .strictObject({
    originHost: z.string().min(1).default('hss.ims.test').describe('Origin-Host (DiameterIdentity)'),
    realm: z.string().min(1).default('ims.test').describe('Origin-Realm: the realm served'),
    listen: hostPort.default('127.0.0.1:3868').describe('TCP address to listen on'),
    stateFile: z
      .string()
      .min(1)
      .default('junction-hss.state.json')
      .describe('SQN and registration state, written atomically (relative: to the working directory)'),
    scscf: z
      .strictObject({
        name: z
          .string()
          .min(1)
          .optional()
          .describe('S-CSCF name given in UAA/LIA, e.g. sip:scscf.ims.test:6060'),
        capabilities: capabilities.optional(),
      })
      .prefault({}),
    vectors: z
      .strictObject({
        rand: z
          .enum(randModes)
          .default('random')
          .describe('random; no-zero-res: re-draw RAND until RES has no 0x00 octet (SIPp 3.6); fixed'),
        fixedRand: hex(16, 'fixedRand').optional().describe('RAND for rand: fixed'),
        maxItems: z.number().int().min(1).max(32).default(5).describe('Vectors per MAR at most'),
      })
      .prefault({})
      .refine((v) => v.rand !== 'fixed' || v.fixedRand !== undefined, {
        message: 'rand: fixed needs fixedRand',
      }),
    watchdogMs: z.number().int().min(1000).default(30000).describe('Tw of the RFC 3539 watchdog'),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .prefault({}),
  })
  .prefault({})

export const hssConfig = z
  .strictObject({
    hss: hssSettings,
    subscribers: z.array(subscriberConfig).min(1),
  })
  .superRefine((c, ctx) => {
    const impis = new Set<string>()
    const impus = new Set<string>()
    c.subscribers.forEach((s, i) => {
      if (impis.has(s.impi.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['subscribers', i, 'impi'],
          message: `${s.impi} is listed twice`,
        })
      impis.add(s.impi.toLowerCase())
      for (const u of s.impus) {
        if (impus.has(u.toLowerCase()))
          ctx.addIssue({ code: 'custom', path: ['subscribers', i, 'impus'], message: `${u} is listed twice` })
        impus.add(u.toLowerCase())
      }
    })
  })

export type HssConfig = z.output<typeof hssConfig>
export type HssConfigInput = z.input<typeof hssConfig>

export type ConfigResult =
  | { readonly ok: true; readonly config: HssConfig }
  | { readonly ok: false; readonly problems: readonly string[] }

/** Validates a config object; every problem is reported with its path. */
export function parseConfig(input: unknown): ConfigResult {
  const r = hssConfig.safeParse(input ?? {})
  if (r.success) return { ok: true, config: r.data }
  return {
    ok: false,
    problems: r.error.issues.map((i) => `${i.path.length === 0 ? '(top)' : i.path.join('.')}: ${i.message}`),
  }
}

/** The example subscriber file shipped with the package (TS 35.207 test set 2, ims.md §5(a)). */
export const exampleConfigPath = new URL('../subscribers.example.yaml', import.meta.url)

/** Reads a YAML (or JSON) file. */
export async function loadConfig(path: string | URL): Promise<ConfigResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    return { ok: false, problems: [`${String(path)}: ${(error as Error).message}`] }
  }
  let data: unknown
  try {
    data = parseYaml(text)
  } catch (error) {
    return { ok: false, problems: [`${String(path)}: not YAML: ${(error as Error).message}`] }
  }
  return parseConfig(data)
}
