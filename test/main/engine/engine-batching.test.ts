// How the engine shares GPUs: on one 24 GB card the LLM (~4 GB) and Qwen-Image (~21 GB) cannot be
// resident together, so a batch runs all its copy first, unloads the LLM once, then renders; with a
// second ComfyUI server (a second card) both servers get prompts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/index.ts';
import { type RecordedEvent, type Sims, startSims } from '../../fixtures/sims.ts';

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

const SMALL_QWEN = { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } };
// Ollama's 5 min keep-alive at the simulators' time scale is 150 ms of real time: on a loaded machine
// the gap between two copy calls can be longer and the model would expire between them (a second
// load the engine did not cause). An hour scales to 1.8 s; the engine's own unload is what is tested.
const KEEP_LLM = { defaultKeepAlive: '1h' };
const LLM = 'llama3.2:latest';
const QWEN = 'qwen_image_fp8_e4m3fn.safetensors';

function products(s: Sims, prefix: string, n: number): string[] {
  const { imported } = s.engine.addProducts(
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i + 1}`, name: `${prefix} product ${i + 1}` })),
  );
  return imported.map((p) => p.id);
}

function jobEvents(events: RecordedEvent[], name: 'job.started' | 'job.completed', galleries: string[]) {
  return events
    .map((e, index) => ({ ...e, index }))
    .filter((e) => e.event === name)
    .map((e) => ({ index: e.index, ...(e.payload as { kind: Job['kind']; galleryId: string }) }))
    .filter((e) => galleries.includes(e.galleryId));
}

/** Event-order check that every copy of the batch finished before its first image job started. */
function expectCopyBeforeImages(events: RecordedEvent[], galleries: string[]): void {
  const copies = jobEvents(events, 'job.completed', galleries).filter((e) => e.kind === 'copy');
  const images = jobEvents(events, 'job.started', galleries).filter(
    (e) => e.kind === 'hero' || e.kind === 'lifestyle' || e.kind === 'variation',
  );
  expect(copies).toHaveLength(galleries.length);
  expect(images.length).toBeGreaterThan(0);
  const lastCopy = Math.max(...copies.map((e) => e.index));
  const firstImage = Math.min(...images.map((e) => e.index));
  expect(lastCopy).toBeLessThan(firstImage);
}

describe('Engine GPU sharing', () => {
  it('batches phases on the shared 24 GB GPU: all copy first, the LLM loaded once per batch', async () => {
    sims = await startSims({ ollama: KEEP_LLM, engine: { overrides: { templateParams: SMALL_QWEN } } });
    const { engine, gpu, ollama } = sims;

    const first = await engine.start(products(sims, 'batch-a', 3), { family: 'qwen-image', variations: 1 });
    expect(sims.logs.some((l) => l.includes('copy first, then images'))).toBe(true);
    await engine.whenIdle();
    for (const g of first) expect(engine.showcase(g).gallery.status).toBe('complete');
    expectCopyBeforeImages(sims.events, first);
    // One LLM load for three copies, one Qwen load for all images: a single swap.
    expect(gpu.loadCounts.get(LLM)).toBe(1);
    expect(gpu.loadCounts.get(QWEN)).toBe(1);
    expect(engine.scheduler.swaps).toBe(1);
    // The LLM was unloaded before the image phase (and never came back during it).
    expect(gpu.models('ollama')).toEqual([]);
    expect(ollama.stats.chat + ollama.stats.generate).toBeGreaterThanOrEqual(4);

    // A second batch: one more LLM load (after the image model was freed), again copy first.
    const second = await engine.start(products(sims, 'batch-b', 2), { family: 'qwen-image', variations: 1 });
    await engine.whenIdle();
    for (const g of second) expect(engine.showcase(g).gallery.status).toBe('complete');
    expectCopyBeforeImages(sims.events, second);
    expect(gpu.loadCounts.get(LLM)).toBe(2);
    expect(gpu.loadCounts.get(QWEN)).toBe(2);
    expect(engine.scheduler.swaps).toBe(3);
  });

  it('does not gate when the image model fits next to the LLM (SDXL on 24 GB)', async () => {
    sims = await startSims({
      ollama: KEEP_LLM,
      engine: { overrides: { templateParams: { sdxl: { width: 512, height: 512, megapixels: 0.25 } } } },
    });
    const { engine, gpu } = sims;
    const galleries = await engine.start(products(sims, 'sdxl', 3), { family: 'sdxl', variations: 1 });
    await engine.whenIdle();
    for (const g of galleries) expect(engine.showcase(g).gallery.status).toBe('complete');
    expect(sims.logs.some((l) => l.includes('copy first, then images'))).toBe(false);
    expect(engine.scheduler.swaps).toBe(0);
    // Both stayed resident: neither was loaded twice.
    expect(gpu.loadCounts.get(LLM)).toBe(1);
    expect(gpu.loadCounts.get('sd_xl_base_1.0.safetensors')).toBe(1);
  });

  it('feeds two ComfyUI servers (two GPUs; the first shares its card with the LLM)', async () => {
    // The second server gets its own SimGpu: on the first card its Qwen model would evict the
    // other server's and could not load next to the LLM during the copy phase.
    sims = await startSims({
      extraComfy: 1,
      ollama: KEEP_LLM,
      engine: { overrides: { templateParams: SMALL_QWEN } },
    });
    const { engine, comfies, gpu } = sims;
    const [one, two] = comfies;
    if (!one || !two) throw new Error('two simulators expected');
    const lanes = engine.scheduler.lanes.filter((l) => l.kind === 'comfy');
    expect(lanes.map((l) => [l.id, l.sharedWithLlm])).toEqual([
      ['comfy-1', true],
      ['comfy-2', false],
    ]);

    const galleries = await engine.start(products(sims, 'duo', 4), { variations: 2 });
    await engine.whenIdle();
    for (const g of galleries) expect(engine.showcase(g).gallery.status).toBe('complete');

    expect(one.stats.promptsAccepted).toBeGreaterThan(0);
    expect(two.stats.promptsAccepted).toBeGreaterThan(0);
    // 4 products × (hero + lifestyle + 2 variations), each rendered once somewhere.
    expect(one.stats.promptsAccepted + two.stats.promptsAccepted).toBe(16);
    const backends = new Set(
      galleries.flatMap((g) =>
        engine.store.jobs
          .listByGallery(g)
          .filter((j) => j.kind !== 'copy' && j.kind !== 'thumbnail')
          .map((j) => j.backend),
      ),
    );
    expect(backends).toEqual(new Set(['comfy-1', 'comfy-2']));
    // No OOM anywhere: the second card never held the LLM, the first never held both.
    expect(sims.logs.some((l) => l.includes('out of memory'))).toBe(false);
    expect(two.gpu).not.toBe(gpu);
    expect(two.gpu.loadCounts.get(LLM)).toBeUndefined();
  });
});
