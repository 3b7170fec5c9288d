/**
 * TLS certificates reloaded from their files while connections are open: the open connections
 * keep working, new connections get the new certificate, and a bad replacement is refused while
 * the certificate in service stays.
 */
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { copyFileSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect, type TLSSocket } from 'node:tls'
import { createRequest, createResponse, serialize } from '@junction/sip'
import { createTransport, type Transport } from '../src/transport.ts'
import { createTestPki } from './certs.ts'

function open(port: number, ca: Buffer): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'proxy.test', ca: [ca] }, () => resolve(s))
    s.once('error', reject)
  })
}

/** Sends one OPTIONS on the connection and waits for the response's status line. */
function ping(s: TLSSocket): Promise<string> {
  const req = createRequest({
    method: 'OPTIONS',
    uri: 'sip:proxy.test',
    from: 'sip:a@example.com',
    to: 'sip:proxy.test',
    via: { transport: 'TLS', host: '127.0.0.1' },
  })
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (d: Buffer) => {
      text += d.toString('latin1')
      if (text.includes('\r\n\r\n')) {
        s.off('data', onData)
        resolve(text.split('\r\n')[0]!)
      }
    }
    s.on('data', onData)
    s.write(serialize(req))
    setTimeout(() => reject(new Error('no response')), 3000)
  })
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Replaces a file the way deploy tools do: write aside, then rename over it. */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.new`)
  renameSync(`${to}.new`, to)
}

test('certificates reload with no dropped connection and no restart', async () => {
  const pki = createTestPki()
  const ca = readFileSync(pki.ca)
  const v1 = pki.issue('v1', ['proxy.test', '127.0.0.1']) // serial 1
  const v2 = pki.issue('v2', ['proxy.test', '127.0.0.1']) // serial 2
  const other = pki.issue('other', ['other.test']) // serial 3
  const cert = join(pki.dir, 'live.pem')
  const key = join(pki.dir, 'live.key')
  copyFileSync(v1.cert, cert)
  copyFileSync(v1.key, key)

  const reloads: Array<{ error?: unknown }> = []
  const onReload = (m: unknown) => reloads.push(m as { error?: unknown })
  subscribe('junction:transport:certificates-reload', onReload)
  let t: Transport | undefined
  t = createTransport(
    { listen: [{ transport: 'tls', host: '127.0.0.1', port: 0, tls: { cert, key, reloadInterval: 50 } }] },
    {
      receive(message, flow) {
        if (message.kind === 'request') t!.sendResponse(createResponse(message, 200), flow).catch(() => {})
      },
    },
  )
  await t.start()
  const port = t.listeners[0]!.port
  const sockets: TLSSocket[] = []
  try {
    const first = await open(port, ca)
    sockets.push(first)
    assert.equal(first.getPeerCertificate().serialNumber, '01')
    assert.match(await ping(first), /^SIP\/2\.0 200/)

    // new certificate and key, replaced on disk one after the other
    replace(v2.cert, cert)
    replace(v2.key, key)
    await until(async () => {
      const probe = await open(port, ca)
      sockets.push(probe)
      return probe.getPeerCertificate().serialNumber === '02'
    })
    assert.match(await ping(first), /^SIP\/2\.0 200/, 'the connection opened before the reload still works')
    const second = await open(port, ca)
    sockets.push(second)
    assert.equal(second.getPeerCertificate().serialNumber, '02')
    assert.match(await ping(second), /^SIP\/2\.0 200/)

    // a certificate that does not match the key in place: refused, v2 stays in service
    const failuresBefore = reloads.filter((r) => r.error !== undefined).length
    replace(other.cert, cert)
    await until(() => reloads.filter((r) => r.error !== undefined).length > failuresBefore)
    const third = await open(port, ca)
    sockets.push(third)
    assert.equal(third.getPeerCertificate().serialNumber, '02')
    assert.match(await ping(first), /^SIP\/2\.0 200/)
  } finally {
    for (const s of sockets) s.destroy()
    unsubscribe('junction:transport:certificates-reload', onReload)
    await t.stop()
  }
})
