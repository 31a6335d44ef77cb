// The team end to end, on real parts: the team's PostgreSQL (a database of its own), a real S3 server
// (s3rver in a child process), worker processes (`bin/showcase worker`, each with its own ComfyUI
// simulator and simulated GPU) and a sender (`bin/showcase generate --team`, with an Ollama simulator
// for the copy). Prompts are counted at every simulator.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src/main/engine/store/index.ts';
import { type ComfySim, type OllamaSim, startOllamaSim } from '../../../../src/sim/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { type S3Peer, startS3Peer } from '../../../fixtures/s3.ts';
import {
  BIN,
  s3Env,
  s3Url,
  startGpu,
  startWorker,
  type TeamEnv,
  teamSheet,
  type WorkerProcess,
} from '../../../fixtures/team.ts';

const db = await createTestDatabase('team_catalog');
const SCHEMA = 'team_catalog';

interface SenderRun {
  code: number | null;
  output: string;
  out: string;
}

async function sendCatalog(
  env: TeamEnv,
  ollama: OllamaSim,
  products: number,
  dir: string,
  prefix = 'team',
  ollamaUrl: string = ollama.url,
): Promise<SenderRun> {
  await mkdir(dir, { recursive: true });
  const sheet = join(dir, 'catalog.csv');
  await writeFile(sheet, teamSheet(products, prefix));
  const out = join(dir, 'out');
  const child = spawn(
    BIN,
    [
      'generate',
      sheet,
      '--team',
      '--pg',
      env.pgUrl,
      '--s3',
      s3Url(env),
      '--team-schema',
      env.schema,
      '--ollama',
      ollamaUrl,
      '--variations',
      '4',
      '--out',
      out,
      '--json',
    ],
    { env: s3Env(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output, out };
}

/** Waits for a condition a peer reports (asked every 20 ms). */
async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!db)(`a catalog sent to the team${skipNote(db)}`, () => {
  let s3: S3Peer;
  let ollama: OllamaSim;
  let dir: string;
  let env: TeamEnv;
  const workers: WorkerProcess[] = [];
  const sims: ComfySim[] = [];

  beforeAll(async () => {
    s3 = await startS3Peer();
    ollama = await startOllamaSim({ timeScale: 0.0005 });
    dir = await mkdtemp(join(tmpdir(), 'showcase-team-'));
    env = { pgUrl: db?.url ?? '', schema: SCHEMA, s3 };
  }, 30_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await Promise.all(sims.map((s) => s.close()));
    await ollama?.close();
    await s3?.dispose();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders a 30-product catalog once per image across the workers; an SDXL-only worker gets no Qwen-Image job; a worker joining mid-catalog takes work; the gallery syncs', async () => {
    const [gpuA, gpuC, gpuB] = await Promise.all([
      startGpu({ timeScale: 0.002 }),
      startGpu({ timeScale: 0.002, sdxlOnly: true }),
      startGpu({ timeScale: 0.002 }),
    ]);
    if (!gpuA || !gpuB || !gpuC) throw new Error('setup');
    sims.push(gpuA, gpuB, gpuC);
    workers.push(await startWorker(env, 'studio-a', gpuA), await startWorker(env, 'studio-c', gpuC));
    const run = sendCatalog(env, ollama, 30, dir);
    // studio-b joins once the catalog is under way.
    await workers[0]?.waitFor(/rendered .* of team-\d+/, 60_000);
    workers.push(await startWorker(env, 'studio-b', gpuB));
    const sender = await run;
    expect(sender.code, sender.output.slice(-3000)).toBe(0);

    // 30 products × (hero + lifestyle + 4 variations): every image rendered exactly once.
    const images = 30 * 6;
    const prompts = sims.map((s) => s.stats.promptsAccepted);
    expect(prompts.reduce((a, b) => a + b, 0)).toBe(images);
    const completed = await query<{ name: string; worker: string; n: number }>(
      env.pgUrl,
      `SELECT name, output->>'workerName' AS worker, count(*)::int AS n FROM ${SCHEMA}.job
       WHERE state = 'completed' GROUP BY 1, 2`,
    );
    expect(completed.reduce((a, r) => a + r.n, 0)).toBe(images);
    const by = (worker: string) => completed.filter((r) => r.worker === worker);
    // The SDXL-only workstation took SDXL jobs and nothing else; its simulator saw exactly those.
    expect(by('studio-c').every((r) => r.name === 'render-sdxl')).toBe(true);
    expect(by('studio-c').reduce((a, r) => a + r.n, 0)).toBe(gpuC.stats.promptsAccepted);
    expect(gpuC.stats.promptsAccepted).toBeGreaterThan(0);
    // The worker that joined mid-catalog rendered part of it.
    expect(gpuB.stats.promptsAccepted).toBeGreaterThan(0);

    // The sender's gallery is complete: every image in its gallery folder, thumbnails made here.
    const store = openStore(join(sender.out, 'studio.db'), { outputRoot: sender.out });
    try {
      const galleries = store.galleries.list().filter((g) => g.productId.startsWith('team-'));
      expect(galleries).toHaveLength(30);
      expect(galleries.every((g) => g.status === 'complete')).toBe(true);
      const sdxl = galleries.filter((g) => g.family === 'sdxl');
      expect(sdxl).toHaveLength(10);
    } finally {
      store.close();
    }
    // …and synced: after a sync round (the sender's last writes may postdate its last background
    // round), the team database holds every asset of the catalog as done.
    const sync = spawn(
      BIN,
      ['sync', '--pg', env.pgUrl, '--db', join(sender.out, 'studio.db'), '--wait', '30'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const [syncCode] = (await once(sync, 'exit')) as [number | null];
    expect(syncCode).toBe(0);
    const synced = await query<{ n: number }>(
      env.pgUrl,
      `SELECT count(*)::int AS n FROM showcase.assets WHERE status = 'done'`,
    );
    expect(synced[0]?.n).toBe(30 * 7);
  }, 180_000);

  it('finishes the jobs of a worker killed mid-render (kill -9) on the other worker, nothing lost or doubled', async () => {
    const killEnv: TeamEnv = { ...env, schema: 'team_kill' };
    // studio-slow renders ten times slower: the kill lands while it holds a job.
    const [slow, fast] = await Promise.all([startGpu({ timeScale: 0.02 }), startGpu({ timeScale: 0.002 })]);
    if (!slow || !fast) throw new Error('setup');
    sims.push(slow, fast);
    const victim = await startWorker(killEnv, 'studio-slow', slow);
    workers.push(victim);
    const run = sendCatalog(killEnv, ollama, 4, join(dir, 'kill'), 'kill');
    // Killed while its ComfyUI is running one of its prompts (GET /queue, as ComfyUI reports it).
    const running = async () => {
      const queue = (await (await fetch(`${slow.url}/queue`)).json()) as { queue_running: unknown[] };
      return queue.queue_running.length > 0;
    };
    await until(running, 60_000);
    await victim.kill();
    const finishedBeforeKill = (
      await query<{ n: number }>(
        env.pgUrl,
        `SELECT count(*)::int AS n FROM team_kill.job WHERE state = 'completed'`,
      )
    )[0]?.n;
    const heldWhenKilled = slow.stats.promptsAccepted - (finishedBeforeKill ?? 0);
    workers.push(await startWorker(killEnv, 'studio-fast', fast));
    const sender = await run;
    expect(sender.code, sender.output.slice(-3000)).toBe(0);

    const jobs = await query<{ state: string; retry_count: number; worker: string | null }>(
      env.pgUrl,
      `SELECT state::text, retry_count, output->>'workerName' AS worker FROM team_kill.job`,
    );
    // Every image of the 4 products completed exactly once; the one the dead worker held was retried.
    expect(jobs).toHaveLength(4 * 6);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    expect(jobs.filter((j) => j.retry_count > 0).length).toBe(heldWhenKilled);
    // The dead worker's unfinished prompt is the only render that had no effect.
    expect(slow.stats.promptsAccepted + fast.stats.promptsAccepted).toBe(4 * 6 + heldWhenKilled);
    const store = openStore(join(sender.out, 'studio.db'), { outputRoot: sender.out });
    try {
      // (Sync also brought the other tests' galleries: this run's are its own products'.)
      const galleries = store.galleries.list().filter((g) => g.productId.startsWith('kill-'));
      expect(galleries.map((g) => g.status)).toEqual(['complete', 'complete', 'complete', 'complete']);
      const assets = galleries.flatMap((g) => store.assets.listByGallery(g.id));
      expect(assets.filter((a) => a.status === 'done')).toHaveLength(4 * 7);
    } finally {
      store.close();
    }
  }, 180_000);

  it('fails the image the team could not render with a message naming the worker, its GPU server, the product and the cause', async () => {
    const failEnv: TeamEnv = { ...env, schema: 'team_fail' };
    const broken = await startGpu({ timeScale: 0.002 });
    sims.push(broken);
    // Every sampler run on this GPU raises, as a card with a hardware fault would.
    broken.faults.failNode(
      'KSampler',
      'RuntimeError',
      'CUDA error: an illegal memory access was encountered',
      1000,
    );
    workers.push(await startWorker(failEnv, 'studio-broken', broken, ['--retry-limit', '1']));
    const sender = await sendCatalog(failEnv, ollama, 1, join(dir, 'fail'), 'fail');
    expect(sender.code).toBe(1);
    const store = openStore(join(sender.out, 'studio.db'), { outputRoot: sender.out });
    try {
      const [gallery] = store.galleries.list().filter((g) => g.productId.startsWith('fail-'));
      expect(gallery?.status).toBe('failed');
      const hero = store.assets.listByGallery(gallery?.id ?? '').find((a) => a.kind === 'hero');
      expect(hero?.status).toBe('failed');
      expect(hero?.error).toContain('fail-1');
      expect(hero?.error).toContain('studio-broken');
      expect(hero?.error).toContain(broken.url);
      expect(hero?.error).toContain('illegal memory access');
    } finally {
      store.close();
    }
    // The hero and the lifestyle shot: one attempt and one retry each, then the team gave up; the
    // variations waiting for the hero were withdrawn from the queue, never rendered.
    expect(broken.stats.promptsAccepted).toBe(4);
    const states = await query<{ state: string; n: number }>(
      env.pgUrl,
      `SELECT state::text, count(*)::int AS n FROM team_fail.job GROUP BY 1 ORDER BY 1`,
    );
    expect(states).toEqual([
      { state: 'cancelled', n: 4 },
      { state: 'failed', n: 2 },
    ]);
  }, 120_000);

  it("has the copy written by a worker's Ollama when the sending station's does not answer", async () => {
    const copyEnv: TeamEnv = { ...env, schema: 'team_copy' };
    const gpu = await startGpu({ timeScale: 0.002 });
    sims.push(gpu);
    const writer = await startOllamaSim({ timeScale: 0.0005 });
    try {
      workers.push(await startWorker(copyEnv, 'studio-llm', gpu, ['--ollama', writer.url]));
      // Nothing listens on port 9 of 127.0.0.1: the sender's own Ollama is down.
      const sender = await sendCatalog(copyEnv, ollama, 2, join(dir, 'copy'), 'copy', 'http://127.0.0.1:9');
      expect(sender.code, sender.output.slice(-3000)).toBe(0);
      const store = openStore(join(sender.out, 'studio.db'), { outputRoot: sender.out });
      try {
        const galleries = store.galleries.list().filter((g) => g.productId.startsWith('copy-'));
        expect(galleries.map((g) => g.status)).toEqual(['complete', 'complete']);
        expect(galleries.every((g) => (g.copy?.title ?? '').length > 0)).toBe(true);
      } finally {
        store.close();
      }
      // Two products' copy, written at the worker's Ollama; their images on its GPU.
      const copies = await query<{ n: number }>(
        env.pgUrl,
        `SELECT count(*)::int AS n FROM team_copy.job WHERE name = 'write-copy' AND state = 'completed'`,
      );
      expect(copies[0]?.n).toBe(2);
      expect(writer.stats.chat).toBeGreaterThanOrEqual(2);
      expect(gpu.stats.promptsAccepted).toBe(2 * 6);
    } finally {
      await writer.close();
    }
  }, 120_000);
});
