/**
 * TLS details: RFC 5922 server identity checks on outgoing connections, SNI with several
 * certificates, and optional client-certificate verification.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, test } from 'node:test'
import { connect } from 'node:tls'
import { createRequest, createResponse } from '@junction/sip'
import { createTransport, type Transport } from '../src/transport.ts'
import { createTestPki, type TestPki } from './certs.ts'

let pki: TestPki
before(() => {
  pki = createTestPki()
})

const options = () =>
  createRequest({
    method: 'OPTIONS',
    uri: 'sip:b@127.0.0.1',
    from: 'sip:a@example.com',
    to: 'sip:b@example.com',
  })

async function tlsServer(tls: Parameters<typeof createTransport>[0]['listen'][number]): Promise<Transport> {
  let t: Transport | undefined
  t = createTransport(
    { listen: [tls] },
    {
      receive(m, flow) {
        if (m.kind === 'request') t!.sendResponse(createResponse(m, 200), flow).catch(() => {})
      },
    },
  )
  await t.start()
  return t
}

test('RFC 5922: an outgoing TLS connection checks the certificate against the URI domain', async () => {
  const cert = pki.issue('srv', ['sip.example.test'])
  const server = await tlsServer({ transport: 'tls', host: '127.0.0.1', port: 0, tls: cert })
  const client = createTransport(
    { listen: [{ transport: 'tls', host: '127.0.0.1', port: 0, tls: cert }], tlsClient: { ca: pki.ca } },
    { receive() {} },
  )
  await client.start()
  try {
    const port = server.listeners[0]!.port
    await client.sendRequest(options(), {
      transport: 'tls',
      address: '127.0.0.1',
      port,
      serverName: 'sip.example.test',
    })
    await assert.rejects(
      client.sendRequest(options(), {
        transport: 'tls',
        address: '127.0.0.1',
        port,
        serverName: 'other.example.test',
      }),
      /altnames|Hostname|certificate/i,
    )
  } finally {
    await client.stop()
    await server.stop()
  }
})

test('SNI: each server name gets its own certificate; others get the default one', async () => {
  const main = pki.issue('main', ['main.test'])
  const alt = pki.issue('alt', ['alt.test'])
  const server = await tlsServer({
    transport: 'tls',
    host: '127.0.0.1',
    port: 0,
    tls: { ...main, sni: [{ servername: 'alt.test', ...alt }] },
  })
  const ca = readFileSync(pki.ca)
  const subjectFor = (servername: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(
        {
          host: '127.0.0.1',
          port: server.listeners[0]!.port,
          servername,
          ca: [ca],
          rejectUnauthorized: false,
        },
        () => {
          resolve(String(s.getPeerCertificate().subject.CN))
          s.destroy()
        },
      )
      s.once('error', reject)
    })
  try {
    assert.equal(await subjectFor('alt.test'), 'alt.test')
    assert.equal(await subjectFor('main.test'), 'main.test')
    assert.equal(await subjectFor('unknown.test'), 'main.test')
  } finally {
    await server.stop()
  }
})

test('client certificates: required and verified when requestCert is set', async () => {
  const srv = pki.issue('mtls-srv', ['mtls.test', '127.0.0.1'])
  const goodClient = pki.issue('mtls-client', ['client.test'])
  const server = await tlsServer({
    transport: 'tls',
    host: '127.0.0.1',
    port: 0,
    tls: { ...srv, ca: pki.ca, requestCert: true },
  })
  const ca = readFileSync(pki.ca)
  const port = server.listeners[0]!.port
  const handshake = (withCert: boolean) =>
    new Promise<boolean>((resolve) => {
      const s = connect({
        host: '127.0.0.1',
        port,
        servername: 'mtls.test',
        ca: [ca],
        ...(withCert ? { cert: readFileSync(goodClient.cert), key: readFileSync(goodClient.key) } : {}),
      })
      // TLS 1.3 reports a refused client certificate after the handshake: write and watch for a close
      s.once('secureConnect', () => {
        s.write('\r\n\r\n')
        s.once('data', () => {
          resolve(true)
          s.destroy()
        })
      })
      s.once('error', () => resolve(false))
      s.once('close', () => resolve(false))
    })
  try {
    assert.equal(
      await handshake(true),
      true,
      'a client certificate from the CA is accepted (a ping gets its pong)',
    )
    assert.equal(await handshake(false), false, 'no client certificate: refused')
  } finally {
    await server.stop()
  }
})
