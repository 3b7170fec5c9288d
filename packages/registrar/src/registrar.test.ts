import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, test } from 'node:test'
import {
  Contact,
  type ContactAddress,
  FlowTimer,
  formatUri,
  MinExpires,
  Path,
  Require,
  type SipResponse,
} from '@junction/sip'
import { registerRequest, udp } from '../test/helpers.ts'
import { createManualClock, type ManualClock } from '../test/manual-clock.ts'
import { createMemoryLocationStore } from './memory-store.ts'
import { type BindingMessage, createRegistrar, type RegistrarConfig } from './registrar.ts'
import type { LocationStore } from './store.ts'

const T0 = 1_700_000_000_000
const INSTANCE = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>'

function setup(
  config: Partial<RegistrarConfig> = {},
  store?: LocationStore,
  clock: ManualClock = createManualClock(T0),
) {
  const s = store ?? createMemoryLocationStore({ clock })
  const registrar = createRegistrar({ domains: ['example.com'], ...config }, { store: s, clock })
  return { registrar, store: s, clock }
}

function contactsOf(res: SipResponse): ContactAddress[] {
  return (res.headers.get(Contact) ?? []) as ContactAddress[]
}

function uris(res: SipResponse): string[] {
  return contactsOf(res)
    .map((c) => formatUri(c.uri))
    .sort()
}

describe('RFC 3261 §10.3 REGISTER processing', () => {
  test('step 1: a Request-URI outside the served domains gets 404', async () => {
    const { registrar } = setup()
    const res = await registrar.register(
      registerRequest({ uri: 'sip:other.org', contacts: ['<sip:a@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(res.status, 404)
  })

  test("isServed: more hosts served than the domains (the server's own address)", async () => {
    const { registrar } = setup({ isServed: (uri) => uri.host === '192.0.2.53' })
    const res = await registrar.register(
      registerRequest({ uri: 'sip:192.0.2.53', to: 'sip:alice@192.0.2.53', contacts: ['<sip:a@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    assert.equal((await registrar.lookup('sip:alice@192.0.2.53')).length, 1)
    const other = await registrar.register(
      registerRequest({ uri: 'sip:192.0.2.54', to: 'sip:alice@192.0.2.54', contacts: ['<sip:a@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(other.status, 404)
  })

  test('step 2: an unsupported Require gets 420 with Unsupported; path is supported', async () => {
    const { registrar } = setup()
    const res = await registrar.register(
      registerRequest({ require: 'path, foo, gruu', contacts: ['<sip:a@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(res.status, 420)
    assert.deepEqual(res.headers.raw('Unsupported'), ['foo, gruu'])
    const ok = await registrar.register(
      registerRequest({ require: 'path', contacts: ['<sip:a@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(ok.status, 200)
  })

  test('step 4: an authenticated user may only change its own AOR (403 otherwise)', async () => {
    const { registrar } = setup()
    const req = registerRequest({ contacts: ['<sip:a@192.0.2.1>'] })
    assert.equal((await registrar.register(req, { source: udp, user: 'mallory' })).status, 403)
    assert.equal((await registrar.register(req, { source: udp, user: 'alice' })).status, 200)
    const custom = setup({
      authorize: (user, aor) => user === 'admin' || aor.startsWith(`sip:${user}@`),
    }).registrar
    assert.equal((await custom.register(req, { source: udp, user: 'admin' })).status, 200)
  })

  test('step 5: the AOR comes from To, canonical (parameters dropped, host lower case); other domains get 404', async () => {
    const { registrar } = setup()
    const res = await registrar.register(
      registerRequest({ to: '<sip:alice@EXAMPLE.com;user=phone>', contacts: ['<sip:a@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    assert.equal((await registrar.lookup('sip:alice@example.com;transport=tcp')).length, 1)
    assert.equal(
      (
        await registrar.register(
          registerRequest({ to: '<sip:alice@other.org>', contacts: ['<sip:a@192.0.2.1>'] }),
          { source: udp },
        )
      ).status,
      404,
    )
    assert.equal(
      (
        await registrar.register(
          registerRequest({ to: '<tel:+15551234>', contacts: ['<sip:a@192.0.2.1>'] }),
          { source: udp },
        )
      ).status,
      404,
    )
  })

  test('step 6: "*" removes every binding, only alone and with Expires: 0 (else 400)', async () => {
    const { registrar } = setup()
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>', '<sip:b@192.0.2.2>'] }), {
      source: udp,
    })
    assert.equal(
      (await registrar.register(registerRequest({ contacts: ['*'], cseq: 2 }), { source: udp })).status,
      400,
    )
    assert.equal(
      (await registrar.register(registerRequest({ contacts: ['*'], expires: 1, cseq: 2 }), { source: udp }))
        .status,
      400,
    )
    assert.equal(
      (
        await registrar.register(
          registerRequest({ contacts: ['*', '<sip:c@192.0.2.3>'], expires: 0, cseq: 2 }),
          { source: udp },
        )
      ).status,
      400,
    )
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 2)
    const res = await registrar.register(registerRequest({ contacts: ['*'], expires: 0, cseq: 2 }), {
      source: udp,
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.has('Contact'), false)
    assert.deepEqual(await registrar.lookup('sip:alice@example.com'), [])
  })

  test('step 6: "*" with the Call-ID of a binding and a CSeq not higher fails (500), nothing removed', async () => {
    const { registrar } = setup()
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], cseq: 5 }), { source: udp })
    const res = await registrar.register(registerRequest({ contacts: ['*'], expires: 0, cseq: 5 }), {
      source: udp,
    })
    assert.equal(res.status, 500)
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 1)
    const other = await registrar.register(
      registerRequest({ contacts: ['*'], expires: 0, cseq: 1, callId: 'other' }),
      { source: udp },
    )
    assert.equal(other.status, 200)
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 0)
  })

  test('step 7: expires from the Contact parameter, else the Expires header, else the default; capped at maxExpires', async () => {
    const { registrar } = setup({ defaultExpires: 1800, maxExpires: 3600 })
    const res = await registrar.register(
      registerRequest({
        contacts: ['<sip:a@192.0.2.1>;expires=120', '<sip:b@192.0.2.2>', '<sip:c@192.0.2.3>;expires=99999'],
        expires: 300,
      }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    const byUri = new Map(contactsOf(res).map((c) => [formatUri(c.uri), c.expires]))
    assert.equal(byUri.get('sip:a@192.0.2.1'), 120)
    assert.equal(byUri.get('sip:b@192.0.2.2'), 300)
    assert.equal(byUri.get('sip:c@192.0.2.3'), 3600)
    const def = await registrar.register(
      registerRequest({ to: '<sip:bob@example.com>', contacts: ['<sip:d@192.0.2.4>'] }),
      { source: udp },
    )
    assert.equal(contactsOf(def)[0]?.expires, 1800)
  })

  test('step 7: an expiry shorter than minExpires (and not 0) gets 423 with Min-Expires, nothing written', async () => {
    const { registrar } = setup({ minExpires: 60 })
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:a@192.0.2.1>', '<sip:b@192.0.2.2>;expires=30'] }),
      { source: udp },
    )
    assert.equal(res.status, 423)
    assert.equal(res.headers.get(MinExpires), 60)
    assert.deepEqual(await registrar.lookup('sip:alice@example.com'), [])
    assert.equal(
      (
        await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], expires: 60 }), {
          source: udp,
        })
      ).status,
      200,
    )
  })

  test('step 7: a Contact with expires 0 removes its binding; an unknown one is ignored', async () => {
    const { registrar } = setup()
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>', '<sip:b@192.0.2.2>'] }), {
      source: udp,
    })
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:a@192.0.2.1>;expires=0', '<sip:zz@192.0.2.9>;expires=0'], cseq: 2 }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    assert.deepEqual(uris(res), ['sip:b@192.0.2.2'])
  })

  test('step 7: contacts match by URI comparison (§19.1.4), not by text', async () => {
    const { registrar } = setup()
    await registrar.register(registerRequest({ contacts: ['<sip:a@UA.example.net;transport=TCP>'] }), {
      source: udp,
    })
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:a@ua.example.net;transport=tcp>'], cseq: 2 }),
      { source: udp },
    )
    assert.equal(contactsOf(res).length, 1)
  })

  test('step 7: same Call-ID with a CSeq not higher aborts the whole update (500); a new Call-ID updates', async () => {
    const { registrar, clock } = setup()
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], cseq: 10, expires: 600 }), {
      source: udp,
    })
    for (const cseq of [10, 9]) {
      const res = await registrar.register(
        registerRequest({ contacts: ['<sip:new@192.0.2.7>', '<sip:a@192.0.2.1>'], cseq, expires: 100 }),
        { source: udp },
      )
      assert.equal(res.status, 500)
    }
    const [t] = await registrar.lookup('sip:alice@example.com')
    assert.equal(t?.expiresAt, T0 + 600_000)
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 1)
    clock.advance(1000)
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:a@192.0.2.1>'], cseq: 1, callId: 'rebooted', expires: 100 }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    assert.equal((await registrar.lookup('sip:alice@example.com'))[0]?.expiresAt, T0 + 1000 + 100_000)
    assert.equal(
      (
        await registrar.register(
          registerRequest({ contacts: ['<sip:a@192.0.2.1>'], cseq: 2, callId: 'rebooted' }),
          { source: udp },
        )
      ).status,
      200,
    )
  })

  test('step 8: the 200 lists every current binding with its remaining expires, and a Date', async () => {
    const { registrar, clock } = setup()
    await registrar.register(
      registerRequest({ contacts: ['<sip:a@192.0.2.1>'], expires: 600, callId: 'x' }),
      { source: udp },
    )
    clock.advance(100_000)
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:b@192.0.2.2>;q=0.5'], expires: 300 }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    const byUri = new Map(contactsOf(res).map((c) => [formatUri(c.uri), c]))
    assert.equal(byUri.get('sip:a@192.0.2.1')?.expires, 500)
    assert.equal(byUri.get('sip:b@192.0.2.2')?.expires, 300)
    assert.equal(byUri.get('sip:b@192.0.2.2')?.q, 0.5)
    assert.equal(res.headers.raw('Date')[0], new Date(T0 + 100_000).toUTCString())
  })

  test('step 8: the Date follows the clock second by second (RFC 3261 §20.17)', async () => {
    const { registrar, clock } = setup()
    const dates: string[] = []
    for (const step of [0, 400, 599, 1, 1000, 86_400_000]) {
      clock.advance(step)
      const res = await registrar.register(registerRequest({ cseq: dates.length + 1 }), { source: udp })
      dates.push(res.headers.raw('Date')[0] ?? '')
      assert.equal(dates.at(-1), new Date(clock.now()).toUTCString())
    }
    assert.equal(new Set(dates).size, 4)
  })

  test('a REGISTER without Contact is a query: the bindings, unchanged', async () => {
    const { registrar } = setup()
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'] }), { source: udp })
    const res = await registrar.register(registerRequest({ cseq: 2 }), { source: udp })
    assert.equal(res.status, 200)
    assert.deepEqual(uris(res), ['sip:a@192.0.2.1'])
  })

  test('malformed Contact, Expires or a missing CSeq get 400; other methods 405', async () => {
    const { registrar } = setup()
    assert.equal(
      (await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1'] }), { source: udp })).status,
      400,
    )
    assert.equal(
      (
        await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], expires: 'soon' }), {
          source: udp,
        })
      ).status,
      400,
    )
    assert.equal(
      (await registrar.register(registerRequest({ method: 'OPTIONS' }), { source: udp })).status,
      405,
    )
  })

  test('Contact feature parameters are kept and returned; q orders the lookup, then recency', async () => {
    const { registrar, clock } = setup()
    await registrar.register(
      registerRequest({
        contacts: ['<sip:low@192.0.2.1>;q=0.1', '<sip:old@192.0.2.2>;+sip.ice;methods="INVITE,BYE"'],
      }),
      { source: udp },
    )
    clock.advance(1000)
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:new@192.0.2.3>;q=1.0'], cseq: 2 }),
      { source: udp },
    )
    assert.match(
      res.headers.raw('Contact')[0] ?? '',
      /<sip:old@192\.0\.2\.2>;expires=3599;q=1\.0;\+sip\.ice;methods="INVITE,BYE"/,
    )
    const targets = await registrar.lookup('sip:alice@example.com')
    assert.deepEqual(
      targets.map((t) => [t.uri, t.q]),
      [
        ['sip:new@192.0.2.3', 1],
        ['sip:old@192.0.2.2', 1],
        ['sip:low@192.0.2.1', 0.1],
      ],
    )
    assert.equal(targets[0]?.received, 'sip:192.0.2.10:5060;transport=udp')
  })
})

describe('limits', () => {
  test('the port of To makes no other AOR (§10.3 steps 1 and 5): one user cannot make an AOR per port', async () => {
    const { registrar, store } = setup({ maxContacts: 2 })
    const at = (port: number, contact: string, cseq: number) =>
      registrar.register(
        registerRequest({ to: `<sip:alice@example.com:${port}>`, contacts: [contact], cseq }),
        { source: udp, user: 'alice' },
      )
    assert.equal((await at(1, '<sip:a@192.0.2.1>', 1)).status, 200)
    assert.equal((await at(2, '<sip:b@192.0.2.2>', 2)).status, 200)
    // the third binding, through yet another port, is past maxContacts of the one AOR
    const third = await at(3, '<sip:c@192.0.2.3>', 3)
    assert.equal(third.status, 403)
    assert.equal((store as ReturnType<typeof createMemoryLocationStore>).aorCount, 1)
    assert.deepEqual((await registrar.bindings('sip:alice@example.com')).map((b) => b.contact).sort(), [
      'sip:a@192.0.2.1',
      'sip:b@192.0.2.2',
    ])
    // and a request for the AOR with or without a port reaches them
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 2)
    assert.equal((await registrar.lookup('sip:alice@example.com:5060')).length, 2)
  })

  test('a public GRUU with a port reaches the bindings of its AOR (RFC 5627 §3.1)', async () => {
    const { registrar } = setup({ gruu: true })
    const res = await registrar.register(
      registerRequest({
        to: '<sip:alice@example.com:5060>',
        contacts: [`<sip:a@192.0.2.1>;+sip.instance="${INSTANCE}"`],
        supported: 'gruu',
      }),
      { source: udp },
    )
    const pub = contactsOf(res)[0]?.pubGruu as string
    assert.equal(pub, 'sip:alice@example.com;gr=urn:uuid:00000000-0000-1000-8000-000a95a0e128')
    const ported = 'sip:alice@example.com:5060;gr=urn:uuid:00000000-0000-1000-8000-000a95a0e128'
    assert.equal((await registrar.lookup(ported)).length, 1)
  })

  test('maxContacts: a REGISTER that would exceed it gets 403; refreshes at the limit pass', async () => {
    const { registrar } = setup({ maxContacts: 2 })
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>', '<sip:b@192.0.2.2>'] }), {
      source: udp,
    })
    const res = await registrar.register(registerRequest({ contacts: ['<sip:c@192.0.2.3>'], cseq: 2 }), {
      source: udp,
    })
    assert.equal(res.status, 403)
    assert.equal(res.reason, 'Too Many Contacts')
    assert.equal(
      (
        await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], cseq: 3 }), {
          source: udp,
        })
      ).status,
      200,
    )
    const swap = await registrar.register(
      registerRequest({ contacts: ['<sip:a@192.0.2.1>;expires=0', '<sip:c@192.0.2.3>'], cseq: 4 }),
      { source: udp },
    )
    assert.equal(swap.status, 200)
    assert.deepEqual(uris(swap), ['sip:b@192.0.2.2', 'sip:c@192.0.2.3'])
  })

  test('maxContacts: an outbound refresh (same +sip.instance and reg-id, RFC 5626 §6) from a new Contact is no new binding', async () => {
    const { registrar } = setup({ maxContacts: 1, outbound: true })
    const contact = (host: string) => `<sip:a@${host};transport=ws;ob>;reg-id=1;+sip.instance="${INSTANCE}"`
    const first = await registrar.register(
      registerRequest({ contacts: [contact('ua.invalid')], supported: 'outbound' }),
      { source: udp, flowId: 'ws-1' },
    )
    assert.equal(first.status, 200)
    const moved = await registrar.register(
      registerRequest({ contacts: [contact('moved.invalid')], supported: 'outbound', callId: 'new' }),
      { source: udp, flowId: 'ws-2' },
    )
    assert.equal(moved.status, 200)
    assert.deepEqual(uris(moved), ['sip:a@moved.invalid;transport=ws;ob'])
  })

  test('onMaxContacts evict-oldest drops the least recently written bindings', async () => {
    const { registrar, clock } = setup({ maxContacts: 2, onMaxContacts: 'evict-oldest' })
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], callId: 'a' }), {
      source: udp,
    })
    clock.advance(1000)
    await registrar.register(registerRequest({ contacts: ['<sip:b@192.0.2.2>'], callId: 'b' }), {
      source: udp,
    })
    clock.advance(1000)
    const res = await registrar.register(registerRequest({ contacts: ['<sip:c@192.0.2.3>'], callId: 'c' }), {
      source: udp,
    })
    assert.equal(res.status, 200)
    assert.deepEqual(uris(res), ['sip:b@192.0.2.2', 'sip:c@192.0.2.3'])
    const three = await registrar.register(
      registerRequest({
        contacts: ['<sip:x@192.0.2.4>', '<sip:y@192.0.2.5>', '<sip:z@192.0.2.6>'],
        callId: 'd',
      }),
      { source: udp },
    )
    assert.equal(three.status, 403)
  })

  test('a full store gives 503 with Retry-After; a failing store 500 (§10.3 step 7)', async () => {
    const { registrar } = setup({}, createMemoryLocationStore({ maxAors: 1 }))
    assert.equal(
      (await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'] }), { source: udp }))
        .status,
      200,
    )
    const full = await registrar.register(
      registerRequest({ to: '<sip:bob@example.com>', contacts: ['<sip:b@192.0.2.1>'] }),
      { source: udp },
    )
    assert.equal(full.status, 503)
    assert.equal(full.headers.raw('Retry-After')[0], '60')
    const broken = createMemoryLocationStore()
    broken.compareAndSet = async () => {
      throw new Error('backend down')
    }
    const failing = setup({}, broken).registrar
    assert.equal(
      (await failing.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'] }), { source: udp })).status,
      500,
    )
  })

  test('CAS conflicts are retried', async () => {
    const store = createMemoryLocationStore()
    let conflicts = 2
    const cas = store.compareAndSet
    store.compareAndSet = async (aor, v, b) =>
      conflicts-- > 0 ? { ok: false, reason: 'conflict' } : cas(aor, v, b)
    const { registrar } = setup({}, store)
    assert.equal(
      (await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'] }), { source: udp }))
        .status,
      200,
    )
  })
})

describe('RFC 3327 Path', () => {
  test('Path is stored with the binding and returned by lookup; echoed only with Supported: path', async () => {
    const { registrar } = setup()
    const path = ['<sip:edge1.example.net;lr>', '<sip:edge2.example.net;lr>']
    const res = await registrar.register(
      registerRequest({ contacts: ['<sip:a@192.0.2.1>'], path, vias: 3 }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    assert.equal(res.headers.has(Path), false)
    assert.deepEqual((await registrar.lookup('sip:alice@example.com'))[0]?.path, path)
    const echoed = await registrar.register(
      registerRequest({
        contacts: ['<sip:a@192.0.2.1>'],
        path: ['<sip:edge1.example.net;lr>, <sip:edge2.example.net;lr>'],
        supported: 'path',
        cseq: 2,
        vias: 3,
      }),
      { source: udp },
    )
    assert.deepEqual(echoed.headers.raw(Path), ['<sip:edge1.example.net;lr>, <sip:edge2.example.net;lr>'])
    assert.deepEqual((await registrar.lookup('sip:alice@example.com'))[0]?.path, path)
  })
})

describe('RFC 5626 Outbound', () => {
  const ob = `<sip:a@ua.invalid;transport=ws;ob>;reg-id=1;+sip.instance="${INSTANCE}"`

  test('a UA adjacent to the registrar: binding keyed by instance and reg-id, on the flow; Require: outbound and Flow-Timer', async () => {
    const { registrar } = setup({ outbound: true, flowTimer: 25 })
    const res = await registrar.register(registerRequest({ contacts: [ob], supported: 'path, outbound' }), {
      source: udp,
      flowId: 'ws-1',
    })
    assert.equal(res.status, 200)
    assert.deepEqual(res.headers.get(Require), ['outbound'])
    assert.equal(res.headers.get(FlowTimer), 25)
    const c = contactsOf(res)[0]
    assert.equal(c?.regId, 1)
    assert.equal(c?.instance, INSTANCE)
    const [t] = await registrar.lookup('sip:alice@example.com')
    assert.equal(t?.flowId, 'ws-1')
    assert.equal(t?.regId, 1)
    assert.equal(t?.instanceId, INSTANCE)
  })

  test('the same instance and reg-id replace the old binding, whatever the Contact URI and Call-ID', async () => {
    const { registrar } = setup({ outbound: true })
    await registrar.register(registerRequest({ contacts: [ob], supported: 'outbound' }), {
      source: udp,
      flowId: 'ws-1',
    })
    const moved = `<sip:b@other.invalid;transport=ws;ob>;reg-id=1;+sip.instance="${INSTANCE}"`
    const res = await registrar.register(
      registerRequest({ contacts: [moved], supported: 'outbound', callId: 'after-reboot' }),
      { source: udp, flowId: 'ws-2' },
    )
    assert.equal(res.status, 200)
    const targets = await registrar.lookup('sip:alice@example.com')
    assert.deepEqual(
      targets.map((t) => [t.uri, t.flowId]),
      [['sip:b@other.invalid;transport=ws;ob', 'ws-2']],
    )
    const second = `<sip:a@ua.invalid;transport=ws;ob>;reg-id=2;+sip.instance="${INSTANCE}"`
    await registrar.register(
      registerRequest({ contacts: [second], supported: 'outbound', callId: 'after-reboot', cseq: 2 }),
      { source: udp, flowId: 'ws-3' },
    )
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 2)
  })

  test('439 when the first hop lacks outbound: several Vias and no "ob" Path, or no flow from an adjacent UA', async () => {
    const { registrar } = setup({ outbound: true })
    const viaProxy = await registrar.register(
      registerRequest({
        contacts: [ob],
        supported: 'outbound',
        vias: 2,
        path: ['<sip:edge.example.net;lr>'],
      }),
      { source: udp },
    )
    assert.equal(viaProxy.status, 439)
    assert.equal(viaProxy.reason, 'First Hop Lacks Outbound Support')
    assert.equal(
      (await registrar.register(registerRequest({ contacts: [ob], supported: 'outbound' }), { source: udp }))
        .status,
      439,
    )
    const viaEdge = await registrar.register(
      registerRequest({
        contacts: [ob],
        supported: 'outbound',
        vias: 2,
        path: ['<sip:edge.example.net;lr;ob>'],
      }),
      { source: udp },
    )
    assert.equal(viaEdge.status, 200)
    assert.deepEqual((await registrar.lookup('sip:alice@example.com'))[0]?.path, [
      '<sip:edge.example.net;lr;ob>',
    ])
  })

  test('reg-id with more than one Contact gets 400', async () => {
    const { registrar } = setup({ outbound: true })
    const res = await registrar.register(
      registerRequest({ contacts: [ob, '<sip:x@192.0.2.1>'], supported: 'outbound' }),
      { source: udp, flowId: 'f' },
    )
    assert.equal(res.status, 400)
  })

  test('with outbound off, reg-id is ignored: a plain binding, no Require', async () => {
    const { registrar } = setup()
    const res = await registrar.register(registerRequest({ contacts: [ob], supported: 'outbound' }), {
      source: udp,
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.has(Require), false)
    assert.equal((await registrar.lookup('sip:alice@example.com'))[0]?.regId, undefined)
  })

  test('flowFailed removes the bindings on that flow, and only those', async () => {
    const { registrar } = setup({ outbound: true })
    const events: BindingMessage[] = []
    const listener = (m: unknown) => events.push(m as BindingMessage)
    subscribe('junction:registrar:binding', listener)
    try {
      await registrar.register(registerRequest({ contacts: [ob], supported: 'outbound' }), {
        source: udp,
        flowId: 'ws-1',
      })
      await registrar.register(
        registerRequest({ to: '<sip:bob@example.com>', contacts: ['<sip:b@192.0.2.2>'] }),
        { source: udp, flowId: 'udp-1' },
      )
      assert.equal(await registrar.flowFailed('ws-1'), 1)
      assert.equal(await registrar.flowFailed('ws-1'), 0)
      assert.deepEqual(await registrar.lookup('sip:alice@example.com'), [])
      assert.equal((await registrar.lookup('sip:bob@example.com')).length, 1)
      assert.deepEqual(
        events.map((e) => `${e.event} ${e.aor}`),
        ['added sip:alice@example.com', 'added sip:bob@example.com', 'removed sip:alice@example.com'],
      )
    } finally {
      unsubscribe('junction:registrar:binding', listener)
    }
  })
})

describe('RFC 5627 GRUU', () => {
  const withInstance = `<sip:a@192.0.2.1>;+sip.instance="${INSTANCE}"`

  async function gruus(
    registrar: ReturnType<typeof setup>['registrar'],
    cseq: number,
    callId = 'call-1@ua.example.net',
  ) {
    const res = await registrar.register(
      registerRequest({ contacts: [withInstance], supported: 'gruu', cseq, callId }),
      { source: udp },
    )
    assert.equal(res.status, 200)
    const c = contactsOf(res)[0]
    return { pub: c?.pubGruu as string, temp: c?.tempGruu as string }
  }

  test('pub-gruu is stable (AOR + instance); temp-gruu is new at each refresh and every one stays valid', async () => {
    const { registrar } = setup({ gruu: true })
    const a = await gruus(registrar, 1)
    const b = await gruus(registrar, 2)
    assert.equal(a.pub, 'sip:alice@example.com;gr=urn:uuid:00000000-0000-1000-8000-000a95a0e128')
    assert.equal(b.pub, a.pub)
    assert.notEqual(a.temp, b.temp)
    assert.match(a.temp, /^sip:tgruu\.[A-Za-z0-9_-]+@example\.com;gr$/)
    assert.doesNotMatch(a.temp, /alice/)
    for (const gruu of [a.pub, a.temp, b.temp]) {
      const targets = await registrar.lookup(gruu)
      assert.deepEqual(
        targets.map((t) => [t.uri, t.instanceId]),
        [['sip:a@192.0.2.1', INSTANCE]],
        gruu,
      )
    }
  })

  test('a GRUU reaches only its instance, while the AOR reaches all', async () => {
    const { registrar } = setup({ gruu: true })
    const { pub } = await gruus(registrar, 1)
    await registrar.register(registerRequest({ contacts: ['<sip:desk@192.0.2.9>'], cseq: 2 }), {
      source: udp,
    })
    assert.equal((await registrar.lookup('sip:alice@example.com')).length, 2)
    assert.equal((await registrar.lookup(pub)).length, 1)
    assert.deepEqual(await registrar.lookup('sip:alice@example.com;gr=urn:uuid:unknown'), [])
  })

  test('temp-gruus die with the registration, and with a new Call-ID (a rebooted UA)', async () => {
    const { registrar } = setup({ gruu: true })
    const first = await gruus(registrar, 1)
    const rebooted = await gruus(registrar, 1, 'new-call-id')
    assert.deepEqual(await registrar.lookup(first.temp), [])
    assert.equal((await registrar.lookup(rebooted.temp)).length, 1)
    await registrar.register(
      registerRequest({ contacts: [`${withInstance};expires=0`], callId: 'new-call-id', cseq: 2 }),
      { source: udp },
    )
    assert.deepEqual(await registrar.lookup(rebooted.temp), [])
    assert.deepEqual(await registrar.lookup(rebooted.pub), [])
  })

  test('a tampered temp-gruu, or one from another secret, resolves to nothing; a shared secret works', async () => {
    const store = createMemoryLocationStore()
    const one = setup({ gruu: true, gruuSecret: 'shared' }, store).registrar
    const two = setup({ gruu: true, gruuSecret: 'shared' }, store).registrar
    const other = setup({ gruu: true, gruuSecret: 'different' }, store).registrar
    const { temp } = await gruus(one, 1)
    assert.equal((await two.lookup(temp)).length, 1)
    assert.deepEqual(await other.lookup(temp), [])
    const i = temp.indexOf('@') - 3
    const tampered = temp.slice(0, i) + (temp[i] === 'A' ? 'B' : 'A') + temp.slice(i + 1)
    assert.deepEqual(await one.lookup(tampered), [])
    assert.deepEqual(await one.lookup('sip:tgruu.xyz@example.com;gr'), [])
  })

  test('no GRUUs without Supported: gruu or without an instance; a GRUU as Contact gets 403', async () => {
    const { registrar } = setup({ gruu: true })
    const res = await registrar.register(registerRequest({ contacts: [withInstance] }), { source: udp })
    assert.equal(contactsOf(res)[0]?.pubGruu, undefined)
    const plain = await registrar.register(
      registerRequest({ contacts: ['<sip:b@192.0.2.2>'], supported: 'gruu', cseq: 2 }),
      { source: udp },
    )
    const b = contactsOf(plain).find((c) => formatUri(c.uri) === 'sip:b@192.0.2.2')
    assert.equal(b?.pubGruu, undefined)
    assert.equal(b?.tempGruu, undefined)
    const loop = await registrar.register(
      registerRequest({ contacts: ['<sip:alice@example.com;gr=urn:uuid:1>'], supported: 'gruu', cseq: 3 }),
      { source: udp },
    )
    assert.equal(loop.status, 403)
  })
})

describe('diagnostics channel junction:registrar:binding', () => {
  test('added, refreshed, removed and expired', async () => {
    const { registrar, clock } = setup()
    const events: BindingMessage[] = []
    const listener = (m: unknown) => events.push(m as BindingMessage)
    subscribe('junction:registrar:binding', listener)
    try {
      await registrar.register(
        registerRequest({ contacts: ['<sip:a@192.0.2.1>', '<sip:b@192.0.2.2>;expires=100'] }),
        { source: udp },
      )
      await registrar.register(
        registerRequest({
          contacts: ['<sip:a@192.0.2.1>;expires=0', '<sip:b@192.0.2.2>;expires=100'],
          cseq: 2,
        }),
        { source: udp },
      )
      clock.advance(101_000)
      assert.deepEqual(
        events.map((e) => `${e.event} ${e.binding.contact}`),
        [
          'added sip:a@192.0.2.1',
          'added sip:b@192.0.2.2',
          'removed sip:a@192.0.2.1',
          'refreshed sip:b@192.0.2.2',
          'expired sip:b@192.0.2.2',
        ],
      )
      registrar.close()
    } finally {
      unsubscribe('junction:registrar:binding', listener)
    }
  })
})

describe('lookup', () => {
  test('never returns an expired binding, even before the store removed it', async () => {
    const storeClock = createManualClock(T0)
    const clock = createManualClock(T0)
    const { registrar } = setup({}, createMemoryLocationStore({ clock: storeClock }), clock)
    await registrar.register(registerRequest({ contacts: ['<sip:a@192.0.2.1>'], expires: 60 }), {
      source: udp,
    })
    clock.advance(60_000)
    assert.deepEqual(await registrar.lookup('sip:alice@example.com'), [])
    assert.deepEqual(await registrar.bindings('sip:alice@example.com'), [])
  })

  test('URIs that are not SIP, or not registered, give no targets', async () => {
    const { registrar } = setup()
    assert.deepEqual(await registrar.lookup('tel:+15551234'), [])
    assert.deepEqual(await registrar.lookup('sip:nobody@example.com'), [])
    assert.deepEqual(await registrar.lookup('not a uri'), [])
  })
})

describe('configuration', () => {
  test('bad values throw JUNCTION_ERR_REGISTRAR_INVALID_CONFIG', () => {
    const store = createMemoryLocationStore()
    const bad: Partial<RegistrarConfig>[] = [
      { domains: [] },
      { minExpires: -1 },
      { maxContacts: 0 },
      { minExpires: 100, maxExpires: 50 },
      { defaultExpires: 1.5 },
    ]
    for (const c of bad) {
      assert.throws(
        () => createRegistrar({ domains: ['example.com'], ...c }, { store }),
        (e: unknown) => (e as { code?: string }).code === 'JUNCTION_ERR_REGISTRAR_INVALID_CONFIG',
      )
    }
  })
})
