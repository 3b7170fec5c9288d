import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { binding } from '../test/conformance.ts'
import { createManualClock } from '../test/manual-clock.ts'
import { RegistrarError, registrarFaultCodes } from './errors.ts'
import { createMemoryLocationStore } from './memory-store.ts'
import type { ExpiredBinding } from './store.ts'

const T0 = 1_700_000_000_000

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

test('the timer wheel expires bindings on its own, with one timer for the whole store', async () => {
  const clock = createManualClock(T0)
  const store = createMemoryLocationStore({ clock })
  const seen: ExpiredBinding[] = []
  store.onExpire((e) => seen.push(e))
  for (let i = 0; i < 500; i++) {
    const aor = `sip:u${i}@example.com`
    assert.ok(
      (await store.compareAndSet(aor, 0, [binding(aor, i, { expiresAt: T0 + 1000 * (1 + (i % 30)) })])).ok,
    )
  }
  assert.equal(clock.pending, 1)
  assert.equal(store.bindingCount, 500)
  clock.advance(15_000)
  const due = Array.from({ length: 500 }, (_, i) => 1 + (i % 30)).filter((k) => k <= 15).length
  assert.equal(seen.length, due)
  for (const e of seen) assert.ok(e.binding.expiresAt <= T0 + 15_000)
  clock.advance(30_000)
  assert.equal(seen.length, 500)
  assert.equal(store.aorCount, 0)
  assert.equal(store.bindingCount, 0)
  assert.equal(clock.pending, 0)
  await store.close()
})

test('expiry after refreshes, earlier expiries and removals matches a model (the wheel moves an AOR lazily)', async () => {
  type Op =
    | { readonly kind: 'write'; readonly aor: number; readonly inMs: readonly number[] }
    | { readonly kind: 'remove'; readonly aor: number }
    | { readonly kind: 'advance'; readonly seconds: number }
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      aor: fc.nat(3),
      inMs: fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('remove' as const), aor: fc.nat(3) }),
    fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 12 }) }),
  )
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const clock = createManualClock(T0)
      const store = createMemoryLocationStore({ clock })
      const expired: string[] = []
      store.onExpire((e) => expired.push(`${e.aor} ${e.binding.expiresAt}`))
      // the model: each AOR's expiry times; a binding is gone once the clock reaches its expiry
      const model = new Map<string, number[]>()
      const modelExpired: string[] = []
      let n = 0
      for (const o of ops) {
        if (o.kind === 'advance') {
          // whole seconds from T0 (a multiple of 1000): the tick at `now` takes expiresAt <= now
          clock.advance(o.seconds * 1000)
          const now = clock.now()
          for (const [aor, times] of model) {
            for (const t of times) if (t <= now) modelExpired.push(`${aor} ${t}`)
            const left = times.filter((t) => t > now)
            if (left.length === 0) model.delete(aor)
            else model.set(aor, left)
          }
          assert.deepEqual(expired.slice().sort(), modelExpired.slice().sort())
          continue
        }
        const aor = `sip:u${o.aor}@example.com`
        const { version } = await store.get(aor)
        const times = o.kind === 'write' ? o.inMs.map((ms) => clock.now() + ms) : []
        const bindings = times.map((t) => binding(aor, ++n, { expiresAt: t }))
        assert.ok((await store.compareAndSet(aor, version, bindings)).ok)
        if (times.length === 0) model.delete(aor)
        else model.set(aor, times)
      }
      clock.advance(60_000)
      assert.equal(store.aorCount, 0)
      assert.equal(clock.pending, 0, 'no timer left once nothing is stored')
      await store.close()
    }),
    { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
  )
})

test('a binding written again as read is kept as it is', async () => {
  const store = createMemoryLocationStore({ clock: createManualClock(T0) })
  const aor = 'sip:alice@example.com'
  assert.ok((await store.compareAndSet(aor, 0, [binding(aor, 1), binding(aor, 2)])).ok)
  const before = await store.get(aor)
  const refreshed = binding(aor, 2, { cseq: 3, expiresAt: T0 + 7_200_000 })
  assert.ok((await store.compareAndSet(aor, before.version, [before.bindings[0]!, refreshed])).ok)
  const after = await store.get(aor)
  assert.equal(after.bindings[0], before.bindings[0], 'the untouched binding is the same object')
  assert.notEqual(after.bindings[1], refreshed, 'a new binding is copied')
  assert.deepEqual(after.bindings[1], refreshed)
  assert.ok(Object.isFrozen(after.bindings[1]))
  await store.close()
})

test('a listener that throws does not stop expiry', async () => {
  const clock = createManualClock(T0)
  const store = createMemoryLocationStore({ clock })
  store.onExpire(() => {
    throw new Error('boom')
  })
  const aor = 'sip:a@example.com'
  assert.ok(
    (
      await store.compareAndSet(aor, 0, [
        binding(aor, 1, { expiresAt: T0 + 1000 }),
        binding(aor, 2, { expiresAt: T0 + 1000 }),
      ])
    ).ok,
  )
  clock.advance(2000)
  assert.equal(store.bindingCount, 0)
  await store.close()
})

test('counts follow writes; expiry of one binding keeps the others', async () => {
  const clock = createManualClock(T0)
  const store = createMemoryLocationStore({ clock })
  const aor = 'sip:a@example.com'
  const w = await store.compareAndSet(aor, 0, [
    binding(aor, 1, { expiresAt: T0 + 1000 }),
    binding(aor, 2, { expiresAt: T0 + 5000 }),
  ])
  assert.ok(w.ok)
  assert.equal(store.aorCount, 1)
  assert.equal(store.bindingCount, 2)
  clock.advance(1000)
  assert.equal(store.bindingCount, 1)
  clock.advance(4000)
  assert.equal(store.aorCount, 0)
  await store.close()
})

test('bindings are validated and copied', async () => {
  const store = createMemoryLocationStore({ clock: createManualClock(T0) })
  const aor = 'sip:a@example.com'
  const isInvalid = (e: unknown) =>
    e instanceof RegistrarError && e.code === registrarFaultCodes.INVALID_BINDING
  await assert.rejects(store.compareAndSet(aor, 0, [binding('sip:other@example.com', 1)]), isInvalid)
  await assert.rejects(store.compareAndSet(aor, 0, [binding(aor, 1, { expiresAt: Number.NaN })]), isInvalid)
  await assert.rejects(store.compareAndSet(aor, 0, [binding(aor, 1, { contact: '' })]), isInvalid)
  await assert.rejects(store.compareAndSet(aor, 0, [binding(aor, 1, { q: 2 })]), isInvalid)
  const path = ['<sip:edge.example.com;lr>']
  assert.ok((await store.compareAndSet(aor, 0, [binding(aor, 1, { path })])).ok)
  path.push('<sip:changed>')
  const [b] = (await store.get(aor)).bindings
  assert.deepEqual(b?.path, ['<sip:edge.example.com;lr>'])
  assert.ok(Object.isFrozen(b))
  assert.equal('instanceId' in (b as object), false, 'unset optional fields take no property')
  await store.close()
  await assert.rejects(
    store.get(aor),
    (e) => e instanceof RegistrarError && e.code === registrarFaultCodes.STORE_CLOSED,
  )
})

test('limits must be positive integers', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => createMemoryLocationStore({ maxAors: bad }),
      (e) => e instanceof RegistrarError && e.code === registrarFaultCodes.INVALID_CONFIG,
    )
    assert.throws(() => createMemoryLocationStore({ maxBindingsPerAor: bad }), RegistrarError)
  }
})

test('stored bindings hold copies of their strings, not the message text they were sliced from', async () => {
  const store = createMemoryLocationStore({ clock: createManualClock(T0) })
  const aor = 'sip:alice@example.com'
  gc()
  const baseline = process.memoryUsage().heapUsed
  // a 4 MB "message" whose slices become the binding's strings, as header values do
  const size = 4 << 20
  let message: string | undefined =
    `${'x'.repeat(size)}sip:alice@192.0.2.10:5060 ;ob call-id-0123456789@ua UA/1.0`
  let b: ReturnType<typeof binding> | undefined = binding(aor, 1, {
    contact: message.slice(size, size + 25),
    params: message.slice(size + 26, size + 29),
    callId: message.slice(size + 30, size + 51),
    userAgent: message.slice(size + 30, size + 58),
    received: message.slice(size, size + 25),
  })
  assert.ok((await store.compareAndSet(aor, 0, [b])).ok)
  message = undefined
  b = undefined
  gc()
  const held = process.memoryUsage().heapUsed - baseline
  assert.ok(held < size / 4, `the store holds ${held} octets more than before the message`)
  const kept = (await store.get(aor)).bindings[0]!
  assert.equal(kept.contact, 'sip:alice@192.0.2.10:5060')
  assert.equal(kept.callId, 'call-id-0123456789@ua')
  assert.equal(kept.userAgent, 'call-id-0123456789@ua UA/1.0')
  await store.close()
})
