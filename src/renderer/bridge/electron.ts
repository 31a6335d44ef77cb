// ElectronBridge: the desktop window, talking to the main process through the preload's `window.showcase`.
import {
  type EventListener,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type PreloadReply,
  ShowcaseError,
  type ShowcasePreloadApi,
} from '../../shared/index.ts';
import { deliver } from './http.ts';
import type { Bridge, ConnectionState } from './types.ts';
import { checkInput, parseEvent, unwrapReply } from './validate.ts';

declare global {
  interface Window {
    showcase?: ShowcasePreloadApi;
  }
}

/** Default when the preload does not say: a privileged `showcase-file:` protocol registered by main. */
const DEFAULT_FILE_BASE = 'showcase-file://files/';

export class ElectronBridge implements Bridge {
  readonly mode = 'electron' as const;
  readonly #api: ShowcasePreloadApi;
  readonly #listeners = new Set<EventListener>();
  #unsubscribe: (() => void) | null = null;

  constructor(api: ShowcasePreloadApi) {
    this.#api = api;
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const checked = checkInput(method, input);
    let reply: PreloadReply;
    try {
      reply = await this.#api.invoke(method, checked);
    } catch (err) {
      // ipcRenderer.invoke flattens thrown errors into a message; the main side should answer with an envelope instead.
      throw new ShowcaseError('internal', err instanceof Error ? err.message : String(err), { cause: err });
    }
    return unwrapReply(method, reply);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    if (this.#unsubscribe === null) {
      this.#unsubscribe = this.#api.onEvent((name, payload) => {
        const event = parseEvent(name, payload);
        if (event === null) {
          console.warn('showcase: dropped an invalid event', name, payload);
          return;
        }
        deliver(this.#listeners, event);
      });
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#unsubscribe?.();
        this.#unsubscribe = null;
      }
    };
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    // IPC does not drop: the stream is open for the life of the window.
    listener('open');
    return () => {};
  }

  folderOf(file: File): string | undefined {
    const path = this.#api.pathForFile?.(file);
    if (!path) return undefined;
    // Keep the separator: the folder of `C:\sheet.csv` is `C:\`, which is absolute; `C:` is not.
    const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return cut >= 0 ? path.slice(0, cut + 1) : undefined;
  }

  fileUrl(filename: string): string {
    const base = this.#api.fileBaseUrl ?? DEFAULT_FILE_BASE;
    return `${base.endsWith('/') ? base : `${base}/`}${filename.split('/').map(encodeURIComponent).join('/')}`;
  }
}
