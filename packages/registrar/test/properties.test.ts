/**
 * Property test: any sequence of REGISTERs and clock moves keeps the registrar's invariants, and
 * matches a small model of RFC 3261 §10.3 steps 6–8 (wildcard, expiry choice, 423, Call-ID/CSeq
 * ordering, the contact limit). FC_NUM_RUNS sets the runs (default 10 000).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { createMemoryLocationStore } from '../src/memory-store.ts'
import { createRegistrar } from '../src/registrar.ts'
import { registerRequest, udp } from './helpers.ts'
import { createManualClock } from './manual-clock.ts'

const numRuns = Number(process.env['FC_NUM_RUNS'] ?? 10000)
const T0 = 1_700_000_000_000
const MAX_CONTACTS = 3
const MIN = 60
const MAX = 3600
const URIS = [
  'sip:u0@192.0.2.1',
  'sip:u1@192.0.2.2',
  'sip:u2@192.0.2.3',
  'sip:u3@192.0.2.4',
  'sip:u4@192.0.2.5',
]
const AORS = ['alice', 'bob']

interface Register {
  readonly kind: 'register'
  readonly user: number
  readonly contacts: ReadonlyArray<{ readonly uri: number; readonly expires: number | undefined }>
  readonly star: boolean
  readonly headerExpires: number | undefined
  readonly callId: number
  readonly cseq: number
}
interface Advance {
  readonly kind: 'advance'
  readonly ms: number
}
type Step = Register | Advance

const expiresArb = fc.constantFrom(undefined, 0, 30, 60, 100, 5000)
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      user: fc.integer({ min: 0, max: AORS.length - 1 }),
      contacts: fc.array(
        fc.record({ uri: fc.integer({ min: 0, max: URIS.length - 1 }), expires: expiresArb }),
        {
          maxLength: 3,
        },
      ),
      star: fc.boolean(),
      headerExpires: expiresArb,
      callId: fc.integer({ min: 0, max: 2 }),
      cseq: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 200_000 }) }),
  },
)

interface ModelBinding {
  callId: string
  cseq: number
  expiresAt: number
}

/** RFC 3261 §10.3 steps 6–8 for one AOR, on plain maps: the status, and the new bindings on 200. */
function model(
  bindings: Map<string, ModelBinding>,
  r: Register,
  now: number,
): { status: number; next?: Map<string, ModelBinding> } {
  const callId = `call-${r.callId}`
  const live = new Map([...bindings].filter(([, b]) => b.expiresAt > now))
  const outOfOrder = (b: ModelBinding) => b.callId === callId && r.cseq <= b.cseq
  if (r.star) {
    if (r.contacts.length > 0 || r.headerExpires !== 0) return { status: 400 }
    if ([...live.values()].some(outOfOrder)) return { status: 500 }
    return { status: 200, next: new Map() }
  }
  const requested = r.contacts.map((c) => c.expires ?? r.headerExpires ?? MAX)
  if (requested.some((e) => e > 0 && e < MIN)) return { status: 423 }
  const next = new Map(live)
  const last = new Map<string, number>()
  r.contacts.forEach((c, i) => {
    last.set(URIS[c.uri]!, requested[i]!)
  })
  for (const [uri, expires] of last) {
    const existing = next.get(uri)
    if (existing !== undefined && outOfOrder(existing)) return { status: 500 }
    if (expires === 0) next.delete(uri)
    else next.set(uri, { callId, cseq: r.cseq, expiresAt: now + Math.min(expires, MAX) * 1000 })
  }
  if (next.size > MAX_CONTACTS && next.size > live.size) return { status: 403 }
  return { status: 200, next }
}

test('property: any REGISTER sequence keeps the invariants and follows the §10.3 model', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 30, size: 'large' }), async (steps) => {
      const clock = createManualClock(T0)
      const store = createMemoryLocationStore({ clock })
      const registrar = createRegistrar(
        { domains: ['example.com'], maxContacts: MAX_CONTACTS, minExpires: MIN, maxExpires: MAX },
        { store, clock },
      )
      const state = AORS.map(() => new Map<string, ModelBinding>())
      for (const step of steps) {
        if (step.kind === 'advance') {
          clock.advance(step.ms)
        } else {
          const contacts = step.contacts.map((c) =>
            c.expires === undefined ? `<${URIS[c.uri]}>` : `<${URIS[c.uri]}>;expires=${c.expires}`,
          )
          const request = registerRequest({
            to: `<sip:${AORS[step.user]}@example.com>`,
            contacts: step.star ? ['*', ...contacts] : contacts,
            ...(step.headerExpires === undefined ? {} : { expires: step.headerExpires }),
            callId: `call-${step.callId}`,
            cseq: step.cseq,
          })
          const expected = model(state[step.user]!, step, clock.now())
          const res = await registrar.register(request, { source: udp })
          assert.equal(res.status, expected.status)
          if (expected.next !== undefined) state[step.user] = expected.next
        }
        for (let u = 0; u < AORS.length; u++) {
          const now = clock.now()
          const targets = await registrar.lookup(`sip:${AORS[u]}@example.com`)
          // never more than maxContacts, never an expired binding
          assert.ok(targets.length <= MAX_CONTACTS)
          for (const t of targets) assert.ok(t.expiresAt > now)
          const live = [...state[u]!].filter(([, b]) => b.expiresAt > now)
          assert.deepEqual(
            targets.map((t) => `${t.uri} ${t.expiresAt}`).sort(),
            live.map(([uri, b]) => `${uri} ${b.expiresAt}`).sort(),
          )
          // CSeq ordering: every binding carries the Call-ID and CSeq of the REGISTER that wrote it
          const stored = await registrar.bindings(`sip:${AORS[u]}@example.com`)
          for (const b of stored) {
            const m = state[u]!.get(b.contact)
            assert.equal(b.callId, m?.callId)
            assert.equal(b.cseq, m?.cseq)
          }
        }
      }
      registrar.close()
      await store.close()
    }),
    { numRuns },
  )
})
