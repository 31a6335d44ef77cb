// The main process's side of the engine host: spawns it (through an injected `spawn`, which main.ts
// backs with `utilityProcess.fork`), correlates `{ id, method, input }` calls with their replies,
// forwards `{ event, payload }` messages, restarts a crashed host a few times, and offers the
// contract's `MethodHandlers` whose every output is parsed with the method's output schema.
import {
  describeZodError,
  type MethodHandlers,
  type MethodName,
  methodNames,
  methods,
  type Settings,
  ShowcaseError,
  toShowcaseError,
} from '../../shared/index.ts';
import { type HostInit, HostToMainSchema } from './engine-protocol.ts';
import { redactSettingsForRenderer, type SecretValues } from './settings-secrets.ts';

/** One spawned engine host as the main process sees it (a UtilityProcess, or a MessagePort in tests). */
export interface EngineChannel {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface EngineConnectionOptions {
  spawn: () => EngineChannel;
  /** Built for every (re)start, so a restarted host gets the current secrets. */
  init: () => HostInit | Promise<HostInit>;
  /** Every event the host pushes, unvalidated (the IPC bridge validates before the renderer sees it). */
  onEvent: (event: string, payload: unknown) => void;
  log?: (line: string) => void;
  /** Crashes tolerated within `restartWindowMs` before giving up (default 3 in 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  restartDelayMs?: number;
  /** How long opening the engine may take (migrations on a large database). */
  startTimeoutMs?: number;
}

export interface CallReply {
  result: unknown;
  secrets?: SecretValues;
}

interface Pending {
  method: string;
  resolve: (reply: CallReply) => void;
  reject: (err: ShowcaseError) => void;
}

export type EngineState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

export class EngineConnection {
  readonly #options: EngineConnectionOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #crashes: number[] = [];
  #child: EngineChannel | null = null;
  #ready: Promise<void> | null = null;
  #state: EngineState = 'idle';
  #nextId = 1;
  #exited: (() => void) | null = null;

  constructor(options: EngineConnectionOptions) {
    this.#options = options;
  }

  get state(): EngineState {
    return this.#state;
  }

  /** Spawns the host and resolves once the engine is open; rejects when it cannot open. */
  start(): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(closedError());
    if (this.#ready === null) {
      this.#state = 'starting';
      this.#ready = this.#launch();
    }
    return this.#ready;
  }

  async call(method: MethodName, input: unknown): Promise<CallReply> {
    await this.start();
    const child = this.#child;
    if (child === null || this.#state !== 'ready') throw stoppedError();
    const id = this.#nextId++;
    return new Promise<CallReply>((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      try {
        child.postMessage({ id, method, input });
      } catch (err) {
        this.#pending.delete(id);
        reject(toShowcaseError(err));
      }
    });
  }

  /** Asks the host to close the engine (checkpointing SQLite), then kills it if it does not exit in time. */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    const child = this.#child;
    this.#state = 'closed';
    if (child === null) return;
    const exited = new Promise<void>((resolve) => {
      this.#exited = resolve;
    });
    try {
      child.postMessage({ type: 'shutdown' });
    } catch {
      // already gone: the exit handler settles everything
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const late = await Promise.race([exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.#options.log?.('engine host did not exit in time; killing it');
      child.kill();
    }
    this.#rejectAll(new ShowcaseError('interrupted', 'The studio is shutting down'));
    this.#child = null;
  }

  #launch(): Promise<void> {
    return (async () => {
      const init = await this.#options.init();
      const child = this.#options.spawn();
      this.#child = child;
      await new Promise<void>((resolve, reject) => {
        let started = false;
        const timer = setTimeout(() => {
          reject(new ShowcaseError('timeout', 'The engine did not start in time'));
          child.kill();
        }, this.#options.startTimeoutMs ?? 120_000);
        child.onMessage((raw) => {
          if (this.#child !== child) return;
          const parsed = HostToMainSchema.safeParse(raw);
          if (!parsed.success) {
            this.#options.log?.(
              `dropped a malformed message from the engine host: ${describeZodError(parsed.error)}`,
            );
            return;
          }
          const message = parsed.data;
          if ('type' in message) {
            if (message.type === 'ready') {
              started = true;
              clearTimeout(timer);
              this.#state = 'ready';
              resolve();
            } else if (message.type === 'fatal') {
              clearTimeout(timer);
              reject(ShowcaseError.fromSerialized(message.error));
            } else if (message.type === 'log') this.#options.log?.(`engine: ${message.line}`);
            return;
          }
          if ('id' in message) {
            const pending = this.#pending.get(message.id);
            if (!pending) return;
            this.#pending.delete(message.id);
            if ('error' in message) pending.reject(ShowcaseError.fromSerialized(message.error));
            else
              pending.resolve({
                result: message.result,
                ...(message.secrets ? { secrets: message.secrets } : {}),
              });
            return;
          }
          this.#options.onEvent(message.event, message.payload);
        });
        child.onExit((code) => {
          if (this.#child !== child) return;
          this.#child = null;
          clearTimeout(timer);
          this.#rejectAll(stoppedError());
          this.#exited?.();
          if (!started) {
            reject(new ShowcaseError('internal', `The engine process exited while starting (code ${code})`));
            return;
          }
          this.#crashed(code);
        });
        child.postMessage(init);
      });
    })().catch((err: unknown) => {
      if (this.#state !== 'closed') this.#state = 'failed';
      throw toShowcaseError(err);
    });
  }

  #crashed(code: number): void {
    if (this.#state === 'closed') return;
    const now = Date.now();
    this.#crashes.push(now);
    const windowMs = this.#options.restartWindowMs ?? 60_000;
    while (this.#crashes.length > 0 && (this.#crashes[0] ?? now) < now - windowMs) this.#crashes.shift();
    if (this.#crashes.length > (this.#options.maxRestarts ?? 3)) {
      this.#options.log?.(`engine host exited (code ${code}) too often; giving up`);
      this.#state = 'failed';
      const failed = Promise.reject(
        new ShowcaseError('internal', 'The engine process keeps stopping', {
          hint: 'Restart the studio; if it happens again, check the log for the cause.',
        }),
      );
      failed.catch(() => undefined);
      this.#ready = failed;
      return;
    }
    this.#options.log?.(`engine host exited (code ${code}); restarting`);
    this.#state = 'restarting';
    const delay = this.#options.restartDelayMs ?? 500;
    const next = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => this.#launch());
    next.catch((err: unknown) =>
      this.#options.log?.(`engine restart failed: ${toShowcaseError(err).message}`),
    );
    this.#ready = next;
  }

  #rejectAll(err: ShowcaseError): void {
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }
}

function stoppedError(): ShowcaseError {
  return new ShowcaseError('internal', 'The engine process stopped', {
    hint: 'It restarts by itself; try again in a moment.',
    retryable: true,
  });
}

function closedError(): ShowcaseError {
  return new ShowcaseError('interrupted', 'The studio is shutting down');
}

/** Parses a reply with the method's output schema; a mismatch is the engine's fault, not the caller's. */
export function parseOutput(method: MethodName, raw: unknown): unknown {
  const parsed = methods[method].output.safeParse(raw);
  if (!parsed.success) {
    throw new ShowcaseError('backend_error', `The engine answered ${method} with an invalid result`, {
      hint: 'The engine and the window may be different versions; restart the studio.',
      details: { method, issues: describeZodError(parsed.error) },
    });
  }
  return parsed.data;
}

export interface RemoteHandlerOptions {
  /** Stores the secrets a `settings.update` reply carries (encrypted, main process). */
  persistSecrets?: (secrets: SecretValues) => Promise<void>;
}

/**
 * The contract's handler table backed by the engine host. Inputs reach these already parsed by
 * `dispatch` (the same function the HTTP server uses); outputs are parsed here before they go on.
 */
export function createRemoteHandlers(
  connection: Pick<EngineConnection, 'call'>,
  options: RemoteHandlerOptions = {},
): MethodHandlers {
  const entries = methodNames.map((method) => {
    const handler = async (input: unknown): Promise<unknown> => {
      const reply = await connection.call(method, input);
      if (reply.secrets && method === 'settings.update') {
        try {
          await options.persistSecrets?.(reply.secrets);
        } catch (err) {
          throw new ShowcaseError(
            'storage_error',
            'The settings were saved but the secrets could not be stored',
            {
              hint: 'Check that the system keychain is unlocked, then save the settings again.',
              cause: err,
            },
          );
        }
      }
      const output = parseOutput(method, reply.result);
      return method === 'settings.get' || method === 'settings.update'
        ? redactSettingsForRenderer(output as Settings)
        : output;
    };
    return [method, handler] as const;
  });
  return Object.fromEntries(entries) as unknown as MethodHandlers;
}
