// `bin/showcase team` reads the real team database: the workers a registry holds (a live one with
// its GPU, loaded model and the job it renders, a silent one shown LOST) and the queue per family.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TeamConnection } from '../../../src/main/engine/team/index.ts';
import { createTestDatabase, skipNote } from '../../fixtures/postgres.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
const db = await createTestDatabase('team_cli');
const SCHEMA = 'team_cli';

describe.skipIf(!db)(`showcase team${skipNote(db)}`, () => {
  afterAll(async () => {
    await db?.drop();
  });

  it('lists live and lost workers and the queue', async () => {
    const connection = new TeamConnection({ url: db?.url ?? '', schema: SCHEMA });
    try {
      const registry = await connection.registry();
      await connection.queue();
      const gpu = {
        url: 'http://127.0.0.1:8188',
        gpu: 'NVIDIA GeForce RTX 4090',
        vramBytes: 24e9,
        models: ['sd_xl_base_1.0.safetensors'],
        families: ['sdxl' as const],
        msPerImage: {},
        loadedModel: 'sd_xl_base_1.0.safetensors',
      };
      await registry.register('studio-b', 'studio-b', [gpu]);
      await registry.heartbeat('studio-b', {
        inFlight: [
          {
            jobId: 'j1',
            galleryId: 'g1',
            productId: 'aurora-lamp',
            kind: 'hero',
            backend: gpu.url,
            value: 3,
            max: 20,
          },
        ],
        backends: [gpu],
        finished: 4,
      });
      await registry.register('studio-c', 'studio-c', [{ ...gpu, loadedModel: null }]);
    } finally {
      await connection.close();
    }
    const client = new pg.Client({ connectionString: db?.url ?? '' });
    await client.connect();
    await client.query(
      `UPDATE ${SCHEMA}.team_workers SET heartbeat_at = now() - interval '60 seconds' WHERE id = 'studio-c'`,
    );
    await client.end();

    const run = (args: string[]) =>
      spawnSync(BIN, ['team', '--pg', db?.url ?? '', '--schema', SCHEMA, ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      });
    const human = run([]);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/studio-b .*NVIDIA GeForce RTX 4090 24 GB \[sdxl\]/);
    expect(human.stdout).toContain('aurora-lamp hero 3/20');
    expect(human.stdout).toContain('studio-c  LOST');
    expect(human.stdout).toMatch(/qwen-image\s+0\s+0\s+0/);
    const json = JSON.parse(run(['--json']).stdout) as {
      workers: Array<{ name: string; lost: boolean; jobsDone: number }>;
    };
    expect(json.workers.map((w) => [w.name, w.lost, w.jobsDone])).toEqual([
      ['studio-b', false, 4],
      ['studio-c', true, 0],
    ]);
  }, 60_000);
});

describe('showcase team without a team database', () => {
  it('says how to name one, and creates no studio file on the way', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'showcase-team-cli-'));
    try {
      const env = { ...process.env };
      delete env.SHOWCASE_TEAM_PG;
      const r = spawnSync(BIN, ['team'], { cwd, env, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain('No team database given');
      expect(`${r.stdout}${r.stderr}`).toContain('--pg');
      expect(await readdir(cwd)).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
