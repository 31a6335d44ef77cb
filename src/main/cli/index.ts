#!/usr/bin/env node
// `showcase` — the command-line face of the engine. Each command lives in ./commands and is loaded
// on demand so `showcase --help` stays instant.
import { enableCompileCache } from 'node:module';
import { Command, Option } from 'commander';
import { familyNames, ShowcaseError } from '../../shared/index.ts';
import { benchSections } from '../bench/sections.ts';
import { parseParam } from './params.ts';
import { registerPresetCommands } from './presets-commands.ts';
import { registerSimCommands } from './sim-commands.ts';
import { guardTerminalStreams } from './terminal.ts';

// Node keeps each module's compiled, type-stripped code in its on-disk cache (NODE_COMPILE_CACHE, else
// <tmpdir>/node-compile-cache), so every start after the first skips that work for the commands and the
// engine, which are imported below on demand: about a third of a resume's time to its first prompt.
enableCompileCache();

// Bytes from sheets, LLM copy and backend replies are never printed raw (see terminal.ts).
guardTerminalStreams();

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative whole number, got "${value}"`);
  return n;
};

const program = new Command()
  .name('showcase')
  .description('Product Showcase Studio: product sheets → copy (Ollama) + images (ComfyUI) → galleries')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

program
  .command('demo')
  .description('run the whole pipeline on the built-in simulators (no GPU, no services needed)')
  .option('--products <n>', 'how many sample products to render', int)
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .option('--sheet <file>', 'product sheet to use instead of the built-in samples')
  .addOption(
    new Option(
      '--family <family>',
      'template family (edit: restyle reference photos; without --sheet it uses the restyle sample)',
    ).choices(familyNames),
  )
  .option('--realistic', 'play realistic GPU latencies (slow: minutes per image)')
  .option('--time-scale <x>', 'simulator time scale (1 = real time)', Number)
  .option('--json', 'JSON lines instead of progress bars')
  .action(async (opts) => (await import('./commands/generate.ts')).demoCommand(opts));

program
  .command('generate')
  .description('render showcases for every product of a sheet')
  .argument('<sheet>', 'CSV, JSON or Shopify export')
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .option('--comfy <url>', 'ComfyUI server (repeat for several GPUs)', collect)
  .option('--ollama <url>', 'Ollama server')
  .option('--model <tag>', 'Ollama model', undefined)
  .addOption(
    new Option('--family <family>', "template family (edit: restyle each product's reference photo)").choices(
      familyNames,
    ),
  )
  .option('--preset <name>', 'brand style preset (prompt prefix)')
  .option('--seed <n>', 'base seed for every product', int)
  .option('--lock-seed', 'lock seeds so re-runs reproduce the same images')
  .option('--variations <n>', 'variations per product (0–8)', int)
  .option(
    '--param <name=value>',
    "render parameter for these showcases (repeatable): cfg=3.5, steps=28, sampler=euler, width=1024 … checked against the templates' ranges",
    parseParam,
  )
  .option('--resume', 'continue an interrupted run from the journal instead of starting new showcases')
  .option('--restart', 'discard an unfinished run of this sheet found in the journal and start over')
  .option('--language <tag>', "the sheet's language for rows without a language column (pt-BR, es …)")
  .option('--currency <code>', "the sheet's currency for prices that name none (BRL, USD …)")
  .option('--json', 'JSON lines instead of progress bars')
  .option(
    '--team',
    "send the images to the team's GPU workstations (the team queue) instead of rendering here",
  )
  .option('--pg <url>', 'the team PostgreSQL for this run (default: the Sync setting)')
  .option(
    '--s3 <url>',
    'the team bucket as http(s)://host:port/<bucket> (keys from SHOWCASE_S3_ACCESS_KEY/SHOWCASE_S3_SECRET_KEY)',
  )
  .option('--s3-region <region>', 'team bucket region')
  .addOption(new Option('--team-schema <name>', 'team schema').hideHelp())
  .addHelpText(
    'after',
    `
Exit codes:
  0  every showcase complete
  1  a showcase partial, failed or cancelled, or the run could not start (backend, models, sheet)
  2  nothing started: the journal holds an unfinished run of this sheet (choose --resume or --restart)
  3  every showcase complete, some with the fallback copy (the LLM's answers were unusable)

Timeouts, and how long a backend that went away is waited for, are settings (docs/operations.md).
Failed assets of a finished run are rendered again with: showcase rerun`,
  )
  .action(async (sheet, opts) => (await import('./commands/generate.ts')).generateCommand(sheet, opts));

program
  .command('rerun')
  .description(
    'render again what failed in the latest run: every asset not done in the latest partial or failed showcase of each product',
  )
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .option('--comfy <url>', 'ComfyUI server (repeat for several GPUs)', collect)
  .option('--ollama <url>', 'Ollama server')
  .option('--product <id>', 'only this product (repeatable)', collect)
  .option('--json', 'JSON lines instead of progress bars')
  .action(async (opts) => (await import('./commands/generate.ts')).rerunCommand(opts));

const templates = program.command('templates').description('workflow template library');
templates
  .command('list')
  .description('list templates with their kinds, families and parameters')
  .option('--json', 'machine-readable output')
  .action(async (opts) => (await import('./commands/templates.ts')).listCommand(opts));
templates
  .command('lint')
  .description('check templates against a ComfyUI object_info (offline snapshot or a live server)')
  .option('--object-info <file>', 'object_info JSON file')
  .option('--comfy <url>', 'live ComfyUI server')
  .option('--json', 'machine-readable output')
  .action(async (opts) => (await import('./commands/templates.ts')).lintCommand(opts));

registerSimCommands(program);
registerPresetCommands(program);

program
  .command('serve')
  .description(
    'local HTTP/WS API on 127.0.0.1 (Bearer token; SHOWCASE_API_TOKEN, 32+ characters, overrides the stored one); --ui also serves the studio UI',
  )
  .option('--port <port>', 'port', int, 7860)
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .option('--ui', 'serve the studio UI (build it first with npm run build)')
  .option('--demo', 'use the built-in simulators as backends')
  .option('--comfy <url>', 'ComfyUI server (repeat for several GPUs)', collect)
  .option('--ollama <url>', 'Ollama server')
  .option('--time-scale <x>', 'simulator time scale with --demo', Number)
  .action(async (opts) => (await import('./commands/serve.ts')).serveCommand(opts));

program
  .command('worker')
  .description("join the team: render the team queue's image jobs on this workstation's GPUs")
  .option('--pg <url>', 'the team PostgreSQL (the database the studio syncs to; or SHOWCASE_TEAM_PG)')
  .option(
    '--s3 <url>',
    'the team bucket as http(s)://host:port/<bucket>; keys from SHOWCASE_S3_ACCESS_KEY/SHOWCASE_S3_SECRET_KEY',
  )
  .option('--s3-region <region>', 'bucket region (default us-east-1)')
  .option('--comfy <url>', 'ComfyUI server of one GPU (repeat for several GPUs)', collect)
  .option(
    '--ollama <url>',
    "this workstation's Ollama: also write the copy of team runs whose sender has none",
  )
  .option('--name <name>', "this worker's name in the team (default: the host name; unique per worker)")
  .option('--templates <dir>', 'workflow template folder (default: the built-in templates)')
  .addOption(new Option('--schema <name>', 'team schema').hideHelp())
  .addOption(new Option('--heartbeat-seconds <n>', 'job heartbeat').argParser(int).hideHelp())
  .addOption(new Option('--poll-ms <n>', 'idle poll').argParser(int).hideHelp())
  .addOption(new Option('--retry-limit <n>', 'retries of a failed job').argParser(int).hideHelp())
  .addHelpText(
    'after',
    `
A worker that dies (power cut, kill -9) stops renewing its jobs' leases: after the heartbeat interval
(30 s) they return to the queue and another worker renders them. See docs/operations.md, "Team workers".`,
  )
  .action(async (opts) => (await import('./commands/worker.ts')).workerCommand(opts));

program
  .command('team')
  .description('the team: workers, their GPUs and jobs, and the team queue per family')
  .option('--pg <url>', 'the team PostgreSQL (default: SHOWCASE_TEAM_PG, or the Sync setting of --db)')
  .option('--db <file>', 'SQLite file whose settings name the team database', 'showcase-output/studio.db')
  .option('--json', 'the status as one JSON object')
  .addOption(new Option('--schema <name>', 'team schema').hideHelp())
  .action(async (opts) => (await import('./commands/team.ts')).teamCommand(opts));

program
  .command('sync')
  .description('one sync round between the local SQLite store and the team PostgreSQL')
  .option('--pg <url>', 'PostgreSQL URL (or PG* environment variables)')
  .option('--db <file>', 'SQLite file', 'showcase-output/studio.db')
  .option('--json', 'machine-readable output')
  .option('--wait [seconds]', 'when another process is syncing this store, wait for it (default 60 s)')
  .action(async (opts) => (await import('./commands/sync.ts')).syncCommand(opts));

program
  .command('publish')
  .description('upload finished galleries to S3/MinIO and print their public URLs')
  .argument('[gallery-id]', 'a gallery id (see the JSON files), or use --all')
  .option('--all', 'the latest finished gallery of every product')
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .option('--endpoint <url>', 'S3 endpoint, e.g. http://127.0.0.1:9000 (or SHOWCASE_S3_ENDPOINT)')
  .option('--bucket <name>', 'bucket (created when missing)')
  .option('--access-key <key>', 'access key (or SHOWCASE_S3_ACCESS_KEY)')
  .option('--secret-key <key>', 'secret key (or SHOWCASE_S3_SECRET_KEY; never printed)')
  .option('--public-base-url <url>', 'public URL prefix when a CDN or public bucket serves the files')
  .addOption(
    new Option(
      '--access <mode>',
      'how links stay readable: auto (base URL, else bucket policy, else presigned 7-day links), policy, acl (public-read objects), presigned',
    ).choices(['auto', 'policy', 'acl', 'presigned']),
  )
  .option('--json', 'JSON lines')
  .action(async (id, opts) => (await import('./commands/publish.ts')).publishCommand(id, opts));

program
  .command('export')
  .description(
    'channel-ready variants (Amazon, Shopify, Instagram 4:5, Etsy, Mercado Livre) with a measured compliance report',
  )
  .argument('[gallery-id]', 'a gallery id, or use --all')
  .option('--all', 'the latest finished gallery of every product')
  .option(
    '--channel <name>',
    `channel (repeatable): ${['amazon', 'shopify', 'instagram', 'etsy', 'mercadolivre', 'all'].join(', ')}; default all`,
    collect,
  )
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .option('--comfy <url>', 'ComfyUI server for white-background renders (repeatable)', collect)
  .option('--demo', 'render white backgrounds on the built-in ComfyUI simulator')
  .option('--no-render', 'never render a white background; export the hero as it is')
  .option('--strict', 'exit with status 2 when a product fails a channel')
  .option('--json', 'JSON lines')
  .action(async (id, opts) => (await import('./commands/export.ts')).exportCommand(id, opts));

program
  .command('shopify-csv')
  .description("write a product CSV for Shopify's import (copy, variants, published image URLs)")
  .argument('[gallery-id]', 'a gallery id, or use --all')
  .option('--all', 'the latest finished gallery of every product')
  .option('--file <path>', 'where to write (default: <out>/shopify_products_<date>.csv)')
  .option('--currency <code>', "the shop's currency (default: the currency setting)")
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .action(async (id, opts) => (await import('./commands/export.ts')).shopifyCsvCommand(id, opts));

program
  .command('email')
  .description('send the e-mail pack of a gallery (copy, inline thumbnail, attachments, links)')
  .argument('<gallery-id>')
  .requiredOption('--to <address>', 'recipient (repeatable)', collect)
  .option('--smtp <url>', 'smtp://user:pass@host:port (or SHOWCASE_SMTP_URL)')
  .option('--from <address>', 'sender')
  .option('--out <dir>', 'output folder', 'showcase-output')
  .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
  .action(async (id, opts) => (await import('./commands/publish.ts')).emailCommand(id, opts));

program
  .command('bench')
  .description('scheduler, engine overhead and store benchmarks (prints ratios)')
  .option('--quick', 'smaller batches')
  .option('--pg <url>', 'PostgreSQL for the sync benchmark')
  .addOption(new Option('--only <section>', 'run one section only').choices(benchSections))
  .addOption(
    new Option('--probe-rss', 'internal: measure RSS with 10,000 queued jobs and print JSON').hideHelp(),
  )
  .addOption(
    new Option('--probe-overhead <previews>', 'internal: measure engine CPU per job and print JSON')
      .choices(['none', 'auto'])
      .hideHelp(),
  )
  .addOption(
    new Option('--probe-bare <previews>', 'internal: measure bare clients doing the same work, print JSON')
      .choices(['none', 'auto'])
      .hideHelp(),
  )
  .addOption(
    new Option('--products <n>', 'internal: products for --probe-overhead / --probe-bare')
      .argParser(int)
      .hideHelp(),
  )
  .action(async (opts) => (await import('./commands/bench.ts')).benchCommand(opts));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ShowcaseError) {
    console.error(`error: ${err.message}`);
    if (err.hint) console.error(`hint: ${err.hint}`);
    const code = err.details?.exitCode;
    if (typeof code === 'number') process.exitCode = code;
  } else {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exitCode = process.exitCode || 1;
}
