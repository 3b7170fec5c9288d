import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultMaxTransactions, defaultMaxUnanswered, defaultTimers } from '@junction/transaction'
import { defaultTransportLimits } from '@junction/transport'
import { serverOptions, sipServerConfig } from './config.ts'

describe('sipServerConfig', () => {
  it('has embedded defaults: UDP and TCP on loopback 5060, the localhost domain', () => {
    const c = sipServerConfig.parse(undefined)
    assert.deepEqual(c.listen, ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'])
    assert.deepEqual(c.domains, ['localhost'])
    assert.equal(c.timerC, 181_000)
    assert.equal(serverOptions(c).maxBranches, 32)
    // the limits that run are in the config (--check-config prints them), from the heap limit
    assert.equal(c.maxTransactions, defaultMaxTransactions())
    assert.equal(c.maxUnanswered, defaultMaxUnanswered())
    assert.ok(c.maxUnanswered < c.maxTransactions)
  })

  it('passes the transport limits on, messageTimeout (slowloris) among them', () => {
    const c = sipServerConfig.parse({ limits: { messageTimeout: 10_000, maxConnectionsPerIp: 20 } })
    assert.deepEqual(serverOptions(c).limits, {
      ...defaultTransportLimits,
      messageTimeout: 10_000,
      maxConnectionsPerIp: 20,
    })
    assert.equal(sipServerConfig.safeParse({ limits: { messageTimeout: 5 } }).success, false)
  })

  it('turns overload control on by default (utilization 0.95); enabled: false leaves it out', () => {
    assert.deepEqual(serverOptions(sipServerConfig.parse(undefined)).overload, {
      utilization: 0.95,
      minAdmit: 0.05,
    })
    const tuned = sipServerConfig.parse({ overload: { utilization: 0.8 } })
    assert.equal(serverOptions(tuned).overload?.utilization, 0.8)
    assert.equal(serverOptions(sipServerConfig.parse({ overload: { enabled: false } })).overload, undefined)
    assert.equal(sipServerConfig.safeParse({ overload: { utilization: 0.2 } }).success, false)
    assert.equal(
      serverOptions(sipServerConfig.parse(undefined)).overloadClient,
      undefined,
      'RFC 7339 client: off',
    )
    assert.deepEqual(serverOptions(sipServerConfig.parse({ overload: { client: true } })).overloadClient, {})
  })

  it('passes handshakeTimeout (TLS/WS sockets that never handshake) on to the transport', () => {
    const c = sipServerConfig.parse({ limits: { handshakeTimeout: 5000 } })
    assert.deepEqual(serverOptions(c).limits, { ...defaultTransportLimits, handshakeTimeout: 5000 })
    assert.equal(sipServerConfig.safeParse({ limits: { handshakeTimeout: 10 } }).success, false)
  })

  it('reports every problem with its path; unknown keys are errors', () => {
    const r = sipServerConfig.safeParse({
      listen: ['udp:nowhere', { transport: 'tls', host: '0.0.0.0', port: 5061 }],
      timerC: 5,
      colour: 'blue',
    })
    assert.equal(r.success, false)
    const paths = r.error!.issues.map((i) => i.path.join('.'))
    assert.ok(paths.includes('listen.0'))
    assert.ok(paths.includes('listen.1'))
    assert.ok(paths.includes('timerC'))
    assert.ok(r.error!.issues.some((i) => i.code === 'unrecognized_keys'))
  })

  it('a tls or wss listener given as a string has no certificate: an error naming it', () => {
    for (const spec of ['tls:127.0.0.1:5061', 'wss:[::1]:8443']) {
      const r = sipServerConfig.safeParse({ listen: ['udp:127.0.0.1:5060', spec] })
      assert.equal(r.success, false, spec)
      assert.deepEqual(
        r.error!.issues.map((i) => [i.path.join('.'), /needs a certificate/.test(i.message)]),
        [['listen.1', true]],
      )
    }
    assert.equal(sipServerConfig.safeParse({ listen: ['ws:127.0.0.1:8080', 'tcp:[::1]:5060'] }).success, true)
  })

  it('accepts listener objects with advertise and TLS files', () => {
    const c = sipServerConfig.parse({
      listen: [
        {
          transport: 'tls',
          host: '::',
          port: 5061,
          advertise: 'sip.example.com',
          tls: { cert: 'c.pem', key: 'k.pem' },
        },
      ],
    })
    assert.equal(c.listen.length, 1)
  })

  it('shows every timer and transport limit with its default (what --check-config prints is what runs)', () => {
    const c = sipServerConfig.parse({ timers: { t1: 250 } })
    assert.deepEqual(c.timers, { ...defaultTimers, t1: 250 })
    assert.deepEqual(c.limits, { ...defaultTransportLimits })
  })
})
