// IPC between the window and the main process, generated from the contract's tables.
//
// Channels: one `ipcMain.handle('showcase:<method>')` per entry of the method table, and one
// `showcase:event` channel (main → renderer) carrying `{ event, payload, at }` envelopes.
// Why a channel per method rather than one `showcase:invoke` carrying the name: the set of registered
// channels *is* the contract, so the main process never routes on a renderer-chosen string and an
// unknown method has no handler at all; every handler closes over exactly one schema pair; IPC traces
// and devtools show the method; tests can compare the registered set with `methodNames` directly.
// The preload needs no method list for this (it maps `m` to `showcase:m`), so it imports nothing but
// 'electron', which a sandboxed preload requires.
//
// Every reply is an envelope `{ result } | { error: SerializedError }` (what the renderer's
// ElectronBridge unwraps): `ipcMain.handle` would otherwise flatten a thrown ShowcaseError to a string.
import {
  channelFor,
  EVENT_CHANNEL,
  EventEnvelopeSchema,
  type EventName,
  events,
  type MethodHandlers,
  methodNames,
  type Reply,
  replyError,
  replyResult,
  ShowcaseError,
} from '../../shared/index.ts';
import { dispatch } from '../contract/index.ts';

/** The part of `IpcMainInvokeEvent` the bridge reads. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}

/** The part of Electron's `ipcMain` the bridge uses (a fake in tests: Electron cannot run there). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcBridgeOptions {
  ipcMain: IpcMainLike;
  handlers: MethodHandlers;
  /** True when the calling frame is the app's own page (not a navigated-away or injected frame). */
  isTrustedSender: (url: string) => boolean;
  log?: (line: string) => void;
}

/** Registers one handler per method; returns the function that removes them all. */
export function registerIpcHandlers(options: IpcBridgeOptions): () => void {
  const { ipcMain, handlers, isTrustedSender } = options;
  for (const method of methodNames) {
    ipcMain.handle(channelFor(method), async (event, input): Promise<Reply> => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) {
        options.log?.(`refused ${method} from an untrusted frame: ${url || '(none)'}`);
        return replyError(new ShowcaseError('auth_failed', 'This page may not call the studio'));
      }
      try {
        // `dispatch` parses the input with the method's schema (invalid_input naming the field) before
        // anything is forwarded; the remote handler parses the output.
        return replyResult(await dispatch(handlers, method, input));
      } catch (err) {
        return replyError(err);
      }
    });
  }
  return () => {
    for (const method of methodNames) ipcMain.removeHandler(channelFor(method));
  };
}

function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

export interface EventRelayOptions {
  /** `webContents.send` of the window (skipped while no window is open). */
  send: (channel: string, envelope: unknown) => void;
  log?: (line: string) => void;
  now?: () => Date;
}

/** Validates an engine event with its schema and sends it as an envelope; drops anything malformed. */
export function createEventRelay(options: EventRelayOptions): (event: string, payload: unknown) => void {
  const now = options.now ?? (() => new Date());
  return (event, payload) => {
    if (!isEventName(event)) {
      options.log?.(`dropped unknown event "${event}"`);
      return;
    }
    const parsed = events[event].safeParse(payload);
    if (!parsed.success) {
      options.log?.(`dropped malformed "${event}" event: ${parsed.error.issues[0]?.message ?? ''}`);
      return;
    }
    const envelope = EventEnvelopeSchema.parse({ event, payload: parsed.data, at: now().toISOString() });
    options.send(EVENT_CHANNEL, envelope);
  };
}
