/**
 * tshark (Wireshark's dissector and its own Diameter dictionary) as an independent decoding
 * oracle (ims.md §5(d)): our messages of every command, written to a pcap on TCP port 3868, must
 * decode with no malformed packet and no expert warning, and every AVP tshark shows (code, flags,
 * length, vendor, name, value) must equal what we encoded, grouped AVPs included.
 *
 * Skipped when tshark is not installed, except under CI=true, where that is a failure.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { commandRuns, pcap, skipUnless } from '@junction/test-support'
import { type Avp, type DiameterMessage, decodeMessage, encodeMessage } from '../src/index.ts'
import { samples } from './messages.ts'

const available = commandRuns('tshark', ['--version'])
const skip = skipUnless(available, 'tshark is not installed (apt-get install tshark)')

/** Wireshark's names for the AVPs it calls differently (TGPP.xml, dictionary.xml). */
const ALIASES: Record<string, string> = {
  'Cx-User-Data': 'User-Data',
  'Wildcarded-PSI': 'Wildcarded-Public-Identity',
  'Digest-Qop': 'Digest-QoP',
}

/** One AVP as tshark shows it. */
interface Shown {
  code: number
  flags: number
  length: number
  vendorId: number
  name: string
  value: string
  children: Shown[] | undefined
}

const STRUCTURAL = new Set([
  'diameter.avp.code',
  'diameter.avp.flags',
  'diameter.avp.flags_tree',
  'diameter.avp.len',
  'diameter.avp.vendorId',
  'diameter.avp.pad',
  'diameter.vendorId',
])

type Json = Record<string, unknown>

function list(x: unknown): Json[] {
  if (x === undefined) return []
  return Array.isArray(x) ? (x as Json[]) : [x as Json]
}

function shown(t: Json): Shown {
  const key = Object.keys(t).find(
    (k) => k.startsWith('diameter.') && !STRUCTURAL.has(k) && !k.endsWith('_tree'),
  )
  assert.ok(key !== undefined, `no value field in ${JSON.stringify(t)}`)
  const raw = key.slice('diameter.'.length).replace(/^3GPP-/, '')
  const sub = t[`${key}_tree`] as Json | undefined
  const inner = sub?.['diameter.avp_tree']
  // an Address shows its family and address in a subtree
  const ip = sub?.[`${key}.IPv4`] ?? sub?.[`${key}.IPv6`]
  return {
    code: Number(t['diameter.avp.code']),
    flags: Number(t['diameter.avp.flags']),
    length: Number(t['diameter.avp.len']),
    vendorId: Number(t['diameter.avp.vendorId'] ?? 0),
    name: ALIASES[raw] ?? raw,
    value: String(ip ?? t[key]),
    children: inner === undefined ? undefined : list(inner).map(shown),
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':')

/** What tshark should show for one of our AVPs. */
function expected(a: Avp): Shown {
  const def = a.def
  let value: string
  const v = a.value
  if (a._children !== undefined || def === undefined) value = hex(a.data)
  else if (def.type === 'OctetString') value = hex(a.data)
  else if (v instanceof Date) value = ''
  else value = String(v)
  return {
    code: a.code,
    flags: a.flags,
    length: a.length,
    vendorId: a.vendorId,
    name: def?.name ?? '',
    value,
    children: a._children?.map(expected),
  }
}

function compare(ours: Shown, theirs: Shown, path: string): void {
  const where = `${path}/${ours.name}`
  assert.equal(theirs.name, ours.name, `${where}: name`)
  assert.equal(theirs.code, ours.code, `${where}: code`)
  assert.equal(theirs.flags, ours.flags, `${where}: flags`)
  assert.equal(theirs.length, ours.length, `${where}: length`)
  assert.equal(theirs.vendorId, ours.vendorId, `${where}: vendor`)
  if (ours.children !== undefined) {
    assert.ok(theirs.children !== undefined, `${where}: tshark shows no grouped content`)
    assert.equal(theirs.children.length, ours.children.length, `${where}: AVP count`)
    for (const [i, c] of ours.children.entries()) compare(c, theirs.children[i]!, where)
  } else if (ours.value !== '') {
    assert.equal(theirs.value, ours.value, `${where}: value`)
  }
}

describe('tshark decodes our messages (ims.md §5(d))', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-diameter-tshark-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const all = samples({ unknownAvp: false })
  const file = join(dir, 'cx.pcap')
  const encoded = all.map((s) => encodeMessage(s.message))
  writeFileSync(file, pcap(all.map((s, i) => ({ fromClient: s.fromClient, payload: encoded[i]! }))))
  const tshark = (...args: string[]) =>
    execFileSync('tshark', ['-r', file, '-d', 'tcp.port==3868,diameter', ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    })

  test('tshark is installed', () => {
    assert.ok(available, 'CI=true and tshark is not installed')
  })

  test('no malformed packet, no expert info at warning level or above', () => {
    const out = tshark(
      '-Y',
      '_ws.malformed || _ws.expert.severity >= "Warning"',
      '-T',
      'fields',
      '-e',
      'frame.number',
      '-e',
      '_ws.expert.message',
    )
    assert.equal(out.trim(), '')
  })

  test('every message and every AVP decodes to what we encoded', () => {
    const frames = JSON.parse(tshark('-T', 'json', '--no-duplicate-keys')) as { _source: { layers: Json } }[]
    const diameter = frames
      .map((f) => f._source.layers['diameter'] as Json | undefined)
      .filter((d) => d !== undefined)
    assert.equal(diameter.length, all.length, 'one Diameter PDU per message')
    all.forEach((s, i) => {
      const d = diameter[i]!
      const r = decodeMessage(encoded[i]!)
      assert.ok(r.ok, `${s.name} decodes`)
      const m: DiameterMessage = r.message
      assert.equal(Number(d['diameter.cmd.code']), m.commandCode, `${s.name}: command`)
      assert.equal(Number(d['diameter.flags']), m.flags, `${s.name}: flags`)
      assert.equal(Number(d['diameter.applicationId']), m.applicationId, `${s.name}: Application-Id`)
      assert.equal(Number(d['diameter.hopbyhopid']), m.hopByHop, `${s.name}: Hop-by-Hop`)
      assert.equal(Number(d['diameter.endtoendid']), m.endToEnd, `${s.name}: End-to-End`)
      assert.equal(Number(d['diameter.length']), encoded[i]!.length, `${s.name}: length`)
      const theirs = list(d['diameter.avp_tree']).map(shown)
      const ours = m.avps.items.map(expected)
      assert.equal(theirs.length, ours.length, `${s.name}: AVP count`)
      for (const [j, a] of ours.entries()) compare(a, theirs[j]!, s.name)
    })
  })

  test("User-Data reaches tshark's XML dissector (DIAMETER/XML)", () => {
    const out = tshark('-Y', 'xml', '-T', 'fields', '-e', 'diameter.cmd.code', '-e', 'xml.tag')
    const lines = out.trim().split('\n')
    assert.deepEqual(
      lines.map((l) => l.split('\t')[0]),
      ['301', '305'],
    )
    for (const l of lines) assert.match(l, /<IMSSubscription>/)
  })

  test('every Cx AVP (600-699 of 3GPP) has the V bit and Vendor-Id 10415 as tshark reads it', () => {
    const frames = JSON.parse(tshark('-T', 'json', '--no-duplicate-keys')) as { _source: { layers: Json } }[]
    let seen = 0
    const visit = (a: Shown) => {
      if (a.code >= 600 && a.code < 700 && a.vendorId !== 0) {
        seen++
        assert.equal(a.vendorId, 10415, a.name)
        assert.equal(a.flags & 0x80, 0x80, a.name)
      }
      a.children?.forEach(visit)
    }
    for (const f of frames) {
      const d = f._source.layers['diameter'] as Json | undefined
      if (d !== undefined) list(d['diameter.avp_tree']).map(shown).forEach(visit)
    }
    assert.ok(seen >= 40, `${seen} Cx AVPs`)
  })
})
