// The preload exposes exactly `window.showcase = { invoke, onEvent, pathForFile }`. Checked twice: statically on the
// source, and by running the built CommonJS file the way a sandboxed preload runs — a script whose
// only module is 'electron'. Electron cannot run here, so that module is a recording stand-in.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelFor, methodNames } from '../../src/shared/index.ts';

const root = resolve(import.meta.dirname, '../..');
const source = resolve(root, 'src/preload/index.ts');

describe('preload source', () => {
  it('imports values from electron and the import-free IPC names only, and exposes one key', async () => {
    const text = await readFile(source, 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)];
    const valueImports = imports.filter((m) => !m[1]).map((m) => m[2]);
    expect(valueImports).toEqual(['electron', '../shared/ipc.ts']);
    // shared/ipc.ts is bundled into the preload: it must not pull anything in at run time.
    const ipc = await readFile(resolve(root, 'src/shared/ipc.ts'), 'utf8');
    const ipcImports = [...ipc.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)];
    expect(ipcImports.filter((m) => !m[1]).map((m) => m[2])).toEqual([]);
    const exposures = [...text.matchAll(/exposeInMainWorld\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect(exposures).toEqual(['showcase']);
    expect(text).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});

type Listener = (...args: unknown[]) => void;

interface Loaded {
  exposed: Record<string, Record<string, unknown>>;
  required: string[];
  invoked: unknown[][];
  listeners: Map<string, Set<Listener>>;
  ipcRenderer: object;
}

let outDir: string;
let code: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'showcase-preload-'));
  const resolved = await resolveConfig(
    { root, build: { outDir, emptyOutDir: true }, logLevel: 'warn' },
    'build',
    'production',
  );
  if (!resolved.config?.preload) throw new Error('no preload config');
  await build({ ...resolved.config.preload, configFile: false, logLevel: 'warn' });
  code = await readFile(join(outDir, 'preload', 'index.cjs'), 'utf8');
}, 60_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function load(): Loaded {
  const loaded: Loaded = { exposed: {}, required: [], invoked: [], listeners: new Map(), ipcRenderer: {} };
  const ipcRenderer = {
    invoke: async (...args: unknown[]) => {
      loaded.invoked.push(args);
      return { result: 'from-main' };
    },
    on: (channel: string, listener: Listener) => {
      const set = loaded.listeners.get(channel) ?? new Set();
      set.add(listener);
      loaded.listeners.set(channel, set);
    },
    removeListener: (channel: string, listener: Listener) => loaded.listeners.get(channel)?.delete(listener),
  };
  loaded.ipcRenderer = ipcRenderer;
  const electron = {
    webUtils: {
      getPathForFile: (file: { path?: unknown }) => {
        if (file.path === 'throw') throw new TypeError('not a File');
        return typeof file.path === 'string' ? file.path : '';
      },
    },
    contextBridge: {
      exposeInMainWorld: (key: string, api: Record<string, unknown>) => {
        loaded.exposed[key] = api;
      },
    },
    ipcRenderer,
  };
  const sandboxRequire = (id: string) => {
    loaded.required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`module not available in a sandboxed preload: ${id}`);
  };
  const module = { exports: {} };
  const wrapper = vm.runInNewContext(
    `(function (exports, require, module) {\n${code}\n})`,
    {},
    { filename: 'index.cjs' },
  );
  wrapper(module.exports, sandboxRequire, module);
  return loaded;
}

describe('built preload (out/preload/index.cjs)', () => {
  it('exposes exactly showcase.invoke, onEvent and pathForFile, requiring nothing but electron', () => {
    const { exposed, required } = load();
    expect(Object.keys(exposed)).toEqual(['showcase']);
    const api = exposed.showcase ?? {};
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvent', 'pathForFile']);
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.onEvent).toBe('function');
    expect(required).toEqual(['electron']);
  });

  it('tells the disk path of a dropped file through webUtils, and null for anything else', () => {
    const pathForFile = load().exposed.showcase?.pathForFile as (file: unknown) => string | null;
    expect(pathForFile({ path: '/srv/catalog/stools.csv' })).toBe('/srv/catalog/stools.csv');
    expect(pathForFile({ path: '' })).toBeNull(); // a file made in memory has no path
    expect(pathForFile({ path: 'throw' })).toBeNull();
  });

  it('invokes the main process handler channel of every contract method', async () => {
    const loaded = load();
    const invoke = loaded.exposed.showcase?.invoke as (m: string, i: unknown) => Promise<unknown>;
    for (const method of methodNames) {
      expect(await invoke(method, { probe: method })).toEqual({ result: 'from-main' });
    }
    expect(loaded.invoked).toEqual(methodNames.map((m) => [channelFor(m), { probe: m }]));
  });

  it('answers not_found without touching IPC for names that are not method-shaped', async () => {
    const loaded = load();
    const invoke = loaded.exposed.showcase?.invoke as (m: unknown, i: unknown) => Promise<unknown>;
    for (const bad of ['event', 'showcase:queue.status', '../queue.status', 'queue.status/x', '', 42, null]) {
      expect(await invoke(bad, {})).toMatchObject({ error: { code: 'not_found' } });
    }
    expect(loaded.invoked).toEqual([]);
  });

  it('delivers (event, payload) to listeners, never the IPC event object, and unsubscribes', () => {
    const loaded = load();
    const onEvent = loaded.exposed.showcase?.onEvent as (l: Listener) => () => void;
    const received: unknown[][] = [];
    const unsubscribe = onEvent((...args) => received.push(args));
    const channel = loaded.listeners.get('showcase:event');
    expect(channel?.size).toBe(1);
    const ipcEvent = { sender: loaded.ipcRenderer, senderId: 0 };
    for (const listener of channel ?? []) {
      listener(ipcEvent, { event: 'job.queued', payload: { jobId: 'j1' }, at: '2026-01-01T00:00:00.000Z' });
      listener(ipcEvent, 'not an envelope');
    }
    expect(received).toEqual([['job.queued', { jobId: 'j1' }]]);
    unsubscribe();
    expect(loaded.listeners.get('showcase:event')?.size).toBe(0);
    expect(() => onEvent('not a function' as unknown as Listener)).toThrow(/expects a function/);
  });
});
