/**
 * Config slices of the operations pieces (DESIGN.md "Config"): a flavor puts them in its strict
 * schema — `z.strictObject({ ..., log: logConfig, admin: adminConfig, shutdown: shutdownConfig })`
 * — and validates once. Each slice may be left out of the file: its defaults apply.
 */
import { z } from 'zod'
import { logLevels } from './logger.ts'

export const logConfig = z
  .strictObject({
    level: z.enum(logLevels).default('info').describe('Log level; changeable at run time (log.level.set)'),
    pretty: z.boolean().default(false).describe('Human-readable lines instead of JSON (development only)'),
  })
  .prefault({})
export type LogConfig = z.output<typeof logConfig>

export const adminConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve /metrics, /health, /ready and /rpc'),
    host: z.string().min(1).default('127.0.0.1').describe('Address of the admin port; loopback by default'),
    port: z.number().int().min(0).max(65535).default(8080).describe('Admin HTTP port (0: any free port)'),
    maxBodySize: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(65536)
      .describe('Largest JSON-RPC request body in octets'),
    token: z
      .string()
      .min(16)
      .optional()
      .describe(
        'Bearer token /rpc requires (Authorization: Bearer ...); at least 16 characters. Default: none, /rpc is open to whoever reaches the admin port',
      ),
  })
  .prefault({})
export type AdminConfig = z.output<typeof adminConfig>

export const shutdownConfig = z
  .strictObject({
    graceMs: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('How long live transactions may take to finish after SIGTERM before the process exits 1'),
  })
  .prefault({})
export type ShutdownConfig = z.output<typeof shutdownConfig>
