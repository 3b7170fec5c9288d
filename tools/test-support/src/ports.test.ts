import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { freePort, freePorts } from './ports.ts'

test('freePort: a port both TCP and UDP can bind on 127.0.0.1, never one of taken', async () => {
  const first = await freePort()
  const port = await freePort([first])
  assert.notEqual(port, first)
  const tcp = createServer()
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve))
  const udp = createSocket('udp4')
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => udp.close(() => resolve()))
  await new Promise<void>((resolve) => tcp.close(() => resolve()))
})

test('freePorts: distinct ports', async () => {
  const ports = await freePorts(5)
  assert.equal(ports.length, 5)
  assert.equal(new Set(ports).size, 5)
})
