/**
 * A floor for `junction-ietf` in `bench/proxy`: the least a stateful, record-routing UDP proxy on
 * Node's `dgram` and `@junction/sip` does for the harness's basic call, with none of Junction's
 * transport, transaction and proxy packages. Not a proxy to run anywhere else: one listener, one
 * next hop, no validation beyond what the call needs, no DNS, no TCP, no CANCEL, no forking, no
 * metrics, no failure handling. What it keeps is what RFC 3261 makes every stateful proxy do per
 * message, done the cheapest way we know:
 *
 * - a server transaction per INVITE and BYE (§17.2), found by the top Via's branch, sent-by and
 *   method; a retransmitted request gets the last response again and is not forwarded twice;
 * - 100 Trying for an INVITE (§16.2), Max-Forwards (§16.6 step 3), received/rport on the top Via
 *   (§18.2.1, RFC 3581), our Route popped (§16.4), Record-Route on the INVITE (§16.6 step 4), our
 *   Via with a new branch pushed (§16.6 step 8);
 * - a client transaction per forwarded INVITE and BYE, found by branch and method (§17.1.3), its
 *   response relayed upstream with our Via popped (§16.7); the ACK of a 2xx forwarded statelessly;
 * - transactions kept 32 s after their final response (Timers J, L, M at 64*T1) and a retransmit
 *   timer armed per client transaction (Timer A/E: here only its bookkeeping; loopback loses
 *   nothing), in lanes of one duration swept by one clock timer.
 *
 * It measures how far the packages are from what the codec and Node cost anyway at 500 calls/s:
 *
 *   node --conditions=@junction/source bare-proxy.ts [listen port, 5070] [next hop port, 5080]
 *   (then bench/proxy/run-step.sh calls 127.0.0.1 5070 500 20 <pid>)
 */
import dgram from 'node:dgram'
import {
  CSeq,
  createResponse,
  MaxForwards,
  parseMessage,
  RecordRoute,
  Route,
  type SipRequest,
  type SipResponse,
  serialize,
  sipUri,
  Via,
  type ViaValue,
} from '@junction/sip'

const host = '127.0.0.1'
const port = Number(process.argv[2] ?? 5070)
const nextHop = { host: '127.0.0.1', port: Number(process.argv[3] ?? 5080) }
const LINGER_MS = 32_000 // 64*T1
const T1 = 500

interface ServerTx {
  last: Uint8Array | undefined
  address: string
  port: number
}
interface ClientTx {
  readonly server: ServerTx
  final: boolean
}
const servers = new Map<string, ServerTx>()
const clients = new Map<string, ClientTx>()

/** Timers of one duration fall due in the order set: a queue per duration, swept every 100 ms. */
class Lane {
  readonly queue: Array<{ at: number; fire: () => void }> = []
  head = 0
  readonly ms: number
  constructor(ms: number) {
    this.ms = ms
  }
  set(fire: () => void): void {
    this.queue.push({ at: Date.now() + this.ms, fire })
  }
  sweep(now: number): void {
    const q = this.queue
    while (this.head < q.length && q[this.head]!.at <= now) q[this.head++]!.fire()
    if (this.head > 4096 && this.head * 2 > q.length) {
      q.splice(0, this.head)
      this.head = 0
    }
  }
}
const linger = new Lane(LINGER_MS)
const retransmit = new Lane(T1)
setInterval(() => {
  const now = Date.now()
  linger.sweep(now)
  retransmit.sweep(now)
}, 100).unref()

const socket = dgram.createSocket('udp4')
const send = (bytes: Uint8Array, to: { port: number; address: string }) =>
  socket.send(bytes, to.port, to.address)
const recordRoute = { uri: sipUri({ host, port, params: { lr: null } }) }

socket.on('message', (bytes, rinfo) => {
  const r = parseMessage(bytes)
  if (!r.ok) return
  if (r.message.kind === 'request') onRequest(r.message, rinfo)
  else onResponse(r.message)
})

function onRequest(req: SipRequest, from: dgram.RemoteInfo): void {
  const h = req.headers
  const top = h.first(Via)
  if (top?.branch === undefined) return
  const method = req.method
  let server: ServerTx | undefined
  if (method !== 'ACK') {
    const key = `${top.branch}\n${top.host}:${top.port ?? 5060}\n${method}`
    const known = servers.get(key)
    if (known !== undefined) {
      if (known.last !== undefined) send(known.last, from)
      return
    }
    server = { last: undefined, address: from.address, port: from.port }
    servers.set(key, server)
    linger.set(() => servers.delete(key))
  }
  if (top.rport === null || top.host !== from.address)
    h.replaceFirst(Via, { ...top, received: from.address, rport: from.port } satisfies ViaValue)
  const mf = h.get(MaxForwards) ?? 70
  if (mf === 0) return
  h.set(MaxForwards, mf - 1)
  if (method === 'INVITE' && server !== undefined) {
    server.last = serialize(createResponse(req, 100))
    send(server.last, from)
  }
  const route = h.first(Route)
  if (route?.uri.kind === 'sip' && route.uri.host === host && route.uri.port === port) h.shift(Route)
  if (method === 'INVITE') h.prepend(RecordRoute, recordRoute)
  const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`
  h.prepend(Via, { transport: 'UDP', host, port, branch })
  if (server !== undefined) {
    const client: ClientTx = { server, final: false }
    clients.set(`${branch}\n${method}`, client)
    retransmit.set(() => client.final)
  }
  // in a dialog the Request-URI is the UAS's Contact; a new call goes to the next hop
  const uri = req.uri
  const to = method !== 'INVITE' && uri.kind === 'sip' ? { host: uri.host, port: uri.port ?? 5060 } : nextHop
  send(serialize(req), { address: to.host, port: to.port })
}

function onResponse(res: SipResponse): void {
  const h = res.headers
  const top = h.first(Via)
  const method = h.get(CSeq)?.method
  if (top?.branch === undefined || method === undefined) return
  h.shift(Via)
  const up = h.first(Via)
  if (up === undefined) return
  const key = `${top.branch}\n${method}`
  const client = clients.get(key)
  const bytes = serialize(res)
  if (client !== undefined && res.status >= 200 && !client.final) {
    client.final = true
    client.server.last = bytes
    linger.set(() => clients.delete(key))
  }
  send(bytes, { address: up.received ?? up.host, port: up.rport ?? up.port ?? 5060 })
}

socket.bind(port, host, () => {
  // as junction-ietf (limits.udpBufferSize) and Kamailio (maxbuffer) do: room for bursts
  socket.setRecvBufferSize(4 * 1024 * 1024)
  socket.setSendBufferSize(4 * 1024 * 1024)
})
process.on('SIGTERM', () => {
  socket.close()
  process.exit(0)
})
