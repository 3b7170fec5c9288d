import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { z } from 'zod'
import { createRpcDispatcher, RpcError, rpcErrorCodes, rpcMethod } from './rpc.ts'

const dispatcher = createRpcDispatcher({
  methods: {
    add: (params) => {
      const [a, b] = params as number[]
      return (a ?? 0) + (b ?? 0)
    },
    greet: rpcMethod(z.strictObject({ name: z.string() }), ({ name }) => `hello ${name}`),
    teapot: () => {
      throw new RpcError(-32000, 'teapot')
    },
    circular: () => {
      const o: Record<string, unknown> = {}
      o['self'] = o
      return o
    },
  },
  maxBatchSize: 3,
})

const handle = async (body: unknown) => {
  const out = await dispatcher.handle(typeof body === 'string' ? body : JSON.stringify(body))
  return out === undefined ? undefined : JSON.parse(out)
}

describe('createRpcDispatcher (JSON-RPC 2.0, without HTTP)', () => {
  test('the examples of the specification §7: positional params, named params, notification', async () => {
    assert.deepEqual(await handle({ jsonrpc: '2.0', method: 'add', params: [42, 23], id: 1 }), {
      jsonrpc: '2.0',
      id: 1,
      result: 65,
    })
    assert.deepEqual(await handle({ jsonrpc: '2.0', method: 'greet', params: { name: 'bob' }, id: 'x' }), {
      jsonrpc: '2.0',
      id: 'x',
      result: 'hello bob',
    })
    assert.equal(await handle({ jsonrpc: '2.0', method: 'add', params: [1, 2] }), undefined)
    assert.equal(await handle([{ jsonrpc: '2.0', method: 'add' }]), undefined)
  })

  test('error codes', async () => {
    assert.equal((await handle('{')).error.code, rpcErrorCodes.PARSE_ERROR)
    assert.equal((await handle({ jsonrpc: '2.0', id: 1 })).error.code, rpcErrorCodes.INVALID_REQUEST)
    assert.equal(
      (await handle({ jsonrpc: '2.0', method: 'nope', id: 1 })).error.code,
      rpcErrorCodes.METHOD_NOT_FOUND,
    )
    assert.equal(
      (await handle({ jsonrpc: '2.0', method: 'greet', params: {}, id: 1 })).error.code,
      rpcErrorCodes.INVALID_PARAMS,
    )
    assert.deepEqual((await handle({ jsonrpc: '2.0', method: 'teapot', id: 1 })).error, {
      code: -32000,
      message: 'teapot',
    })
    const circular = await handle({ jsonrpc: '2.0', method: 'circular', id: 9 })
    assert.equal(circular.id, 9)
    assert.equal(circular.error.code, rpcErrorCodes.INTERNAL_ERROR)
  })

  test('batches: in order, bounded', async () => {
    const out = await handle([
      { jsonrpc: '2.0', method: 'add', params: [1, 1], id: 1 },
      { jsonrpc: '2.0', method: 'add', params: [2, 2], id: 2 },
    ])
    assert.deepEqual(
      out.map((r: { result: number }) => r.result),
      [2, 4],
    )
    const big = await handle(Array.from({ length: 4 }, (_, id) => ({ jsonrpc: '2.0', method: 'add', id })))
    assert.equal(big.error.code, rpcErrorCodes.INVALID_REQUEST)
  })

  test('the method names, sorted', () => {
    assert.deepEqual(dispatcher.methods, ['add', 'circular', 'greet', 'teapot'])
  })
})
