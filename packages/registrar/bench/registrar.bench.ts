/**
 * Memory per binding and REGISTER throughput of the registrar over the in-memory store.
 *
 *   node --conditions=@junction/source --expose-gc bench/registrar.bench.ts [count]
 *
 * Registers `count` AORs (default 100 000) with one binding each, as a JsSIP client over WebSocket
 * would (outbound reg-id, +sip.instance, GRUU, a Path from an edge proxy), then reports the growth
 * of `heapUsed` after a full GC divided by the number of bindings. Not a test: nothing here gates CI.
 */
import { Buffer } from 'node:buffer'
import { parseMessage, type SipRequest } from '@junction/sip'
import { createMemoryLocationStore } from '../src/memory-store.ts'
import { createRegistrar } from '../src/registrar.ts'

const count = Number(process.argv[2] ?? 100_000)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')

function request(i: number): SipRequest {
  const instance = `<urn:uuid:${i.toString(16).padStart(8, '0')}-7dec-11d0-a765-00a0c91e6bf6>`
  const text = [
    'REGISTER sip:example.com SIP/2.0',
    `Via: SIP/2.0/UDP edge.example.com;branch=z9hG4bK-edge-${i}`,
    `Via: SIP/2.0/WSS ${i}abc.invalid;branch=z9hG4bK-${i}`,
    'Max-Forwards: 69',
    `To: <sip:user${i}@example.com>`,
    `From: <sip:user${i}@example.com>;tag=${i}t`,
    `Call-ID: ${i}-kdjf83jfsldkfjsldkf`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:${i}x7@df7jal23ls0d.invalid;transport=ws;ob>;+sip.ice;reg-id=1;+sip.instance="${instance}";expires=600`,
    `Path: <sip:edge.example.com;lr;ob;flow=${i}f>`,
    'Supported: path, gruu, outbound',
    'User-Agent: JsSIP 3.10.0',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
  const r = parseMessage(Buffer.from(text, 'latin1'))
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad request')
  return r.message
}

const store = createMemoryLocationStore({ maxAors: count + 1 })
const registrar = createRegistrar(
  { domains: ['example.com'], outbound: true, gruu: true, gruuSecret: 'bench' },
  { store },
)
const source = { address: '192.0.2.1', port: 5060, transport: 'udp' }

gc()
const before = process.memoryUsage().heapUsed
const start = performance.now()
for (let i = 0; i < count; i++) {
  const res = await registrar.register(request(i), { source })
  if (res.status !== 200) throw new Error(`REGISTER ${i}: ${res.status}`)
}
const elapsed = performance.now() - start
gc()
gc()
const after = process.memoryUsage().heapUsed
if (store.bindingCount !== count) throw new Error(`expected ${count} bindings, have ${store.bindingCount}`)

const perBinding = (after - before) / count
console.log(`bindings:            ${count}`)
console.log(`heap growth:         ${((after - before) / 1048576).toFixed(1)} MiB`)
console.log(`memory per binding:  ${perBinding.toFixed(0)} bytes (AOR entry, binding, wheel and flow index)`)
console.log(
  `REGISTER throughput: ${Math.round(count / (elapsed / 1000))}/s (parse + register + 200, one core)`,
)
registrar.close()
await store.close()
