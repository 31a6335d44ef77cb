import type { EventName, EventPayload } from '../../../shared/index.ts';
import type { Store } from '../store/index.ts';

export type HostListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * What the edit loop needs from the engine: its store, asset re-renders, its events. A structural
 * interface so this capability never imports the composition root.
 */
export interface EditLoopHost {
  readonly store: Store;
  regenerate(assetId: string, seed: 'same' | 'new'): Promise<string>;
  subscribe(listener: HostListener): () => void;
  emit: HostListener;
  log(line: string): void;
  /** Writes the gallery's JSON and page again (after a change that only the edit loop knows of). */
  recompose(galleryId: string): Promise<void>;
  /** Settings fixed by this process (command-line flags), and why. */
  overrides(): { fields: string[]; reason: string | null };
}
