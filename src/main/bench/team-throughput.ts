// `team: 3 workers / 1 worker throughput`: the same catalog sent to the team twice, rendered once by
// one worker and once by three, each worker with its own ComfyUI simulator and simulated GPU. The
// simulators' time scale makes a Qwen-Image render take about 1.5 s, so GPU time dominates
// the queue's own costs, as it does on real cards (40 s an image). Everything is real but the GPUs:
// pg-boss in a fresh PostgreSQL database, an S3 server (s3rver), the sender's engine and the workers
// over sockets. The fresh database is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type ComfySim, SimGpu, startComfySim, startOllamaSim } from '../../sim/index.ts';
import { Engine } from '../engine/engine.ts';
import { parseS3Settings, type S3Settings } from '../engine/publish/index.ts';
import { TeamWorkerRunner } from '../engine/team/index.ts';
import { loadTemplates } from '../engine/templates/index.ts';

export interface TeamThroughputResult {
  images: number;
  /** Seconds from sending the catalog to its last image, with one worker and with three. */
  oneSeconds: number;
  threeSeconds: number;
  ratio: number;
}

interface S3Server {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** s3rver in this process (a dev dependency: the bench runs from a checkout). */
async function startS3(dir: string): Promise<{ server: S3Server; settings: S3Settings }> {
  const S3rver = createRequire(import.meta.url)('s3rver') as new (options: {
    address: string;
    port: number;
    directory: string;
    silent: boolean;
  }) => S3Server;
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true });
  const { port } = await server.run();
  const settings = parseS3Settings({
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'showcase-bench',
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
  });
  return { server, settings };
}

async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `showcase_bench_team_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** One team run: `workers` workers render `products` products; seconds from send to the last image. */
async function teamRun(options: {
  pgUrl: string;
  s3: S3Settings;
  workers: number;
  products: number;
  timeScale: number;
  dir: string;
}): Promise<number> {
  const schema = `team_bench_${options.workers}`;
  const templates = await loadTemplates();
  const ollama = await startOllamaSim({ timeScale: 0.0002 });
  const sims: ComfySim[] = [];
  const runners: TeamWorkerRunner[] = [];
  let engine: Engine | null = null;
  try {
    for (let i = 0; i < options.workers; i++) {
      const sim = await startComfySim({ gpu: new SimGpu({ timeScale: options.timeScale }) });
      sims.push(sim);
      runners.push(
        await TeamWorkerRunner.start({
          name: `bench-${options.workers}-${i + 1}`,
          comfyUrls: [sim.url],
          team: { url: options.pgUrl, schema },
          s3: options.s3,
          templates,
          pollMs: 100,
          ...(process.env.SHOWCASE_BENCH_DEBUG
            ? { log: (line: string) => console.error(`${(performance.now() / 1000).toFixed(2)} ${line}`) }
            : {}),
        }),
      );
    }
    engine = await Engine.open({
      dbPath: join(options.dir, `sender-${options.workers}`, 'studio.db'),
      outputRoot: join(options.dir, `sender-${options.workers}`),
      overrides: { postgresUrl: options.pgUrl, s3: options.s3, ollamaUrl: ollama.url },
      team: { schema, pollMs: 100 },
    });
    const { imported } = engine.addProducts(
      Array.from({ length: options.products }, (_, i) => ({
        id: `bench-${i + 1}`,
        name: `Bench lamp ${i + 1}`,
        description: 'A brass desk lamp for the team throughput benchmark.',
        category: 'Lighting',
      })),
    );
    const started = performance.now();
    const galleryIds = await engine.start(
      imported.map((p) => p.id),
      { target: 'team', variations: 4 },
    );
    await engine.whenIdle();
    const seconds = (performance.now() - started) / 1000;
    const incomplete = galleryIds.filter((id) => engine?.store.galleries.get(id)?.status !== 'complete');
    if (incomplete.length > 0)
      throw new Error(`team bench: ${incomplete.length} showcase(s) did not complete`);
    return seconds;
  } finally {
    await engine?.close();
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all(sims.map((s) => s.close()));
    await ollama.close();
  }
}

export async function measureTeamThroughput(options: {
  adminUrl: string;
  products?: number;
  timeScale?: number;
}): Promise<TeamThroughputResult> {
  const products = options.products ?? 8;
  const timeScale = options.timeScale ?? 0.012;
  const dir = await mkdtemp(join(tmpdir(), 'showcase-team-bench-'));
  const db = await freshDatabase(options.adminUrl);
  const s3 = await startS3(join(dir, 's3'));
  try {
    const run = (workers: number) =>
      teamRun({ pgUrl: db.url, s3: s3.settings, workers, products, timeScale, dir });
    const oneSeconds = await run(1);
    const threeSeconds = await run(3);
    return { images: products * 6, oneSeconds, threeSeconds, ratio: oneSeconds / threeSeconds };
  } finally {
    await s3.server.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
