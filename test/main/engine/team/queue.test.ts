import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClaimedJob,
  familyQueue,
  type TeamPlanEntry,
  TeamQueue,
  type TeamRenderJob,
} from '../../../../src/main/engine/team/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';

const pg = await createTestDatabase('team_queue');
const SCHEMA = 'team_test';
const CLAIMER = fileURLToPath(new URL('../../../fixtures/team-claimer.ts', import.meta.url));

function product(family: TeamRenderJob['family'], runId = randomUUID()): TeamPlanEntry[] {
  const galleryId = randomUUID();
  const base = {
    runId,
    station: 'station-a',
    galleryId,
    productId: `p-${galleryId.slice(0, 6)}`,
    family,
    model: family === 'sdxl' ? 'sd_xl_base_1.0.safetensors' : 'qwen_image_fp8_e4m3fn.safetensors',
    template: `${family}.hero`,
    params: { seed: 7, prompt: 'a lamp' },
    inputs: {},
  };
  const hero: TeamRenderJob = { ...base, jobId: randomUUID(), kind: 'hero', idx: 0 };
  const rest: TeamPlanEntry[] = [
    { job: { ...base, jobId: randomUUID(), kind: 'lifestyle', idx: 0 }, dependsOn: [hero.jobId] },
    ...[1, 2].map((idx) => ({
      job: { ...base, jobId: randomUUID(), kind: 'variation' as const, idx },
      dependsOn: [hero.jobId],
    })),
  ];
  return [{ job: hero }, ...rest];
}

const result = (worker: string) => ({
  worker,
  workerName: worker,
  gpu: 'GPU',
  backend: 'http://127.0.0.1:1',
  key: 'team/x.png',
  sha256: 'a'.repeat(64),
  width: 64,
  height: 64,
  ms: 5,
});

/** Claims until `predicate` holds for a claim (each claimed job that does not match is completed). */
async function claimUntil(
  queue: TeamQueue,
  families: Parameters<TeamQueue['claim']>[0],
  predicate: (c: ClaimedJob) => boolean,
  deadlineMs: number,
): Promise<ClaimedJob> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const claim = await queue.claim(families);
    if (claim && predicate(claim)) return claim;
    if (claim) await queue.complete(claim, result('other'));
    else await new Promise((r) => setTimeout(r, 200)); // poll interval of a worker with nothing to do
  }
  throw new Error('no matching job before the deadline');
}

describe.skipIf(!pg)(`team queue on pg-boss${skipNote(pg)}`, () => {
  let queue: TeamQueue;
  beforeAll(async () => {
    queue = await TeamQueue.open({
      url: pg?.url ?? '',
      schema: SCHEMA,
      heartbeatSeconds: null,
      leaseSeconds: 2,
      monitorSeconds: 1,
    });
  });
  afterAll(async () => {
    await queue?.close(false);
    await pg?.drop();
  });

  it('holds a product’s dependents until its hero completes, and sends nothing twice', async () => {
    const plan = product('qwen-image');
    expect(await queue.send(plan)).toEqual({ created: 4, existing: 0 });
    expect(await queue.send(plan)).toEqual({ created: 0, existing: 4 });
    const hero = await queue.claim(['qwen-image']);
    expect(hero?.job.kind).toBe('hero');
    // Only a job others wait for has a flow pass run on completion (queue.ts: complete).
    expect(hero?.hasDependents).toBe(true);
    expect(await queue.claim(['qwen-image'])).toBeNull();
    if (!hero) throw new Error('no hero');
    await queue.complete(hero, result('w1'));
    const kinds: string[] = [];
    for (let c = await queue.claim(['qwen-image']); c; c = await queue.claim(['qwen-image'])) {
      kinds.push(`${c.job.kind}${c.job.idx}`);
      expect(c.hasDependents).toBe(false);
      await queue.complete(c, result('w1'));
    }
    expect(kinds.sort()).toEqual(['lifestyle0', 'variation1', 'variation2']);
    expect((await queue.status('qwen-image', hero.id))?.state).toBe('completed');
  });

  it('creates a product once when two callers send it at the same moment', async () => {
    const plan = product('sdxl');
    const both = await Promise.all([queue.send(plan), queue.send(plan)]);
    expect(both.map((r) => r.created).sort()).toEqual([0, 4]);
    expect(both.map((r) => r.existing).sort()).toEqual([0, 4]);
    for (;;) {
      const claim = await queue.claim(['sdxl']);
      if (!claim) break;
      await queue.complete(claim, result('w'));
    }
  });

  it('gives a worker only the families it has the models for', async () => {
    await queue.send([...product('qwen-image'), ...product('sdxl')]);
    const sdxlOnly = await queue.claim(['sdxl']);
    expect(sdxlOnly?.job.family).toBe('sdxl');
    expect(sdxlOnly?.queue).toBe(familyQueue('sdxl'));
    if (sdxlOnly) await queue.complete(sdxlOnly, result('sdxl-worker'));
    // Only Qwen-Image heroes and the SDXL product's dependents are left: the SDXL worker sees the latter only.
    for (let c = await queue.claim(['sdxl']); c; c = await queue.claim(['sdxl'])) {
      expect(c.job.family).toBe('sdxl');
      await queue.complete(c, result('sdxl-worker'));
    }
    const qwen = await queue.claim(['qwen-image']);
    expect(qwen?.job.family).toBe('qwen-image');
    if (qwen) await queue.complete(qwen, result('qwen-worker'));
  });

  it('fails a job this version cannot read, naming the field, and hands out the next one', async () => {
    const boss = new PgBoss({
      connectionString: pg?.url ?? '',
      schema: SCHEMA,
      supervise: false,
      migrate: false,
    });
    await boss.start();
    const badId = await boss.send(familyQueue('edit'), { jobId: 'not-a-uuid' });
    await boss.stop({ graceful: false });
    const [good] = product('edit');
    if (!good || !badId) throw new Error('setup');
    await queue.send([good]);
    const claim = await queue.claim(['edit']);
    expect(claim?.id).toBe(good.job.jobId);
    const bad = await queue.status('edit', badId);
    expect(bad?.state === 'retry' || bad?.state === 'failed').toBe(true);
    expect(JSON.stringify(bad?.output)).toContain('jobId');
    if (claim) await queue.complete(claim, result('w'));
  });

  it('hands the job of a worker killed mid-render (kill -9) to another worker after its lease', async () => {
    const [hero] = product('sdxl');
    if (!hero) throw new Error('setup');
    await queue.send([hero]);
    const child = spawn(process.execPath, [CLAIMER, pg?.url ?? '', SCHEMA, 'sdxl'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const held = JSON.parse(line.toString()) as { id: string; attempt: number } | null;
    expect(held?.id).toBe(hero.job.jobId);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const again = await claimUntil(queue, ['sdxl'], (c) => c.id === hero.job.jobId, 20_000);
    expect(again.attempt).toBe(1);
    await queue.complete(again, result('w2'));
    expect((await queue.status('sdxl', hero.job.jobId))?.state).toBe('completed');
  }, 30_000);
});
