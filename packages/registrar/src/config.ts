/**
 * The config slice of the registrar (DESIGN.md "Config"): a strict zod schema a flavor composes
 * into its own, and the mapping to `createRegistrar` and `createMemoryLocationStore` options. The
 * served domains come from the flavor (its SIP server's `domains`).
 */
import { z } from 'zod'
import type { MemoryLocationStoreOptions } from './memory-store.ts'
import type { RegistrarConfig } from './registrar.ts'

export const registrarConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Answer REGISTER for the served domains (RFC 3261 §10)'),
    minExpires: z.number().int().min(1).default(60).describe('Shorter non-zero expiries get 423'),
    maxExpires: z.number().int().min(1).default(3600).describe('Longer expiries are shortened'),
    defaultExpires: z.number().int().min(1).default(3600).describe('Expiry when the REGISTER gives none'),
    maxContacts: z.number().int().min(1).max(1000).default(10).describe('Bindings per AOR at most'),
    onMaxContacts: z
      .enum(['reject', 'evict-oldest'])
      .default('reject')
      .describe('Past maxContacts: 403, or drop the least recently written bindings'),
    outbound: z.boolean().default(true).describe('RFC 5626 outbound (reg-id, flows, Flow-Timer)'),
    flowTimer: z.number().int().min(1).optional().describe('Flow-Timer seconds in outbound 200s'),
    gruu: z.boolean().default(true).describe('RFC 5627 GRUUs (pub-gruu, temp-gruu)'),
    gruuSecret: z
      .string()
      .min(16)
      .optional()
      .describe('Key of temporary GRUUs (default: random per process); share it between instances'),
    maxAors: z.number().int().min(1).default(1_000_000).describe('AORs the location store holds at most'),
  })
  .refine((c) => c.minExpires <= c.maxExpires, { message: 'minExpires must not exceed maxExpires' })
  .prefault({})

export type RegistrarConfigSlice = z.output<typeof registrarConfig>

/** The createRegistrar config of a validated slice, for the flavor's `domains`. */
export function registrarOptions(config: RegistrarConfigSlice, domains: readonly string[]): RegistrarConfig {
  return {
    domains,
    minExpires: config.minExpires,
    maxExpires: config.maxExpires,
    defaultExpires: Math.min(Math.max(config.defaultExpires, config.minExpires), config.maxExpires),
    maxContacts: config.maxContacts,
    onMaxContacts: config.onMaxContacts,
    outbound: config.outbound,
    flowTimer: config.flowTimer,
    gruu: config.gruu,
    gruuSecret: config.gruuSecret,
  }
}

/** The memory store options of a validated slice. */
export function memoryStoreOptions(config: RegistrarConfigSlice): MemoryLocationStoreOptions {
  return { maxAors: config.maxAors, maxBindingsPerAor: config.maxContacts }
}
