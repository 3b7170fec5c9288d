import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  Event,
  type EventValue,
  type Headers,
  parseMessage,
  SubscriptionState,
  type SubscriptionStateValue,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`NOTIFY sip:a@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function event(text: string): EventValue | undefined {
  return Event.parse(text, 0, text.length)
}

function state(text: string): SubscriptionStateValue | undefined {
  return SubscriptionState.parse(text, 0, text.length)
}

describe('Event (RFC 6665 §8.2.1, §8.4)', () => {
  test('§8.4 event-type, and the compact form "o" (§8.2.1)', () => {
    assert.deepEqual(headers('Event: presence').get(Event), {
      type: 'presence',
      id: undefined,
      params: new Map(),
    })
    assert.equal(headers('o: dialog').get(Event)?.type, 'dialog')
  })

  test('§8.4 event-type = event-package *( "." event-template )', () => {
    assert.equal(event('presence.winfo')?.type, 'presence.winfo')
    assert.equal(event('message-summary')?.type, 'message-summary')
  })

  test('§8.2.1: the event-type compares byte by byte, so it is kept as written', () => {
    assert.equal(event('Presence')?.type, 'Presence')
    assert.notEqual(event('Foo;id=1234')?.type, event('foo;id=1234')?.type)
  })

  test('§8.2.1 id: a token telling subscriptions of one dialog apart', () => {
    const v = headers('Event: refer;id=93809824').get(Event)
    assert.equal(v?.type, 'refer')
    assert.equal(v?.id, '93809824')
    assert.equal(event('foo; param=abcd; ID=AbC')?.id, 'AbC')
    assert.equal(event('foo;id'), undefined)
    assert.equal(event('foo;id='), undefined)
    assert.equal(event('foo;id="1234"'), undefined)
  })

  test('§8.4 event-param = generic-param: others kept, names in lower case', () => {
    // RFC 4235 §4.1: a call-id holding "@" is quoted
    const v = event('dialog;call-id="a84b4c76e66710@pc33";From-Tag=1928301774;include-session-description')
    assert.deepEqual(
      [...v!.params!],
      [
        ['call-id', '"a84b4c76e66710@pc33"'],
        ['from-tag', '1928301774'],
        ['include-session-description', null],
      ],
    )
    assert.equal(v?.id, undefined)
  })

  test('invalid values give undefined', () => {
    for (const bad of [
      '',
      ';id=1',
      'presence;',
      'presence junk',
      'presence, dialog',
      'pres/ence',
      '"presence"',
    ]) {
      assert.equal(event(bad), undefined, JSON.stringify(bad))
    }
    assert.equal(headers('Event: presence', 'o: presence').get(Event), undefined)
  })

  test('format; parse(format(v)) deep-equals v; wire examples are stable', () => {
    const v: EventValue = { type: 'dialog', id: 'x1', params: new Map([['call-id', '"a@b"']]) }
    assert.equal(Event.format(v), 'dialog;id=x1;call-id="a@b"')
    const text = Event.format(v)
    assert.deepEqual(Event.parse(text, 0, text.length), v)
    assert.equal(Event.format({ type: 'presence' }), 'presence')
    for (const wire of [
      'presence',
      'Refer ; ID = 93809824',
      'dialog;call-id=a84b;include-session-description',
    ]) {
      const once = event(wire)!
      const t = Event.format(once)
      assert.deepEqual(event(t), once, t)
      assert.equal(Event.format(event(t)!), t)
    }
  })
})

describe('Subscription-State (RFC 6665 §8.2.3, §8.4)', () => {
  test('§8.2.3 active with expires', () => {
    assert.deepEqual(headers('Subscription-State: active;expires=3600').get(SubscriptionState), {
      state: 'active',
      expires: 3600,
      reason: undefined,
      retryAfter: undefined,
      params: new Map(),
    })
  })

  test('§8.4 terminated with reason and retry-after; states and reasons fold to lower case', () => {
    const v = state('Terminated;reason=Probation;retry-after=3600')
    assert.equal(v?.state, 'terminated')
    assert.equal(v?.reason, 'probation')
    assert.equal(v?.retryAfter, 3600)
    assert.equal(state('pending;expires=600')?.state, 'pending')
    assert.equal(state('terminated;reason=noresource')?.reason, 'noresource')
  })

  test('§8.4 extension-substate and generic params', () => {
    const v = state('waiting;expires=0;x-foo=bar;flag')
    assert.equal(v?.state, 'waiting')
    assert.equal(v?.expires, 0)
    assert.deepEqual(
      [...v!.params!],
      [
        ['x-foo', 'bar'],
        ['flag', null],
      ],
    )
  })

  test('§8.4 expires and retry-after are delta-seconds: at most 2^32-1', () => {
    assert.equal(state('active;expires=4294967295')?.expires, 4294967295)
    assert.equal(state('terminated;retry-after=4294967295')?.retryAfter, 4294967295)
    for (const bad of [
      'active;expires=4294967296',
      'active;expires',
      'active;expires=-1',
      'active;expires=1h',
      'terminated;retry-after',
      'terminated;retry-after=x',
      'terminated;retry-after=4294967296',
    ]) {
      assert.equal(state(bad), undefined, bad)
    }
  })

  test('§8.4 event-reason-value is a token', () => {
    assert.equal(state('terminated;reason'), undefined)
    assert.equal(state('terminated;reason="timeout"'), undefined)
    assert.equal(state('terminated;reason="giving up"'), undefined)
  })

  test('invalid values give undefined', () => {
    for (const bad of ['', ';expires=1', 'active;', 'active x', 'active, pending']) {
      assert.equal(state(bad), undefined, JSON.stringify(bad))
    }
    assert.equal(
      headers('Subscription-State: active', 'Subscription-State: active').get(SubscriptionState),
      undefined,
    )
  })

  test('format; parse(format(v)) deep-equals v; wire examples are stable', () => {
    const v: SubscriptionStateValue = {
      state: 'terminated',
      expires: 10,
      reason: 'rejected',
      retryAfter: 60,
      params: new Map([['x', 'y']]),
    }
    const text = SubscriptionState.format(v)
    assert.equal(text, 'terminated;reason=rejected;expires=10;retry-after=60;x=y')
    assert.deepEqual(SubscriptionState.parse(text, 0, text.length), v)
    assert.equal(SubscriptionState.format({ state: 'active', expires: 3600 }), 'active;expires=3600')
    for (const wire of [
      'active;expires=3600',
      'Terminated ; Reason = Timeout',
      'pending;retry-after=5;flag',
    ]) {
      const once = state(wire)!
      const t = SubscriptionState.format(once)
      assert.deepEqual(state(t), once, t)
      assert.equal(SubscriptionState.format(state(t)!), t)
    }
  })
})
