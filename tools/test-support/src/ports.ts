/** Ports on 127.0.0.1 for real peers started by a test (Kamailio listens on UDP, cdp on TCP). */
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

/**
 * A port free for both TCP and UDP on 127.0.0.1 a moment ago (the kernel's pick for TCP, held
 * while UDP binds the same number), and not one of `taken`. Another process may still take it
 * before the caller binds it: that is a port race, not a guarantee.
 */
export async function freePort(taken: readonly number[] = []): Promise<number> {
  for (;;) {
    const tcp = createServer()
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
    const address = tcp.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const udp = createSocket('udp4')
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    await new Promise<void>((resolve) => tcp.close(() => resolve()))
    if (ok && port !== 0 && !taken.includes(port)) return port
  }
}

/** `count` distinct ports, each as {@link freePort} gives. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < count) ports.push(await freePort(ports))
  return ports
}
