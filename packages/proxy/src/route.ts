/**
 * The one typed Route: the policy of a server, at the decision points of RFC 3261 §16 (Kamailio's
 * request_route, branch_route, onreply_route and failure_route). `onRequest` and `onFailure`
 * must return a Verdict, which only the context methods make.
 */
import { parseUri, type SipRequest, type SipResponse, type SipUri, ToTag, type Uri } from '@junction/sip'
import type { Flow } from '@junction/transport'
import { faultCodes, ProxyError } from './errors.ts'
import {
  type Action,
  type ForwardOptions,
  type ForwardTarget,
  type ReplyOptions,
  type StatelessOption,
  Verdict,
} from './verdict.ts'

export interface Route {
  /**
   * Every request that is not a retransmission, after §16.3 validation and §16.4 Route
   * preprocessing. A CANCEL that matched no INVITE comes here too: §16.10 has it forwarded
   * statelessly (any forward of it is), and it must not be challenged (§22.1).
   */
  onRequest(ctx: RequestContext): Verdict | Promise<Verdict>
  /** Each branch request before it is sent (§16.6): edit `ctx.request`. */
  onBranch?(ctx: BranchContext): void | Promise<void>
  /** Each response a branch receives (§16.7 step 3), before it is relayed or stored: edit it. */
  onResponse?(ctx: ResponseContext): void | Promise<void>
  /**
   * What onResponse sees as `ctx.request` for a 2xx that an INVITE branch receives once its proxy
   * transaction has finished (RFC 6026 §7.2: retransmissions, relayed for up to 32 s). `'fields'`
   * (the default): a slim copy of the branch request, made and kept for every call answered with a
   * 2xx (see ResponseContext.request). `'line'`: the request line alone (method and Request-URI),
   * for an onResponse that reads no header field of the request: a fraction of that cost per call.
   */
  readonly retransmittedRequest?: 'fields' | 'line'
  /** Every branch ended without a 2xx (§16.7 step 6): relay the best, try other targets, or reply. */
  onFailure?(ctx: FailureContext): Verdict | Promise<Verdict>
}

/** What a route knows of the server it runs in. */
export interface ServerInfo {
  /** The domains this server is responsible for (its registrar and routing answer for them). */
  readonly domains: readonly string[]
  /** True when the URI's host is one of our domains or addresses. */
  isLocal(uri: Uri): boolean
}

/** A target as a route may give it: a URI, its text, or a full ForwardTarget. */
export type TargetInput = Uri | string | ForwardTarget

function toTarget(t: TargetInput): ForwardTarget {
  if (typeof t === 'string') {
    const uri = parseUri(t)
    if (uri === undefined) throw new ProxyError(faultCodes.INVALID_TARGET, `not a URI: ${t}`)
    return { uri }
  }
  return 'kind' in t ? { uri: t } : t
}

function toTargets(
  t: TargetInput | readonly TargetInput[] | undefined,
): readonly ForwardTarget[] | undefined {
  if (t === undefined) return undefined
  return Array.isArray(t) ? (t as readonly TargetInput[]).map(toTarget) : [toTarget(t as TargetInput)]
}

/** The methods that decide, shared by the request and failure contexts. */
abstract class Deciding {
  /** Answers the request (§16.3, §16.5: a final or provisional response from the proxy). */
  reply(status: number, reason?: string, options: ReplyOptions = {}): Verdict {
    return new Verdict({ kind: 'reply', status, reason, options })
  }

  /**
   * Answers the request with a response built elsewhere for it (a registrar's 200 with its
   * bindings, an authenticator's 401): it must answer this request (its Via, Call-ID, CSeq).
   */
  respond(response: SipResponse, options: StatelessOption = {}): Verdict {
    return new Verdict({ kind: 'respond', response, stateless: options.stateless === true })
  }

  /**
   * Forwards to the targets (§16.5, §16.6): each becomes a branch whose Request-URI is the target;
   * none means the Request-URI as it is. By q-value: the highest first and equal ones in parallel,
   * lower ones when those fail (§16.6; `serial: true` tries them one at a time in order).
   */
  forward(targets?: TargetInput | readonly TargetInput[], options: ForwardOptions = {}): Verdict {
    return new Verdict({ kind: 'forward', targets: toTargets(targets), options })
  }
}

export class RequestContext extends Deciding {
  /** The request as received, after §16.4 (our Route removed, a strict router's change undone). */
  readonly request: SipRequest
  /** The flow it came over. */
  readonly flow: Flow
  readonly server: ServerInfo
  /**
   * The Route value naming this server that §16.4 removed (the topmost, or our Record-Route URI a
   * strict router put in the Request-URI): what we recorded, e.g. with a flow token in its user
   * part (RFC 5626 §5.3). Undefined when none was removed.
   */
  readonly poppedRoute: SipUri | undefined
  /**
   * Every Route value naming this server that §16.4 removed, topmost first: two after a double
   * Record-Route, e.g. one flow token per side of a dialog between two Outbound UAs (RFC 5626 §5.3).
   */
  readonly poppedRoutes: readonly SipUri[]

  /** @internal */
  constructor(request: SipRequest, flow: Flow, server: ServerInfo, poppedRoutes: readonly SipUri[] = []) {
    super()
    this.request = request
    this.flow = flow
    this.server = server
    this.poppedRoutes = poppedRoutes
    this.poppedRoute = poppedRoutes[0]
  }

  /**
   * True when a Route value naming this server was removed (§16.4): the request follows a route
   * set we Record-Routed. An in-dialog request without it did not come through us, and relaying it
   * anywhere would make this server an open relay (a UA can put any To tag in a request).
   */
  get looseRouted(): boolean {
    return this.poppedRoute !== undefined
  }

  /** True for a request inside a dialog: its To has a tag (§12.2.2). */
  get inDialog(): boolean {
    const tag = this.request.headers.get(ToTag)
    return tag !== undefined && tag !== ''
  }

  /** Forwards along the route set of the dialog (§16.12 loose routing): to the top Route, else the Request-URI. */
  forwardInDialog(options: ForwardOptions = {}): Verdict {
    return new Verdict({ kind: 'forward-in-dialog', options })
  }

  /** Discards the request without an answer (a flood, a response to nothing). */
  drop(): Verdict {
    return new Verdict({ kind: 'drop' })
  }
}

export class FailureContext extends Deciding {
  /** The request as the route forwarded it. */
  readonly request: SipRequest
  /** The final response of every branch, in the order they ended. */
  readonly responses: readonly SipResponse[]
  /** The response §16.7 step 6 selects (6xx, else the lowest class), before the step 7 edits. */
  readonly best: SipResponse

  /** @internal */
  constructor(request: SipRequest, responses: readonly SipResponse[], best: SipResponse) {
    super()
    this.request = request
    this.responses = responses
    this.best = best
  }

  /** Relays the best response upstream (§16.7 steps 6–9, 503 turned to 500, challenges merged). */
  relayBest(): Verdict {
    return new Verdict({ kind: 'relay-best' })
  }
}

export class BranchContext {
  /** The branch request: edit it before it is sent. */
  readonly request: SipRequest
  readonly target: ForwardTarget

  /** @internal */
  constructor(request: SipRequest, target: ForwardTarget) {
    this.request = request
    this.target = target
  }
}

export class ResponseContext {
  /** The response as the branch received it: edit it before it is relayed. */
  readonly response: SipResponse
  /**
   * The branch request it answers. For a 2xx retransmitted after the INVITE's transaction
   * finished (RFC 6026 §7.2), a slim copy: the request line and Via, Route, Record-Route, From,
   * To, Call-ID, CSeq and Contact, no body; the request line alone when the route's
   * `retransmittedRequest` is `'line'`.
   */
  readonly request: SipRequest
  /** The target of the branch, as the route gave it (undefined: the Request-URI as it was). */
  readonly target: ForwardTarget | undefined

  /** @internal */
  constructor(response: SipResponse, request: SipRequest, target?: ForwardTarget) {
    this.response = response
    this.request = request
    this.target = target
  }
}

/** @internal */
export function actionOf(v: Verdict): Action {
  return Verdict.actionOf(v)
}
