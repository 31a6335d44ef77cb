// `showcase export` (channel variants + compliance report) and `showcase shopify-csv` (the product CSV
// for Shopify's import). Both go through the contract's methods, like the HTTP API and the UI.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type MethodOutput,
  methods,
  parseOrThrow,
  type SettingsPatch,
  ShowcaseError,
} from '../../../shared/index.ts';
import { SimGpu } from '../../../sim/gpu.ts';
import { startComfySim } from '../../../sim/index.ts';
import { formatPassRate } from '../../engine/channels/index.ts';
import { Engine } from '../../engine/engine.ts';

export interface ExportOptions {
  all?: boolean;
  channel?: string[];
  out: string;
  db?: string;
  comfy?: string[];
  demo?: boolean;
  render?: boolean;
  strict?: boolean;
  json?: boolean;
}

function printResult(result: MethodOutput<'channels.export'>, engine: Engine, json: boolean): void {
  if (json) {
    for (const g of result.galleries) console.log(JSON.stringify({ event: 'gallery', ...g }));
    for (const s of result.skipped) console.log(JSON.stringify({ event: 'skipped', ...s }));
    for (const r of result.summary) console.log(JSON.stringify({ event: 'summary', ...r }));
    return;
  }
  for (const g of result.galleries) {
    const marks = g.channels.map((c) => `${c.channel} ${c.passed ? '✓' : '✗'}`).join('  ');
    const white =
      g.whiteBackground && g.whiteBackground.status !== 'not-needed'
        ? `  (white background: ${g.whiteBackground.status}${g.whiteBackground.error ? ` — ${g.whiteBackground.error}` : ''})`
        : '';
    console.log(`${g.productId}: ${marks}${white}`);
  }
  for (const s of result.skipped) console.error(`skipped ${s.galleryId}: ${s.reason}`);
  console.log('');
  for (const r of result.summary) console.log(formatPassRate(r));
  const first = result.galleries[0];
  if (first) console.log(`Reports: ${join(engine.outputRoot, first.report.replace(/[^/]+$/, ''))}`);
}

export async function exportCommand(galleryId: string | undefined, opts: ExportOptions): Promise<void> {
  if (!galleryId && !opts.all) throw new ShowcaseError('invalid_input', 'Name a gallery id or pass --all');
  const channels = opts.channel?.length ? opts.channel : ['all'];
  const input = parseOrThrow(
    methods['channels.export'].input,
    {
      ...(opts.all ? { all: true } : { galleryIds: [galleryId] }),
      channels,
      render: opts.render !== false,
    },
    'export',
  );
  const gpu = opts.demo ? new SimGpu({ timeScale: 0.002 }) : null;
  const sim = gpu ? await startComfySim({ gpu }) : null;
  const overrides: SettingsPatch = {};
  if (sim) overrides.comfyUrls = [sim.url];
  else if (opts.comfy?.length) overrides.comfyUrls = opts.comfy;
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides,
    log: opts.json ? undefined : (line) => console.error(`· ${line}`),
  });
  try {
    if (sim && !opts.json) console.log(`White-background renders on the simulated ComfyUI at ${sim.url}.`);
    const result = await engine.handlers['channels.export'](input);
    printResult(result, engine, Boolean(opts.json));
    if (result.skipped.length > 0) process.exitCode = 1;
    else if (opts.strict && result.summary.some((s) => s.passed < s.total)) process.exitCode = 2;
  } finally {
    await engine.close();
    await sim?.close();
  }
}

export interface ShopifyCsvOptions {
  all?: boolean;
  out: string;
  db?: string;
  file?: string;
  currency?: string;
}

export async function shopifyCsvCommand(
  galleryId: string | undefined,
  opts: ShopifyCsvOptions,
): Promise<void> {
  if (!galleryId && !opts.all) throw new ShowcaseError('invalid_input', 'Name a gallery id or pass --all');
  const input = parseOrThrow(
    methods['catalog.exportShopify'].input,
    {
      ...(opts.all ? { all: true } : { galleryIds: [galleryId] }),
      ...(opts.currency ? { currency: opts.currency } : {}),
    },
    'shopify-csv',
  );
  const engine = await Engine.open({ dbPath: opts.db ?? join(opts.out, 'studio.db'), outputRoot: opts.out });
  try {
    const result = await engine.handlers['catalog.exportShopify'](input);
    const file = resolve(opts.file ?? join(opts.out, result.filename));
    await writeFile(file, result.csv, 'utf8');
    for (const w of result.warnings) console.error(`warning: ${w}`);
    console.log(`${file}: ${result.products} product(s), ${result.rows} row(s)`);
    if (result.products === 0) process.exitCode = 1;
  } finally {
    await engine.close();
  }
}
