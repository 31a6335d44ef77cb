import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  captureWindowState,
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  loadWindowState,
  saveWindowState,
} from '../../../src/main/electron/window-state.ts';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-winstate-'));
  path = join(dir, 'nested', 'window-state.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('window state', () => {
  it('round-trips bounds and the maximized flag', async () => {
    const state = { x: -1800, y: 40, width: 1500, height: 950, maximized: true };
    await saveWindowState(path, state);
    expect(await loadWindowState(path)).toEqual(state);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(state);
  });

  it('falls back to the defaults for a missing, corrupted or out-of-range file', async () => {
    expect(await loadWindowState(path)).toEqual(DEFAULT_WINDOW_STATE);
    await saveWindowState(path, { width: 1200, height: 800, maximized: false });
    await writeFile(path, '{"x": 10, "width": 12');
    expect(await loadWindowState(path)).toEqual(DEFAULT_WINDOW_STATE);
    await writeFile(path, JSON.stringify({ width: 20, height: 10, maximized: 'yes' }));
    expect(await loadWindowState(path)).toEqual(DEFAULT_WINDOW_STATE);
    await writeFile(path, 'null');
    expect(await loadWindowState(path)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('refuses to save a state that would not load back', async () => {
    await expect(saveWindowState(path, { width: 5, height: 5, maximized: false })).rejects.toThrow();
  });

  it('drops a position that is on no display any more and caps the size', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1040 }];
    const unplugged = fitToDisplays(
      { x: 2500, y: 100, width: 1600, height: 900, maximized: false },
      displays,
    );
    expect(unplugged).toEqual({ width: 1600, height: 900, maximized: false });
    const huge = fitToDisplays({ x: 0, y: 0, width: 5000, height: 3000, maximized: true }, displays);
    expect(huge).toEqual({ x: 0, y: 0, width: 1920, height: 1040, maximized: true });
    const onSecond = fitToDisplays({ x: -1500, y: 50, width: 1400, height: 900, maximized: false }, [
      ...displays,
      { x: -1600, y: 0, width: 1600, height: 900 },
    ]);
    expect(onSecond).toEqual({ x: -1500, y: 50, width: 1400, height: 900, maximized: false });
  });

  it('captures the normal bounds of a maximized window', () => {
    const win = {
      getNormalBounds: () => ({ x: 12.4, y: 30, width: 1280.6, height: 720 }),
      isMaximized: () => true,
    };
    expect(captureWindowState(win)).toEqual({ x: 12, y: 30, width: 1281, height: 720, maximized: true });
  });
});
