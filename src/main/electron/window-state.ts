// Window bounds and maximized state, remembered in `<userData>/window-state.json`. A missing,
// damaged or out-of-range file yields the defaults; bounds that no longer fit any display (a monitor
// was unplugged) are moved back onto the primary work area.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

export const MIN_WIDTH = 960;
export const MIN_HEIGHT = 640;

const coordinate = z.number().int().min(-100_000).max(100_000);

export const WindowStateSchema = z.object({
  x: coordinate.optional(),
  y: coordinate.optional(),
  width: z.number().int().min(MIN_WIDTH).max(100_000),
  height: z.number().int().min(MIN_HEIGHT).max(100_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1440, height: 900, maximized: false };

export async function loadWindowState(
  path: string,
  defaults: WindowState = DEFAULT_WINDOW_STATE,
): Promise<WindowState> {
  try {
    const parsed = WindowStateSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : { ...defaults };
  } catch {
    return { ...defaults };
  }
}

export async function saveWindowState(path: string, state: WindowState): Promise<void> {
  const valid = WindowStateSchema.parse(state);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(valid)}\n`);
  await rename(tmp, path);
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Keeps the window reachable: the size is capped to the largest work area, and a position whose
 * title bar strip is not on any display is dropped (Electron then centres the window).
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  if (workAreas.length === 0) return state;
  const maxWidth = Math.max(...workAreas.map((a) => a.width));
  const maxHeight = Math.max(...workAreas.map((a) => a.height));
  const width = Math.min(state.width, Math.max(maxWidth, MIN_WIDTH));
  const height = Math.min(state.height, Math.max(maxHeight, MIN_HEIGHT));
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const titleBar: Rect = { x: state.x, y: state.y, width, height: 32 };
  const visible = workAreas.some((area) => overlap(titleBar, area) >= Math.min(width, 200) * 16);
  return visible ? { ...fitted, x: state.x, y: state.y } : fitted;
}

/** The state to remember for a window (its normal bounds, even while maximized). */
export function captureWindowState(win: { getNormalBounds(): Rect; isMaximized(): boolean }): WindowState {
  const b = win.getNormalBounds();
  return {
    x: Math.round(b.x),
    y: Math.round(b.y),
    width: Math.max(MIN_WIDTH, Math.round(b.width)),
    height: Math.max(MIN_HEIGHT, Math.round(b.height)),
    maximized: win.isMaximized(),
  };
}
