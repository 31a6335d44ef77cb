import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type WorkerBackend, WorkerRegistry } from '../../../../src/main/engine/team/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';

const db = await createTestDatabase('team_registry');

const backend = (loadedModel: string | null): WorkerBackend => ({
  url: 'http://127.0.0.1:8188',
  gpu: 'cuda:0 NVIDIA GeForce RTX 4090',
  vramBytes: 25_393_692_672,
  models: ['sd_xl_base_1.0.safetensors'],
  families: ['sdxl'],
  msPerImage: { 'sd_xl_base_1.0.safetensors': 11_500 },
  loadedModel,
});

describe.skipIf(!db)(`team worker registry${skipNote(db)}`, () => {
  const registry = new WorkerRegistry({ url: db?.url ?? '', schema: 'team_reg', heartbeatSeconds: 10 });
  afterAll(async () => {
    await registry.close();
    await db?.drop();
  });

  it('lists workers with their GPUs, counts finished jobs and marks a silent worker as lost', async () => {
    await registry.install();
    await registry.install(); // idempotent
    await registry.register('w1', 'studio-a', [backend(null)]);
    await registry.register('w2', 'studio-b', [backend(null)]);
    await registry.heartbeat('w1', {
      inFlight: [
        {
          jobId: 'job-1',
          galleryId: 'g1',
          productId: 'p1',
          kind: 'hero',
          backend: 'http://127.0.0.1:8188',
          value: 3,
          max: 20,
        },
      ],
      backends: [backend('sd_xl_base_1.0.safetensors')],
      finished: 3,
    });
    await registry.heartbeat('w1', {
      inFlight: [],
      backends: [backend('sd_xl_base_1.0.safetensors')],
      finished: 2,
    });
    // studio-b last spoke 31 s ago by the server's clock (three 10 s intervals missed).
    const client = new pg.Client({ connectionString: db?.url ?? '' });
    await client.connect();
    await client.query(
      "UPDATE team_reg.team_workers SET heartbeat_at = now() - interval '31 seconds' WHERE id = 'w2'",
    );
    await client.end();
    const [a, b] = await registry.list();
    expect(a).toMatchObject({ name: 'studio-a', jobsDone: 5, inFlight: [], lost: false });
    expect(a?.backends[0]?.loadedModel).toBe('sd_xl_base_1.0.safetensors');
    expect(b).toMatchObject({ name: 'studio-b', lost: true });
    // Restarting re-registers: alive again, nothing in flight.
    await registry.register('w2', 'studio-b', [backend(null)]);
    expect((await registry.list())[1]?.lost).toBe(false);
  });
});
