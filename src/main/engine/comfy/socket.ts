// One WebSocket session with ComfyUI (`/ws?clientId=…`). Opening resolves only after the server's
// first `status` frame carrying our `sid` (§8.1, §12.1); the `feature_flags` message is sent first
// thing so previews arrive as type-4 frames with prompt ids.
import { type Dispatcher, WebSocket } from 'undici';
import { ShowcaseError } from '../../../shared/errors.ts';
import { isRecord } from '../../../shared/guards.ts';
import { timeoutError } from './errors.ts';
import { type BinaryFrame, decodeBinaryFrame } from './frames.ts';
import { WsStatusSchema } from './schemas.ts';

export interface SocketHandlers {
  /** Message types nobody reads right now: such frames are dropped before their JSON is parsed. */
  ignores?(type: string): boolean;
  onText(type: string, data: unknown): void;
  onBinary(frame: BinaryFrame): void;
  /** Fires once, for every close after a successful open (`expected` = we asked for it). */
  onClose(info: { code: number; reason: string; expected: boolean }): void;
}

export interface SocketOpenOptions {
  url: string;
  clientId: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  handlers: SocketHandlers;
}

const CLOSE_WAIT_MS = 2_000;
const LEADING_TYPE = /^\{\s*"type"\s*:\s*"([A-Za-z_]+)"/;

export class ComfySocket {
  readonly clientId: string;
  /** The session id the server confirmed in its first `status` frame. */
  sid: string | null = null;
  queueRemaining: number | null = null;
  /** Server flags from its `feature_flags` answer (empty until it arrives, or forever on old servers). */
  serverFeatures: Record<string, unknown> = {};
  private readonly ws: WebSocket;
  private readonly handlers: SocketHandlers;
  private closeRequested = false;
  private closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(ws: WebSocket, clientId: string, handlers: SocketHandlers) {
    this.ws = ws;
    this.clientId = clientId;
    this.handlers = handlers;
    this.closedPromise = new Promise((resolve) => {
      ws.addEventListener('close', () => {
        this.closed = true;
        resolve();
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  static open(options: SocketOpenOptions): Promise<ComfySocket> {
    const { url, clientId, dispatcher, timeoutMs, signal, handlers } = options;
    return new Promise<ComfySocket>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(url));
        return;
      }
      let settled = false;
      const ws = new WebSocket(url, { dispatcher });
      ws.binaryType = 'arraybuffer';
      const socket = new ComfySocket(ws, clientId, handlers);

      const fail = (err: ShowcaseError): void => {
        if (settled) return;
        settled = true;
        cleanup();
        socket.closeRequested = true;
        try {
          ws.close();
        } catch {
          // CONNECTING sockets may throw on close in some runtimes; the close event still follows
        }
        reject(err);
      };
      const timer = setTimeout(
        () => fail(timeoutError('Opening the ComfyUI WebSocket', timeoutMs, { url })),
        timeoutMs,
      );
      const onAbort = (): void => fail(abortError(url));
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };

      ws.addEventListener('open', () => {
        ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      });
      ws.addEventListener('message', (event) => {
        const data: unknown = event.data;
        if (typeof data === 'string') {
          // ComfyUI writes `{"type": …` first; when it does, an unwanted frame is skipped unparsed.
          const sniffed = LEADING_TYPE.exec(data)?.[1];
          if (sniffed !== undefined && socket.handlers.ignores?.(sniffed)) return;
          const envelope = parseEnvelope(data);
          if (envelope === null) return;
          if (envelope.type === 'status') {
            const status = WsStatusSchema.safeParse(envelope.data);
            if (status.success) {
              const remaining = status.data.status?.exec_info?.queue_remaining;
              if (remaining !== undefined) socket.queueRemaining = remaining;
              if (status.data.sid !== undefined && !settled) {
                socket.sid = status.data.sid;
                settled = true;
                cleanup();
                resolve(socket);
              }
            }
          } else if (envelope.type === 'feature_flags' && isRecord(envelope.data)) {
            socket.serverFeatures = envelope.data;
          }
          socket.handlers.onText(envelope.type, envelope.data);
          return;
        }
        if (data instanceof ArrayBuffer) {
          const frame = decodeBinaryFrame(data);
          if (frame !== null) socket.handlers.onBinary(frame);
        }
      });
      ws.addEventListener('close', (event) => {
        if (!settled) {
          settled = true;
          cleanup();
          reject(
            new ShowcaseError(
              'backend_unreachable',
              `ComfyUI WebSocket ${url} closed before its status frame (code ${event.code})`,
              {
                hint: 'Start ComfyUI (or check the URL in Settings) and try again.',
                details: { url, code: event.code, reason: event.reason },
                retryable: true,
              },
            ),
          );
          return;
        }
        socket.handlers.onClose({ code: event.code, reason: event.reason, expected: socket.closeRequested });
      });
      // `error` is always followed by `close`, which does the bookkeeping.
      ws.addEventListener('error', () => {});
    });
  }

  /** Closes the socket and waits (bounded) for its close event, so a reconnect never overlaps it (§8.1). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closeRequested = true;
    try {
      this.ws.close(1000);
    } catch {
      // already closing
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}

function parseEnvelope(text: string): { type: string; data: unknown } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  // Dozens of frames per image: the envelope is checked by hand (a zod pass here cost more than the
  // JSON parse); each payload is still validated by its own schema where it is used.
  if (!isRecord(value) || typeof value.type !== 'string') return null;
  return { type: value.type, data: value.data };
}

function abortError(url: string): ShowcaseError {
  return new ShowcaseError('interrupted', `Opening the ComfyUI WebSocket ${url} was aborted`, {
    details: { url, reason: 'aborted' },
  });
}
