/**
 * Interop with SIPp (Debian `sip-tester`): SIPp as UAC against a small UAS built on these layers
 * (OPTIONS, and INVITE/ACK/BYE), over UDP and TCP; and SIPp as UAS for our client transactions.
 * Every run is bounded in calls (-m) and time (timeout). Without sipp the tests skip, visibly;
 * under CI=true a missing sipp fails them.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  CSeq,
  createRequest,
  createResponse,
  From,
  parseUri,
  type SipRequest,
  type SipResponse,
  sipUri,
  To,
} from '@junction/sip'
import { createTransport, type Transport } from '@junction/transport'
import { createTransactionLayer, type TransactionLayer } from '../src/index.ts'

const hasSipp = spawnSync('sipp', ['-v']).error === undefined
const skip = hasSipp ? false : 'sipp is not installed (apt-get install sip-tester)'
if (!hasSipp && process.env['CI'] === 'true') {
  test('sipp is installed (required under CI=true)', () => assert.fail('sipp is missing'))
}

interface Sipp {
  code: number | null
  stdout: string
  stderr: string
}

function runSipp(args: string[], seconds: number): Promise<Sipp> {
  return new Promise((resolve) => {
    const child = spawn('timeout', [String(seconds), 'sipp', ...args, '-nostdin'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A UAS: 200 to OPTIONS and BYE; 180 then 200 to INVITE; 2xx ACKs taken as they come. */
async function startUas(
  transport: 'udp' | 'tcp',
): Promise<{ t: Transport; layer: TransactionLayer; calls: number[] }> {
  const calls = [0]
  let layer: TransactionLayer | undefined
  const t = createTransport(
    { listen: [`${transport}:127.0.0.1:0`] },
    { receive: (m, f) => layer!.receive(m, f) },
  )
  layer = createTransactionLayer({
    transport: t,
    user: {
      onRequest(tx) {
        const req = tx.request
        const contact = {
          headers: { Contact: `<sip:uas@127.0.0.1:${t.listeners[0]!.port};transport=${transport}>` },
        }
        if (req.method === 'INVITE') {
          calls[0]!++
          tx.respond(createResponse(req, 180, undefined, { toTag: 'uas1' }))
          tx.respond(createResponse(req, 200, undefined, { toTag: 'uas1', ...contact }))
        } else tx.respond(createResponse(req, 200, undefined, contact))
      },
      onAck() {},
    },
  })
  await t.start()
  return { t, layer, calls }
}

const scenarioDir = fileURLToPath(new URL('./sipp/', import.meta.url))

describe('SIPp as UAC against our UAS', { skip }, () => {
  for (const transport of ['udp', 'tcp'] as const) {
    const mode = transport === 'udp' ? 'u1' : 't1'
    test(`OPTIONS over ${transport}: 20 transactions, 0 failed`, async () => {
      const uas = await startUas(transport)
      try {
        const port = uas.t.listeners[0]!.port
        const r = await runSipp(
          [
            '-sf',
            `${scenarioDir}options-uac.xml`,
            `127.0.0.1:${port}`,
            '-t',
            mode,
            '-i',
            '127.0.0.1',
            '-p',
            '0',
            '-m',
            '20',
            '-r',
            '20',
            '-timeout',
            '20s',
            '-timeout_error',
          ],
          30,
        )
        assert.equal(r.code, 0, `sipp exit ${r.code}: ${r.stderr}${r.stdout.slice(-2000)}`)
      } finally {
        await uas.t.stop()
        uas.layer.close()
      }
    })

    test(`INVITE/ACK/BYE over ${transport}: 20 calls, 0 failed`, async () => {
      const uas = await startUas(transport)
      try {
        const port = uas.t.listeners[0]!.port
        const r = await runSipp(
          [
            '-sn',
            'uac',
            `127.0.0.1:${port}`,
            '-t',
            mode,
            '-i',
            '127.0.0.1',
            '-p',
            '0',
            '-m',
            '20',
            '-r',
            '20',
            '-d',
            '100',
            '-timeout',
            '30s',
            '-timeout_error',
          ],
          40,
        )
        assert.equal(r.code, 0, `sipp exit ${r.code}: ${r.stderr}${r.stdout.slice(-2000)}`)
        assert.equal(uas.calls[0], 20)
      } finally {
        await uas.t.stop()
        uas.layer.close()
      }
    })
  }
})

describe('SIPp as UAS for our client transactions', { skip }, () => {
  for (const transport of ['udp', 'tcp'] as const) {
    test(`INVITE, ACK for the 2xx, BYE over ${transport}`, async () => {
      const sippPort = 15000 + Math.floor(Math.random() * 10000)
      const mode = transport === 'udp' ? 'u1' : 't1'
      const sipp = runSipp(
        [
          '-sn',
          'uas',
          '-i',
          '127.0.0.1',
          '-p',
          String(sippPort),
          '-t',
          mode,
          '-m',
          '1',
          '-timeout',
          '20s',
          '-timeout_error',
        ],
        30,
      )
      await new Promise((resolve) => setTimeout(resolve, 500)) // let sipp bind
      let layer: TransactionLayer | undefined
      const t = createTransport(
        { listen: [`${transport}:127.0.0.1:0`] },
        { receive: (m, f) => layer!.receive(m, f) },
      )
      layer = createTransactionLayer({
        transport: t,
        user: { onRequest: (tx) => tx.respond(createResponse(tx.request, 501)) },
      })
      await t.start()
      try {
        const target = { transport, address: '127.0.0.1', port: sippPort } as const
        const invite = createRequest({
          method: 'INVITE',
          uri: `sip:service@127.0.0.1:${sippPort}`,
          from: 'sip:junction@127.0.0.1',
          to: `sip:service@127.0.0.1:${sippPort}`,
          contact: { uri: sipUri({ user: 'junction', host: '127.0.0.1', port: t.listeners[0]!.port }) },
          body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n',
          contentType: 'application/sdp',
        })
        const final = await new Promise<SipResponse>((resolve, reject) => {
          layer!.request(invite, target, {
            onResponse: (res) => {
              if (res.status >= 200) resolve(res)
            },
            onTimeout: () => reject(new Error('INVITE timed out')),
            onTransportError: (_tx, e) => reject(e),
          })
        })
        assert.equal(final.status, 200)
        // §13.2.2.4: the UAC core ACKs the 2xx, end to end, outside the transaction
        const inDialog = (method: string, seq: number): SipRequest =>
          createRequest({
            method,
            uri: parseUri(`sip:service@127.0.0.1:${sippPort}`)!,
            from: invite.headers.get(From)!,
            to: final.headers.get(To)!,
            callId: invite.headers.raw('Call-ID')[0]!,
            cseq: seq,
            via: { transport: transport.toUpperCase(), host: '127.0.0.1' },
          })
        await t.sendRequest(inDialog('ACK', invite.headers.get(CSeq)!.seq), target)
        const byeFinal = await new Promise<SipResponse>((resolve, reject) => {
          layer!.request(inDialog('BYE', invite.headers.get(CSeq)!.seq + 1), target, {
            onResponse: (res) => {
              if (res.status >= 200) resolve(res)
            },
            onTimeout: () => reject(new Error('BYE timed out')),
          })
        })
        assert.equal(byeFinal.status, 200)
        const r = await sipp
        assert.equal(r.code, 0, `sipp exit ${r.code}: ${r.stderr}${r.stdout.slice(-2000)}`)
      } finally {
        await t.stop()
        layer.close()
      }
    })
  }
})
