// `team:` — the team queue's own cost per job (TeamQueue on pg-boss, the real PostgreSQL): a worker
// loop claims and completes jobs one by one with a no-op render, so what is timed is pg-boss's fetch,
// the payload check, the completion and the flow resolution that makes a hero's dependents ready.
// Each run installs pg-boss in a schema of its own and drops it afterwards.

import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { familyQueue, type TeamPlanEntry, TeamQueue, type TeamRenderJob } from '../engine/team/index.ts';
import { ratioLine } from './lines.ts';
import { measureTeamThroughput } from './team-throughput.ts';

export const TEAM_OVERHEAD_LINE = 'team: queue overhead ms per job';

/** Images per product as the planner sends them: the hero, then its lifestyle shot and 4 variations. */
const IMAGES_PER_PRODUCT = 6;

export interface QueueOverhead {
  /** Mean wall-clock ms per job of claim + complete. */
  msPerJob: number;
  claimMs: number;
  completeMs: number;
  jobs: number;
}

/** One product's flow: the hero first, the other five blocked until it completes. */
function productPlan(runId: string, n: number): TeamPlanEntry[] {
  const galleryId = randomUUID();
  const base = {
    runId,
    station: 'bench-station',
    galleryId,
    productId: `bench-${n}`,
    family: 'qwen-image' as const,
    model: 'qwen_image_fp8_e4m3fn.safetensors',
    template: 'qwen-image.hero',
    params: { seed: n, prompt: `bench product ${n}`, width: 1024, height: 1024 },
    inputs: {},
  };
  const hero: TeamRenderJob = { ...base, jobId: randomUUID(), kind: 'hero', idx: 0 };
  const rest = Array.from({ length: IMAGES_PER_PRODUCT - 1 }, (_, i) => ({
    job: {
      ...base,
      jobId: randomUUID(),
      kind: i === 0 ? ('lifestyle' as const) : ('variation' as const),
      idx: i === 0 ? 0 : i,
    },
    dependsOn: [hero.jobId],
  }));
  return [{ job: hero }, ...rest];
}

/** Runs `fn` with a pg-boss schema that exists only for it (dropped afterwards, even on failure). */
async function withScratchSchema<T>(url: string, fn: (schema: string) => Promise<T>): Promise<T> {
  const schema = `showcase_bench_${randomBytes(6).toString('hex')}`;
  const drop = async () => {
    const admin = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await admin.end();
    }
  };
  let result: T;
  try {
    result = await fn(schema);
  } catch (err) {
    // The measurement's own error is the one to report (an unreachable server fails the drop too).
    await drop().catch(() => {});
    throw err;
  }
  await drop();
  return result;
}

/**
 * Sends `jobs` image jobs (whole products of 6) to a fresh team queue, then claims and completes
 * them one at a time as a single worker with a no-op render would, and times each step.
 */
export async function measureQueueOverhead(options: { url: string; jobs: number }): Promise<QueueOverhead> {
  return withScratchSchema(options.url, async (schema) => {
    const queue = await TeamQueue.open({ url: options.url, schema });
    try {
      const runId = randomUUID();
      const products = Math.max(1, Math.ceil(options.jobs / IMAGES_PER_PRODUCT));
      const plan = Array.from({ length: products }, (_, n) => productPlan(runId, n + 1)).flat();
      await queue.send(plan);
      let claimMs = 0;
      let completeMs = 0;
      let done = 0;
      while (done < plan.length) {
        const t0 = performance.now();
        const claim = await queue.claim(['qwen-image']);
        const t1 = performance.now();
        if (!claim)
          throw new Error(`${familyQueue('qwen-image')}: nothing ready with ${plan.length - done} jobs left`);
        await queue.complete(claim, {
          worker: 'bench-worker',
          workerName: 'bench-worker',
          gpu: 'none',
          backend: 'http://127.0.0.1:0',
          key: `team/${claim.id}.png`,
          sha256: '0'.repeat(64),
          width: 1024,
          height: 1024,
          ms: 0,
        });
        const t2 = performance.now();
        claimMs += t1 - t0;
        completeMs += t2 - t1;
        done += 1;
      }
      return {
        msPerJob: (claimMs + completeMs) / done,
        claimMs: claimMs / done,
        completeMs: completeMs / done,
        jobs: done,
      };
    } finally {
      await queue.close(false);
    }
  });
}

/**
 * (h) The team queue: its cost per job, then the throughput of three workers against one
 * (team-throughput.ts), both against the same PostgreSQL.
 */
export const TEAM_THROUGHPUT_LINE = 'team: 3 workers / 1 worker throughput';

export async function teamSection(options: { url: string; jobs: number }): Promise<void> {
  console.log('(h) team queue on pg-boss (one worker, no-op render, the local PostgreSQL)');
  let overhead: QueueOverhead;
  try {
    overhead = await measureQueueOverhead(options);
  } catch (err) {
    console.log(`team: skipped: ${(err as Error).message}`);
    return;
  }
  ratioLine(TEAM_OVERHEAD_LINE, overhead.msPerJob, '≤ 20');
  ratioLine(`  claim ms per job (pg-boss fetch + payload check; ${overhead.jobs} jobs)`, overhead.claimMs);
  ratioLine(
    "  complete ms per job (completion + the flow resolution that readies a hero's dependents)",
    overhead.completeMs,
  );
  try {
    const t = await measureTeamThroughput({ adminUrl: options.url });
    ratioLine(TEAM_THROUGHPUT_LINE, t.ratio, '≥ 2.7');
    ratioLine(`  one worker, ${t.images} images, seconds`, t.oneSeconds);
    ratioLine(`  three workers, ${t.images} images, seconds`, t.threeSeconds);
  } catch (err) {
    console.log(`${TEAM_THROUGHPUT_LINE}: skipped: ${(err as Error).message}`);
  }
}
