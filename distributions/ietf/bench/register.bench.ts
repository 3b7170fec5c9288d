/**
 * REGISTER with digest through the whole junction-ietf composition (config, route, auth,
 * registrar, metrics), on the in-memory transport: the CPU a registration costs without the
 * sockets and the kernel, the way `bench/proxy` measures it with SIPp (REGISTER → 401 → REGISTER
 * with Authorization → 200; 10 000 users with a password, MD5, a new Call-ID per registration).
 *
 *   node --conditions=@junction/source bench/register.bench.ts [rounds]
 *
 * Requests go in batches of 16 per event-loop turn, as a busy UDP socket delivers them. The client
 * side (building the text, one MD5 for the response, finding the nonce) is in the figures too:
 * about 2 µs per round. Reports wall and CPU (all threads) µs per round over three passes of
 * `rounds` (default 100 000) after 40 000 of warm-up. Not a test: nothing here gates CI.
 */
import { hash } from 'node:crypto'
import { cpuUsage } from 'node:process'
import { createLogger } from '@junction/ops'
import type { SentMessage } from '@junction/transport'
import { composeIetf } from '../src/compose.ts'
import { parseConfig } from '../src/config.ts'

const USERS = 10_000
const BATCH = 16
const ROUNDS = Number(process.argv[2] ?? 100_000)

const users = Array.from({ length: USERS }, (_, i) => ({
  user: `user${String(i + 1).padStart(6, '0')}`,
  password: 'secret',
}))
const parsed = parseConfig({
  sip: { domains: ['127.0.0.1'] },
  auth: { users, algorithms: ['MD5'] },
  admin: { enabled: false },
  log: { level: 'error' },
})
if (!parsed.ok) throw new Error(parsed.problems.join('\n'))
// no listeners: the SIP server runs on the in-memory transport
const config = { ...parsed.config, sip: { ...parsed.config.sip, listen: undefined } }
const ietf = composeIetf(config as unknown as typeof parsed.config, {
  log: createLogger({ name: 'junction-ietf', level: 'silent' }),
})
const server = ietf.sip
const sent = server.network!.sent as SentMessage[]

const realm = '127.0.0.1'
const ha1 = users.map((u) => hash('md5', `${u.user}:${realm}:secret`, 'hex'))
const ha2 = hash('md5', 'REGISTER:sip:127.0.0.1:5060', 'hex')
const UAC = { transport: 'udp', address: '127.0.0.1', port: 5061 } as const
const latin1 = new TextDecoder('latin1')
let calls = 0

function register(user: string, call: number, cseq: number, authorization: string): string {
  return (
    'REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n' +
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-${call}-${cseq}\r\n` +
    `From: <sip:${user}@127.0.0.1>;tag=${call}SIPpTag001\r\n` +
    `To: <sip:${user}@127.0.0.1>\r\n` +
    `Call-ID: ${call}-bench@127.0.0.1\r\n` +
    `CSeq: ${cseq} REGISTER\r\n` +
    `Contact: <sip:${user}@127.0.0.1:5061>\r\n` +
    authorization +
    'Expires: 3600\r\nMax-Forwards: 70\r\nUser-Agent: sipp-bench\r\nContent-Length: 0\r\n\r\n'
  )
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** The responses sent since the last call, all of `status`. */
function responses(status: number): string[] {
  if (sent.length !== BATCH) throw new Error(`expected ${BATCH} responses, got ${sent.length}`)
  const texts = sent.map((m) => latin1.decode(m.bytes as Uint8Array))
  sent.length = 0
  for (const t of texts) if (!t.startsWith(`SIP/2.0 ${status} `)) throw new Error(`expected ${status}:\n${t}`)
  return texts
}

async function rounds(n: number): Promise<void> {
  for (let done = 0; done < n; done += BATCH) {
    const batch: number[] = []
    for (let k = 0; k < BATCH; k++) {
      const call = ++calls
      batch.push(call)
      server.inject(register(users[call % USERS]!.user, call, 1, ''), UAC)
    }
    await turn()
    const challenges = responses(401)
    for (let k = 0; k < BATCH; k++) {
      const call = batch[k]!
      const i = call % USERS
      const at = challenges[k]!.indexOf('nonce="') + 7
      const nonce = challenges[k]!.slice(at, challenges[k]!.indexOf('"', at))
      const response = hash('md5', `${ha1[i]}:${nonce}:00000001:6b8b4567:auth:${ha2}`, 'hex')
      const authorization =
        `Authorization: Digest username="${users[i]!.user}",realm="${realm}",cnonce="6b8b4567",` +
        `nc=00000001,qop=auth,uri="sip:127.0.0.1:5060",nonce="${nonce}",response="${response}",algorithm=MD5\r\n`
      server.inject(register(users[i]!.user, call, 2, authorization), UAC)
    }
    await turn()
    responses(200)
  }
}

await rounds(40_000)
console.log(`junction-ietf REGISTER + digest in process, Node ${process.version}, ${ROUNDS} rounds per pass`)
for (let pass = 1; pass <= 3; pass++) {
  const cpu0 = cpuUsage()
  const t0 = performance.now()
  await rounds(ROUNDS)
  const cpu = cpuUsage(cpu0)
  const wall = performance.now() - t0
  console.log(
    `pass ${pass}: ${((wall * 1000) / ROUNDS).toFixed(2)} µs per round (wall), ` +
      `${((cpu.user + cpu.system) / ROUNDS).toFixed(2)} µs CPU (all threads)`,
  )
}
process.exit(0)
