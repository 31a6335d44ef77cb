// HttpBridge: the UI served by `showcase serve --ui` (or any browser) talking to the local API.
//   POST /api/rpc/:method   Authorization: Bearer <token>  → { result } | { error: SerializedError }
//   POST /api/session       Authorization: Bearer <token>  → the HttpOnly cookie that opens /files
//   WS   /api/events        subprotocols [showcase.events, showcase.bearer.<token>] → { event, payload, at }
//   GET  /files/<filename>  (the cookie)                   gallery files
// The token never goes into a URL: URLs end up in logs, history and Referer headers.
import {
  EventEnvelopeSchema,
  type EventListener,
  eventsProtocols,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  ShowcaseError,
} from '../../shared/index.ts';
import type { Bridge, BridgeEvent, ConnectionState } from './types.ts';
import { checkInput, parseEvent, unwrapReply } from './validate.ts';

export interface HttpBridgeOptions {
  /** `http://127.0.0.1:PORT`; the page's own origin in the served UI. */
  baseUrl: string;
  token: string;
  /** First reconnect delay; doubles up to `maxBackoffMs`, with ±25 % jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Called for every event that fails validation (dropped, never delivered). */
  onInvalidEvent?: (raw: unknown, reason: string) => void;
}

export class HttpBridge implements Bridge {
  readonly mode = 'http' as const;
  readonly #base: string;
  readonly #token: string;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #onInvalidEvent: (raw: unknown, reason: string) => void;
  readonly #listeners = new Set<EventListener>();
  readonly #connectionListeners = new Set<(state: ConnectionState) => void>();
  #socket: WebSocket | null = null;
  #state: ConnectionState = 'connecting';
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The /files cookie request, once it succeeded (retried on the next call when it did not). */
  #session: Promise<void> | null = null;

  constructor(options: HttpBridgeOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#backoffMs = options.backoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#onInvalidEvent =
      options.onInvalidEvent ??
      ((raw, reason) => console.warn('showcase: dropped an invalid event', reason, raw));
  }

  /**
   * Asks the server for the files cookie before the first call and the first event: every file name the
   * UI shows comes out of one of those, so <img> and gallery links are authorised by the time they load.
   * A failure is not reported here: the call that follows reports it (wrong token, server gone).
   */
  #ensureSession(): Promise<void> {
    this.#session ??= fetch(`${this.#base}/api/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#token}` },
    }).then(
      (res) => {
        if (!res.ok) this.#session = null;
      },
      () => {
        this.#session = null;
      },
    );
    return this.#session;
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const body = JSON.stringify(checkInput(method, input));
    await this.#ensureSession();
    let response: Response;
    try {
      response = await fetch(`${this.#base}/api/rpc/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body,
      });
    } catch (err) {
      throw new ShowcaseError('backend_unreachable', `The studio server at ${this.#base} cannot be reached`, {
        hint: 'Check that `showcase serve` is still running, then try again.',
        retryable: true,
        cause: err,
      });
    }
    let reply: unknown;
    try {
      reply = await response.json();
    } catch (err) {
      throw new ShowcaseError('backend_error', `${method} answered HTTP ${response.status} without JSON`, {
        details: { status: response.status, method },
        cause: err,
      });
    }
    return unwrapReply(method, reply);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    if (this.#socket === null && this.#retryTimer === null && !this.#opening) this.#open();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#disconnect();
    };
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.#connectionListeners.add(listener);
    listener(this.#state);
    return () => this.#connectionListeners.delete(listener);
  }

  fileUrl(filename: string): string {
    const path = filename.split('/').map(encodeURIComponent).join('/');
    return `${this.#base}/files/${path}`;
  }

  /** Closes the event stream for good (tests, page unload). */
  close(): void {
    this.#listeners.clear();
    this.#disconnect();
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#connectionListeners) listener(state);
  }

  /** True while the first connection waits for the files cookie. */
  #opening = false;

  /** First connection: after the files cookie, so images named by the first events load. */
  #open(): void {
    this.#opening = true;
    void this.#ensureSession().then(() => {
      this.#opening = false;
      if (this.#listeners.size > 0 && this.#socket === null && this.#retryTimer === null) this.#connect();
    });
  }

  #connect(): void {
    const wsBase = this.#base.replace(/^http/, 'ws');
    const socket = new WebSocket(`${wsBase}/api/events`, eventsProtocols(this.#token));
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setState('open');
    };
    socket.onmessage = (message) => this.#receive(message.data);
    socket.onclose = () => {
      if (this.#socket !== socket) return; // closed on purpose
      this.#socket = null;
      this.#scheduleReconnect();
    };
    // An error is always followed by close; reconnecting happens there.
    socket.onerror = () => {};
  }

  #scheduleReconnect(): void {
    this.#setState('reconnecting');
    const delay = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** this.#attempt);
    this.#attempt++;
    const jittered = delay * (0.75 + Math.random() * 0.5);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#listeners.size > 0) this.#connect();
    }, jittered);
  }

  #disconnect(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    this.#attempt = 0;
    this.#setState('connecting');
  }

  /** Reconnects now instead of waiting for the backoff (the browser came back online). */
  reconnectNow(): void {
    if (this.#retryTimer === null || this.#listeners.size === 0) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#attempt = 0;
    this.#connect();
  }

  #receive(data: unknown): void {
    const event = this.#decode(data);
    if (event !== null) deliver(this.#listeners, event);
  }

  /** The typed event in a WS frame, or null (reported through onInvalidEvent) when it is not one. */
  #decode(data: unknown): BridgeEvent | null {
    if (typeof data !== 'string') {
      this.#onInvalidEvent(data, 'not a text frame');
      return null;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      this.#onInvalidEvent(data, 'not JSON');
      return null;
    }
    const envelope = EventEnvelopeSchema.safeParse(raw);
    if (!envelope.success) {
      this.#onInvalidEvent(raw, 'not an {event, payload, at} envelope');
      return null;
    }
    const event = parseEvent(envelope.data.event, envelope.data.payload);
    if (event === null)
      this.#onInvalidEvent(raw, `unknown event or invalid payload for "${envelope.data.event}"`);
    return event;
  }
}

export function deliver(listeners: Iterable<EventListener>, event: BridgeEvent): void {
  for (const listener of listeners) {
    try {
      (listener as (name: string, payload: unknown) => void)(event.event, event.payload);
    } catch (err) {
      console.error('showcase: event listener failed', err);
    }
  }
}

const TOKEN_KEY = 'showcase.token';

/**
 * Reads the API token from the URL fragment (`#token=…`, as printed by `showcase serve --ui`), keeps it
 * in sessionStorage so a reload still works, and removes it from the address bar (and from history)
 * so it is not copied along with the URL or leaked through a screenshot.
 */
export function takeTokenFromLocation(win: Window = window): string | null {
  // The fragment may also carry a route (`#/queue&token=…`), so only the token part is removed.
  const parts = win.location.hash.replace(/^#/, '').split('&');
  const tokenPart = parts.find((part) => part.startsWith('token='));
  if (tokenPart !== undefined) {
    const fromHash = decodeURIComponent(tokenPart.slice('token='.length));
    const rest = parts.filter((part) => part !== tokenPart && part !== '').join('&');
    win.history.replaceState(
      win.history.state,
      '',
      `${win.location.pathname}${win.location.search}${rest ? `#${rest}` : ''}`,
    );
    if (fromHash) {
      win.sessionStorage.setItem(TOKEN_KEY, fromHash);
      return fromHash;
    }
  }
  return win.sessionStorage.getItem(TOKEN_KEY);
}

/** The HttpBridge for the page this UI was served from. */
export function httpBridgeFromLocation(win: Window = window): HttpBridge {
  const token = takeTokenFromLocation(win);
  if (!token) {
    throw new ShowcaseError('auth_failed', 'This page was opened without its access token', {
      hint: 'Open the address printed by `showcase serve --ui` (it ends in #token=…).',
    });
  }
  const bridge = new HttpBridge({ baseUrl: win.location.origin, token });
  win.addEventListener('online', () => bridge.reconnectNow());
  return bridge;
}
