// `showcase bench` (npm run bench): the benchmark lives in src/main/bench; this is its CLI entry.
import { type BenchOptions, runBenchmark } from '../../bench/report.ts';

export function benchCommand(opts: BenchOptions): Promise<void> {
  return runBenchmark(opts);
}
