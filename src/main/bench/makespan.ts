// Makespan of the showcase pipeline against the simulators (protocol-faithful, with a latency profile
// played at a time scale), for the engine and for a naive per-product run, with the lower bound no
// schedule can beat and the model loads per batch.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProductInput } from '../../shared/index.ts';
import { type LatencyProfile, realisticProfile, SimGpu } from '../../sim/gpu.ts';
import { startComfySim, startOllamaSim } from '../../sim/index.ts';
import { Engine } from '../engine/engine.ts';

export interface RunMeasure {
  makespanMs: number;
  lowerBoundMs: number;
  /** Σ of the busy time of every job on its device, model loads excluded. */
  workMs: number;
  loadsMs: number;
  llmLoads: number;
  imageLoads: number;
  perAsset: Array<{ kind: string; idx: number; ms: number }>;
  jobs: number;
}

const IMAGE_MODEL = 'qwen_image_fp8_e4m3fn.safetensors';
export const LLM_MODEL = 'llama3.2:latest';

export function products(n: number, tag: string): ProductInput[] {
  const materials = ['stainless steel', 'walnut', 'linen', 'ceramic', 'recycled aluminium'];
  const colors = ['matte black', 'sand', 'forest green', 'terracotta', 'ivory'];
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}-${i + 1}`,
    name: `Bench Product ${tag.toUpperCase()} ${i + 1}`,
    description: 'A fictional product used to measure the scheduler.',
    category: 'Home',
    brand: 'Bench & Co.',
    materials: [materials[i % materials.length] ?? 'steel'],
    colors: [colors[i % colors.length] ?? 'black'],
  }));
}

/** Profile milliseconds a model load costs, scaled to wall-clock. */
function loadWall(gpu: SimGpu, model: string): number {
  return gpu.scaled(gpu.spec(model).loadMs);
}

/**
 * Runs `count` products through a fresh engine on `backends` simulated GPUs (the first shared with
 * the LLM). `naive` renders product after product, each waiting for the previous one (the seed's
 * per-product sequential flow): copy, swap, images, swap back.
 */
export async function measureRun(options: {
  count: number;
  backends: number;
  naive: boolean;
  timeScale: number;
  profile?: LatencyProfile;
}): Promise<RunMeasure> {
  const profile = options.profile ?? realisticProfile;
  const dir = await mkdtemp(join(tmpdir(), 'showcase-bench-'));
  const gpus = Array.from(
    { length: options.backends },
    () => new SimGpu({ timeScale: options.timeScale, profile }),
  );
  const firstGpu = gpus[0];
  if (!firstGpu) throw new Error('at least one backend');
  const comfys = await Promise.all(gpus.map((gpu) => startComfySim({ gpu, previewMethod: 'none' })));
  const ollama = await startOllamaSim({ gpu: firstGpu });
  const engine = await Engine.open({
    dbPath: join(dir, 'bench.db'),
    outputRoot: join(dir, 'out'),
    // The servers run without previews and the engine asks for none (the server flag decides).
    overrides: { comfyUrls: comfys.map((c) => c.url), ollamaUrl: ollama.url, comfyPreviewMethod: 'default' },
  });
  try {
    const { imported } = engine.addProducts(
      products(options.count, `p${options.backends}${options.naive ? 'n' : 'e'}`),
    );
    const ids = imported.map((p) => p.id);
    const started = performance.now();
    const galleryIds: string[] = [];
    if (options.naive) {
      for (const id of ids) {
        galleryIds.push(...(await engine.start([id])));
        await engine.whenIdle();
        // The seed's flow swaps models per product: the image model leaves VRAM before the next copy.
        await Promise.all(engine.pool.comfy.map((b) => b.client.free({ unloadModels: true })));
      }
    } else {
      galleryIds.push(...(await engine.start(ids)));
      await engine.whenIdle();
    }
    const makespanMs = performance.now() - started;

    // Busy time per device from the usage log: image runMs (execution_start → end) and copy totals.
    const usage = engine.store.modelUsage.list({ limit: 1_000_000 });
    let imageBusy = 0;
    let copyBusy = 0;
    for (const u of usage) {
      if (!u.ok) continue;
      if (u.phase === 'image') imageBusy += u.runMs;
      else if (u.phase === 'copy') copyBusy += u.totalMs;
    }
    let loadsMs = 0;
    let llmLoads = 0;
    let imageLoads = 0;
    for (const gpu of gpus) {
      for (const [model, count] of gpu.loadCounts) {
        loadsMs += count * loadWall(gpu, model);
        if (model === LLM_MODEL) llmLoads += count;
        if (model === IMAGE_MODEL) imageLoads += count;
      }
    }
    const workMs = imageBusy + copyBusy - loadsMs;
    // Unavoidable: the LLM once, and the image model (+ text encoder + VAE) once per backend.
    const imageStackLoad =
      loadWall(firstGpu, IMAGE_MODEL) +
      loadWall(firstGpu, 'qwen_2.5_vl_7b_fp8_scaled.safetensors') +
      loadWall(firstGpu, 'qwen_image_vae.safetensors');
    const unavoidable = loadWall(firstGpu, LLM_MODEL) + imageStackLoad * options.backends;
    const lowerBoundMs = (workMs + unavoidable) / options.backends;

    const perAsset: RunMeasure['perAsset'] = [];
    const first = galleryIds[0];
    if (first) {
      const doc = await engine.galleryDocument(first);
      for (const a of doc?.assets ?? [])
        perAsset.push({ kind: a.kind, idx: a.idx, ms: doc?.timings.assets[a.filename] ?? 0 });
      const copy = usage.find((u) => u.phase === 'copy' && u.ok);
      if (copy) perAsset.unshift({ kind: 'copy', idx: 0, ms: copy.totalMs });
    }
    return {
      makespanMs,
      lowerBoundMs,
      workMs,
      loadsMs,
      llmLoads,
      imageLoads,
      perAsset,
      jobs: usage.length,
    };
  } finally {
    await engine.close();
    await Promise.allSettled([...comfys.map((c) => c.close()), ollama.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}
