/**
 * The location service (RFC 3261 §10.2, §16.5): the bindings of each address-of-record, kept by a
 * `LocationStore`. The interface is asynchronous and uses optimistic concurrency so that a
 * distributed store (Redis) can implement it as well as the in-memory default: read an AOR's
 * record with its version, compute the new bindings, and write them only if nobody wrote in
 * between (`compareAndSet`). Every store must pass `runLocationStoreConformance` (test/conformance.ts).
 */

/**
 * One binding of an AOR to a contact address (RFC 3261 §10.2.1), with what Path (RFC 3327),
 * Outbound (RFC 5626) and GRUU (RFC 5627) add. Plain data: a store may serialize it as JSON.
 */
export interface Binding {
  /** The AOR in canonical form (`aorOf`): `sip:alice@example.com`. */
  readonly aor: string
  /** The Contact URI as text (RFC 3261 §10.3 step 7). */
  readonly contact: string
  /**
   * The Contact header parameters other than `expires`, `q`, `+sip.instance`, `reg-id`,
   * `pub-gruu` and `temp-gruu`, as written: `;+sip.ice;methods="INVITE,BYE"` (RFC 3840 feature
   * tags, kept and returned in the 200). Empty when there are none.
   */
  readonly params: string
  /** Call-ID and CSeq of the REGISTER that last wrote the binding (§10.3 step 7). */
  readonly callId: string
  readonly cseq: number
  /** When the binding expires, in milliseconds since the epoch. */
  readonly expiresAt: number
  /** Preference, 0 to 1 (§20.10); 1 when the Contact had no q. */
  readonly q: number
  /** Path header values, topmost first, as text: `<sip:edge.example.com;lr;ob>` (RFC 3327 §5.3). */
  readonly path: readonly string[]
  /** `+sip.instance` without the quotes: `<urn:uuid:...>` (RFC 5626 §4.1). */
  readonly instanceId?: string | undefined
  /** `reg-id` (RFC 5626 §4.2); present only on bindings created with outbound processing. */
  readonly regId?: number | undefined
  /** The flow the REGISTER arrived on, opaque, from the transport (RFC 5626 §6). */
  readonly flowId?: string | undefined
  /** Where the REGISTER came from: `sip:192.0.2.4:5060;transport=udp`. */
  readonly received?: string | undefined
  /** The User-Agent header of the REGISTER. */
  readonly userAgent?: string | undefined
  /** The public GRUU of this instance (RFC 5627 §3.1), when GRUU is on and the contact has an instance. */
  readonly pubGruu?: string | undefined
  /** When the binding was last written, in milliseconds since the epoch. */
  readonly updatedAt: number
}

/** An AOR's bindings and the version to pass to `compareAndSet`; version 0 when it has none. */
export interface AorRecord {
  readonly version: number
  readonly bindings: readonly Binding[]
}

export type CompareAndSetResult =
  | { readonly ok: true; readonly version: number }
  /**
   * `conflict`: the AOR was written since `expectedVersion` was read: read it again and retry.
   * `full`: the store is at its limit of AORs or of bindings per AOR; nothing was written.
   */
  | { readonly ok: false; readonly reason: 'conflict' | 'full' }

/** A binding removed because it expired. */
export interface ExpiredBinding {
  readonly aor: string
  readonly binding: Binding
}

export interface LocationStore {
  /** The bindings of `aor` (expired ones not yet removed may be included: check `expiresAt`). */
  get(aor: string): Promise<AorRecord>
  /**
   * Replaces the bindings of `aor` when its version is still `expectedVersion` (0: the AOR has no
   * bindings). An empty list removes the AOR. Atomic: two writers with the same expected version
   * never both succeed.
   */
  compareAndSet(
    aor: string,
    expectedVersion: number,
    bindings: readonly Binding[],
  ): Promise<CompareAndSetResult>
  /** Removes every binding of `aor`; returns those removed. */
  delete(aor: string): Promise<readonly Binding[]>
  /** AORs that have at least one binding on `flowId` (for RFC 5626 flow failure). */
  aorsOnFlow(flowId: string): Promise<readonly string[]>
  /**
   * Removes the bindings whose `expiresAt` is at or before `now`, tells the `onExpire` listeners
   * and returns them. Stores with their own timers call it themselves.
   */
  expire(now: number): Promise<readonly ExpiredBinding[]>
  /** Subscribes to expirations; returns the function that unsubscribes. */
  onExpire(listener: (expired: ExpiredBinding) => void): () => void
  /** Stops timers and releases resources; later calls throw `JUNCTION_ERR_REGISTRAR_STORE_CLOSED`. */
  close(): Promise<void>
}
