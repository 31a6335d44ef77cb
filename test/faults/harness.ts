// The fault matrix's harness: simulators in this process (faults armed through their JS API), the
// real CLI (`bin/showcase generate`) as a child process against them — a crash, a hang or exit 13
// only shows in a real process — and what a cell asserts on: exit code, stdout/stderr, the journal
// (read-only SQLite), the files the simulator wrote and the prompts it accepted.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../../src/main/engine/engine.ts';
import type { BackendTimeouts, SettingsPatch } from '../../src/shared/index.ts';
import { type Sims, type SimsOptions, startSims } from '../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../bin/showcase');

/** Timeouts small enough that every fault costs a cell seconds, not minutes. */
export const MATRIX_TIMEOUTS: Partial<BackendTimeouts> = {
  comfyRequestSec: 3,
  // A loaded CI box can take over a second for a /prompt read; the probe must not refuse the run.
  comfyPollSec: 3,
  comfyDownloadSec: 3,
  comfyStallSec: 1.5,
  comfyJobSec: 30,
  ollamaLoadSec: 1,
  ollamaCopySec: 1.5,
  ollamaRequestSec: 1,
  backendDownSec: 6,
};

export const PRODUCTS = ['alpha-kettle', 'beta-lamp', 'gamma-tote'] as const;

export function sheetCsv(ids: readonly string[] = PRODUCTS): string {
  const rows = ids.map(
    (id, i) => `${id},Product ${i + 1} ${id},A fine ${id.split('-')[1] ?? 'thing'} for the studio`,
  );
  return `id,name,description\n${rows.join('\n')}\n`;
}

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export class CellContext {
  readonly sims: Sims;
  readonly out: string;
  readonly dbPath: string;
  readonly sheet: string;
  private readonly children = new Set<ChildProcess>();

  private constructor(sims: Sims, out: string, sheet: string) {
    this.sims = sims;
    this.out = out;
    this.dbPath = join(out, 'studio.db');
    this.sheet = sheet;
  }

  static async start(
    options: SimsOptions & {
      settings?: SettingsPatch;
      timeouts?: Partial<BackendTimeouts>;
      sheet?: string;
    } = {},
  ): Promise<CellContext> {
    const sims = await startSims({ timeScale: 0.0005, ...options, openEngine: false });
    const out = join(sims.dir, 'out');
    const sheet = join(sims.dir, 'products.csv');
    await writeFile(sheet, options.sheet ?? sheetCsv());
    const ctx = new CellContext(sims, out, sheet);
    await ctx.writeSettings({
      timeouts: { ...MATRIX_TIMEOUTS, ...options.timeouts },
      templateParams: { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } },
      ...options.settings,
    });
    return ctx;
  }

  /** Settings go into the run's studio.db through the engine (what the Settings view does). */
  async writeSettings(patch: SettingsPatch, dbPath = this.dbPath, out = this.out): Promise<void> {
    const engine = await Engine.open({ dbPath, outputRoot: out });
    try {
      await engine.handlers['settings.update'](patch as never);
    } finally {
      await engine.close();
    }
  }

  /** `bin/showcase generate <sheet> --out … --comfy … --ollama … --variations 2 [extra]`. */
  generate(extra: string[] = [], opts: { out?: string; comfyUrls?: string[] } = {}): CliRun {
    const urls = opts.comfyUrls ?? this.sims.comfies.map((c) => c.url);
    const args = [
      'generate',
      this.sheet,
      '--out',
      opts.out ?? this.out,
      ...urls.flatMap((u) => ['--comfy', u]),
      '--ollama',
      this.sims.ollama.url,
      '--variations',
      '2',
      ...extra,
    ];
    return this.spawn(args);
  }

  spawn(args: string[]): CliRun {
    const started = Date.now();
    const child = spawn(BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.children.add(child);
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
      ms: Date.now() - started,
    }));
    return { child, stdout: () => out, stderr: () => err, exit };
  }

  /** Resolves when `check` holds (polled every 20 ms); rejects after `ms`. */
  async when(check: () => boolean, ms = 60_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  galleries(
    dbPath = this.dbPath,
  ): Array<{ id: string; product_id: string; status: string; error: string | null; copy: string | null }> {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare(
          'SELECT id, product_id, status, error, copy FROM product_galleries ORDER BY created_at, product_id',
        )
        .all() as never;
    } finally {
      db.close();
    }
  }

  assets(dbPath = this.dbPath): Array<{
    gallery_id: string;
    kind: string;
    idx: number;
    status: string;
    seed: number;
    sha256: string | null;
    error: string | null;
  }> {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare('SELECT gallery_id, kind, idx, status, seed, sha256, error FROM assets')
        .all() as never;
    } finally {
      db.close();
    }
  }

  jobs(
    dbPath = this.dbPath,
  ): Array<{ id: string; kind: string; status: string; attempts: number; error: string | null }> {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT id, kind, status, attempts, error FROM jobs').all() as never;
    } finally {
      db.close();
    }
  }

  /**
   * Images each ComfyUI server wrote, by asset slot ("alpha-kettle_hero_0"): more than one file for
   * a slot is an image rendered twice. Output files survive a simulated restart, history does not.
   */
  async renders(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const comfy of this.sims.comfies) {
      const dir = join(comfy.dirs.output, 'showcase');
      const files = await readdir(dir).catch(() => [] as string[]);
      for (const file of files) {
        const slot = /^(.+_(?:hero|lifestyle|variation|thumbnail)_\d+)/.exec(file)?.[1];
        if (slot) counts.set(slot, (counts.get(slot) ?? 0) + 1);
      }
    }
    return counts;
  }

  async close(): Promise<void> {
    for (const child of this.children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.sims.close();
  }
}

/** A failed expectation inside a cell. */
export class Expectation extends Error {}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Expectation(message);
}
