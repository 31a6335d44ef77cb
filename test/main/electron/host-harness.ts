// Test plumbing for the engine host. Electron's utilityProcess cannot be launched on this machine, so
// the host runs in-process on one end of a worker_threads MessageChannel: the same structured-clone
// boundary `process.parentPort` has, so anything that would not survive the real port fails here too.
// The ipcMain stand-in is a fake for the same reason (no Electron binary): it records handlers with
// ipcMain's `handle/removeHandler` surface and calls them the way ipcMain does, `(event, ...args)`.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { APP_ENTRY_URL } from '../../../src/main/electron/app-protocol.ts';
import type { EngineChannel } from '../../../src/main/electron/engine-client.ts';
import {
  type EngineService,
  type EngineServiceOptions,
  serveEngine,
} from '../../../src/main/electron/engine-service.ts';
import type { InvokeEventLike, IpcMainLike } from '../../../src/main/electron/ipc-bridge.ts';

export interface HostLink {
  /** The main-process side, as EngineConnection sees a spawned host. */
  channel: EngineChannel;
  /** Every message the main side posted to the host, in order. */
  sent: unknown[];
  /** Ends the link as if the process had exited with `code`. */
  exit(code: number): void;
}

/** Links a main-side EngineChannel to a host-side port handler (the real serveEngine or a scripted peer). */
export function linkHost(attach: (port: MessagePort) => void): HostLink {
  const { port1, port2 } = new MessageChannel();
  const sent: unknown[] = [];
  const exitListeners: Array<(code: number) => void> = [];
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    port1.close();
    port2.close();
    for (const listener of exitListeners) listener(code);
  };
  attach(port2);
  return {
    sent,
    exit,
    channel: {
      postMessage: (message) => {
        sent.push(message);
        port1.postMessage(message);
      },
      onMessage: (listener) => port1.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: () => exit(137),
    },
  };
}

/** A host running the real engine service (a real Engine on a real SQLite file). */
export function linkEngineHost(options: EngineServiceOptions = {}): HostLink & { service: EngineService } {
  const holder: { service?: EngineService; link?: HostLink } = {};
  const link = linkHost((port) => {
    holder.service = serveEngine(
      {
        postMessage: (message) => port.postMessage(message),
        onMessage: (listener) => port.on('message', listener),
      },
      // What engine-host.ts does on 'closed' is process.exit(0); here the link reports the exit.
      { ...options, onClosed: () => setImmediate(() => holder.link?.exit(0)) },
    );
  });
  holder.link = link;
  if (!holder.service) throw new Error('engine service did not attach');
  return { ...link, service: holder.service };
}

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();

  handle(channel: string, listener: Listener): void {
    // Electron throws on a second handler for a channel; so does the fake.
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  async invoke(channel: string, input: unknown, senderUrl: string = APP_ENTRY_URL): Promise<unknown> {
    const listener = this.handlers.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    // ipcRenderer.invoke structured-clones its arguments; so does this.
    return listener({ senderFrame: { url: senderUrl } }, structuredClone(input));
  }
}
