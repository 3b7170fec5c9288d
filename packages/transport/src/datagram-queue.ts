/**
 * Datagrams sent together, right after the I/O phase of the event-loop turn that made them.
 *
 * A datagram to a peer that sleeps wakes it, and when the peer runs on the same machine (loopback,
 * a co-located media server or SBC) the kernel does that wake-up inside our `sendmsg`: an
 * inter-processor interrupt, several microseconds on a virtual machine. libuv reads a burst of up
 * to 32 datagrams per poll and we answer each at once, so every answer found the peer asleep
 * again. Queued and sent in a row after the burst, only the first wakes it. Measured on 2 vCPUs
 * with SIPp on loopback: system time per REGISTER + digest round at 8 000/s 18–20 → 9–11 µs, per
 * call at 4 000/s 33–48 → 27 µs; at 500 calls/s (one datagram per turn) no change.
 *
 * The delay is bounded: a turn's datagrams leave in its check phase (`setImmediate`), and at
 * `maxQueued` the queue is sent at once. Order is kept, across sockets too.
 */
import type { Socket } from 'node:dgram'

export type SendCallback = (error: Error | null) => void

export interface DatagramQueue {
  /** Queues one datagram; `done` is called when the socket took it or refused it. */
  send(socket: Socket, bytes: Uint8Array, port: number, address: string, done: SendCallback): void
  /** Sends what is queued now (before the sockets close, say). */
  flush(): void
}

export function createDatagramQueue(maxQueued = 64): DatagramQueue {
  // parallel arrays, reused: no object per datagram
  const sockets: Socket[] = []
  const octets: Uint8Array[] = []
  const ports: number[] = []
  const addresses: string[] = []
  const callbacks: SendCallback[] = []
  let scheduled = false

  function flush(): void {
    scheduled = false
    // a callback may queue more (it runs later, on the socket's own tick, but be safe): the loop
    // reads the length each time
    for (let i = 0; i < sockets.length; i++) {
      const done = callbacks[i]!
      try {
        sockets[i]!.send(octets[i]!, ports[i]!, addresses[i]!, done)
      } catch (error) {
        done(error as Error) // a closed socket, say: dgram throws instead of calling back
      }
    }
    sockets.length = 0
    octets.length = 0
    ports.length = 0
    addresses.length = 0
    callbacks.length = 0
  }

  return {
    send(socket, bytes, port, address, done) {
      sockets.push(socket)
      octets.push(bytes)
      ports.push(port)
      addresses.push(address)
      callbacks.push(done)
      if (sockets.length >= maxQueued) flush()
      else if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush,
  }
}
