// `electron-vite build` (what `npm run build` runs) into a temp folder: the layout main.ts relies on,
// and the process split (SQLite only in the engine host, Electron only in the main process).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'showcase-build-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
      'build',
      '--outDir',
      out,
      '--logLevel',
      'warn',
    ],
    { cwd: root, timeout: 60_000 },
  );
}, 90_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** The main-process files that load with index.js: itself and the chunks it imports. */
async function mainProcessCode(): Promise<string> {
  const index = await readFile(join(out, 'main/index.js'), 'utf8');
  const chunks = [...index.matchAll(/from "\.\/(chunks\/[^"]+)"/g)].map((m) => m[1] ?? '');
  const texts = await Promise.all(chunks.map((c) => readFile(join(out, 'main', c), 'utf8')));
  return [index, ...texts].join('\n');
}

describe('electron-vite build', () => {
  it('emits main, the engine host, a CommonJS preload and the renderer', () => {
    for (const file of ['main/index.js', 'main/engine-host.js', 'preload/index.cjs', 'renderer/index.html']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(existsSync(join(out, 'preload/index.mjs'))).toBe(false);
  });

  it('points the window at the preload and the utility process at the engine host that were built', async () => {
    const main = await readFile(join(out, 'main/index.js'), 'utf8');
    expect(main).toContain('"../preload/index.cjs"');
    expect(main).toContain('"engine-host.js"');
    expect(main).toContain('"../renderer"');
  });

  it('keeps SQLite and the engine out of the main process, and Electron out of the engine host', async () => {
    const main = await mainProcessCode();
    expect(main).not.toMatch(/from "better-sqlite3"|require\("better-sqlite3"\)/);
    expect(main).not.toContain('class Engine');
    const host = await readFile(join(out, 'main/engine-host.js'), 'utf8');
    expect(host).toMatch(/from "better-sqlite3"/);
    expect(host).not.toMatch(/from "electron"|require\("electron"\)/);
  });

  it('builds a preload that only requires electron and has no ESM syntax (sandbox: true loads it as a script)', async () => {
    const preload = await readFile(join(out, 'preload/index.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(await readdir(join(out, 'preload'))).toEqual(['index.cjs']);
  });
});
