/**
 * End to end with SIPp (Debian `sip-tester`): SIPp UAC → junction-ietf (a real process, its bin)
 * → SIPp UAS, the basic call of the benchmark (INVITE/100/180/200/ACK/BYE/200, Record-Route,
 * loose routing of ACK and BYE), over UDP and TCP; and failover to the next hop of a static route
 * when the first one never answers. Bounded in calls (-m) and time (timeout).
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { freeUdpPort, hasSipp, run, scenarios, sippUas, startIetf } from './process.ts'

const skip = hasSipp ? false : 'sipp is not installed (apt-get install sip-tester)'
if (!hasSipp && process.env['CI'] === 'true') {
  test('sipp is installed (required under CI=true)', () => assert.fail('sipp is missing'))
}

/**
 * B, a junction-ietf relaying to the UAS at `uasPort`; A, one with T1 50 ms whose static route has
 * two next hops: `firstHop` (a port on 127.0.0.1), then B. `more`: routing.probe and admin of A.
 */
async function twoHops(firstHop: number, uasPort: number, more: { probe?: object; admin?: object } = {}) {
  const b = await startIetf({
    sip: { listen: ['udp:127.0.0.1:0'] },
    routing: { routes: [{ to: `sip:127.0.0.1:${uasPort}` }], trusted: ['127.0.0.1'] },
    admin: { enabled: false },
  })
  const a = await startIetf({
    sip: { listen: ['udp:127.0.0.1:0'], timers: { t1: 50 } },
    routing: {
      routes: [{ to: [`sip:127.0.0.1:${firstHop}`, `sip:127.0.0.1:${b.port('udp')}`] }],
      trusted: ['127.0.0.1'],
      ...(more.probe === undefined ? {} : { probe: more.probe }),
    },
    admin: more.admin ?? { enabled: false },
  })
  return { a, b }
}

/** Three SIPp calls over UDP, UAC at `uacPort` → the proxy at `proxyPort` → UAS at `uasPort`: all complete. */
async function threeCalls(proxyPort: number, uasPort: number, uacPort: number): Promise<void> {
  const uas = sippUas(uasPort, 'u1', 3, 40)
  await new Promise((r) => setTimeout(r, 300))
  const caller = await uac(proxyPort, uacPort, 'u1', 3, 3)
  const callee = await uas
  assert.equal(caller.code, 0, `UAC failed:\n${caller.stdout.slice(-3000)}\n${caller.stderr}`)
  assert.equal(callee.code, 0)
}

function uac(proxyPort: number, localPort: number, transport: 'u1' | 't1', calls: number, rate: number) {
  return run(
    'sipp',
    [
      `127.0.0.1:${proxyPort}`,
      '-sf',
      join(scenarios, 'uac-call.xml'),
      '-s',
      'service',
      '-i',
      '127.0.0.1',
      '-p',
      String(localPort),
      '-t',
      transport,
      '-m',
      String(calls),
      '-r',
      String(rate),
      '-recv_timeout',
      '15000',
      '-nostdin',
      '-timeout',
      '60s',
      '-timeout_error',
    ],
    70,
  )
}

describe('SIPp UAC → junction-ietf → SIPp UAS', { skip }, () => {
  for (const [transport, t] of [
    ['udp', 'u1'],
    ['tcp', 't1'],
  ] as const) {
    test(`${transport}: 200 calls at 50/s, every one completes`, async () => {
      const uasPort = await freeUdpPort()
      const uacPort = await freeUdpPort()
      const ietf = await startIetf({
        sip: { listen: [`${transport}:127.0.0.1:0`] },
        // SIPp's From names 127.0.0.1, one of our addresses: a trusted peer, not a user to challenge
        routing: {
          routes: [{ to: `sip:127.0.0.1:${uasPort};transport=${transport}` }],
          trusted: ['127.0.0.1'],
        },
        admin: { port: 0 },
      })
      try {
        const uas = sippUas(uasPort, t, 200, 60)
        await new Promise((r) => setTimeout(r, 300))
        const caller = await uac(ietf.port(transport), uacPort, t, 200, 50)
        const callee = await uas
        assert.equal(
          caller.code,
          0,
          `UAC failed:\n${caller.stdout.slice(-3000)}\n${caller.stderr}\nUAS:\n${callee.stdout.slice(-2500)}`,
        )
        assert.equal(callee.code, 0, `UAS failed:\n${callee.stdout.slice(-3000)}\n${callee.stderr}`)
        const metrics = await (await fetch(`http://127.0.0.1:${ietf.admin!.port}/metrics`)).text()
        const forwards = /^junction_proxy_forwards_total (\d+)/m.exec(metrics)
        assert.ok(forwards !== null && Number(forwards[1]) >= 200, 'forwards counted in /metrics')
      } finally {
        assert.equal(await ietf.stop(), 0, 'clean exit on SIGTERM')
      }
    })
  }

  test('udp: the first next hop is down, a second junction-ietf takes the calls (failover, Timer B)', async () => {
    const dead = await freeUdpPort()
    const uasPort = await freeUdpPort()
    const uacPort = await freeUdpPort()
    // A's first next hop is a port nobody answers on; Timer B = 64·T1 = 3.2 s, then B
    const { a, b } = await twoHops(dead, uasPort)
    try {
      await threeCalls(a.port('udp'), uasPort, uacPort)
    } finally {
      assert.equal(await a.stop(), 0)
      assert.equal(await b.stop(), 0)
    }
  })

  test('udp: next-hop probing (routing.probe) finds a silent next hop down; calls skip it', async () => {
    // the silent hop: a socket that takes every datagram and answers none (counting the INVITEs)
    const silent = createSocket('udp4')
    let invites = 0
    silent.on('message', (m) => {
      if (m.subarray(0, 7).toString() === 'INVITE ') invites++
    })
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r))
    const dead = silent.address().port
    const uasPort = await freeUdpPort()
    const uacPort = await freeUdpPort()
    // Timer F = 64·T1 = 3.2 s: the first probe of the silent hop ends as a 408, and one is enough
    const { a, b } = await twoHops(dead, uasPort, {
      probe: { enabled: true, intervalSec: 1, failures: 1 },
      admin: { host: '127.0.0.1', port: 0 },
    })
    try {
      const base = `http://127.0.0.1:${a.admin!.port}`
      const deadline = Date.now() + 15_000
      let metrics = ''
      while (Date.now() < deadline) {
        metrics = await (await fetch(`${base}/metrics`)).text()
        if (metrics.includes(`junction_proxy_next_hop_up{next_hop="sip:127.0.0.1:${dead}"} 0`)) break
        await new Promise((r) => setTimeout(r, 250))
      }
      assert.match(metrics, new RegExp(`junction_proxy_next_hop_up\\{next_hop="sip:127.0.0.1:${dead}"\\} 0`))
      assert.match(
        metrics,
        new RegExp(`junction_proxy_next_hop_up\\{next_hop="sip:127.0.0.1:${b.port('udp')}"\\} 1`),
      )
      const rpc = await fetch(`${base}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'routes.nextHops', id: 1 }),
      })
      const hops = (
        (await rpc.json()) as { result: Array<{ nextHop: string; up: boolean; lastStatus?: number }> }
      ).result
      assert.deepEqual(
        hops.map((h) => [h.nextHop, h.up]),
        [
          [`sip:127.0.0.1:${dead}`, false],
          [`sip:127.0.0.1:${b.port('udp')}`, true],
        ],
      )
      assert.equal(hops[0]!.lastStatus, 408)

      await threeCalls(a.port('udp'), uasPort, uacPort)
      assert.equal(invites, 0, 'no call went to the hop found down')
    } finally {
      silent.close()
      assert.equal(await a.stop(), 0)
      assert.equal(await b.stop(), 0)
    }
  })
})
