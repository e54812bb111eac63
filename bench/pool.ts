// A fixed number of workers, each awaiting one call at a time, drawing indices from a shared counter:
// "concurrency N" means exactly N calls in flight.
import { percentile } from "./stats.ts";

export interface PoolRun<T> {
  concurrency: number;
  count: number;
  wallMs: number;
  /** Per-call latency of `call` alone, in ms, by index. */
  latenciesMs: Float64Array;
  results: T[];
}

export async function runPool<T>(count: number, concurrency: number, call: (index: number) => Promise<T>): Promise<PoolRun<T>> {
  const latenciesMs = new Float64Array(count);
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const start = performance.now();
      results[i] = await call(i);
      latenciesMs[i] = performance.now() - start;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { concurrency, count, wallMs: performance.now() - start, latenciesMs, results };
}

/**
 * Runs `steps` one after another, the `round`-th step first: over rounds, each takes its turn at going first (so
 * none always meets the machine, and the tables, as the one before left them).
 */
export async function inTurns(round: number, steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (let k = 0; k < steps.length; k++) await steps[(round + k) % steps.length]!();
}

/** Several runs of one side as one: calls and wall time summed, every latency kept (for the percentiles). */
export function mergeRuns<T>(runs: readonly PoolRun<T>[]): PoolRun<T> {
  const latenciesMs = new Float64Array(runs.reduce((n, run) => n + run.latenciesMs.length, 0));
  let offset = 0;
  for (const run of runs) {
    latenciesMs.set(run.latenciesMs, offset);
    offset += run.latenciesMs.length;
  }
  return {
    concurrency: runs[0]!.concurrency, count: runs.reduce((n, run) => n + run.count, 0),
    wallMs: runs.reduce((ms, run) => ms + run.wallMs, 0), latenciesMs, results: runs.flatMap((run) => run.results),
  };
}

export interface Throughput {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function throughputOf(run: PoolRun<unknown>): Throughput {
  const latencies = Array.from(run.latenciesMs);
  return {
    perSecond: run.count / (run.wallMs / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}
