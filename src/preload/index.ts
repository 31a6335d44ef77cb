// The preload: exposes `window.showcase = { invoke, onEvent, pathForFile }` and nothing else — no ipcRenderer, no
// Node, no Electron event objects (an IpcRendererEvent carries `sender`, i.e. ipcRenderer itself).
// It runs sandboxed, so it is built as CommonJS (out/preload/index.cjs) whose only `require` is
// 'electron': besides it, it imports the dependency-free channel names of src/shared/ipc.ts (bundled
// in). It deliberately carries no method list and no zod: the main process validates names and
// payloads (one `showcase:<method>` handler per contract method; an unknown name has no handler).
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import {
  CHANNEL_PREFIX,
  EVENT_CHANNEL,
  METHOD_NAME_PATTERN,
  type PreloadReply,
  type ShowcasePreloadApi,
} from '../shared/ipc.ts';

function invoke(method: string, input: unknown): Promise<PreloadReply> {
  if (typeof method !== 'string' || !METHOD_NAME_PATTERN.test(method)) {
    return Promise.resolve({
      error: { code: 'not_found', message: `Unknown method "${String(method)}"`, retryable: false },
    });
  }
  return ipcRenderer.invoke(`${CHANNEL_PREFIX}${method}`, input);
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
