// The Electron IPC surface between the window and the main process: channel names and the API the
// preload exposes as `window.showcase`. The preload, the main process's IPC bridge and the renderer's
// ElectronBridge all import it from here. It imports nothing at run time: the sandboxed preload is
// bundled as one CommonJS script whose only `require` may be 'electron'.
import type { Reply } from './reply.ts';

/** Main → renderer: every contract event as an `{ event, payload, at }` envelope. */
export const EVENT_CHANNEL = 'showcase:event';
/** Renderer → main: one `showcase:<method>` channel per contract method. */
export const CHANNEL_PREFIX = 'showcase:';
/** `catalog.import`, `showcase.regenerateAsset` …: keeps a derived channel inside the `showcase:` namespace. */
export const METHOD_NAME_PATTERN = /^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/;

export function channelFor(method: string): string {
  return `${CHANNEL_PREFIX}${method}`;
}

/** What the main process answers to `invoke`: the same envelope as the HTTP API. */
export type PreloadReply = Reply;

/** The API the preload script exposes with `contextBridge.exposeInMainWorld('showcase', …)`. */
export interface ShowcasePreloadApi {
  invoke(method: string, input: unknown): Promise<PreloadReply>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
  /** Base URL under which the main process serves the gallery output root (custom protocol). */
  fileBaseUrl?: string;
  /** The disk path of a dropped file, or null (see the preload). */
  pathForFile?(file: File): string | null;
}
