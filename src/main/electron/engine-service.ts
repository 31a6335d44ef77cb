// The engine side of the engine host: opens the Engine (better-sqlite3, the scheduler, the backends)
// in the utility process, answers `{ id, method, input }` with `{ id, result } | { id, error }`, and
// pushes every engine event as `{ event, payload }`. Transport-neutral: `engine-host.ts` binds it to
// Electron's `process.parentPort`; the tests bind it to a worker_threads MessageChannel.
import {
  type EventName,
  type EventPayload,
  methods,
  parseOrThrow,
  replyError,
  replyResult,
  type Settings,
  type SettingsPatch,
  toShowcaseError,
} from '../../shared/index.ts';
import { dispatch } from '../contract/index.ts';
import { Engine } from '../engine/engine.ts';
import {
  type EngineHostOptions,
  type HostCall,
  type HostInit,
  type HostToMain,
  MainToHostSchema,
} from './engine-protocol.ts';
import { restoreMaskedPatch, type SecretValues, sealPatch, unsealOverrides } from './settings-secrets.ts';

/** The host's end of the port: Electron's `process.parentPort`, or a MessagePort in tests. */
export interface HostPort {
  postMessage(message: HostToMain): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface EngineServiceOptions {
  /** Called after the engine is closed in answer to `shutdown` (the entry exits the process). */
  onClosed?: () => void;
  /** Opens the engine; tests pass extra EngineOptions (short client timeouts) through this. */
  open?: (options: EngineHostOptions, overrides: SettingsPatch) => Promise<Engine>;
}

export interface EngineService {
  /** The open engine, or null before `init` succeeded / after shutdown. */
  engine(): Engine | null;
}

function defaultOpen(options: EngineHostOptions, overrides: SettingsPatch): Promise<Engine> {
  return Engine.open({
    dbPath: options.dbPath,
    outputRoot: options.outputRoot,
    ...(options.templatesDir ? { templatesDir: options.templatesDir } : {}),
    ...(options.objectInfoPath ? { objectInfoPath: options.objectInfoPath } : {}),
    // Passed by reference on purpose: the Engine reads it on every `settings()` call, so updating
    // its keys swaps the in-memory (never persisted) clear secrets without reopening the store.
    overrides,
  });
}

export function serveEngine(port: HostPort, options: EngineServiceOptions = {}): EngineService {
  const open = options.open ?? defaultOpen;
  let engine: Engine | null = null;
  let opening: Promise<Engine> | null = null;
  let sealSecrets = false;
  let secrets: SecretValues = {};
  let baseOverrides: SettingsPatch = {};
  /** The live object handed to the Engine: base overrides plus the unsealed secrets. */
  const overrides: SettingsPatch = {};
  let unsubscribe: (() => void) | null = null;
  /** settings.update calls run one at a time: each reads and replaces `secrets`. */
  let settingsQueue: Promise<unknown> = Promise.resolve();

  const post = (message: HostToMain) => {
    try {
      port.postMessage(message);
    } catch (err) {
      // A value that cannot be structured-cloned must not leave the caller waiting forever.
      if ('id' in message && typeof message.id === 'number') {
        port.postMessage({ id: message.id, ...replyError(err) });
      }
    }
  };
  const log = (line: string) => post({ type: 'log', line });

  const refreshOverrides = (e: Engine) => {
    for (const key of Object.keys(overrides)) delete overrides[key as keyof SettingsPatch];
    Object.assign(overrides, baseOverrides);
    if (sealSecrets) Object.assign(overrides, unsealOverrides(e.store.settings.get(), secrets));
  };

  const init = async (message: HostInit) => {
    if (opening) throw new Error('init received twice');
    sealSecrets = message.sealSecrets;
    secrets = { ...message.secrets };
    baseOverrides = message.options.overrides ?? {};
    Object.assign(overrides, baseOverrides);
    opening = open(message.options, overrides);
    const e = await opening;
    engine = e;
    refreshOverrides(e);
    unsubscribe = e.subscribe(<E extends EventName>(event: E, payload: EventPayload<E>) => {
      post({ event, payload });
    });
    const resumed = await e.resume().catch((err: unknown) => {
      log(`resume skipped: ${toShowcaseError(err).message}`);
      return 0;
    });
    if (resumed > 0) log(`resumed ${resumed} unfinished job(s) from the journal`);
  };

  const updateSettings = async (e: Engine, rawInput: unknown) => {
    // The same parse `dispatch` does, then the secrets are put back / taken out before the engine sees it.
    const input = parseOrThrow(methods['settings.update'].input, rawInput ?? {}, 'settings.update');
    const current: Settings = e.settings();
    const restored = restoreMaskedPatch(input, current);
    if (!sealSecrets) return replyResult(await e.handlers['settings.update'](restored));
    const sealed = sealPatch(restored, secrets);
    await e.handlers['settings.update'](sealed.patch);
    secrets = sealed.secrets;
    refreshOverrides(e);
    // Read back after the overrides follow the new stored values (the update's own reply predates them).
    return { ...replyResult(await e.handlers['settings.get']({})), secrets };
  };

  const call = async (message: HostCall) => {
    try {
      const e = engine ?? (opening ? await opening : null);
      if (!e) throw new Error('the engine host received a call before init');
      if (message.method === 'settings.update') {
        const run = settingsQueue.then(() => updateSettings(e, message.input));
        settingsQueue = run.catch(() => undefined);
        post({ id: message.id, ...(await run) });
        return;
      }
      post({ id: message.id, ...replyResult(await dispatch(e.handlers, message.method, message.input)) });
    } catch (err) {
      post({ id: message.id, ...replyError(err) });
    }
  };

  const shutdown = async () => {
    unsubscribe?.();
    const e = engine ?? (opening ? await opening.catch(() => null) : null);
    engine = null;
    await e?.close().catch((err: unknown) => log(`engine close failed: ${toShowcaseError(err).message}`));
    post({ type: 'closed' });
    options.onClosed?.();
  };

  port.onMessage((raw) => {
    const parsed = MainToHostSchema.safeParse(raw);
    if (!parsed.success) {
      log(`dropped a malformed message from the main process: ${parsed.error.issues[0]?.message ?? ''}`);
      return;
    }
    const message = parsed.data;
    if ('type' in message) {
      if (message.type === 'init') {
        init(message).then(
          () => post({ type: 'ready' }),
          (err: unknown) => post({ type: 'fatal', ...replyError(err) }),
        );
      } else void shutdown();
      return;
    }
    void call(message);
  });

  return { engine: () => engine };
}
