import { ElectronBridge } from './electron.ts';
import { httpBridgeFromLocation } from './http.ts';
import type { Bridge } from './types.ts';

/** Electron when the preload exposed `window.showcase`, otherwise the HTTP API of the serving origin. */
export function pickBridge(win: Window = window): Bridge {
  return win.showcase ? new ElectronBridge(win.showcase) : httpBridgeFromLocation(win);
}
