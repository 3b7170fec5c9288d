/**
 * A Prometheus histogram with one label that observes into plain arrays (a bucket search and three
 * additions: it is called once per relayed final response) and is rendered by prom-client's
 * registry at scrape time, in the exposition a prom-client `Histogram` gives for the same
 * observations (`_bucket` with `le` first, `_sum`, `_count`; label values in the order they were
 * first observed, those never observed left out).
 */
import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client'

export interface FastHistogram {
  /** Adds one observation of `value` under the label value at `index` of `labelValues`. */
  observe(index: number, value: number): void
}

export interface FastHistogramOptions {
  readonly name: string
  readonly help: string
  readonly labelName: string
  readonly labelValues: readonly string[]
  /** Upper bounds, ascending; `+Inf` is added. */
  readonly buckets: readonly number[]
  readonly registers: readonly Registry[]
}

export function createFastHistogram(options: FastHistogramOptions): FastHistogram {
  const { name, help, labelName, labelValues, buckets } = options
  const width = buckets.length + 1 // the last one: above every bound (+Inf only)
  // per label value: bucket counts (not cumulative), then sum and count
  let counts = new Float64Array(labelValues.length * width)
  let sums = new Float64Array(labelValues.length)
  let totals = new Float64Array(labelValues.length)
  let order: number[] = [] // label indexes, in the order of their first observation

  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
      const values: MetricValueWithName<string>[] = []
      for (const i of order) {
        const label = labelValues[i]!
        let cumulative = 0
        for (let b = 0; b < width; b++) {
          cumulative += counts[i * width + b]!
          values.push({
            labels: { le: b < buckets.length ? buckets[b]! : '+Inf', [labelName]: label },
            value: cumulative,
            metricName: `${name}_bucket`,
          })
        }
        values.push({ labels: { [labelName]: label }, value: sums[i]!, metricName: `${name}_sum` })
        values.push({ labels: { [labelName]: label }, value: totals[i]!, metricName: `${name}_count` })
      }
      return Promise.resolve({ name, help, type: 'histogram', values, aggregator: 'sum' } as never)
    },
    reset(): void {
      counts = new Float64Array(counts.length)
      sums = new Float64Array(sums.length)
      totals = new Float64Array(totals.length)
      order = []
    },
  }
  for (const registry of options.registers) registry.registerMetric(metric as unknown as Metric)

  return {
    observe(index, value) {
      let b = 0
      while (b < buckets.length && value > buckets[b]!) b++
      if (totals[index] === 0) order.push(index)
      counts[index * width + b]!++
      sums[index]! += value
      totals[index]!++
    },
  }
}
