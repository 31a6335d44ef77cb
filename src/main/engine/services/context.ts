// EngineContext: what every engine service shares — the store, the merged settings, the event hub,
// the log, the template library and the output root. The composition root (engine.ts) builds it
// once and hands it to each service, so a service needs no reference to the Engine itself.
import {
  type EventName,
  type EventPayload,
  type Settings,
  type SettingsPatch,
  SettingsSchema,
} from '../../../shared/index.ts';
import type { Store } from '../store/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';

export type EngineListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EngineContext {
  readonly store: Store;
  readonly templates: TemplateLibrary;
  /** Where galleries are written (absolute). */
  readonly outputRoot: string;
  /** The stored settings with this process's overrides on top (cached per change). */
  settings(): Settings;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  log(line: string): void;
}

/** The engine's typed event stream. */
export class EventHub {
  private readonly listeners = new Set<EngineListener>();

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A failing listener (a closed socket) must not break the pipeline.
      }
    }
  }
}

/** The stored settings merged with overrides, re-parsed only when either changed. */
export class SettingsReader {
  private readonly store: Store;
  private readonly overrides: SettingsPatch;
  /** The merged settings, for the stored object (cached by the store per change) and overrides they came from. */
  private cache: { stored: Settings; overrides: string; merged: Settings } | null = null;

  constructor(store: Store, overrides: SettingsPatch) {
    this.store = store;
    this.overrides = overrides;
  }

  get(): Settings {
    const stored = this.store.settings.get();
    // The overrides object may be changed in place by its owner (the Electron host's unsealed secrets).
    const overrides = JSON.stringify(this.overrides);
    const cache = this.cache;
    if (cache?.stored === stored && cache.overrides === overrides) return cache.merged;
    const merged = SettingsSchema.parse({ ...stored, ...this.overrides });
    this.cache = { stored, overrides, merged };
    return merged;
  }
}
