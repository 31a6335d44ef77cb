// The benchmark's fresh-process probes: the engine's CPU per job against zero-latency simulators in
// other processes, bare clients doing the same work (the floor), and RSS with 10,000 queued jobs.
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { ParamValue, Product } from '../../shared/index.ts';
import { ComfyClient } from '../engine/comfy/index.ts';
import { Engine } from '../engine/engine.ts';
import { OllamaClient } from '../engine/ollama/index.ts';
import { productsFromInputs } from '../engine/sheets/index.ts';
import { baseSeedFor, CopyWriter, imagePrompt } from '../engine/showcase/index.ts';
import { instantiate, loadTemplates } from '../engine/templates/index.ts';
import { LLM_MODEL, products } from './makespan.ts';

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
