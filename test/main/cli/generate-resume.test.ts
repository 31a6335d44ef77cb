// `bin/showcase generate` as a real child process against the simulators running in this process:
// kill -9 in the middle of a run, then `generate --resume` on the same journal must finish the job
// without sending any prompt twice or rendering any image twice. Plus the two ways it refuses to
// start: a bad sheet and an unreachable ComfyUI.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { listFiles, promptPrefixes, type Sims, startSims, waitFor } from '../../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');

let sims: Sims | null = null;
const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  await sims?.close();
  sims = null;
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function showcase(args: string[]): Run {
  const child = spawn(BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface JournalRow {
  id: string;
  kind: string;
  status: string;
  comfy_prompt_id: string | null;
  backend: string | null;
}

function readJournal(dbPath: string): JournalRow[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, kind, status, comfy_prompt_id, backend FROM jobs').all() as JournalRow[];
  } finally {
    db.close();
  }
}

/** Accepted prompts per SaveImage filename_prefix (one prefix per image slot), over every server. */
async function promptsPerSlot(servers: Sims['comfies']): Promise<Map<string, number>> {
  const per = new Map<string, number>();
  for (const server of servers) {
    const prefixes = await promptPrefixes(server);
    // Every accepted prompt is in the history (the queue has drained), so nothing escapes the count.
    expect([...prefixes.keys()].sort()).toEqual([...server.stats.promptIds].sort());
    for (const prefix of prefixes.values()) per.set(prefix, (per.get(prefix) ?? 0) + 1);
  }
  return per;
}

function slots(productIds: string[]): string[] {
  const names = ['hero_0', 'lifestyle_0', 'variation_1', 'variation_2', 'variation_3', 'variation_4'];
  return productIds.flatMap((p) => names.map((n) => `showcase/${p}_${n}`)).sort();
}

const SHEET = [
  'id,name,description,brand,materials,colors',
  'kill-kettle,Kill Switch Kettle,"A gooseneck kettle that pours slowly, for pour-over coffee.",Harbor Field,steel; walnut,matte black',
  'resume-tote,Resume Tote,"Washed linen tote with an inner pocket.",Lumen & Loom,linen,sand',
].join('\n');

/**
 * Starts `generate` for `productIds` on two ComfyUI simulators (each on its own GPU) and kills it
 * with SIGKILL once the second server runs a prompt (and, with `needPending`, holds another one
 * pending). Returns the journal rows of the prompts left on the second server and a resume runner.
 */
async function interruptTwoServerRun(productIds: string[], needPending: boolean) {
  sims = await startSims({ timeScale: 0.002, extraComfy: 1, openEngine: false });
  const [one, two] = sims.comfies;
  if (!one || !two) throw new Error('two simulators expected');
  const sheet = join(sims.dir, 'products.csv');
  const rows = productIds.map((id, i) => `${id},Product ${i + 1}`);
  await writeFile(sheet, `id,name\n${rows.join('\n')}\n`);
  const common = [
    '--out',
    sims.outputRoot,
    '--db',
    sims.dbPath,
    '--comfy',
    one.url,
    '--comfy',
    two.url,
    '--ollama',
    sims.ollama.url,
    '--json',
  ];
  const first = showcase(['generate', sheet, ...common]);
  await waitFor(
    async () => {
      if (first.child.exitCode !== null) throw new Error(`generate ended early: ${first.stderr()}`);
      if (two.stats.promptsAccepted < 2 || (needPending && one.stats.promptsAccepted < 2)) return false;
      const queue = (await (await fetch(`${two.url}/queue`)).json()) as {
        queue_running: unknown[];
        queue_pending: unknown[];
      };
      return queue.queue_running.length > 0 && (!needPending || queue.queue_pending.length > 0);
    },
    15_000,
    'prompts in flight on the second server',
  );
  first.child.kill('SIGKILL');
  await first.exit;
  const onSecond = new Set(two.stats.promptIds);
  const inFlight = readJournal(sims.dbPath).filter(
    (j) => j.status === 'running' && j.comfy_prompt_id !== null && onSecond.has(j.comfy_prompt_id),
  );
  expect(inFlight.length).toBeGreaterThan(0);
  return { one, two, inFlight, resume: () => showcase(['generate', sheet, ...common, '--resume']) };
}

/** Every job finished; the interrupted ones kept their prompt and the server that holds it. */
function expectCollectedOnce(inFlight: JournalRow[]): void {
  if (!sims) throw new Error('no simulators');
  const after = readJournal(sims.dbPath);
  expect(after.every((j) => j.status === 'done')).toBe(true);
  for (const job of inFlight) {
    const row = after.find((j) => j.id === job.id);
    expect(row?.comfy_prompt_id).toBe(job.comfy_prompt_id);
    // A third run would ask this server again.
    expect(row?.backend).toBe(job.backend);
  }
}

describe('showcase generate (child process)', () => {
  it('after kill -9, --resume finishes without sending any prompt twice or rendering any image twice', async () => {
    // Slow enough that the kill lands while prompts are queued and running on the simulator.
    sims = await startSims({ timeScale: 0.002, openEngine: false });
    const { comfy, ollama, dir, dbPath, outputRoot } = sims;
    const sheet = join(dir, 'products.csv');
    await writeFile(sheet, SHEET);
    const common = [
      '--out',
      outputRoot,
      '--db',
      dbPath,
      '--comfy',
      comfy.url,
      '--ollama',
      ollama.url,
      '--json',
    ];

    const first = showcase(['generate', sheet, ...common]);
    // Wait until a few prompts were accepted and one is on the GPU right now, then pull the plug.
    await waitFor(
      async () => {
        if (first.child.exitCode !== null) throw new Error(`generate ended early: ${first.stderr()}`);
        if (comfy.stats.promptsAccepted < 3) return false;
        const queue = (await (await fetch(`${comfy.url}/queue`)).json()) as { queue_running: unknown[] };
        return queue.queue_running.length > 0;
      },
      15_000,
      'prompts in flight',
    );
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const acceptedBeforeKill = new Set(comfy.stats.promptIds);

    // The journal as the dead process left it: jobs caught running with a prompt the server has.
    const journal = readJournal(dbPath);
    expect(journal).toHaveLength(2 * 8); // copy + 7 images per product
    const inFlight = journal.filter(
      (j) =>
        j.status === 'running' && j.comfy_prompt_id !== null && acceptedBeforeKill.has(j.comfy_prompt_id),
    );
    expect(inFlight.length).toBeGreaterThan(0);
    expect(journal.some((j) => j.status === 'queued')).toBe(true);

    const second = showcase(['generate', sheet, ...common, '--resume']);
    const { code } = await second.exit;
    expect(second.stderr()).toBe('');
    expect(code).toBe(0);
    const lines = second
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ event: 'summary', complete: 2, partial: 0, failed: 0 });

    // Every job done; the ones in flight at the kill kept their prompt id: collected, not resubmitted.
    const after = readJournal(dbPath);
    expect(after.every((j) => j.status === 'done')).toBe(true);
    for (const job of inFlight)
      expect(after.find((j) => j.id === job.id)?.comfy_prompt_id).toBe(job.comfy_prompt_id);

    // At the simulator: no prompt id twice, and exactly one accepted prompt per image slot. A prompt
    // whose POST never reached the server before the kill would be resubmitted under a fresh id, but
    // then it was never accepted, so "one per slot" holds in every interleaving.
    const ids = comfy.stats.promptIds;
    expect(new Set(ids).size).toBe(ids.length);
    const perSlot = await promptsPerSlot([comfy]);
    expect([...perSlot.keys()].sort()).toEqual(slots(['kill-kettle', 'resume-tote']));
    for (const [prefix, n] of perSlot) expect(n, prefix).toBe(1);
    // ...each executed once and saved once (a second render would have written `_00002_`).
    expect(comfy.stats.executions).toBe(12);
    const rendered = await listFiles(comfy.dirs.output);
    expect(rendered).toHaveLength(12);
    for (const f of rendered) expect(f).toMatch(/_00001_\.png$/);

    // The galleries are whole on disk, each in its own folder.
    const files = await listFiles(outputRoot);
    for (const id of ['kill-kettle', 'resume-tote']) {
      const mine = files.filter((f) => f.startsWith(`galleries/${id}/`));
      const folder = mine[0]?.split('/').slice(0, 3).join('/') ?? '';
      expect(mine.every((f) => f.startsWith(`${folder}/`))).toBe(true);
      expect(mine).toContain(`${folder}/product_${id}.html`);
      expect(mine).toContain(`${folder}/product_${id}.json`);
      const pngs = mine.filter((f) => f.startsWith(`${folder}/product_${id}_`) && f.endsWith('.png'));
      expect(pngs).toHaveLength(7);
      const hero = await sharp(await readFile(join(outputRoot, folder, `product_${id}_hero.png`))).metadata();
      expect([hero.width, hero.height]).toEqual([1328, 1328]);
    }
    expect(files).toContain('index.html');
  }, 30_000);

  it('after kill -9 with two ComfyUI servers, each interrupted prompt is collected from the server that has it', async () => {
    // The kill lands while both servers hold prompts, after the copy phase, so on resume both lanes
    // are free to take any recovered job.
    const { one, two, resume, inFlight } = await interruptTwoServerRun(['duo-1', 'duo-2', 'duo-3'], true);
    const second = resume();
    expect((await second.exit).code).toBe(0);
    expect(second.stdout().trim().split('\n').at(-1)).toContain('"complete":3');
    expectCollectedOnce(inFlight);

    // One accepted prompt and one execution per image slot over both servers together.
    const perSlot = await promptsPerSlot([one, two]);
    expect([...perSlot.keys()].sort()).toEqual(slots(['duo-1', 'duo-2', 'duo-3']));
    for (const [prefix, n] of perSlot) expect(n, prefix).toBe(1);
    expect(one.stats.executions + two.stats.executions).toBe(18);
  }, 30_000);

  it('collects an interrupted prompt from its server even when that server fails its health probe at resume', async () => {
    // The server holding the prompt still answers /history and /queue, but its /system_stats fails,
    // so the resumed engine first thinks it offline. The other lane must not render the image again.
    const { one, two, resume, inFlight } = await interruptTwoServerRun(['probe-1', 'probe-2'], false);
    two.faults.httpError('/system_stats', 1_000);
    const second = resume();
    expect((await second.exit).code, second.stderr()).toBe(0);
    expectCollectedOnce(inFlight);
    const perSlot = await promptsPerSlot([one, two]);
    for (const [prefix, n] of perSlot) expect(n, prefix).toBe(1);
    expect(one.stats.executions + two.stats.executions).toBe(12);
  }, 30_000);

  it('reports a bad sheet row by line and field and exits non-zero', async () => {
    sims = await startSims({ openEngine: false });
    const sheet = join(sims.dir, 'broken.csv');
    await writeFile(sheet, 'id,name,price\nno-name,,12.00\nbad-price,Good Name,twelve\n');
    const run = showcase([
      'generate',
      sheet,
      '--out',
      sims.outputRoot,
      '--db',
      sims.dbPath,
      '--comfy',
      sims.comfy.url,
      '--ollama',
      sims.ollama.url,
    ]);
    const { code } = await run.exit;
    expect(code).not.toBe(0);
    const err = run.stderr();
    expect(err).toContain('broken.csv line 2, name: is required');
    expect(err).toMatch(/broken\.csv line 3, price: .*twelve/);
    expect(err).toContain('error: The sheet has no valid product rows');
    expect(err).not.toMatch(/\n\s+at /);
    // Nothing was sent to the backends.
    expect(sims.comfy.stats.promptsAccepted).toBe(0);

    const json = join(sims.dir, 'broken.json');
    await writeFile(json, '{"products": [\n  {"name": "Trailing comma",}\n]}');
    const run2 = showcase([
      'generate',
      json,
      '--out',
      sims.outputRoot,
      '--db',
      sims.dbPath,
      '--comfy',
      sims.comfy.url,
    ]);
    expect((await run2.exit).code).not.toBe(0);
    expect(run2.stderr()).toMatch(/^error: broken\.json is not valid JSON: .*line 2/m);
  });

  it('says once, clearly, that ComfyUI is unreachable and exits 1', async () => {
    sims = await startSims({ openEngine: false });
    const sheet = join(sims.dir, 'products.csv');
    await writeFile(sheet, SHEET);
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const run = showcase([
      'generate',
      sheet,
      '--out',
      sims.outputRoot,
      '--db',
      sims.dbPath,
      '--comfy',
      dead,
      '--ollama',
      sims.ollama.url,
    ]);
    const { code } = await run.exit;
    expect(code).toBe(1);
    const err = run.stderr();
    const errorLines = err.split('\n').filter((l) => l.startsWith('error:'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain('No ComfyUI server can take work');
    expect(errorLines[0]).toContain('is unreachable');
    expect(errorLines[0]).toContain(dead);
    expect(err).toMatch(/^hint: .*ComfyUI/m);
    expect(err).not.toMatch(/\n\s+at /);
    expect(run.stdout()).toBe('');
    expect(sims.ollama.stats.chat).toBe(0);
  });
});
