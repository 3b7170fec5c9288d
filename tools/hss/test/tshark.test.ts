/**
 * tshark (Wireshark's own Diameter dissector and dictionary) as an independent oracle for what
 * junction-hss sends: a real process answers a client's CER, UAR, MAR (two vectors), SAR, LIR and
 * DWR; every message of the connection (as sent and received, from the node's diagnostics
 * channels) is written to a pcap on TCP port 3868 and read with `tshark -r`. No frame may be
 * malformed or carry an expert warning, and tshark must name the Cx results and AVPs we expect.
 *
 * Skipped when tshark is not installed, except under CI=true, where that is a failure.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { type DiameterMessage, encodeMessage } from '@junction/diameter'
import { createCxClient } from '@junction/diameter-cx'
import { commandRuns, pcap, type Segment, skipUnless } from '@junction/test-support'
import { clientNode, killAll, record, startHss, subscribers, tempDir, until, writeConfig } from './helpers.ts'

const skip = skipUnless(
  commandRuns('tshark', ['--version']),
  'tshark is not installed (apt-get install tshark)',
)

const dir = tempDir('tshark')
after(async () => {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
})

test('tshark decodes the answers of junction-hss as Diameter Cx with no malformed frame', {
  skip,
}, async () => {
  const config = writeConfig(dir, subscribers())
  const hss = await startHss(['-c', config, '--state-file', join(dir, 'state.json'), '-l', '127.0.0.1:0'])
  const out = record('junction:diameter:message-out')
  const inn = record('junction:diameter:message-in')
  const node = await clientNode([{ host: 'hss.ims.test', port: hss.port }], { tw: 1000 })
  try {
    const cx = createCxClient(node, { destinationRealm: 'ims.test' })
    const alice = { impi: 'alice@ims.test', impu: 'sip:alice@ims.test' }
    await cx.uar({ ...alice, visitedNetworkIdentifier: 'ims.test' })
    await cx.mar({ ...alice, serverName: 'sip:scscf.ims.test:6060', items: 2 })
    await cx.sar({
      ...alice,
      impus: [alice.impu],
      serverName: 'sip:scscf.ims.test:6060',
      assignmentType: 'REGISTRATION',
      userDataAlreadyAvailable: false,
    })
    await cx.lir({ impu: 'sip:carol@ims.test' })
    await cx.uar({ impi: 'x@ims.test', impu: 'sip:x@ims.test', visitedNetworkIdentifier: 'ims.test' })
    // one watchdog exchange (Tw 1 s, nothing else on the connection)
    await until(() => inn.events.some((e) => (e['message'] as DiameterMessage).name === 'DWA'), 5000, 'DWA')
  } finally {
    out.stop()
    inn.stop()
    await node.stop()
  }
  const segments: (Segment & { at: number })[] = [
    ...out.events.map((e) => ({
      fromClient: true,
      payload: encodeMessage(e['message'] as DiameterMessage),
      at: e['at'] as number,
    })),
    ...inn.events.map((e) => ({
      fromClient: false,
      payload: (e['message'] as DiameterMessage).bytes!,
      at: e['at'] as number,
    })),
  ].sort((a, b) => a.at - b.at)
  const file = join(dir, 'hss.pcap')
  writeFileSync(file, pcap(segments))

  const problems = execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-Y',
      '_ws.malformed || _ws.expert.severity >= "Warning"',
      '-T',
      'fields',
      '-e',
      'frame.number',
      '-e',
      '_ws.expert.message',
    ],
    { encoding: 'utf8' },
  )
  assert.equal(problems.trim(), '', `tshark found problems:\n${problems}`)
  const text = execFileSync('tshark', ['-r', file, '-V', '-Y', 'diameter.flags.request == 0'], {
    encoding: 'utf8',
  })
  const answers = segments.filter((s) => !s.fromClient).length
  assert.equal(text.match(/^Frame \d+:/gm)?.length, answers, 'every answer is a Diameter frame')
  for (const expected of [
    /Command Code: Capabilities-Exchange \(257\)/,
    /Product-Name: junction-hss/,
    /Command Code: User-Authorization \(300\)/,
    /Experimental-Result-Code: DIAMETER_FIRST_REGISTRATION \(2001\)/,
    /Server-Name: sip:scscf\.ims\.test:6060/,
    /Command Code: Multimedia-Auth \(303\)/,
    /SIP-Number-Auth-Items: 2/,
    /SIP-Authenticate: [0-9a-f]{64}/,
    /Confidentiality-Key: [0-9a-f]{32}/,
    /Command Code: Server-Assignment \(301\)/,
    /<IMSSubscription>/,
    /Command Code: Location-Info \(302\)/,
    /Experimental-Result-Code: DIAMETER_UNREGISTERED_SERVICE \(2003\)/,
    /Experimental-Result-Code: DIAMETER_ERROR_USER_UNKNOWN \(5001\)/,
    /Command Code: Device-Watchdog \(280\)/,
  ])
    assert.match(text, expected)
})
