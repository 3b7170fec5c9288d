import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { type TestContext, test } from 'node:test'
import { createDatagramQueue } from './datagram-queue.ts'

async function bound(): Promise<Socket> {
  const s = createSocket('udp4')
  s.bind(0, '127.0.0.1')
  await once(s, 'listening')
  return s
}

/** Two bound sockets, closed when the test ends. */
async function pair(t: TestContext): Promise<[Socket, Socket]> {
  const a = await bound()
  const b = await bound()
  t.after(() => {
    a.close()
    b.close()
  })
  return [a, b]
}

/** Collects the text of the next `n` datagrams `s` receives. */
function receive(s: Socket, n: number): Promise<string[]> {
  const got: string[] = []
  return new Promise((resolve) => {
    s.on('message', (m) => {
      got.push(m.toString())
      if (got.length === n) resolve(got)
    })
  })
}

test('datagrams queued in one turn leave after it, in order, each called back', async (t) => {
  const [a, b] = await pair(t)
  const q = createDatagramQueue()
  const arrived = receive(b, 3)
  const done: Array<Error | null> = []
  const port = b.address().port
  for (const text of ['one', 'two', 'three']) {
    q.send(a, Buffer.from(text), port, '127.0.0.1', (e) => done.push(e))
  }
  // nothing is sent during the turn that queued them
  let sentSync = false
  b.once('message', () => {
    sentSync = true
  })
  await Promise.resolve()
  assert.equal(sentSync, false)
  assert.equal(done.length, 0)
  assert.deepEqual(await arrived, ['one', 'two', 'three'])
  assert.deepEqual(done, [null, null, null])
})

test('the queue is sent at once when it reaches its bound', async (t) => {
  const [a, b] = await pair(t)
  const q = createDatagramQueue(2)
  const arrived = receive(b, 3)
  const port = b.address().port
  const done: string[] = []
  q.send(a, Buffer.from('1'), port, '127.0.0.1', () => done.push('1'))
  q.send(a, Buffer.from('2'), port, '127.0.0.1', () => done.push('2'))
  q.send(a, Buffer.from('3'), port, '127.0.0.1', () => done.push('3'))
  // the first two went to the socket synchronously: their callbacks come on the next tick, before
  // the check phase that sends the third
  await new Promise<void>((resolve) => process.nextTick(resolve))
  assert.deepEqual(done, ['1', '2'])
  assert.deepEqual(await arrived, ['1', '2', '3'])
})

test('a socket closed before the queue leaves gives its callback the error, and the others still go', async (t) => {
  const [a, b] = await pair(t)
  const closed = await bound()
  const q = createDatagramQueue()
  const port = b.address().port
  const arrived = receive(b, 1)
  const errors: Array<Error | null> = []
  q.send(closed, Buffer.from('lost'), port, '127.0.0.1', (e) => errors.push(e))
  q.send(a, Buffer.from('kept'), port, '127.0.0.1', (e) => errors.push(e))
  closed.close()
  assert.deepEqual(await arrived, ['kept'])
  await new Promise<void>((resolve) => setImmediate(resolve))
  assert.equal(errors.length, 2)
  assert.match(String((errors[0] as NodeJS.ErrnoException).code), /ERR_SOCKET_DGRAM_NOT_RUNNING/)
  assert.equal(errors[1], null)
})

test('flush() sends what is queued at once, not in the check phase', async (t) => {
  const [a, b] = await pair(t)
  const q = createDatagramQueue()
  const arrived = receive(b, 1)
  let done = false
  // registered before the queue's own setImmediate, so it runs first: without flush() the
  // datagram would still be queued there
  const checked = new Promise<boolean>((resolve) => setImmediate(() => resolve(done)))
  q.send(a, Buffer.from('now'), b.address().port, '127.0.0.1', () => {
    done = true
  })
  q.flush()
  assert.equal(await checked, true)
  assert.deepEqual(await arrived, ['now'])
})
