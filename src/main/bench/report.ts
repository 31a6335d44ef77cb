// The benchmark (`showcase bench`, `npm run bench`): scheduler makespan vs lower bound, model swaps,
// engine overhead, RSS with 10,000 queued jobs, the Postgres sync throughput and placement on unequal
// GPUs, resuming a killed run of 10,000 jobs and the team queue's cost per job. One run, ratios
// printed. Measurements: makespan.ts (in this process), probes.ts (each in a fresh process),
// hetero-*.ts (placement), resume-bench.ts (a fresh `generate --resume`), team-bench.ts (pg-boss).
import { formatMs, table } from '../cli/progress.ts';
import { ENGINE_NODE_FLAGS } from '../engine/node-flags.ts';
import { HETERO_GPUS, heteroModels, measureHetero } from './hetero-bench.ts';
import { earliestFinishPolicy } from './hetero-policies.ts';
import { validateOnSockets } from './hetero-sockets.ts';
import { ratioLine } from './lines.ts';
import { measureRun, type RunMeasure } from './makespan.ts';
import { measureBareClients, measureOverhead, measureQueuedRss } from './probes.ts';
import { resumeSection } from './resume-bench.ts';
import type { BenchSection } from './sections.ts';
import { teamSection } from './team-bench.ts';

const TIME_SCALE = 0.002;

function summarize(m: RunMeasure): string {
  return `makespan ${formatMs(m.makespanMs)}, lower bound ${formatMs(m.lowerBoundMs)}, LLM loads ${m.llmLoads}, image-model loads ${m.imageLoads}`;
}

/**
 * Runs a probe in a fresh process: the heap, caches and JIT state left by the earlier sections would
 * inflate both the RSS and the CPU per job (runs in this process varied by a third).
 */
async function inFreshProcess<T>(probe: string[]): Promise<T> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const cli = new URL('../cli/index.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...ENGINE_NODE_FLAGS, '--expose-gc', '--disable-warning=ExperimentalWarning', cli, 'bench', ...probe],
    { maxBuffer: 1 << 20 },
  );
  const last = stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as T;
}

type EngineCpu = Awaited<ReturnType<typeof measureOverhead>>;
type Overhead = EngineCpu & {
  /** CPU ms per job of bare clients doing the same work (median of their own fresh processes). */
  bareMsPerJob: number;
  /** The engine's CPU per job above that floor. */
  overheadMsPerJob: number;
};

function median<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no measurement');
  return middle;
}

/**
 * The engine's CPU per job (median of `runs` fresh processes) and, the same way, bare clients doing
 * the same work against the same kind of simulators; the overhead is the difference of the medians.
 */
async function overheadMedian(products: number, previews: 'none' | 'auto', runs: number): Promise<Overhead> {
  const engine: EngineCpu[] = [];
  const bare: Array<{ cpuMsPerJob: number }> = [];
  for (let i = 0; i < runs; i++) {
    const size = ['--products', String(products)];
    engine.push(await inFreshProcess<EngineCpu>(['--probe-overhead', previews, ...size]));
    bare.push(await inFreshProcess<{ cpuMsPerJob: number }>(['--probe-bare', previews, ...size]));
  }
  const typical = median(engine, (m) => m.cpuMsPerJob);
  const bareMsPerJob = median(bare, (m) => m.cpuMsPerJob).cpuMsPerJob;
  return { ...typical, bareMsPerJob, overheadMsPerJob: typical.cpuMsPerJob - bareMsPerJob };
}

export interface BenchOptions {
  quick?: boolean;
  /** Run one section only (`hetero`, `resume`, `team`). */
  only?: BenchSection;
  pg?: string;
  /** Internal: the fresh-process probes print one JSON line. */
  probeRss?: boolean;
  probeOverhead?: 'none' | 'auto';
  probeBare?: 'none' | 'auto';
  products?: number;
}

/** PostgreSQL for the sync and team sections: --pg, else SHOWCASE_BENCH_PG, else the local cluster. */
function benchPg(opts: BenchOptions): string {
  return opts.pg ?? process.env.SHOWCASE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The sections `--only` runs alone; the full run prints them in this order after (e). */
const sections: Record<BenchSection, (opts: BenchOptions) => Promise<void>> = {
  hetero: () => heteroSection(),
  resume: (opts) => resumeSection({ runs: opts.quick ? 1 : 3 }),
  team: (opts) => teamSection({ url: benchPg(opts), jobs: opts.quick ? 120 : 500 }),
};

export async function runBenchmark(opts: BenchOptions): Promise<void> {
  if (opts.only) {
    await sections[opts.only](opts);
    return;
  }
  if (opts.probeRss) {
    console.log(JSON.stringify(await measureQueuedRss(10_000)));
    return;
  }
  if (opts.probeOverhead) {
    console.log(JSON.stringify(await measureOverhead(opts.products ?? 60, opts.probeOverhead)));
    return;
  }
  if (opts.probeBare) {
    console.log(JSON.stringify(await measureBareClients(opts.products ?? 60, opts.probeBare)));
    return;
  }
  const batch = opts.quick ? 6 : 20;
  console.log(
    `Product Showcase Studio benchmark — simulated Qwen-Image FP8 on 24 GB cards + llama3.2, time scale ${TIME_SCALE}`,
  );
  console.log('(every duration below is wall-clock at that scale; ratios are scale-free)\n');

  // (a) one showcase: total vs each asset's own latency and vs their sum.
  // A single showcase is short: play it 5× slower so fixed millisecond costs (HTTP round trips, the
  // /api/ps poll) weigh as little as they do at real GPU timings.
  const one = await measureRun({ count: 1, backends: 1, naive: false, timeScale: TIME_SCALE * 5 });
  const sum = one.perAsset.reduce((n, a) => n + a.ms, 0);
  console.log('(a) one showcase');
  console.log(
    table(
      ['asset', 'latency'],
      [
        ...one.perAsset.map((a) => [a.kind === 'variation' ? `variation ${a.idx}` : a.kind, formatMs(a.ms)]),
        ['sum of assets', formatMs(sum)],
        ['showcase total', formatMs(one.makespanMs)],
      ],
    ),
  );
  ratioLine('one showcase: total / sum of asset latencies', one.makespanMs / sum);
  ratioLine('one showcase: makespan / lower bound', one.makespanMs / one.lowerBoundMs, '≤ 1.05');
  console.log('');

  // (b) batches on 1 and 2 backends, engine vs naive per-product sequential.
  console.log(`(b) ${batch}-product batch`);
  const e1 = await measureRun({ count: batch, backends: 1, naive: false, timeScale: TIME_SCALE });
  console.log(`  engine, 1 backend:  ${summarize(e1)}`);
  const e2 = await measureRun({ count: batch, backends: 2, naive: false, timeScale: TIME_SCALE });
  console.log(`  engine, 2 backends: ${summarize(e2)}`);
  const n1 = await measureRun({ count: batch, backends: 1, naive: true, timeScale: TIME_SCALE });
  console.log(`  naive,  1 backend:  ${summarize(n1)}`);
  const n2 = await measureRun({ count: batch, backends: 2, naive: true, timeScale: TIME_SCALE });
  console.log(`  naive,  2 backends: ${summarize(n2)}`);
  ratioLine(
    `batch of ${batch}, 1 backend: makespan / lower bound`,
    e1.makespanMs / e1.lowerBoundMs,
    '≤ 1.05',
  );
  ratioLine(
    `batch of ${batch}, 2 backends: makespan / lower bound`,
    e2.makespanMs / e2.lowerBoundMs,
    '≤ 1.05',
  );
  ratioLine(
    `batch of ${batch}, naive sequential, 1 backend: makespan / lower bound`,
    n1.makespanMs / n1.lowerBoundMs,
  );
  ratioLine(
    `batch of ${batch}, naive sequential, 2 backends: makespan / lower bound`,
    n2.makespanMs / n2.lowerBoundMs,
  );
  ratioLine(`batch of ${batch}: naive makespan / engine makespan (1 backend)`, n1.makespanMs / e1.makespanMs);
  ratioLine(`batch of ${batch}: 1-backend makespan / 2-backend makespan`, e1.makespanMs / e2.makespanMs);
  console.log('');

  // (c) model swaps per batch.
  console.log('(c) model swaps');
  ratioLine(`LLM loads per batch of ${batch} (engine)`, e1.llmLoads, '1');
  ratioLine(`LLM loads per batch of ${batch} (naive)`, n1.llmLoads);
  ratioLine(`image-model loads per batch of ${batch} (engine, 1 backend)`, e1.imageLoads, '1');
  ratioLine(`image-model loads per batch of ${batch} (naive, 1 backend)`, n1.imageLoads);
  console.log('');

  // (d) overhead and memory.
  console.log('(d) engine overhead and memory');
  // ComfyUI's default is `--preview-method none`; with previews on, every sampler step adds a
  // binary frame (20 per image) that the engine must receive even when it shows only a few.
  // Five fresh processes each: single runs of the same code spread by ±15% on a shared 2-core VM.
  const runs = opts.quick ? 1 : 5;
  const overhead = await overheadMedian(opts.quick ? 10 : 60, 'none', runs);
  // The target is the engine's own cost: CPU per job above bare clients doing the same work against
  // the same simulators (protocol round trips, one wake-up per WebSocket frame, the PNG files).
  ratioLine(
    `engine overhead: CPU ms per job above bare clients doing the same work (${overhead.jobs} jobs, zero-latency simulators in other processes, previews off, medians of ${runs} fresh processes each)`,
    overhead.overheadMsPerJob,
    '≤ 2',
  );
  ratioLine('  engine CPU ms per job in all', overhead.cpuMsPerJob);
  ratioLine('    of which user-space', overhead.userMsPerJob);
  ratioLine('    of which kernel (sockets, files)', overhead.systemMsPerJob);
  ratioLine(
    `  bare clients, CPU ms per job for the same work (${overhead.images} renders, copy calls, PNG files, thumbnails)`,
    overhead.bareMsPerJob,
  );
  ratioLine('wall-clock ms per job at zero latency (engine + simulators on 2 cores)', overhead.wallMsPerJob);
  const withPreviews = await overheadMedian(opts.quick ? 10 : 40, 'auto', 1);
  ratioLine(
    'engine overhead with sampler previews on (20 preview frames per image): CPU ms per job above bare clients',
    withPreviews.overheadMsPerJob,
  );
  ratioLine('  engine CPU ms per job in all, previews on', withPreviews.cpuMsPerJob);
  const rssRuns: Array<{ rssMb: number; jobs: number; enqueueMs: number }> = [];
  for (let i = 0; i < runs; i++) rssRuns.push(await inFreshProcess(['--probe-rss']));
  const rss = median(rssRuns, (r) => r.rssMb);
  ratioLine(`RSS MB with ${rss.jobs} queued jobs (median of ${runs} fresh processes)`, rss.rssMb, '≤ 250');
  ratioLine('ms to plan and journal 10,000 jobs', rss.enqueueMs);
  console.log('');

  // Sync throughput (issue #5), when a PostgreSQL is reachable.
  const pg = benchPg(opts);
  try {
    const sync = await import('../engine/sync/bench.ts');
    const r = await sync.benchSync({ url: pg, rows: 10_000 });
    console.log('(e) sync of 10,000 galleries (with products and assets)');
    ratioLine('push seconds', r.pushSeconds, '≤ 5');
    ratioLine('pull seconds', r.pullSeconds, '≤ 5');
    ratioLine('push rows per second', r.pushRowsPerSec);
    ratioLine('pull rows per second', r.pullRowsPerSec);
    const c = await sync.benchConcurrentPush({ url: pg, stations: 3, rowsPerStation: 5000 });
    ratioLine(`sync: 3 stations × 5,000 rows concurrent push seconds / one station's`, c.ratio, '≤ 1.5');
    ratioLine('  one station pushing 5,000 rows alone, seconds (median)', c.oneSeconds);
    ratioLine('  3 stations pushing 5,000 rows each at once, seconds (median)', c.concurrentSeconds);
  } catch (err) {
    console.log(`(e) sync benchmark skipped: ${(err as Error).message}`);
  }
  console.log('');
  for (const section of Object.values(sections)) {
    await section(opts);
    console.log('');
  }
}

/** (f) Placement on unequal GPUs and two model families, every policy on the same catalog. */
async function heteroSection(): Promise<void> {
  console.log(
    '(f) placement: 1000 products, 4 GPUs (speeds 1.0, 1.0, 0.6, 0.35; 24, 24, 24, 16 GB), 60 % Qwen-Image',
  );
  const m = measureHetero(1000);
  const by = (name: string): number => m.results.find((r) => r.policy === name)?.makespanMs ?? Number.NaN;
  const loads = (name: string): number => m.results.find((r) => r.policy === name)?.loads ?? Number.NaN;
  const ours = by('ours');
  ratioLine('hetero: makespan / lower bound', ours / m.lowerBoundMs, '≤ 1.10');
  ratioLine('hetero: round-robin makespan / ours', by('round-robin') / ours, '≥ 1.3');
  ratioLine('hetero: first-zero-queue makespan / ours', by('first-zero-queue') / ours);
  ratioLine('hetero: swarmui-style makespan / ours', by('swarmui-style') / ours, '≥ 1.15');
  console.log(`hetero: model loads (ours / swarmui-style): ${loads('ours')} / ${loads('swarmui-style')}`);
  for (const r of m.results) {
    const perGpu = Object.entries(r.imagesPerGpu)
      .map(([gpu, n]) => `${gpu} ${n}`)
      .join(', ');
    console.log(
      `  ${r.policy}: makespan ${formatMs(r.makespanMs)} (virtual time), ${r.loads} loads, images: ${perGpu}`,
    );
  }
  // The model checked against real sockets: 24 products on four ComfyUI simulators with the same GPUs.
  const check = await validateOnSockets(HETERO_GPUS, heteroModels(24, 0.6), earliestFinishPolicy);
  ratioLine('hetero: model vs simulators makespan', check.modelMs / check.simulatorsMs, '≈ 1');
  console.log(
    `  ${check.products} products: simulators ${formatMs(check.simulatorsMs)}, model ${formatMs(check.modelMs)} (wall-clock at the simulators' time scale)`,
  );
}
