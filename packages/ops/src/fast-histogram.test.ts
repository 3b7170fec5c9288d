import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { Histogram, Registry } from 'prom-client'
import { createFastHistogram } from './fast-histogram.ts'

const labelValues = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx', 'other']
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 32]

/** The same observations into a prom-client Histogram and a fast one: their expositions. */
async function both(observations: ReadonlyArray<readonly [number, number]>): Promise<[string, string]> {
  const reference = new Registry()
  const ours = new Registry()
  const histogram = new Histogram({
    name: 'x_seconds',
    help: 'h',
    labelNames: ['status_class'],
    buckets,
    registers: [reference],
  })
  const fast = createFastHistogram({
    name: 'x_seconds',
    help: 'h',
    labelName: 'status_class',
    labelValues,
    buckets,
    registers: [ours],
  })
  for (const [index, value] of observations) {
    histogram.labels({ status_class: labelValues[index]! }).observe(value)
    fast.observe(index, value)
  }
  return [await reference.metrics(), await ours.metrics()]
}

describe('createFastHistogram', () => {
  test('renders what a prom-client Histogram renders for the same observations (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: labelValues.length - 1 }),
            fc.oneof(fc.constantFrom(0, ...buckets, 33, 1e6), fc.double({ min: 0, max: 100, noNaN: true })),
          ),
          { maxLength: 60 },
        ),
        async (observations) => {
          const [reference, ours] = await both(observations)
          assert.equal(ours, reference)
        },
      ),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 10_000) },
    )
  })

  test('counts a value equal to a bound in that bound, and above every bound in +Inf only', async () => {
    const [, ours] = await both([
      [1, 0.025],
      [1, 40],
    ])
    assert.match(ours, /x_seconds_bucket\{le="0.01",status_class="2xx"\} 0\n/)
    assert.match(ours, /x_seconds_bucket\{le="0.025",status_class="2xx"\} 1\n/)
    assert.match(ours, /x_seconds_bucket\{le="32",status_class="2xx"\} 1\n/)
    assert.match(ours, /x_seconds_bucket\{le="\+Inf",status_class="2xx"\} 2\n/)
    assert.match(ours, /x_seconds_sum\{status_class="2xx"\} 40.025\n/)
    assert.match(ours, /x_seconds_count\{status_class="2xx"\} 2\n/)
    assert.doesNotMatch(ours, /status_class="1xx"/, 'a label value never observed is left out')
  })

  test('a registry reset empties it', async () => {
    const registry = new Registry()
    const fast = createFastHistogram({
      name: 'y_seconds',
      help: 'h',
      labelName: 'status_class',
      labelValues,
      buckets,
      registers: [registry],
    })
    fast.observe(0, 1)
    assert.match(await registry.metrics(), /y_seconds_count\{status_class="1xx"\} 1/)
    registry.resetMetrics()
    assert.doesNotMatch(await registry.metrics(), /y_seconds_count/)
  })
})
