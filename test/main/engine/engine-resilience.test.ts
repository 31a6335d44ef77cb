// Issue #14 items the fault matrix does not cover through the CLI: a locked seed never changes (even
// when ComfyUI's cache would hand back a deleted file), settings changes reach a running engine, and
// a run on two servers routes work away from the one that lacks the family's model.
import { readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/main/engine/engine.ts';
import {
  FAST_COMFY_CLIENT,
  FAST_OLLAMA_CLIENT,
  type Sims,
  sha256File,
  startSims,
} from '../../fixtures/sims.ts';

let sims: Sims | null = null;
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  await sims?.close();
  sims = null;
});

const SMALL_QWEN = { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } };

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('Engine resilience (#14)', () => {
  it('re-renders with the same locked seed when ComfyUI would replay a deleted file from its cache', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const { engine } = sims;
    const productId = engine.addProducts([{ id: 'cache-vase', name: 'Cache Vase' }]).imported[0]?.id ?? '';
    const [galleryId = ''] = await engine.start([productId], { variations: 1, lockSeed: true, seed: 4242 });
    await engine.whenIdle();
    const hero = () => engine.showcase(galleryId).assets.find((a) => a.kind === 'hero');
    const first = hero();
    expect(first?.status).toBe('done');
    const firstBytes = await sha256File(first?.localPath ?? '');

    // Twice in a row, deleting ComfyUI's output in between: the second identical graph would be
    // served from the cache with the old, deleted file name.
    for (let round = 0; round < 2; round++) {
      await rm(join(sims.comfy.dirs.output, 'showcase'), { recursive: true, force: true });
      await engine.regenerate(first?.id ?? '', 'same');
      await engine.whenIdle();
      const again = hero();
      expect(again?.status, again?.error ?? '').toBe('done');
      expect(again?.seed).toBe(first?.seed);
      expect(await sha256File(again?.localPath ?? '')).toBe(firstBytes);
      // A real file was written on the server for this render (the SaveImage node ran again).
      expect((await readdir(join(sims.comfy.dirs.output, 'showcase'))).length).toBeGreaterThan(0);
    }
    const jobs = engine.store.jobs.listByGallery(galleryId).filter((j) => j.kind === 'hero');
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
      ['done', 1],
    ]);
  });

  it('resume finishes a gallery left running by a process that died after its last job', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const productId = sims.engine.addProducts([{ id: 'stale-cup', name: 'Stale Cup' }]).imported[0]?.id ?? '';
    const [galleryId = ''] = await sims.engine.start([productId], { variations: 1 });
    await sims.engine.whenIdle();
    // The crash window: every job done, the gallery not written yet.
    sims.engine.store.galleries.update(galleryId, { status: 'running' });
    const engine = await sims.reopen();
    expect(await engine.resume()).toBe(0);
    expect(engine.showcase(galleryId).gallery.status).toBe('complete');
  });

  it('picks up new ComfyUI and Ollama URLs from the settings without a restart', async () => {
    sims = await startSims({ openEngine: false });
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const engine = await Engine.open({
      dbPath: join(sims.dir, 'live.db'),
      outputRoot: join(sims.dir, 'live-out'),
      backendOptions: { comfy: FAST_COMFY_CLIENT, ollama: FAST_OLLAMA_CLIENT },
      backoffMs: 10,
    });
    engines.push(engine);
    await engine.handlers['settings.update']({
      comfyUrls: [dead],
      ollamaUrl: dead,
      templateParams: SMALL_QWEN,
    });
    const productId = engine.addProducts([{ id: 'live-mug', name: 'Live Mug' }]).imported[0]?.id ?? '';
    await expect(engine.start([productId])).rejects.toThrow(dead.replace('http://', ''));

    await engine.handlers['settings.update']({ comfyUrls: [sims.comfy.url], ollamaUrl: sims.ollama.url });
    const [galleryId = ''] = await engine.start([productId], { variations: 1 });
    await engine.whenIdle();
    expect(engine.showcase(galleryId).gallery.status).toBe('complete');
    expect(sims.comfy.stats.promptsAccepted).toBeGreaterThan(0);
  });

  it("routes work away from a server that lacks the family's model, and says which lacks what", async () => {
    sims = await startSims({ extraComfy: 1, engine: { overrides: { templateParams: SMALL_QWEN } } });
    const [first, second] = sims.comfies;
    second?.setModels('diffusion_models', []);
    const ids = sims.engine
      .addProducts([1, 2, 3, 4].map((i) => ({ id: `route-${i}`, name: `Route ${i}` })))
      .imported.map((p) => p.id);
    const galleryIds = await sims.engine.start(ids, { variations: 1 });
    await sims.engine.whenIdle();
    for (const id of galleryIds) expect(sims.engine.showcase(id).gallery.status).toBe('complete');
    expect(second?.stats.promptsAccepted).toBe(0);
    expect(first?.stats.promptsAccepted).toBe(12);
    const said = sims.logs.join('\n');
    expect(said).toContain(`ComfyUI at ${second?.url} lacks model files`);
    expect(said).toContain('qwen_image_fp8_e4m3fn.safetensors');
  });
});
