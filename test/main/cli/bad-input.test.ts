// Bad input through the real `bin/showcase`: a sheet or an option that cannot work is refused before
// any folder, database or secrets file exists, with an error naming the line and field (or the flag);
// and bytes from a sheet (ESC/OSC sequences, C1 controls, bidi overrides) never reach the terminal raw,
// in plain output, in --json lines (still valid JSON) and in the progress display.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  demoCommand,
  type GenerateOptions,
  generateCommand,
} from '../../../src/main/cli/commands/generate.ts';
import { createProgressReporter, table } from '../../../src/main/cli/progress.ts';
import { guardTerminalStreams, jsonLine, terminalSafe } from '../../../src/main/cli/terminal.ts';
import { type Gallery, ShowcaseError } from '../../../src/shared/index.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');

/** What may never be written raw: C0 controls but line feed and tab, DEL, C1, bidi controls, U+2028/9. */
function rawControls(text: string): string[] {
  const found: string[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    const bad =
      (c < 0x20 && c !== 0x0a && c !== 0x09) ||
      (c >= 0x7f && c <= 0x9f) ||
      [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(c) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    if (bad) found.push(`U+${c.toString(16).padStart(4, '0')}`);
  }
  return found;
}

const ESC = String.fromCharCode(27);

/** A price cell that writes the clipboard, with an 8-bit CSI and a bidi override: echoed by the row error. */
const BAD_PRICE = '\u001b]52;c;SGVsbG8=\u0007 \u009b31m \u202etwelve';

/** A name that retitles the terminal, clears it, writes the clipboard (OSC 52), uses an 8-bit CSI and a bidi override. */
const EVIL_NAME =
  'Evil \u001b]0;pwned\u0007Mug \u001b[2J\u001b[31mred\u001b]52;c;SGVsbG8=\u0007 \u009b31m \u202eesrever\u202c\rX';

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

async function run(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(BIN, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
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

describe('a sheet or option that cannot work writes nothing', () => {
  let dir: string;
  let dead: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'showcase-bad-input-'));
    dead = `http://127.0.0.1:${await closedPort()}`;
    await writeFile(join(dir, 'rows.csv'), 'id,name,price\nno-name,,12.00\nbad-price,Good Name,twelve\n');
    await writeFile(join(dir, 'broken.json'), '[{"name": "Trailing comma",}]');
    await writeFile(join(dir, 'empty.csv'), '\n');
    await writeFile(join(dir, 'header-only.csv'), 'id,name\n');
    await writeFile(join(dir, 'good.csv'), 'id,name\nmug,Harbor Mug\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const outputs = async () => (await readdir(dir)).filter((f) => f.startsWith('out-'));

  it('through bin/showcase: rows that all fail validation, named by line and field', async () => {
    const out = join(dir, 'out-rows');
    const result = await run(['generate', 'rows.csv', '--out', out, '--comfy', dead, '--ollama', dead], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: The sheet has no valid product rows:\n {2}rows\.csv line 2, name: is required\n {2}rows\.csv line 3, price: "twelve"/m,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await outputs()).toEqual([]);
  });

  it('through bin/showcase: backend URLs that are not http(s), named by flag (no zod dump)', async () => {
    const out = join(dir, 'out-urls');
    const args = [
      'generate',
      'good.csv',
      '--out',
      out,
      '--comfy',
      'file:///etc/passwd',
      '--ollama',
      'javascript:x',
    ];
    const result = await run(args, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: --comfy: must be an http:\/\/ or https:\/\/ URL \(not file:\/\/\); --ollama: must be an http/m,
    );
    expect(result.stderr).not.toContain('"code"');
    expect(await outputs()).toEqual([]);
  });

  // The same checks in-process (the command functions bin/showcase calls), for the other inputs.
  const cases: Array<{ name: string; sheet: string; options: Partial<GenerateOptions>; error: RegExp }> = [
    {
      name: 'invalid JSON',
      sheet: 'broken.json',
      options: {},
      error: /broken\.json is not valid JSON: .*line 1/,
    },
    { name: 'an empty sheet', sheet: 'empty.csv', options: {}, error: /empty\.csv: the sheet is empty/ },
    {
      name: 'a header without products',
      sheet: 'header-only.csv',
      options: {},
      error: /has a header but no products/,
    },
    {
      name: 'too many variations',
      sheet: 'good.csv',
      options: { variations: 99 },
      error: /^--variations: .*8/,
    },
    { name: 'an oversized seed', sheet: 'good.csv', options: { seed: 2 ** 60 }, error: /^--seed: / },
    {
      name: 'an unknown preset',
      sheet: 'good.csv',
      options: { preset: 'neon' },
      error: /--preset: unknown preset "neon"/,
    },
    {
      name: '--resume with no journal',
      sheet: 'good.csv',
      options: { resume: true },
      error: /Nothing to resume: there is no journal at/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} before creating anything`, async () => {
      const out = join(dir, `out-${c.name.replace(/\W+/g, '-')}`);
      const error = await generateCommand(join(dir, c.sheet), {
        out,
        comfy: [dead],
        ollama: dead,
        ...c.options,
      }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(ShowcaseError);
      expect((error as ShowcaseError).code).toBe('invalid_input');
      expect((error as ShowcaseError).message).toMatch(c.error);
      expect(await outputs()).toEqual([]);
    });
  }

  it('refuses a demo sheet with no valid row before the simulators start or anything is written', async () => {
    const error = await demoCommand({ out: join(dir, 'out-demo'), sheet: join(dir, 'rows.csv') }).catch(
      (e: unknown) => e,
    );
    expect((error as ShowcaseError).message).toContain('rows.csv line 2, name: is required');
    expect(await outputs()).toEqual([]);
  });
});

describe('bytes from sheets never reach the terminal raw', () => {
  let sims: Sims;
  let sheet: string;
  beforeAll(async () => {
    sims = await startSims({ openEngine: false });
    sheet = join(sims.dir, 'evil.csv');
    const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;
    await writeFile(
      sheet,
      `id,name,price\nevil,${cell(EVIL_NAME)},12.00\nworse,Fine Name,${cell(BAD_PRICE)}\n`,
    );
  });
  afterAll(async () => {
    await sims?.close();
  });

  const backends = () => ['--comfy', sims.comfy.url, '--ollama', sims.ollama.url, '--variations', '0'];

  it('plain output: progress lines, row errors, table and logs are escaped', async () => {
    const result = await run(['generate', sheet, '--out', join(sims.dir, 'plain'), ...backends()], sims.dir);
    expect(result.code).toBe(0);
    const output = result.stdout + result.stderr;
    expect(rawControls(output)).toEqual([]);
    // Shown, visibly, rather than dropped: the operator can see what the sheet holds.
    expect(output).toContain('Evil \\u001b]0;pwned\\u0007Mug');
    expect(output).toContain('\\u202eesrever');
    expect(result.stderr).toMatch(
      /evil\.csv line \d+, price: .*\\u001b\]52;c;SGVsbG8=\\u0007 \\u009b31m \\u202etwelve/,
    );
  });

  it('--json lines stay valid JSON and carry the exact bytes', async () => {
    const result = await run(
      ['generate', sheet, '--out', join(sims.dir, 'json'), '--json', ...backends()],
      sims.dir,
    );
    expect(result.code).toBe(0);
    expect(rawControls(result.stdout + result.stderr)).toEqual([]);
    const lines = result.stdout.trim().split('\n');
    const events = lines.map(
      (line) => JSON.parse(line) as { event: string; gallery?: Gallery; message?: string },
    );
    const importError = events.find((e) => e.event === 'import.error');
    expect(importError?.message).toContain(BAD_PRICE);
    const copy = events.find((e) => e.event === 'showcase.updated' && e.gallery?.copy)?.gallery?.copy;
    expect(copy).toBeDefined();
    expect(events.at(-1)).toMatchObject({ event: 'summary', complete: 1 });
  });

  it('the TTY progress display escapes names but keeps its own cursor movements', () => {
    const out = Object.assign(new PassThrough(), {
      columns: 200,
      isTTY: true,
    }) as unknown as NodeJS.WriteStream;
    let written = '';
    out.on('data', (d: Buffer) => {
      written += d.toString('utf8');
    });
    // As in the CLI: the guard in front of the stream; the display's own sequences go past it.
    guardTerminalStreams([out]);
    const reporter = createProgressReporter('tty', out);
    reporter.track('g1', EVIL_NAME, 3);
    reporter.onEvent('job.started', {
      jobId: 'j',
      galleryId: 'g1',
      assetId: null,
      kind: 'copy',
      backend: 'ollama',
    });
    reporter.stop();
    const ours = written
      .replace(new RegExp(`${ESC}\\[\\d+A`, 'g'), '')
      .split(`${ESC}[2K`)
      .join('');
    expect(rawControls(ours)).toEqual([]);
    expect(ours).toContain('Evil \\u001b]0;pwned\\u0007');
    expect(written).toContain(`${ESC}[2K`); // the display still draws
    out.write(`stray ${EVIL_NAME}\n`);
    expect(rawControls(written.slice(written.indexOf('stray')))).toEqual([]);
  });

  it('tables are escaped before they are measured, and JSON lines escape C1 and bidi controls', () => {
    const text = table(
      ['product', 'status'],
      [
        [EVIL_NAME, 'complete'],
        ['plain', 'failed'],
      ],
    );
    expect(rawControls(text)).toEqual([]);
    const [, , first, second] = text.split('\n');
    expect(first?.indexOf('complete')).toBe(second?.indexOf('failed'));
    const line = jsonLine({ name: EVIL_NAME });
    expect(rawControls(line)).toEqual([]);
    expect(JSON.parse(line)).toEqual({ name: EVIL_NAME });
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
  });
});
