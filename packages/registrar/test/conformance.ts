/**
 * The conformance suite every LocationStore must pass: versions and compare-and-set, conflicts
 * between racing writers, limits, expiry and its subscription, deletion, the flow index, many
 * AORs. A store runs it from its tests (test/memory-store.test.ts does for the memory store):
 *
 *   runLocationStoreConformance('redis', async ({ clock, maxAors, maxBindingsPerAor }) => createRedisStore(...))
 *
 * Stores are made fresh for each test and closed after it. Expiry is driven through `expire(now)`
 * with explicit times, so a store with its own timers passes as well.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Clock } from '../src/clock.ts'
import type { Binding, ExpiredBinding, LocationStore } from '../src/store.ts'
import { createManualClock } from './manual-clock.ts'

export interface StoreOptions {
  readonly clock: Clock
  readonly maxAors: number
  readonly maxBindingsPerAor: number
}

export type MakeStore = (options: StoreOptions) => LocationStore | Promise<LocationStore>

const T0 = 1_700_000_000_000

export function binding(aor: string, n: number, overrides: Partial<Binding> = {}): Binding {
  return {
    aor,
    contact: `sip:ua${n}@192.0.2.${n % 250}:5060`,
    params: '',
    callId: `call-${n}@ua`,
    cseq: n,
    expiresAt: T0 + 3_600_000,
    q: 1,
    path: [],
    updatedAt: T0,
    ...overrides,
  }
}

export function runLocationStoreConformance(name: string, makeStore: MakeStore): void {
  async function withStore(
    fn: (store: LocationStore, clock: ReturnType<typeof createManualClock>) => Promise<void>,
    limits: Partial<StoreOptions> = {},
  ): Promise<void> {
    const clock = createManualClock(T0)
    const store = await makeStore({ clock, maxAors: 100_000, maxBindingsPerAor: 100, ...limits })
    try {
      await fn(store, clock)
    } finally {
      await store.close()
    }
  }

  describe(`LocationStore conformance: ${name}`, () => {
    test('an unknown AOR has version 0 and no bindings', () =>
      withStore(async (store) => {
        const r = await store.get('sip:nobody@example.com')
        assert.equal(r.version, 0)
        assert.deepEqual(r.bindings, [])
      }))

    test('compareAndSet from version 0 creates the AOR; get returns what was written', () =>
      withStore(async (store) => {
        const aor = 'sip:alice@example.com'
        const full: Binding = binding(aor, 1, {
          params: ';+sip.ice;methods="INVITE,BYE"',
          q: 0.5,
          path: ['<sip:edge.example.com;lr;ob>', '<sip:p2.example.com;lr>'],
          instanceId: '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>',
          regId: 1,
          flowId: 'flow-1',
          received: 'sip:198.51.100.7:40000;transport=ws',
          userAgent: 'JsSIP 3.10.0',
          pubGruu: 'sip:alice@example.com;gr=urn:uuid:00000000-0000-1000-8000-000a95a0e128',
        })
        const w = await store.compareAndSet(aor, 0, [full, binding(aor, 2)])
        assert.ok(w.ok)
        assert.ok(w.version > 0)
        const r = await store.get(aor)
        assert.equal(r.version, w.version)
        assert.equal(r.bindings.length, 2)
        assert.deepEqual({ ...r.bindings[0] }, { ...full })
        assert.deepEqual({ ...r.bindings[1] }, { ...binding(aor, 2) })
      }))

    test('compareAndSet with a stale version is a conflict and writes nothing', () =>
      withStore(async (store) => {
        const aor = 'sip:bob@example.com'
        const v1 = await store.compareAndSet(aor, 0, [binding(aor, 1)])
        assert.ok(v1.ok)
        const v2 = await store.compareAndSet(aor, v1.version, [binding(aor, 2)])
        assert.ok(v2.ok)
        assert.notEqual(v2.version, v1.version)
        assert.deepEqual(await store.compareAndSet(aor, v1.version, [binding(aor, 3)]), {
          ok: false,
          reason: 'conflict',
        })
        assert.deepEqual(await store.compareAndSet(aor, 0, [binding(aor, 3)]), {
          ok: false,
          reason: 'conflict',
        })
        const r = await store.get(aor)
        assert.equal(r.version, v2.version)
        assert.equal(r.bindings[0]?.contact, binding(aor, 2).contact)
      }))

    test('writing no bindings removes the AOR; a removed AOR never gets an old version back', () =>
      withStore(async (store) => {
        const aor = 'sip:carol@example.com'
        const v1 = await store.compareAndSet(aor, 0, [binding(aor, 1)])
        assert.ok(v1.ok)
        const gone = await store.compareAndSet(aor, v1.version, [])
        assert.ok(gone.ok)
        const r = await store.get(aor)
        assert.equal(r.version, 0)
        assert.deepEqual(r.bindings, [])
        const v2 = await store.compareAndSet(aor, 0, [binding(aor, 2)])
        assert.ok(v2.ok)
        assert.notEqual(v2.version, v1.version)
        assert.deepEqual(await store.compareAndSet(aor, v1.version, []), { ok: false, reason: 'conflict' })
      }))

    test('two writers racing from the same version: exactly one wins', () =>
      withStore(async (store) => {
        const aor = 'sip:race@example.com'
        const base = await store.compareAndSet(aor, 0, [binding(aor, 0)])
        assert.ok(base.ok)
        const [a, b] = await Promise.all([
          store.compareAndSet(aor, base.version, [binding(aor, 1)]),
          store.compareAndSet(aor, base.version, [binding(aor, 2)]),
        ])
        assert.equal([a, b].filter((r) => r.ok).length, 1)
        const winner = a.ok ? binding(aor, 1) : binding(aor, 2)
        assert.equal((await store.get(aor)).bindings[0]?.contact, winner.contact)
      }))

    test('concurrent read-modify-write loops lose no update', () =>
      withStore(async (store) => {
        const aor = 'sip:counter@example.com'
        const writers = 20
        await Promise.all(
          Array.from({ length: writers }, async (_, n) => {
            for (;;) {
              const r = await store.get(aor)
              const w = await store.compareAndSet(aor, r.version, [...r.bindings, binding(aor, n)])
              if (w.ok) return
              assert.equal(w.reason, 'conflict')
            }
          }),
        )
        const contacts = new Set((await store.get(aor)).bindings.map((b) => b.contact))
        assert.equal(contacts.size, writers)
      }))

    test('many AORs are independent', () =>
      withStore(async (store) => {
        const n = 2000
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            store.compareAndSet(`sip:u${i}@example.com`, 0, [binding(`sip:u${i}@example.com`, i)]),
          ),
        )
        for (let i = 0; i < n; i += 97) {
          const r = await store.get(`sip:u${i}@example.com`)
          assert.equal(r.bindings.length, 1)
          assert.equal(r.bindings[0]?.contact, binding('x', i).contact)
        }
      }))

    test('limits: maxAors and maxBindingsPerAor answer full and write nothing', () =>
      withStore(
        async (store) => {
          for (let i = 0; i < 3; i++) {
            const w = await store.compareAndSet(`sip:u${i}@example.com`, 0, [
              binding(`sip:u${i}@example.com`, i),
            ])
            assert.ok(w.ok)
          }
          assert.deepEqual(
            await store.compareAndSet('sip:u9@example.com', 0, [binding('sip:u9@example.com', 9)]),
            {
              ok: false,
              reason: 'full',
            },
          )
          assert.equal((await store.get('sip:u9@example.com')).version, 0)
          const aor = 'sip:u0@example.com'
          const r = await store.get(aor)
          const three = [0, 1, 2].map((i) => binding(aor, i))
          assert.deepEqual(await store.compareAndSet(aor, r.version, three), { ok: false, reason: 'full' })
          assert.equal((await store.get(aor)).version, r.version)
          // an AOR that exists can still be rewritten and removed at the AOR limit
          const two = await store.compareAndSet(aor, r.version, three.slice(0, 2))
          assert.ok(two.ok)
          assert.ok((await store.compareAndSet(aor, two.version, [])).ok)
          assert.ok(
            (await store.compareAndSet('sip:u9@example.com', 0, [binding('sip:u9@example.com', 9)])).ok,
          )
        },
        { maxAors: 3, maxBindingsPerAor: 2 },
      ))

    test('expire(now) removes exactly the bindings due, tells the listeners, and bumps versions', () =>
      withStore(async (store) => {
        const seen: ExpiredBinding[] = []
        store.onExpire((e) => seen.push(e))
        const a = 'sip:a@example.com'
        const b = 'sip:b@example.com'
        const wa = await store.compareAndSet(a, 0, [
          binding(a, 1, { expiresAt: T0 + 10_000 }),
          binding(a, 2, { expiresAt: T0 + 20_000 }),
        ])
        assert.ok(wa.ok)
        assert.ok((await store.compareAndSet(b, 0, [binding(b, 3, { expiresAt: T0 + 10_000 })])).ok)
        assert.deepEqual(await store.expire(T0 + 9_999), [])
        const due = await store.expire(T0 + 10_000)
        assert.deepEqual(due.map((e) => `${e.aor} ${e.binding.contact}`).sort(), [
          `${a} ${binding(a, 1).contact}`,
          `${b} ${binding(b, 3).contact}`,
        ])
        assert.deepEqual(seen.map((e) => e.binding.contact).sort(), due.map((e) => e.binding.contact).sort())
        const ra = await store.get(a)
        assert.notEqual(ra.version, wa.version)
        assert.deepEqual(
          ra.bindings.map((x) => x.contact),
          [binding(a, 2).contact],
        )
        assert.equal((await store.get(b)).version, 0)
        await store.expire(T0 + 60_000)
        assert.equal((await store.get(a)).version, 0)
        assert.equal(seen.length, 3)
      }))

    test('a refreshed binding does not expire at its old time', () =>
      withStore(async (store) => {
        const aor = 'sip:refresh@example.com'
        const w = await store.compareAndSet(aor, 0, [binding(aor, 1, { expiresAt: T0 + 5_000 })])
        assert.ok(w.ok)
        assert.ok(
          (await store.compareAndSet(aor, w.version, [binding(aor, 1, { expiresAt: T0 + 50_000 })])).ok,
        )
        assert.deepEqual(await store.expire(T0 + 10_000), [])
        assert.equal((await store.get(aor)).bindings.length, 1)
        assert.equal((await store.expire(T0 + 50_000)).length, 1)
      }))

    test('onExpire returns a function that unsubscribes', () =>
      withStore(async (store) => {
        let calls = 0
        const off = store.onExpire(() => calls++)
        off()
        const aor = 'sip:quiet@example.com'
        assert.ok((await store.compareAndSet(aor, 0, [binding(aor, 1, { expiresAt: T0 + 1000 })])).ok)
        assert.equal((await store.expire(T0 + 2000)).length, 1)
        assert.equal(calls, 0)
      }))

    test('delete removes every binding and returns them', () =>
      withStore(async (store) => {
        const aor = 'sip:dave@example.com'
        assert.ok((await store.compareAndSet(aor, 0, [binding(aor, 1), binding(aor, 2)])).ok)
        const removed = await store.delete(aor)
        assert.equal(removed.length, 2)
        assert.equal((await store.get(aor)).version, 0)
        assert.deepEqual(await store.delete(aor), [])
      }))

    test('aorsOnFlow follows the bindings as they are written, expire and are deleted', () =>
      withStore(async (store) => {
        const a = 'sip:fa@example.com'
        const b = 'sip:fb@example.com'
        const wa = await store.compareAndSet(a, 0, [
          binding(a, 1, { flowId: 'f1' }),
          binding(a, 2, { flowId: 'f2' }),
        ])
        assert.ok(wa.ok)
        assert.ok(
          (await store.compareAndSet(b, 0, [binding(b, 3, { flowId: 'f1', expiresAt: T0 + 1000 })])).ok,
        )
        assert.deepEqual([...(await store.aorsOnFlow('f1'))].sort(), [a, b])
        assert.deepEqual(await store.aorsOnFlow('f2'), [a])
        assert.deepEqual(await store.aorsOnFlow('nope'), [])
        assert.ok((await store.compareAndSet(a, wa.version, [binding(a, 2, { flowId: 'f2' })])).ok)
        assert.deepEqual(await store.aorsOnFlow('f1'), [b])
        await store.expire(T0 + 1000)
        assert.deepEqual(await store.aorsOnFlow('f1'), [])
        await store.delete(a)
        assert.deepEqual(await store.aorsOnFlow('f2'), [])
      }))

    test('aorsOnFlow after refreshes: same flows, flows reordered, a binding moved to another flow', () =>
      withStore(async (store) => {
        const a = 'sip:fr@example.com'
        let w = await store.compareAndSet(a, 0, [binding(a, 1, { flowId: 'f1' })])
        assert.ok(w.ok)
        w = await store.compareAndSet(a, w.version, [binding(a, 1, { flowId: 'f1', cseq: 2 })])
        assert.ok(w.ok)
        assert.deepEqual(await store.aorsOnFlow('f1'), [a])
        w = await store.compareAndSet(a, w.version, [
          binding(a, 1, { flowId: 'f1' }),
          binding(a, 2, { flowId: 'f2' }),
        ])
        assert.ok(w.ok)
        w = await store.compareAndSet(a, w.version, [
          binding(a, 2, { flowId: 'f2' }),
          binding(a, 1, { flowId: 'f1' }),
        ])
        assert.ok(w.ok)
        assert.deepEqual(await store.aorsOnFlow('f1'), [a])
        assert.deepEqual(await store.aorsOnFlow('f2'), [a])
        w = await store.compareAndSet(a, w.version, [binding(a, 2, { flowId: 'f3' })])
        assert.ok(w.ok)
        assert.deepEqual(await store.aorsOnFlow('f1'), [])
        assert.deepEqual(await store.aorsOnFlow('f2'), [])
        assert.deepEqual(await store.aorsOnFlow('f3'), [a])
      }))

    test('operations after close() reject', () =>
      withStore(async (store) => {
        await store.close()
        await assert.rejects(store.get('sip:x@example.com'))
        await assert.rejects(store.compareAndSet('sip:x@example.com', 0, []))
      }))
  })
}
