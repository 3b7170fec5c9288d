/**
 * How far behind the UDP listeners are: the octets waiting in a socket's receive queue, as the
 * Linux kernel reports them in /proc/net/udp and /proc/net/udp6 (`rx_queue`, hexadecimal, the
 * memory the queued datagrams hold), against the socket's receive buffer. A server that keeps up
 * drains its queue on every turn of the event loop; one that falls behind sees it grow until the
 * kernel drops datagrams. Elsewhere (no /proc), nothing is known: undefined.
 */
import { readFileSync } from 'node:fs'

/** The rx_queue of each local port in a /proc/net/udp{,6} text (the largest when a port repeats). */
export function parseProcNetUdp(text: string, into = new Map<number, number>()): Map<number, number> {
  // "  12: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 4321 2 ..."
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 5 || !f[0]!.endsWith(':')) continue
    const local = f[1]!
    const colon = local.lastIndexOf(':')
    const queues = f[4]!.split(':')
    if (colon < 0 || queues.length !== 2) continue
    const port = Number.parseInt(local.slice(colon + 1), 16)
    const rx = Number.parseInt(queues[1]!, 16)
    if (!Number.isFinite(port) || !Number.isFinite(rx)) continue
    into.set(port, Math.max(into.get(port) ?? 0, rx))
  }
  return into
}

/** Reads the receive queues of every UDP socket of the machine; undefined where /proc is not there. */
export function readUdpQueues(
  read: (path: string) => string = (p) => readFileSync(p, 'latin1'),
): Map<number, number> | undefined {
  const queues = new Map<number, number>()
  let found = false
  for (const path of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      parseProcNetUdp(read(path), queues)
      found = true
    } catch {
      // no such file (not Linux, no IPv6): the other may still be there
    }
  }
  return found ? queues : undefined
}
