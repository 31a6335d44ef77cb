// Benchmarks of the showcase pipeline against the simulators (protocol-faithful, with a latency
// profile played at a time scale). Everything is measured in one run and printed as ratios.
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { ParamValue, Product, ProductInput } from '../../shared/index.ts';
import { type LatencyProfile, realisticProfile, SimGpu } from '../../sim/gpu.ts';
import { startComfySim, startOllamaSim } from '../../sim/index.ts';
import { ComfyClient } from '../engine/comfy/index.ts';
import { Engine } from '../engine/engine.ts';
import { OllamaClient } from '../engine/ollama/index.ts';
import { productsFromInputs } from '../engine/sheets/index.ts';
import { baseSeedFor, CopyWriter, imagePrompt } from '../engine/showcase/index.ts';
import { instantiate, loadTemplates } from '../engine/templates/index.ts';

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
const LLM_MODEL = 'llama3.2:latest';

function products(n: number, tag: string): ProductInput[] {
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

/** Starts `bin/showcase sim …` as a child process so its CPU time is not counted as the engine's. */
async function spawnSim(
  kind: 'comfyui' | 'ollama',
  extra: string[] = [],
): Promise<{ url: string; stop: () => void }> {
  const bin = resolve(import.meta.dirname, '../../../bin/showcase');
  const child = spawn(bin, ['sim', kind, '--port', '0', '--time-scale', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`sim ${kind} exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * The same work as a showcase, done by bare clients with no engine around them: the copy call, the
 * six renders (hero, lifestyle, four variations from the uploaded hero; two prompts in flight, as the
 * engine keeps a backend fed), each PNG downloaded and written to a new file, and the sharp thumbnail.
 * No journal, scheduler, events or gallery pages. What this costs is the floor any client pays for
 * the protocols (HTTP, one wake-up per WebSocket frame, JSON) and the output files on this machine;
 * the engine's overhead is what it spends above it.
 */
async function barePipeline(urls: { comfy: string; ollama: string }, outDir: string) {
  const templates = await loadTemplates();
  const comfy = new ComfyClient({ url: urls.comfy });
  const ollama = new OllamaClient({ baseUrl: urls.ollama });
  const copywriter = new CopyWriter(ollama);
  const size = { width: 256, height: 256, megapixels: 0.25 };
  await mkdir(outDir, { recursive: true });
  const render = async (templateId: string, values: Record<string, ParamValue>, file: string) => {
    const instance = instantiate(
      templates.get(templateId),
      { ...size, ...values },
      { unknownParams: 'ignore' },
    );
    const result = await comfy.run(instance.graph, { onProgress: () => {}, onPreview: () => {} });
    const image = Object.values(result.outputs).flatMap((o) => o.images)[0];
    if (!image) throw new Error(`${templateId}: no image`);
    const bytes = await comfy.download(image);
    writeFileSync(join(outDir, file), bytes);
    return bytes;
  };
  const showcase = async (product: Product): Promise<void> => {
    const { copy } = await copywriter.write(product, { model: LLM_MODEL, language: 'en', variations: 4 });
    const name = `bare_${product.id}`;
    const seed = baseSeedFor(product.id);
    const prompt = (kind: 'hero' | 'lifestyle' | 'variation', idx: number) => ({
      prompt: imagePrompt(copy, '', kind, idx),
      negative: copy.prompts.negative,
      filename_prefix: `bare/${name}_${kind}_${idx}`,
    });
    const hero = await render('qwen-image.hero', { ...prompt('hero', 0), seed }, `${name}_hero.png`);
    const uploaded = await comfy.uploadImage(hero, `${name}_hero.png`, {
      subfolder: 'bare',
      overwrite: true,
    });
    const variation = (idx: number) =>
      render(
        'qwen-image.variation',
        { ...prompt('variation', idx), seed: seed + idx, image: uploaded.path },
        `${name}_variation_${idx}.png`,
      );
    const thumbnail = async () => {
      const bytes = await sharp(hero)
        .resize(384, 384, { fit: 'inside', withoutEnlargement: true })
        .png({ compressionLevel: 9 })
        .toBuffer();
      writeFileSync(join(outDir, `${name}_thumbnail.png`), bytes);
    };
    await Promise.all([
      render('qwen-image.lifestyle', { ...prompt('lifestyle', 0), seed: seed + 9 }, `${name}_lifestyle.png`),
      variation(1),
    ]);
    await Promise.all([variation(2), variation(3)]);
    await Promise.all([variation(4), thumbnail()]);
  };
  return {
    /** Runs the products one after another (the engine, too, copies one at a time). */
    run: async (items: readonly Product[]): Promise<void> => {
      for (const product of items) await showcase(product);
    },
    close: async (): Promise<void> => {
      await Promise.allSettled([comfy.close(), ollama.close()]);
    },
  };
}

/** CPU (user, system) in ms spent by this process while `fn` runs. */
async function cpuOf(fn: () => Promise<void>): Promise<{ user: number; system: number }> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return { user: used.user / 1000, system: used.system / 1000 };
}

/**
 * A RAM-backed temp folder (/dev/shm) when the machine has one. The engine and the bare clients
 * write the same files, so the disk cancels out of the overhead, but not its noise: creating a file
 * on this VM's ext4 costs ~0.9 ms of kernel time, give or take half, and swamped the difference.
 */
function memoryTmpdir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Zero-latency simulators in child processes (their CPU is not this process's) and a scratch folder. */
async function withZeroLatencySims<T>(
  previews: 'auto' | 'none',
  fn: (urls: { comfy: string; ollama: string }, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(memoryTmpdir(), 'showcase-overhead-'));
  const [comfy, ollama] = await Promise.all([
    spawnSim('comfyui', ['--preview-method', previews]),
    spawnSim('ollama'),
  ]);
  try {
    return await fn({ comfy: comfy.url, ollama: ollama.url }, dir);
  } finally {
    comfy.stop();
    ollama.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Engine CPU per job against zero-latency simulators running in other processes, with small images
 * so the measured time is the engine's own: HTTP + WS protocol, journal writes, files, events. Run it
 * in a fresh process; `measureBareClients` measures the floor the same way.
 */
export async function measureOverhead(
  count: number,
  previews: 'auto' | 'none',
): Promise<{
  cpuMsPerJob: number;
  userMsPerJob: number;
  systemMsPerJob: number;
  wallMsPerJob: number;
  jobs: number;
  /** ComfyUI prompts the engine sent in the measured run. */
  images: number;
}> {
  return withZeroLatencySims(previews, async (urls, dir) => {
    const engine = await Engine.open({
      dbPath: join(dir, 'bench.db'),
      outputRoot: join(dir, 'out'),
      overrides: {
        comfyUrls: [urls.comfy],
        ollamaUrl: urls.ollama,
        // Previews on or off as the simulator was started (--preview-method), like the bare clients.
        comfyPreviewMethod: 'default',
        templateParams: { 'qwen-image': { width: 256, height: 256, megapixels: 0.25 } },
      },
    });
    try {
      // Warm-up: connections, caches, JIT — enough products that the measured run is steady state.
      const warm = engine.addProducts(products(10, 'warm'));
      await engine.start(warm.imported.map((p) => p.id));
      await engine.whenIdle();
      const ids = engine.addProducts(products(count, 'ovh')).imported.map((p) => p.id);
      let images = 0;
      const countPrompts = (message: unknown): void => {
        const request = (message as { request?: { method?: string; path?: string } }).request;
        if (request?.method === 'POST' && request.path?.endsWith('/prompt')) images += 1;
      };
      subscribe('undici:request:create', countPrompts);
      const t0 = performance.now();
      const used = await cpuOf(async () => {
        await engine.start(ids);
        await engine.whenIdle();
      });
      const wall = performance.now() - t0;
      unsubscribe('undici:request:create', countPrompts);
      const jobs = ids.length * 8;
      return {
        cpuMsPerJob: (used.user + used.system) / jobs,
        userMsPerJob: used.user / jobs,
        systemMsPerJob: used.system / jobs,
        wallMsPerJob: wall / jobs,
        jobs,
        images,
      };
    } finally {
      await engine.close();
    }
  });
}

/** CPU per job of `barePipeline` doing `count` showcases (after 3 for warm-up). Run it in a fresh process. */
export async function measureBareClients(
  count: number,
  previews: 'auto' | 'none',
): Promise<{ cpuMsPerJob: number; jobs: number }> {
  return withZeroLatencySims(previews, async (urls, dir) => {
    const bare = await barePipeline(urls, join(dir, 'bare'));
    const items = (tag: string, n: number): Product[] =>
      productsFromInputs(products(n, tag), { sourceSheet: 'bench' }).products;
    try {
      await bare.run(items('warm', 3));
      const measured = items('bare', count);
      const used = await cpuOf(() => bare.run(measured));
      const jobs = measured.length * 8;
      return { cpuMsPerJob: (used.user + used.system) / jobs, jobs };
    } finally {
      await bare.close();
    }
  });
}

/**
 * RSS of the engine with 10,000 queued jobs held by a paused scheduler. The simulators run in child
 * processes, so their memory is not counted as the engine's.
 */
export async function measureQueuedRss(
  jobs: number,
): Promise<{ rssMb: number; jobs: number; enqueueMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'showcase-rss-'));
  const [comfy, ollama] = await Promise.all([spawnSim('comfyui'), spawnSim('ollama')]);
  const engine = await Engine.open({
    dbPath: join(dir, 'bench.db'),
    outputRoot: join(dir, 'out'),
    overrides: { comfyUrls: [comfy.url], ollamaUrl: ollama.url },
  });
  try {
    engine.scheduler.pause();
    const n = Math.ceil(jobs / 8);
    const { imported } = engine.addProducts(products(n, 'rss'));
    const t0 = performance.now();
    await engine.start(imported.map((p) => p.id));
    const enqueueMs = performance.now() - t0;
    globalThis.gc?.();
    const rssMb = process.memoryUsage().rss / 1024 / 1024;
    engine.scheduler.cancel({});
    return { rssMb, jobs: engine.scheduler.counts().cancelled, enqueueMs };
  } finally {
    await engine.close();
    comfy.stop();
    ollama.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
