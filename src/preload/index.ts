// The preload: exposes `window.showcase = { invoke, onEvent, pathForFile }` and nothing else — no ipcRenderer, no
// Node, no Electron event objects (an IpcRendererEvent carries `sender`, i.e. ipcRenderer itself).
// It runs sandboxed, so it is built as CommonJS (out/preload/index.cjs) and imports only 'electron';
// it deliberately carries no method list and no zod: the main process validates names and payloads
// (one `showcase:<method>` handler per contract method; an unknown name has no handler).
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import type { PreloadReply, ShowcasePreloadApi } from '../renderer/bridge/electron.ts';

const EVENT_CHANNEL = 'showcase:event';
/** `catalog.import`, `showcase.regenerateAsset` …: keeps the derived channel inside the `showcase:` namespace. */
const METHOD_NAME = /^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/;

function invoke(method: string, input: unknown): Promise<PreloadReply> {
  if (typeof method !== 'string' || !METHOD_NAME.test(method)) {
    return Promise.resolve({
      error: { code: 'not_found', message: `Unknown method "${String(method)}"`, retryable: false },
    });
  }
  return ipcRenderer.invoke(`showcase:${method}`, input);
}

function onEvent(listener: (event: string, payload: unknown) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('showcase.onEvent expects a function');
  const forward = (_event: IpcRendererEvent, envelope: unknown) => {
    if (typeof envelope !== 'object' || envelope === null) return;
    const { event, payload } = envelope as { event?: unknown; payload?: unknown };
    if (typeof event === 'string') listener(event, payload);
  };
  ipcRenderer.on(EVENT_CHANNEL, forward);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  };
}

/**
 * Where a dropped file lives on disk (Electron replaced `File.path` with webUtils), so a sheet's
 * relative photo paths can resolve against its folder. Null for anything that is not a disk file.
 */
function pathForFile(file: unknown): string | null {
  try {
    const path = webUtils.getPathForFile(file as File);
    return typeof path === 'string' && path !== '' ? path : null;
  } catch {
    return null;
  }
}

const api: ShowcasePreloadApi = { invoke, onEvent, pathForFile };
contextBridge.exposeInMainWorld('showcase', api);
