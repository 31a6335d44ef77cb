// The one interface the UI talks to. Two implementations: ElectronBridge (preload IPC) and
// HttpBridge (`showcase serve --ui`). UI code never knows which one it holds.
import type {
  EventListener,
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../shared/index.ts';

export type BridgeMode = 'electron' | 'http';

/** State of the live event stream (the WS in HTTP mode; always `open` under Electron). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** One validated event as a discriminated union, so stores can `switch (e.event)` and get typed payloads. */
export type BridgeEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];

export interface Bridge {
  readonly mode: BridgeMode;
  /** Calls one contract method. Rejects with a `ShowcaseError` (code, message, hint). */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Every contract event, payload already validated. Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** A URL the UI can put in `<img src>` / `<a href>` for a file under the gallery output root. */
  fileUrl(filename: string): string;
  /**
   * The folder a dropped file came from, when the bridge can know it (the desktop app; a browser
   * never tells). Relative photo paths in a sheet resolve against it.
   */
  folderOf?(file: File): string | undefined;
  /** Connection state of the event stream; called immediately with the current state. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}
