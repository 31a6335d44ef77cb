// The sending station closes (or loses the team database) while the team renders its catalog: the
// workers go on, and the station collects what they finished once it is back (the journal holds every
// team job as sent), sending nothing twice and rendering nothing twice. In-process: the sender's engine, workers (TeamWorkerRunner), the
// simulators; real PostgreSQL and S3 (s3rver).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../src/main/engine/engine.ts';
import { TeamWorkerRunner } from '../../../../src/main/engine/team/index.ts';
import { loadTemplates } from '../../../../src/main/engine/templates/index.ts';
import {
  type ComfySim,
  type OllamaSim,
  SimGpu,
  startComfySim,
  startOllamaSim,
} from '../../../../src/sim/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { type S3Peer, startS3Peer } from '../../../fixtures/s3.ts';
import { startTcpProxy } from '../../../fixtures/tcp-proxy.ts';
import { BUCKET } from '../../../fixtures/team.ts';

const db = await createTestDatabase('team_sender');
const SCHEMA = 'team_sender';

describe.skipIf(!db)(
  `the sending station, closed or cut off from the team database mid-catalog${skipNote(db)}`,
  () => {
    let s3: S3Peer;
    let ollama: OllamaSim;
    let gpu: ComfySim;
    let dir: string;
    let worker: TeamWorkerRunner | null = null;

    beforeAll(async () => {
      s3 = await startS3Peer();
      ollama = await startOllamaSim({ timeScale: 0.0005 });
      gpu = await startComfySim({ gpu: new SimGpu({ timeScale: 0.004 }) });
      dir = await mkdtemp(join(tmpdir(), 'showcase-team-sender-'));
    }, 30_000);

    afterAll(async () => {
      await worker?.stop();
      await gpu?.close();
      await ollama?.close();
      await s3?.dispose();
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('collects on the next start what the team rendered while it was closed', async () => {
      const open = () =>
        Engine.open({
          dbPath: join(dir, 'studio.db'),
          outputRoot: dir,
          overrides: {
            postgresUrl: db?.url ?? '',
            s3: { ...s3.settings(), bucket: BUCKET },
            ollamaUrl: ollama.url,
          },
          team: { schema: SCHEMA, pollMs: 50 },
        });
      const templates = await loadTemplates();
      worker = await TeamWorkerRunner.start({
        name: 'studio-a',
        comfyUrls: [gpu.url],
        team: { url: db?.url ?? '', schema: SCHEMA },
        s3: { ...s3.settings(), bucket: BUCKET },
        templates,
        pollMs: 50,
      });
      let engine = await open();
      const { imported } = engine.addProducts(
        [1, 2, 3].map((i) => ({ id: `lamp-${i}`, name: `Lamp ${i}`, description: 'A brass desk lamp' })),
      );
      const galleryIds = await engine.start(
        imported.map((p) => p.id),
        { target: 'team', variations: 2 },
      );
      // Close as soon as the first image came back: most of the catalog is still with the team.
      await new Promise<void>((resolve) => {
        const off = engine.subscribe((event, payload) => {
          if (event === 'job.completed' && (payload as { kind: string }).kind === 'hero') {
            off();
            resolve();
          }
        });
      });
      await engine.close();
      const runner = worker;
      // The team finishes the catalog without the sender: 3 products × (hero, lifestyle, 2 variations).
      const deadline = Date.now() + 60_000;
      while (runner.done < 12) {
        if (Date.now() > deadline) throw new Error(`the team rendered ${runner.done} of 12 images`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const promptsBefore = gpu.stats.promptsAccepted;

      engine = await open();
      try {
        await engine.resume();
        await engine.whenIdle();
        for (const id of galleryIds) expect(engine.store.galleries.get(id)?.status).toBe('complete');
        const assets = galleryIds.flatMap((id) => engine.store.assets.listByGallery(id));
        expect(assets.filter((a) => a.status === 'done')).toHaveLength(3 * 5);
      } finally {
        await engine.close();
      }
      // Nothing was rendered again: the second session only collected.
      expect(gpu.stats.promptsAccepted).toBe(promptsBefore);
      expect(promptsBefore).toBe(12);
    }, 120_000);

    it('waits for a team database that went away, without spending attempts, and finishes when it is back', async () => {
      const url = new URL(db?.url ?? '');
      const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      const viaProxy = new URL(url);
      viaProxy.port = String(proxy.port);
      const schema = 'team_outage';
      const templates = await loadTemplates();
      const runner = await TeamWorkerRunner.start({
        name: 'studio-outage',
        comfyUrls: [gpu.url],
        team: { url: db?.url ?? '', schema },
        s3: { ...s3.settings(), bucket: BUCKET },
        templates,
        pollMs: 50,
      });
      const engine = await Engine.open({
        dbPath: join(dir, 'outage', 'studio.db'),
        outputRoot: join(dir, 'outage'),
        overrides: {
          postgresUrl: viaProxy.toString(),
          s3: { ...s3.settings(), bucket: BUCKET },
          ollamaUrl: ollama.url,
        },
        team: { schema, pollMs: 50 },
        backendWatch: { probeInitialMs: 100, probeMaxMs: 200, downLimitMs: 120_000 },
      });
      try {
        const states: boolean[] = [];
        let wentDown: () => void = () => undefined;
        const laneDown = new Promise<void>((resolve) => {
          wentDown = resolve;
        });
        engine.subscribe((event, payload) => {
          if (event !== 'backend.waiting' || (payload as { id: string }).id !== 'team') return;
          const online = (payload as { online: boolean }).online;
          states.push(online);
          if (!online) wentDown();
        });
        const { imported } = engine.addProducts(
          [1, 2, 3].map((i) => ({ id: `outage-${i}`, name: `Lamp ${i}`, description: 'A brass desk lamp' })),
        );
        const galleryIds = await engine.start(
          imported.map((p) => p.id),
          { target: 'team', variations: 2 },
        );
        // The outage starts as the run does: the copies are written here, and their images find the
        // team database gone. The team lane goes down and is probed until the database is back.
        await proxy.cut();
        await laneDown;
        expect(runner.done).toBe(0);
        await proxy.restore();
        await engine.whenIdle();
        for (const id of galleryIds) expect(engine.store.galleries.get(id)?.status).toBe('complete');
        const jobs = galleryIds.flatMap((id) => engine.store.jobs.listByGallery(id));
        // Waiting for the database spent no attempt.
        expect(jobs.every((j) => j.attempts <= 1)).toBe(true);
        expect(states).toContain(false);
        expect(states.at(-1)).toBe(true);
      } finally {
        await engine.close();
        await runner.stop();
        await proxy.close();
      }
    }, 120_000);
  },
);
