import { CallId, CSeq, FromTag, MaxForwards, parseMessage, Route, ToTag, Via } from '@junction/sip'
import { corpus } from '/work/main/bench/codec-corpus.ts'

let sink = 0
function p(bytes: Uint8Array) {
  const r = parseMessage(bytes)
  if (!r.ok) throw new Error()
  const h = r.message.headers
  sink += h.first(Via) ? 1 : 0
  sink += h.get(ToTag) ? 1 : 0
  sink += h.get(FromTag) ? 1 : 0
  sink += h.get(CallId) ? 1 : 0
  sink += h.get(CSeq) ? 1 : 0
  sink += h.get(Route) ? 1 : 0
  sink += h.get(MaxForwards) ?? 0
}
const which = process.argv[2]
const msgs = corpus.filter((c) => !which || c.name === which)
for (let round = 0; round < 5; round++) {
  const t = process.hrtime.bigint()
  const N = 200000
  for (let i = 0; i < N; i++) for (const m of msgs) p(m.bytes)
  const ns = Number(process.hrtime.bigint() - t) / N / msgs.length
  console.log(which ?? 'all', ns.toFixed(0), 'ns/parse')
}
console.log(sink > 0)
