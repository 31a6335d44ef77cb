// `showcase generate <sheet>` and `showcase demo`: import a sheet, render every product, print a
// summary table, exit non-zero when anything failed.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type SettingsPatch, ShowcaseError, type TemplateFamily } from '../../../shared/index.ts';
import { SimGpu } from '../../../sim/gpu.ts';
import { startComfySim, startOllamaSim } from '../../../sim/index.ts';
import { Engine, type StartOptions } from '../../engine/engine.ts';
import { createProgressReporter, formatMs, table } from '../progress.ts';

export interface GenerateOptions {
  out: string;
  db?: string;
  comfy?: string[];
  ollama?: string;
  model?: string;
  family?: TemplateFamily;
  preset?: string;
  seed?: number;
  lockSeed?: boolean;
  variations?: number;
  resume?: boolean;
  json?: boolean;
  /** The sheet's language and currency for rows that name none (docs/channels.md). */
  language?: string;
  currency?: string;
}

const SAMPLE_SHEETS = [
  'resources/samples/products.csv',
  'resources/samples/products.json',
  'resources/samples/shopify_products.csv',
];
const RESTYLE_SAMPLE_SHEET = 'resources/samples/restyle/products_restyle.csv';

function projectRoot(): string {
  return resolve(import.meta.dirname, '../../../..');
}

async function readSheet(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ShowcaseError(
      'invalid_input',
      `Cannot read the product sheet ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        hint: 'Check the path; CSV, JSON and Shopify product exports are accepted',
      },
    );
  }
}

interface RunResult {
  failed: number;
  partial: number;
  complete: number;
}

/** Imports the sheets, starts (or resumes) the showcases, reports progress, prints the summary. */
async function runSession(
  engine: Engine,
  sheets: Array<{ path: string; content: string }>,
  opts: {
    start: StartOptions;
    resume: boolean;
    json: boolean;
    limit?: number;
    sheet?: { language?: string; currency?: string };
  },
): Promise<RunResult> {
  const mode = opts.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain';
  const reporter = createProgressReporter(mode);
  const off = engine.subscribe((event, payload) => reporter.onEvent(event, payload));
  const started = Date.now();
  let galleryIds: string[] = [];
  try {
    if (opts.resume) {
      const n = await engine.resume();
      if (n === 0) {
        if (!opts.json) console.log('Nothing to resume: the journal has no unfinished jobs.');
        return { failed: 0, partial: 0, complete: 0 };
      }
      galleryIds = [
        ...new Set(
          engine.store.jobs.listByStatus(['queued', 'running'], { limit: 1_000_000 }).map((j) => j.galleryId),
        ),
      ];
    } else {
      const productIds: string[] = [];
      for (const sheet of sheets) {
        const imported = engine.importSheet(
          sheet.content,
          basename(sheet.path),
          'auto',
          dirname(resolve(sheet.path)),
          opts.sheet,
        );
        for (const e of imported.errors) {
          const line = `${basename(sheet.path)} line ${e.line}, ${e.field}: ${e.message} (row skipped)`;
          if (opts.json)
            console.log(JSON.stringify({ event: 'import.error', file: basename(sheet.path), ...e }));
          else console.error(line);
        }
        productIds.push(...imported.imported.map((p) => p.id));
      }
      const unique = [...new Set(productIds)].slice(0, opts.limit ?? Number.POSITIVE_INFINITY);
      if (unique.length === 0)
        throw new ShowcaseError('invalid_input', 'The sheet has no valid product rows');
      // One clear message for missing model files instead of every showcase failing alike.
      await engine.pool.probe();
      if (engine.pool.comfy.some((b) => b.lane.online)) {
        await engine.checkModels(opts.start.family ?? engine.settings().family);
      }
      galleryIds = await engine.start(unique, opts.start);
    }
    for (const id of galleryIds) {
      const s = engine.showcase(id);
      reporter.track(
        id,
        s.product.name,
        engine.store.jobs.listByGallery(id).filter((j) => j.status !== 'done').length,
      );
    }
    await engine.whenIdle();
  } finally {
    reporter.stop();
    off();
  }
  const result: RunResult = { failed: 0, partial: 0, complete: 0 };
  const rows: string[][] = [];
  for (const id of galleryIds) {
    const s = engine.showcase(id);
    if (s.gallery.status === 'complete') result.complete += 1;
    else if (s.gallery.status === 'partial') result.partial += 1;
    else result.failed += 1;
    const doc = await engine.galleryDocument(id).catch(() => null);
    const t = (kind: string, idx = 0) => {
      const a = doc?.assets.find((x) => x.kind === kind && x.idx === idx);
      const ms = a ? doc?.timings.assets[a.filename] : undefined;
      return ms ? formatMs(ms) : a?.status === 'done' ? 'cached' : '—';
    };
    rows.push([
      s.product.id,
      s.gallery.status,
      t('hero'),
      t('lifestyle'),
      [1, 2, 3, 4].map((i) => t('variation', i)).join(' '),
      t('thumbnail'),
      doc?.timings.totalMs ? formatMs(doc.timings.totalMs) : '—',
    ]);
    if (s.gallery.error && !opts.json)
      rows.push(['', `↳ ${s.gallery.error}`.slice(0, 160), '', '', '', '', '']);
  }
  if (opts.json) {
    console.log(
      JSON.stringify({
        event: 'summary',
        ...result,
        outputRoot: engine.outputRoot,
        totalMs: Date.now() - started,
      }),
    );
  } else {
    console.log('');
    console.log(
      table(['product', 'status', 'hero', 'lifestyle', 'variations 1–4', 'thumbnail', 'done after'], rows),
    );
    console.log('');
    console.log(
      `${result.complete} complete, ${result.partial} partial, ${result.failed} failed in ${formatMs(Date.now() - started)}`,
    );
    const index = join(engine.outputRoot, 'index.html');
    console.log(`Gallery: ${index}`);
  }
  return result;
}

function startOptions(opts: GenerateOptions): StartOptions {
  return {
    ...(opts.family ? { family: opts.family } : {}),
    ...(opts.preset ? { presetId: opts.preset } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.lockSeed ? { lockSeed: true } : {}),
    ...(opts.variations !== undefined ? { variations: opts.variations } : {}),
  };
}

export async function generateCommand(sheet: string, opts: GenerateOptions): Promise<void> {
  const overrides: SettingsPatch = {};
  if (opts.comfy?.length) overrides.comfyUrls = opts.comfy;
  if (opts.ollama) overrides.ollamaUrl = opts.ollama;
  if (opts.model) overrides.ollamaModel = opts.model;
  const content = opts.resume ? '' : await readSheet(sheet);
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides,
    log: opts.json ? undefined : (line) => console.error(`· ${line}`),
  });
  try {
    const result = await runSession(engine, [{ path: sheet, content }], {
      start: startOptions(opts),
      resume: Boolean(opts.resume),
      json: Boolean(opts.json),
      sheet: {
        ...(opts.language ? { language: opts.language } : {}),
        ...(opts.currency ? { currency: opts.currency.toUpperCase() } : {}),
      },
    });
    if (result.failed + result.partial > 0) process.exitCode = 1;
  } finally {
    await engine.close();
  }
}

export interface DemoOptions {
  products?: number;
  out: string;
  db?: string;
  sheet?: string;
  family?: TemplateFamily;
  realistic?: boolean;
  timeScale?: number;
  json?: boolean;
}

export async function demoCommand(opts: DemoOptions): Promise<void> {
  const timeScale = opts.timeScale ?? (opts.realistic ? 1 : 0.002);
  const gpu = new SimGpu({ timeScale });
  const comfy = await startComfySim({ gpu });
  const ollama = await startOllamaSim({ gpu });
  const root = projectRoot();
  // The restyle family needs products with reference photos: its own sample sheet.
  const samples = opts.family === 'edit' ? [RESTYLE_SAMPLE_SHEET] : SAMPLE_SHEETS;
  const sheets = opts.sheet
    ? [{ path: opts.sheet, content: await readSheet(opts.sheet) }]
    : await Promise.all(
        samples.map(async (p) => ({ path: join(root, p), content: await readSheet(join(root, p)) })),
      );
  if (!opts.json) {
    console.log(
      `Demo: simulated ComfyUI at ${comfy.url} and Ollama at ${ollama.url} sharing one simulated 24 GB GPU (time scale ${timeScale}).`,
    );
  }
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides: { comfyUrls: [comfy.url], ollamaUrl: ollama.url },
    log: opts.json ? undefined : (line) => console.error(`· ${line}`),
  });
  try {
    const result = await runSession(engine, sheets, {
      start: opts.family ? { family: opts.family } : {},
      resume: false,
      json: Boolean(opts.json),
      ...(opts.products !== undefined ? { limit: opts.products } : {}),
    });
    if (result.failed + result.partial > 0) process.exitCode = 1;
    // While the simulated ComfyUI is up: the white-background heroes Amazon and Mercado Livre need, so a
    // later `showcase export` of this output works without a server (the renders are cached per hero).
    const white = await engine.channels.prepareWhiteBackgrounds();
    if (!opts.json) {
      console.log(
        `White-background main images: ${white.rendered} rendered, ${white.notNeeded} not needed${white.failed.length > 0 ? `, ${white.failed.length} failed (${white.failed[0]})` : ''}. Channel exports: bin/showcase export --all --out ${opts.out}`,
      );
    }
  } finally {
    await engine.close();
    await Promise.allSettled([comfy.close(), ollama.close()]);
  }
}
