import { ShowcaseError } from '../../../shared/index.ts';
import { CLOCK_STATE_KEY, type StoreCore } from './core.ts';

export const NODE_ID_KEY = 'node_id';

/** Well-known keys; the sync module may add its own. `node_id` and `hlc_last` are managed by the store. */
export type SyncStateKey =
  | 'checkpoint'
  | 'last_push_at'
  | 'last_pull_at'
  | typeof NODE_ID_KEY
  | (string & {});

const MANAGED_KEYS: ReadonlySet<string> = new Set([NODE_ID_KEY, CLOCK_STATE_KEY]);

export class SyncStateRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  get(key: SyncStateKey): string | null {
    const row = this.core.prepare('SELECT value FROM sync_state WHERE key = ?').get(key);
    return row ? (row.value as string) : null;
  }

  /** Sets a value (in the caller's transaction when there is one, e.g. a checkpoint beside pulled rows). */
  set(key: SyncStateKey, value: string): void {
    this.assertWritable(key);
    this.core.tx(`set sync state ${key}`, () => {
      this.core
        .prepare(
          'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        )
        .run(key, value);
    });
  }

  delete(key: SyncStateKey): void {
    this.assertWritable(key);
    this.core.tx(`delete sync state ${key}`, () => {
      this.core.prepare('DELETE FROM sync_state WHERE key = ?').run(key);
    });
  }

  /** Every key and value, for diagnostics. */
  all(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const row of this.core.prepare('SELECT key, value FROM sync_state ORDER BY key').all()) {
      out[row.key as string] = row.value as string;
    }
    return out;
  }

  private assertWritable(key: string): void {
    if (MANAGED_KEYS.has(key)) {
      throw new ShowcaseError(
        'invalid_input',
        `sync_state.${key} is managed by the store and cannot be set`,
        {
          details: { fields: [key] },
        },
      );
    }
  }
}
