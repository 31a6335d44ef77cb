// The engine under backend faults, injected into the real simulators: a node that throws once, an
// out-of-memory on the shared GPU, an LLM that never answers valid JSON, a model file that is not
// installed. Each run must end in a definite gallery state with the right trail in the journal.
import { afterEach, describe, expect, it } from 'vitest';
import { type Sims, startSims } from '../../fixtures/sims.ts';

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

const SMALL_QWEN = { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } };

async function renderOne(s: Sims, id: string, variations = 2) {
  const productId = s.engine.addProducts([{ id, name: `Fault ${id}`, materials: ['oak'] }]).imported[0]?.id;
  if (!productId) throw new Error('import failed');
  const [galleryId = ''] = await s.engine.start([productId], { variations });
  await s.engine.whenIdle();
  return s.engine.showcase(galleryId);
}

describe('Engine under backend faults', () => {
  it('re-executes a variation whose node failed once and records 2 attempts on its asset', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    // VAEEncode only exists in the img2img variation graph: exactly one variation run fails.
    sims.comfy.faults.failNode('VAEEncode', 'RuntimeError', 'simulated VAE encode failure', 1);
    const { gallery, assets } = await renderOne(sims, 'retry-stool', 3);

    expect(gallery.status).toBe('complete');
    expect(gallery.error).toBeNull();
    const variations = assets.filter((a) => a.kind === 'variation');
    expect(variations.every((a) => a.status === 'done')).toBe(true);
    expect(variations.map((a) => a.attempts).sort()).toEqual([1, 1, 2]);
    for (const a of assets.filter((x) => x.kind !== 'variation')) expect(a.attempts).toBe(1);

    // The journal shows the retry: the failed run was logged, then the job went through.
    const retried = variations.find((a) => a.attempts === 2);
    const job = sims.engine.store.jobs.listByGallery(gallery.id).find((j) => j.assetId === retried?.id);
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    const usage = sims.engine.store.modelUsage.list({ jobId: job?.id ?? '' });
    expect(usage.map((u) => u.ok)).toEqual([false, true]);
    expect(usage[0]?.error).toContain('simulated VAE encode failure');
    // 2 text-to-image + 3 variations + 1 re-execution, each under its own prompt id.
    expect(sims.comfy.stats.promptsAccepted).toBe(6);
    expect(new Set(sims.comfy.stats.promptIds).size).toBe(6);
    expect(
      sims.events.filter((e) => e.event === 'job.failed' && (e.payload as { willRetry: boolean }).willRetry),
    ).toHaveLength(1);
  });

  it('on OOM drops the lane to one prompt at a time, calls /free and retries the job', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const lane = sims.engine.scheduler.lanes.find((l) => l.kind === 'comfy');
    expect(lane?.sequential).toBe(false);
    sims.comfy.faults.oomOnPrompt(1);
    const { gallery, assets } = await renderOne(sims, 'oom-lamp');

    expect(gallery.status).toBe('complete');
    expect(lane?.sequential).toBe(true);
    expect(assets.every((a) => a.status === 'done')).toBe(true);
    // The first prompt (a hero or lifestyle) hit the OOM and was rendered on the second attempt.
    expect(assets.filter((a) => a.attempts === 2)).toHaveLength(1);
    const oomed = assets.find((a) => a.attempts === 2);
    expect(['hero', 'lifestyle']).toContain(oomed?.kind);
    const failure = sims.engine.store.modelUsage.list({ phase: 'image' }).find((u) => !u.ok);
    expect(failure?.error ?? '').toMatch(/out of memory|OutOfMemory/i);

    // POST /free came after the OOM was reported and before the retry was submitted.
    const t = sims.comfy.transcript;
    const post = (route: string) => (e: (typeof t)[number]) =>
      e.dir === 'in' && e.method === 'POST' && new RegExp(`^/(api/)?${route}`).test(e.path ?? '');
    const oomFrame = t.find(
      (e) =>
        e.channel === 'ws' &&
        e.type === 'execution_error' &&
        /OutOfMemory/.test(JSON.stringify(e.data ?? {})),
    );
    expect(oomFrame).toBeDefined();
    const freeAfterOom = t.find((e) => post('free')(e) && e.seq > (oomFrame?.seq ?? 0));
    expect(freeAfterOom).toBeDefined();
    expect(t.some((e) => post('prompt')(e) && e.seq > (freeAfterOom?.seq ?? 0))).toBe(true);
    expect(sims.logs.some((l) => l.includes('out of memory'))).toBe(true);
    // 2 text-to-image + 2 variations + the retry.
    expect(sims.comfy.stats.promptsAccepted).toBe(5);
  });

  it('falls back to template copy when the LLM never returns valid JSON, and still renders', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    sims.ollama.faults.invalidJsonNext(50);
    const { gallery, assets } = await renderOne(sims, 'prose-kettle', 1);

    expect(gallery.copy?.source).toBe('fallback');
    expect(gallery.copy?.title).toContain('Fault prose-kettle');
    expect(gallery.status).toBe('complete');
    expect(assets.every((a) => a.status === 'done')).toBe(true);
    // Three tries (first + 2 retries), every one logged as a failed copy call.
    expect(sims.ollama.faults.log.filter((f) => f.fault === 'invalid-json')).toHaveLength(3);
    const copy = sims.engine.store.modelUsage.list({ phase: 'copy' });
    expect(copy).toHaveLength(3);
    expect(copy.every((u) => !u.ok)).toBe(true);
  });

  it('refuses to start when no server has the model file, naming the server, the file and its folder', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    sims.comfy.setModels('diffusion_models', []);
    const productId = sims.engine.addProducts([{ id: 'no-model-lamp', name: 'Lamp' }]).imported[0]?.id ?? '';
    const refused = await sims.engine.start([productId]).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'model_missing' });
    const message = (refused as Error).message;
    expect(message).toContain(`ComfyUI at ${sims.comfy.url}`);
    expect(message).toContain('qwen_image_fp8_e4m3fn.safetensors');
    expect(message).toContain('models/diffusion_models');
    expect(sims.engine.store.galleries.latestForProduct(productId)).toBeNull();
    expect(sims.comfy.stats.promptsAccepted).toBe(0);
  });

  it('fails the gallery at once (no retries) when the model file disappears after the pre-flight', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const productId = sims.engine.addProducts([{ id: 'no-model-vase', name: 'Vase' }]).imported[0]?.id ?? '';
    sims.engine.scheduler.pause();
    const [galleryId = ''] = await sims.engine.start([productId], { variations: 1 });
    sims.comfy.setModels('diffusion_models', []);
    sims.engine.scheduler.resume();
    await sims.engine.whenIdle();
    const { gallery, assets } = sims.engine.showcase(galleryId);

    expect(gallery.status).toBe('failed');
    expect(gallery.error).toContain('qwen_image_fp8_e4m3fn.safetensors');
    expect(gallery.error).toContain('models/diffusion_models');
    expect(gallery.error).toContain('deterministic');
    expect(assets.every((a) => a.status !== 'done')).toBe(true);
    // A missing file is not a transient error: no retries hammering the server.
    expect(sims.comfy.stats.promptsAccepted).toBe(0);
    const jobs = sims.engine.store.jobs.listByGallery(gallery.id);
    expect(jobs.filter((j) => j.kind === 'hero' || j.kind === 'lifestyle').map((j) => j.attempts)).toEqual([
      1, 1,
    ]);
    expect(gallery.htmlPath).toBeNull();
  });
});
