import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createTransport } from './transport.ts'
import { parseProcNetUdp, readUdpQueues } from './udp-backlog.ts'

// two sockets of /proc/net/udp and one of /proc/net/udp6, as Linux 6.1 prints them
const udp = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  421: 0100007F:13C4 00000000:0000 07 00000000:0003A200 00:00000000 00000000     0        0 81234 2 0000000000000000 17
  980: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81240 2 0000000000000000 0
`
const udp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  533: 00000000000000000000000001000000:13C4 00000000000000000000000000000000:0000 07 00000000:00000400 00:00000000 00000000     0        0 81250 2 0000000000000000 0
`

describe('UDP receive queues from /proc/net/udp (Linux)', () => {
  it('reads rx_queue by local port, the largest when a port repeats (IPv4 and IPv6)', () => {
    const q = parseProcNetUdp(udp6, parseProcNetUdp(udp))
    assert.equal(q.get(5060), 0x3a200)
    assert.equal(q.get(8080), 0)
    assert.equal(q.size, 2)
  })

  it('ignores what is not a socket line, and says nothing where /proc is not there', () => {
    assert.equal(parseProcNetUdp('garbage\n\n  1: x y\n').size, 0)
    assert.equal(
      readUdpQueues(() => {
        throw new Error('ENOENT')
      }),
      undefined,
    )
    const onlyV4 = readUdpQueues((p) => {
      if (p.endsWith('6')) throw new Error('ENOENT')
      return udp
    })
    assert.equal(onlyV4?.get(5060), 0x3a200)
  })

  it('udpBacklog(): an idle UDP listener has an empty queue; no UDP listener, nothing to say', async (t) => {
    if (process.platform !== 'linux') return t.skip('/proc/net/udp is Linux')
    const deps = { receive() {} }
    const udpOnly = createTransport({ listen: ['udp:127.0.0.1:0'] }, deps)
    await udpOnly.start()
    try {
      assert.equal(udpOnly.udpBacklog?.(), 0)
    } finally {
      await udpOnly.stop()
    }
    const tcpOnly = createTransport({ listen: ['tcp:127.0.0.1:0'] }, deps)
    await tcpOnly.start()
    try {
      assert.equal(tcpOnly.udpBacklog?.(), undefined)
    } finally {
      await tcpOnly.stop()
    }
  })
})
