/**
 * The Cx server side (the HSS; TS 29.228 §6) on a `DiameterNode`: one typed handler per command.
 * A handler gets the request as a typed object and returns the answer's content; VSAI,
 * Auth-Session-State, Session-Id and the identifiers are filled in here. A command without a
 * handler is answered 3001 by the node, a handler that throws 5012. Requests that break their
 * grammar never reach a handler: the node answers them (5005, 5004, ...).
 */
import { CX_APPLICATION_ID, type DiameterNode, type DiameterPeer } from '@junction/diameter'
import { buildLia, type LiaInit, type Lir, readLir } from './lir.ts'
import { buildMaa, type MaaInit, type Mar, readMar } from './mar.ts'
import { buildSaa, readSar, type SaaInit, type Sar } from './sar.ts'
import { buildUaa, readUar, type UaaInit, type Uar } from './uar.ts'

/** Command codes of Cx (TS 29.229 §6.1). */
export const CxCommand = { UAR: 300, SAR: 301, LIR: 302, MAR: 303, RTR: 304, PPR: 305 } as const

export interface CxHandlerContext {
  /** The peer the request came from. */
  readonly peer: DiameterPeer
}

type Handler<Req, Init> = (request: Req, context: CxHandlerContext) => Init | Promise<Init>

export interface CxHandlers {
  readonly uar?: Handler<Uar, UaaInit> | undefined
  readonly sar?: Handler<Sar, SaaInit> | undefined
  readonly lir?: Handler<Lir, LiaInit> | undefined
  readonly mar?: Handler<Mar, MaaInit> | undefined
}

/** Registers the handlers on the node (before `node.start()`). */
export function registerCxHandlers(node: DiameterNode, handlers: CxHandlers): void {
  const { uar, sar, lir, mar } = handlers
  if (uar !== undefined) {
    node.handle(CxCommand.UAR, CX_APPLICATION_ID, async (m, ctx) =>
      buildUaa(ctx, await uar(readUar(m), { peer: ctx.peer })),
    )
  }
  if (sar !== undefined) {
    node.handle(CxCommand.SAR, CX_APPLICATION_ID, async (m, ctx) =>
      buildSaa(ctx, await sar(readSar(m), { peer: ctx.peer })),
    )
  }
  if (lir !== undefined) {
    node.handle(CxCommand.LIR, CX_APPLICATION_ID, async (m, ctx) =>
      buildLia(ctx, await lir(readLir(m), { peer: ctx.peer })),
    )
  }
  if (mar !== undefined) {
    node.handle(CxCommand.MAR, CX_APPLICATION_ID, async (m, ctx) => {
      const request = readMar(m)
      return buildMaa(ctx, request, await mar(request, { peer: ctx.peer }))
    })
  }
}
