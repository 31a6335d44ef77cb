// `showcase generate <sheet>` and `showcase demo`: import a sheet, render every product, print a
// summary table, exit non-zero when anything failed. Like the UI and the HTTP API, they go through
// the contract's methods (`catalog.import`, `models.preflight`, `showcase.submit`, `showcase.rerun`),
// so its limits and checks hold here too.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type ImportRowError,
  type SettingsPatch,
  ShowcaseError,
  type StartOptions,
  type TemplateFamily,
} from '../../../shared/index.ts';
import { Engine } from '../../engine/engine.ts';
import { parseSheet } from '../../engine/sheets/index.ts';
import { call } from '../contract.ts';
import { backendOverrides } from '../overrides.ts';
import { checkGenerate, checkOptions, checkPreset, checkSheet } from '../preflight.ts';
import { createProgressReporter, type ProgressReporter } from '../progress.ts';
import { EXIT, exitCodeFor, printSummary, type RunResult } from '../summary.ts';
import { syntheticSheet } from '../synthetic.ts';

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
  /** `--param name=value` (repeatable): render parameters for these showcases. */
  param?: Record<string, string | number | boolean>;
  resume?: boolean;
  restart?: boolean;
  json?: boolean;
  /** The sheet's language and currency for rows that name none (docs/channels.md). */
  language?: string;
  currency?: string;
  /** `--team`: the images render on the team's workers (the team database and bucket below or in the settings). */
  team?: boolean;
  pg?: string;
  s3?: string;
  s3Region?: string;
  /** Hidden, for tests: the team queue's schema. */
  teamSchema?: string;
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

/** Imports the sheets, starts (or resumes) the showcases, reports progress, prints the summary. */
async function runSession(
  engine: Engine,
  sheets: Array<{ path: string; content: string }>,
  opts: {
    start: StartOptions;
    resume: boolean;
    restart?: boolean;
    json: boolean;
    limit?: number;
    sheet?: { language?: string; currency?: string };
  },
): Promise<RunResult> {
  const mode = opts.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain';
  const reporter = createProgressReporter(mode);
  const off = engine.subscribe((event, payload) => reporter.onEvent(event, payload));
  const startedAt = Date.now();
  let galleryIds: string[] = [];
  try {
    if (opts.resume) {
      const n = await engine.resume();
      if (n === 0) {
        if (!opts.json) console.log('Nothing to resume: the journal has no unfinished jobs.');
        return { failed: 0, partial: 0, complete: 0, fallbackCopy: 0 };
      }
      galleryIds = engine.store.jobs.progressByGallery().map((g) => g.galleryId);
    } else {
      const productIds: string[] = [];
      for (const sheet of sheets) {
        const imported = await call(engine, 'catalog.import', {
          content: sheet.content,
          filename: basename(sheet.path),
          format: 'auto',
          sheetDir: dirname(resolve(sheet.path)),
          ...opts.sheet,
        });
        reportImportProblems(basename(sheet.path), imported, opts.json);
        productIds.push(...imported.imported.map((p) => p.id));
      }
      const unique = [...new Set(productIds)].slice(0, opts.limit ?? Number.POSITIVE_INFINITY);
      if (unique.length === 0)
        throw new ShowcaseError('invalid_input', 'The sheet has no valid product rows');
      // Every backend probed and the family's model files checked on each, before anything starts
      // (showcase.submit checks again: a run from any adapter gets the same pre-flight).
      // A team run renders elsewhere: showcase.submit checks the team database and bucket instead.
      if (opts.start.target !== 'team') {
        await call(engine, 'models.preflight', {
          ...(opts.start.family ? { family: opts.start.family } : {}),
        });
      }
      const submitted = await call(engine, 'showcase.submit', {
        productIds: unique,
        options: opts.start,
        ifUnfinished: opts.restart ? 'restart' : 'refuse',
      }).catch((err: unknown) => {
        throw unfinishedRefusal(err, engine, sheets);
      });
      if (submitted.restarted) reportRestart(submitted.restarted, opts.json);
      galleryIds = submitted.galleryIds;
    }
    await follow(engine, reporter, galleryIds);
  } finally {
    reporter.stop();
    off();
  }
  return printSummary(engine, galleryIds, { json: opts.json, startedAt });
}

async function follow(
  engine: Engine,
  reporter: ProgressReporter,
  galleryIds: readonly string[],
): Promise<void> {
  // Two queries for all the galleries: after a resume of thousands, the first prompts wait on this.
  const labels = engine.store.galleries.labels(galleryIds);
  const progress = engine.store.jobs.progressByGallery(galleryIds);
  for (const { galleryId, notDone } of progress) {
    const name = labels.get(galleryId)?.productName;
    if (name == null)
      throw new ShowcaseError('not_found', `Showcase ${galleryId} or its product does not exist`);
    reporter.track(galleryId, name, notDone);
  }
  await engine.whenIdle();
}

/** Skipped rows (errors) and rows imported with a change, such as a duplicate id renamed. */
function reportImportProblems(
  file: string,
  imported: { errors: ImportRowError[]; warnings: ImportRowError[] },
  json: boolean,
): void {
  for (const [kind, list] of [
    ['import.error', imported.errors],
    ['import.warning', imported.warnings],
  ] as const) {
    for (const e of list) {
      if (json) console.log(JSON.stringify({ event: kind, file, ...e }));
      else
        console.error(
          `${file} line ${e.line}, ${e.field}: ${e.message}${kind === 'import.error' ? ' (row skipped)' : ''}`,
        );
    }
  }
}

/**
 * A forgotten `--resume`: the journal already holds an unfinished run of these products (killed,
 * say). Starting over silently would render its images a second time and leave its showcases
 * `running` forever, so `showcase.submit` refuses (nothing starts) until the operator chooses.
 */
function unfinishedRefusal(err: unknown, engine: Engine, sheets: Array<{ path: string }>): unknown {
  if (!(err instanceof ShowcaseError) || err.code !== 'conflict' || !err.details?.galleryIds) return err;
  const { galleryIds, productIds, openJobs } = err.details as {
    galleryIds: string[];
    productIds: string[];
    openJobs: number;
  };
  const names = productIds.slice(0, 5).join(', ') + (productIds.length > 5 ? ' …' : '');
  const sheet = sheets[0]?.path ?? '<sheet>';
  return new ShowcaseError(
    'conflict',
    `The journal (${engine.outputRoot}) holds an unfinished run of this sheet: ${galleryIds.length} showcase(s) (${names}) with ${openJobs} job(s) not done. Nothing was started.`,
    {
      hint: `Continue it with: showcase generate ${sheet} --resume (nothing is rendered twice), or discard it and start over with: showcase generate ${sheet} --restart`,
      details: { galleryIds, exitCode: EXIT.refused },
    },
  );
}

function reportRestart(restarted: { galleryIds: string[]; cancelledJobs: number }, json: boolean): void {
  const { galleryIds, cancelledJobs: n } = restarted;
  if (json) console.log(JSON.stringify({ event: 'run.restarted', cancelledJobs: n, galleryIds }));
  else
    console.error(
      `· --restart: cancelled ${n} unfinished job(s) of ${galleryIds.length} showcase(s) from the earlier run; starting over`,
    );
}

function startOptions(opts: GenerateOptions): StartOptions {
  return {
    ...(opts.family ? { family: opts.family } : {}),
    ...(opts.preset ? { presetId: opts.preset } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.lockSeed ? { lockSeed: true } : {}),
    ...(opts.variations !== undefined ? { variations: opts.variations } : {}),
    ...(opts.param ? { params: opts.param } : {}),
    ...(opts.team ? { target: 'team' as const } : {}),
  };
}

export async function generateCommand(sheet: string, opts: GenerateOptions): Promise<void> {
  const overrides: SettingsPatch = backendOverrides(opts);
  if (opts.model) overrides.ollamaModel = opts.model;
  if (opts.resume && opts.restart)
    throw new ShowcaseError(
      'invalid_input',
      'Choose one: --resume continues the unfinished run, --restart discards it',
    );
  const content = opts.resume ? '' : await readSheet(sheet);
  const dbPath = opts.db ?? join(opts.out, 'studio.db');
  // A bad sheet or option is refused here, before any folder or database exists (preflight.ts).
  checkGenerate({ sheetPath: sheet, content, resume: Boolean(opts.resume), dbPath, options: opts });
  const engine = await Engine.open({
    dbPath,
    outputRoot: opts.out,
    overrides,
    log: opts.json ? undefined : (line) => console.error(`· ${line}`),
    ...(opts.teamSchema ? { team: { schema: opts.teamSchema } } : {}),
  });
  try {
    if (opts.preset && !opts.resume) checkPreset(await call(engine, 'presets.list', {}), opts.preset);
    const result = await runSession(engine, [{ path: sheet, content }], {
      start: startOptions(opts),
      resume: Boolean(opts.resume),
      restart: Boolean(opts.restart),
      json: Boolean(opts.json),
      sheet: {
        ...(opts.language ? { language: opts.language } : {}),
        ...(opts.currency ? { currency: opts.currency.toUpperCase() } : {}),
      },
    });
    process.exitCode = exitCodeFor(result);
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
  const root = projectRoot();
  // The restyle family needs products with reference photos: its own sample sheet.
  const samples = opts.family === 'edit' ? [RESTYLE_SAMPLE_SHEET] : SAMPLE_SHEETS;
  const sheets = opts.sheet
    ? [{ path: opts.sheet, content: await readSheet(opts.sheet) }]
    : await Promise.all(
        samples.map(async (p) => ({ path: join(root, p), content: await readSheet(join(root, p)) })),
      );
  // Checked before the simulators start or anything is written.
  checkOptions({ ...(opts.products !== undefined ? { products: opts.products } : {}) });
  for (const sheet of sheets) checkSheet(sheet.path, sheet.content);
  // More products than the samples hold: synthesise the rest, so `--products 200` renders 200.
  if (opts.products !== undefined && !opts.sheet && opts.family !== 'edit') {
    const ids = new Set(
      sheets.flatMap((s) => parseSheet(s.content, { filename: basename(s.path) }).products.map((p) => p.id)),
    );
    const missing = opts.products - ids.size;
    if (missing > 0) {
      sheets.push({ path: join(opts.out, 'demo-products.json'), content: syntheticSheet(missing) });
      if (!opts.json) console.log(`Demo: ${ids.size} sample products + ${missing} synthesised.`);
    }
  }
  const timeScale = opts.timeScale ?? (opts.realistic ? 1 : 0.002);
  // Loaded here, not at the top: `generate` (a resume above all) should not pay for the simulators.
  const { SimGpu, startComfySim, startOllamaSim } = await import('../../../sim/index.ts');
  const gpu = new SimGpu({ timeScale });
  const comfy = await startComfySim({ gpu });
  const ollama = await startOllamaSim({ gpu });
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
      // A demo left unfinished (Ctrl-C) is simply discarded: the demo has no --resume.
      restart: true,
      json: Boolean(opts.json),
      ...(opts.products !== undefined ? { limit: opts.products } : {}),
    });
    process.exitCode = exitCodeFor(result);
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

export interface RerunOptions {
  out: string;
  db?: string;
  comfy?: string[];
  ollama?: string;
  product?: string[];
  json?: boolean;
}

/**
 * `showcase rerun`: renders again what failed in the latest run — every asset that is not done in
 * the latest partial or failed showcase of each product (or of the named ones), in the same
 * gallery with the same seeds, after a backend outage or a fixed model file.
 */
export async function rerunCommand(opts: RerunOptions): Promise<void> {
  const overrides: SettingsPatch = backendOverrides(opts);
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides,
    log: opts.json ? undefined : (line) => console.error(`· ${line}`),
  });
  try {
    const mode = opts.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain';
    const reporter = createProgressReporter(mode);
    const off = engine.subscribe((event, payload) => reporter.onEvent(event, payload));
    const startedAt = Date.now();
    let galleryIds: string[] = [];
    try {
      const input = opts.product?.length ? { productIds: opts.product } : {};
      galleryIds = (
        await call(engine, 'showcase.rerun', input).catch((err: unknown) => {
          // The contract refuses while a run is unfinished: the CLI says it with its exit code.
          if (!(err instanceof ShowcaseError) || err.code !== 'conflict') throw err;
          throw new ShowcaseError('conflict', err.message, {
            ...(err.hint ? { hint: err.hint } : {}),
            details: { exitCode: EXIT.refused },
          });
        })
      ).galleryIds;
      if (galleryIds.length === 0) {
        if (!opts.json) console.log('Nothing to re-run: the latest showcase of every product is complete.');
        return;
      }
      if (!opts.json) console.error(`· re-running the failed assets of ${galleryIds.length} showcase(s)`);
      await follow(engine, reporter, galleryIds);
    } finally {
      reporter.stop();
      off();
    }
    const result = await printSummary(engine, galleryIds, { json: Boolean(opts.json), startedAt });
    process.exitCode = exitCodeFor(result);
  } finally {
    await engine.close();
  }
}
